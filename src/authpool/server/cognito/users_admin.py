"""Users, administrator side: AdminCreateUser, AdminGetUser, AdminDeleteUser, AdminSetUserPassword,
AdminUpdateUserAttributes, AdminDeleteUserAttributes, AdminDisableUser, AdminEnableUser,
AdminUserGlobalSignOut, AdminConfirmSignUp, AdminResetUserPassword, ListUsers (botocore
service-2.json; COGNITO.md §4.2).

AdminCreateUser makes a FORCE_CHANGE_PASSWORD user whose temporary password expires after the
pool's ``TemporaryPasswordValidityDays``; unless ``MessageAction=SUPPRESS`` the invitation (the
temporary password) goes to the outbox, where Cognito would e-mail it; ``MessageAction=RESEND``
gives an existing FORCE_CHANGE_PASSWORD user a new temporary password. Disabling a user and
AdminUserGlobalSignOut revoke every session of the user (``UserService``).
"""

from __future__ import annotations

from typing import Any

from ..pool import password_policy
from ..pool.codes import CONFIRM_SIGN_UP, FORGOT_PASSWORD, CodeService
from ..pool.passwords import generate_password
from ..store import UserStatus
from . import shapes
from .errors import CognitoError
from .mfa import user_mfa
from .params import NEXT_TOKEN, PASSWORD, POOL_ID, USERNAME
from .shapes import user_type


def _target(call) -> tuple[str, str]:
    return (call.params.str("UserPoolId", required=True, **POOL_ID),
            call.params.str("Username", required=True, **USERNAME))


def admin_create_user(call) -> dict[str, Any]:
    ctx, p = call.ctx, call.params
    pool_id, username = _target(call)
    action = p.str("MessageAction", choices=("RESEND", "SUPPRESS"))
    p.str_list("DesiredDeliveryMediums", max_items=2)
    attributes = p.attributes("UserAttributes") or {}
    temporary = p.str("TemporaryPassword", **PASSWORD) or None
    pool = ctx.pools.describe(pool_id)
    if action == "RESEND":
        user = ctx.users.get(pool_id, username)
        if user.status is not UserStatus.FORCE_CHANGE_PASSWORD:
            raise CognitoError("UnsupportedUserStateException",
                               "Resend not possible. User is not in FORCE_CHANGE_PASSWORD state.")
        temporary = temporary or generate_password(password_policy(pool))
        user = ctx.users.set_password(pool_id, user.username, temporary, permanent=False)
    else:
        created = ctx.users.admin_create(pool_id, username, attributes=attributes, temporary_password=temporary)
        user, temporary = created.user, created.temporary_password
    if action != "SUPPRESS":
        days = password_policy(pool).temporary_password_validity_days or 365
        CodeService(ctx.db).invite(user, temporary, valid_for=days * 86400)
    return {"User": user_type(user)}


def admin_get_user(call) -> dict[str, Any]:
    pool_id, username = _target(call)
    user = call.ctx.users.get(pool_id, username)
    return shapes.admin_get_user(user, user_mfa(call, pool_id, user.sub).to_cognito())


def admin_delete_user(call) -> dict[str, Any]:
    call.ctx.users.delete(*_target(call))
    return {}


def admin_set_user_password(call) -> dict[str, Any]:
    pool_id, username = _target(call)
    password = call.params.str("Password", required=True, **PASSWORD)
    call.ctx.users.set_password(pool_id, username, password, permanent=bool(call.params.bool("Permanent")))
    return {}


def admin_update_user_attributes(call) -> dict[str, Any]:
    pool_id, username = _target(call)
    call.ctx.users.update_attributes(pool_id, username, call.params.attributes("UserAttributes", required=True),
                                     as_admin=True)
    return {}


def admin_delete_user_attributes(call) -> dict[str, Any]:
    pool_id, username = _target(call)
    names = call.params.str_list("UserAttributeNames", required=True, max_items=100, item_max=32)
    call.ctx.users.delete_attributes(pool_id, username, names, as_admin=True)
    return {}


def admin_disable_user(call) -> dict[str, Any]:
    call.ctx.users.disable(*_target(call))
    return {}


def admin_enable_user(call) -> dict[str, Any]:
    call.ctx.users.enable(*_target(call))
    return {}


def admin_user_global_sign_out(call) -> dict[str, Any]:
    call.ctx.users.global_sign_out(*_target(call))
    return {}


def admin_confirm_sign_up(call) -> dict[str, Any]:
    user = call.ctx.users.confirm(*_target(call))
    CodeService(call.ctx.db).discard(user, CONFIRM_SIGN_UP)
    return {}


def admin_reset_user_password(call) -> dict[str, Any]:
    """RESET_REQUIRED, and a forgot-password code in the outbox for ConfirmForgotPassword."""
    user = call.ctx.users.reset_password(*_target(call))
    CodeService(call.ctx.db).issue(user, FORGOT_PASSWORD)
    return {}


def list_users(call) -> dict[str, Any]:
    p = call.params
    pool_id = p.str("UserPoolId", required=True, **POOL_ID)
    only = p.str_list("AttributesToGet", max_items=100, item_max=32)
    page = call.ctx.users.list(pool_id, filter=p.str("Filter", min=0, max=256) or None,
                               limit=p.int("Limit", min=0, max=60, default=0) or 60,
                               pagination_token=p.str("PaginationToken", **NEXT_TOKEN))
    out: dict[str, Any] = {"Users": [user_type(u, only=only) for u in page.items]}
    if page.next_token:
        out["PaginationToken"] = page.next_token
    return out


OPERATIONS = {
    "AdminCreateUser": admin_create_user,
    "AdminGetUser": admin_get_user,
    "AdminDeleteUser": admin_delete_user,
    "AdminSetUserPassword": admin_set_user_password,
    "AdminUpdateUserAttributes": admin_update_user_attributes,
    "AdminDeleteUserAttributes": admin_delete_user_attributes,
    "AdminDisableUser": admin_disable_user,
    "AdminEnableUser": admin_enable_user,
    "AdminUserGlobalSignOut": admin_user_global_sign_out,
    "AdminConfirmSignUp": admin_confirm_sign_up,
    "AdminResetUserPassword": admin_reset_user_password,
    "ListUsers": list_users,
}
