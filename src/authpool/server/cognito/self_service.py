"""The user's own operations (unsigned): SignUp, ConfirmSignUp, ResendConfirmationCode,
ForgotPassword, ConfirmForgotPassword, GetUser, UpdateUserAttributes, ChangePassword, DeleteUser,
GlobalSignOut, RevokeToken (botocore service-2.json; COGNITO.md §1.6, §4.2).

- Client operations (SignUp ... ConfirmForgotPassword) name an app client and need its
  ``SECRET_HASH`` when it has a secret. Codes go to the outbox (``pool/codes.py``); a pool with
  ``AutoConfirmSignUp`` confirms at SignUp. With the client's ``PreventUserExistenceErrors: ENABLED``
  an unknown user gets what a real one would (a masked delivery, CodeMismatchException, and
  LimitExceededException after as many code requests: ``CodeService.pretend``), not
  UserNotFoundException.
- Token operations (GetUser ... GlobalSignOut) accept only an access token with the
  ``aws.cognito.signin.user.admin`` scope that verifies against the pool's keys and is not revoked
  (``access.py``); an ID token is refused with NotAuthorizedException. The app client's
  Read/WriteAttributes apply. UpdateUserAttributes of an e-mail or phone number answers the
  verification codes it sent (``pool/attribute_verification.py``; GetUserAttributeVerificationCode,
  VerifyUserAttribute and DeleteUserAttributes are in ``attribute_verification.py``).
- RevokeToken revokes the refresh token's whole session: the refresh token and every access token
  issued from it (``origin_jti``), for every authpool endpoint that checks revocation. It needs the
  client's ``EnableTokenRevocation``; an unknown or already revoked token is not an error.
"""

from __future__ import annotations

from typing import Any

from ..errors import Kind, NotAuthorized, NotFound
from ..pool import check_password, find_user, password_policy
from ..pool.codes import CONFIRM_SIGN_UP, FORGOT_PASSWORD, CodeMismatch, CodeService
from ..store import ClientRecord, UserRecord, UserStatus
from .access import AccessGrant, authorize
from .clientauth import check_client_secret, check_secret_hash, load_client
from .errors import CognitoError, invalid_parameter
from .mfa import user_mfa
from .params import CLIENT_ID, CLIENT_SECRET, CODE, PASSWORD, SECRET_HASH, TOKEN, USERNAME
from .shapes import attribute_list


# -- helpers ------------------------------------------------------------------------------------------
def _client_and_user(call) -> tuple[ClientRecord, str]:
    p = call.params
    client = load_client(call.ctx, p.str("ClientId", required=True, **CLIENT_ID))
    username = p.str("Username", required=True, **USERNAME)
    check_secret_hash(client, p.str("SecretHash", **SECRET_HASH), [username])
    return client, username


def _hides_users(client: ClientRecord) -> bool:
    return client.settings.get("PreventUserExistenceErrors") == "ENABLED"


def _find(call, client: ClientRecord, username: str) -> UserRecord | None:
    with call.ctx.db.transaction(readonly=True) as tx:
        return find_user(tx, tx.pools.require(client.pool_id), username)


def _unknown_user_delivery(call, client: ClientRecord, username: str, purpose: str) -> dict[str, Any]:
    """The answer to a code request for a name no user holds: under PreventUserExistenceErrors a masked
    delivery like a real user's (counted by ``CodeService.pretend``), otherwise UserNotFoundException."""
    if not _hides_users(client):
        raise NotFound(Kind.USER)
    return {"CodeDeliveryDetails": CodeService(call.ctx.db).pretend(client.pool_id, username, purpose).to_cognito()}


def _writable(client: ClientRecord, attributes: dict[str, str]) -> None:
    allowed = client.settings.get("WriteAttributes")
    if allowed is not None and not set(attributes) <= set(allowed):
        raise NotAuthorized("A client attempted to write unauthorized attribute")


def _grant(call) -> AccessGrant:
    return authorize(call.ctx, call.params.str("AccessToken", required=True, **TOKEN))


# -- sign-up and recovery -----------------------------------------------------------------------------
def sign_up(call) -> dict[str, Any]:
    client, username = _client_and_user(call)
    password = call.params.str("Password", required=True, **PASSWORD)
    attributes = call.params.attributes("UserAttributes") or {}
    _writable(client, attributes)
    pool = call.ctx.pools.describe(client.pool_id)
    auto = bool(pool.settings.get("AutoConfirmSignUp"))
    user = call.ctx.users.sign_up(client.pool_id, username, password, attributes=attributes, confirmed=auto)
    out: dict[str, Any] = {"UserConfirmed": auto, "UserSub": user.sub}
    if not auto:
        delivery = CodeService(call.ctx.db).issue(user, CONFIRM_SIGN_UP)
        if delivery is not None:
            out["CodeDeliveryDetails"] = delivery.to_cognito()
    return out


def confirm_sign_up(call) -> dict[str, Any]:
    client, username = _client_and_user(call)
    code = call.params.str("ConfirmationCode", required=True, **CODE)
    user = _find(call, client, username)
    if user is None:
        raise CodeMismatch() if _hides_users(client) else NotFound(Kind.USER)
    if user.status is not UserStatus.UNCONFIRMED:
        raise NotAuthorized(f"User cannot be confirmed. Current status is {user.status.value}")
    CodeService(call.ctx.db).verify(user, CONFIRM_SIGN_UP, code)
    with call.ctx.db.transaction() as tx:
        user = call.ctx.users.confirm(client.pool_id, user.username, tx=tx)
        verified = [a for a in call.ctx.pools.describe(client.pool_id, tx=tx).settings.get("AutoVerifiedAttributes", [])
                    if user.attributes.get(a)]
        if verified:
            call.ctx.users.update_attributes(client.pool_id, user.username, {f"{a}_verified": "true" for a in verified},
                                             tx=tx)
    return {}


def resend_confirmation_code(call) -> dict[str, Any]:
    client, username = _client_and_user(call)
    user = _find(call, client, username)
    if user is None:
        return _unknown_user_delivery(call, client, username, CONFIRM_SIGN_UP)
    if user.status is not UserStatus.UNCONFIRMED:
        raise invalid_parameter("User is already confirmed.")
    delivery = CodeService(call.ctx.db).issue(user, CONFIRM_SIGN_UP)
    return {"CodeDeliveryDetails": delivery.to_cognito()} if delivery else {}


def forgot_password(call) -> dict[str, Any]:
    client, username = _client_and_user(call)
    user = _find(call, client, username)
    if user is None:
        return _unknown_user_delivery(call, client, username, FORGOT_PASSWORD)
    if not user.enabled:
        raise NotAuthorized("User is disabled.")
    if user.status not in (UserStatus.CONFIRMED, UserStatus.RESET_REQUIRED):
        raise NotAuthorized("User password cannot be reset in the current state.")
    delivery = CodeService(call.ctx.db).issue(user, FORGOT_PASSWORD)
    if delivery is None:
        raise invalid_parameter("Cannot reset password for the user as there is no registered/verified email or "
                                "phone_number")
    return {"CodeDeliveryDetails": delivery.to_cognito()}


def confirm_forgot_password(call) -> dict[str, Any]:
    client, username = _client_and_user(call)
    code = call.params.str("ConfirmationCode", required=True, **CODE)
    password = call.params.str("Password", required=True, **PASSWORD)
    user = _find(call, client, username)
    if user is None:
        raise CodeMismatch() if _hides_users(client) else NotFound(Kind.USER)
    check_password(password, password_policy(call.ctx.pools.describe(client.pool_id)))  # before using the code
    CodeService(call.ctx.db).verify(user, FORGOT_PASSWORD, code)
    call.ctx.users.set_password(client.pool_id, user.username, password, permanent=True)
    return {}


# -- with an access token -----------------------------------------------------------------------------
def get_user(call) -> dict[str, Any]:
    grant = _grant(call)
    client = call.ctx.clients.find(grant.client_id)
    readable = client.settings.get("ReadAttributes") if client else None
    only = None if readable is None else {"sub", *readable}
    return {"Username": grant.user.username, "UserAttributes": attribute_list(grant.user.attributes, only),
            "MFAOptions": [], **user_mfa(call, grant.pool_id, grant.user.sub).to_cognito()}


def update_user_attributes(call) -> dict[str, Any]:
    grant = _grant(call)
    attributes = call.params.attributes("UserAttributes", required=True)
    client = call.ctx.clients.find(grant.client_id)
    if client is not None:
        _writable(client, attributes)
    change = call.ctx.users.change_attributes(grant.pool_id, grant.user.username, attributes, as_admin=False)
    return {"CodeDeliveryDetailsList": [d.to_cognito() for d in change.deliveries]}


def change_password(call) -> dict[str, Any]:
    grant = _grant(call)
    previous = call.params.str("PreviousPassword", **PASSWORD) or ""
    proposed = call.params.str("ProposedPassword", required=True, **PASSWORD)
    throttle, user = call.ctx.signin.throttle, grant.user
    throttle.check(user.pool_id, user.username, call.source_ip)
    try:
        call.ctx.users.change_password(user.pool_id, user.username, previous, proposed)
    except NotAuthorized:
        throttle.failed(user.pool_id, user.username, call.source_ip)
        raise
    return {}


def delete_user(call) -> dict[str, Any]:
    grant = _grant(call)
    call.ctx.users.delete(grant.pool_id, grant.user.username)
    return {}


def global_sign_out(call) -> dict[str, Any]:
    grant = _grant(call)
    call.ctx.users.global_sign_out(grant.pool_id, grant.user.username)
    return {}


def revoke_token(call) -> dict[str, Any]:
    p = call.params
    token = p.str("Token", required=True, **TOKEN)
    client = load_client(call.ctx, p.str("ClientId", required=True, **CLIENT_ID))
    check_client_secret(client, p.str("ClientSecret", **CLIENT_SECRET))
    if not client.settings.get("EnableTokenRevocation", True):
        raise CognitoError("UnsupportedOperationException", "Token revocation is not enabled for this app client.")
    if token.count(".") == 2:  # a JWT: an access or ID token, not a refresh token
        raise CognitoError("UnsupportedTokenTypeException", "Only refresh tokens can be revoked.")
    call.ctx.tokens.revoke_refresh_token(client=client, refresh_token=token)
    return {}


OPERATIONS = {
    "SignUp": sign_up,
    "ConfirmSignUp": confirm_sign_up,
    "ResendConfirmationCode": resend_confirmation_code,
    "ForgotPassword": forgot_password,
    "ConfirmForgotPassword": confirm_forgot_password,
    "GetUser": get_user,
    "UpdateUserAttributes": update_user_attributes,
    "ChangePassword": change_password,
    "DeleteUser": delete_user,
    "GlobalSignOut": global_sign_out,
    "RevokeToken": revoke_token,
}
