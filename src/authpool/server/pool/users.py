"""Users: the :class:`UserService` over one pool's users (Cognito's Admin*User operations, SignUp,
ChangePassword, ListUsers; COGNITO.md §4.2). This module creates, reads, changes the state of and
deletes users; the rest of the service lives where its one job does:

* :mod:`.user_lookup`: which user a name means (user names, aliases, sign in with e-mail/phone);
* :mod:`.user_passwords`: the password check at sign-in and setting or changing a password;
* :mod:`.user_attributes`: (Admin)UpdateUserAttributes and (Admin)DeleteUserAttributes.

Statuses (Cognito ``UserStatusType``): ``admin_create`` makes ``FORCE_CHANGE_PASSWORD`` users with a
temporary password valid for the pool's ``TemporaryPasswordValidityDays``; ``sign_up`` makes
``UNCONFIRMED`` users (``confirm`` = AdminConfirmSignUp); a permanent ``set_password`` makes
``CONFIRMED``; ``reset_password`` makes ``RESET_REQUIRED``. Disabling a user or signing them out
globally revokes every session (``tokens_valid_after`` and the token families; COGNITO.md §1.6).

New passwords are hashed before the write transaction opens, so the SQLite write lock is never held
for an argon2 computation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from ..errors import InvalidParameter, Kind, NotAuthorized, NotFound
from ..store import Page, PoolRecord, UnitOfWork, UserRecord, UserStatus, parse_user_filter
from ..store.records import AttributeSchemaRecord
from . import ids, sign_in_aliases, srp_credentials, user_attributes
from ._service import check_limit
from .attributes import validate_attributes
from .passwords import PasswordHasher, check_password, generate_password
from .pools import password_policy
from .user_lookup import check_username, find_user, require_user, username_attribute
from .user_passwords import UserPasswords


@dataclass(frozen=True, slots=True)
class CreatedUser:
    user: UserRecord
    temporary_password: str = field(repr=False)


class UserService(UserPasswords):
    """Every public method takes an optional ``tx`` to join a larger transaction (``_service.Service``)."""

    def __init__(self, db, *, hasher: PasswordHasher | None = None) -> None:
        super().__init__(db)
        self.hasher = hasher or PasswordHasher()

    # -- creating -------------------------------------------------------------------------------

    def admin_create(
        self,
        pool_id: str,
        username: str,
        *,
        attributes: Mapping[str, str] | None = None,
        temporary_password: str | None = None,
        tx: UnitOfWork | None = None,
    ) -> CreatedUser:
        """AdminCreateUser: FORCE_CHANGE_PASSWORD with a temporary password (generated if not given)."""
        pool, schema = self._pool_and_schema(pool_id, tx)
        policy = password_policy(pool)
        password = temporary_password or generate_password(policy)
        check_password(password, policy)
        days = policy.temporary_password_validity_days
        expires = self.db.now() + days * 86400 if days > 0 else None
        user = self._create(
            pool,
            schema,
            username,
            attributes,
            self.hasher.hash(password),
            UserStatus.FORCE_CHANGE_PASSWORD,
            expires,
            tx,
            password=password,
        )
        return CreatedUser(user, password)

    def sign_up(
        self,
        pool_id: str,
        username: str,
        password: str,
        *,
        attributes: Mapping[str, str] | None = None,
        confirmed: bool = False,
        tx: UnitOfWork | None = None,
    ) -> UserRecord:
        """SignUp (UNCONFIRMED), or an immediately CONFIRMED user with ``confirmed=True``."""
        pool, schema = self._pool_and_schema(pool_id, tx)
        if (pool.settings.get("AdminCreateUserConfig") or {}).get("AllowAdminCreateUserOnly"):
            raise NotAuthorized("SignUp is not permitted for this user pool.")
        check_password(password, password_policy(pool))
        status = UserStatus.CONFIRMED if confirmed else UserStatus.UNCONFIRMED
        return self._create(pool, schema, username, attributes, self.hasher.hash(password), status, None, tx,
                            password=password)

    # -- reading --------------------------------------------------------------------------------

    def get(self, pool_id: str, username: str, *, tx: UnitOfWork | None = None) -> UserRecord:
        """By user name (or e-mail/phone in pools that sign in with them). Raises NotFound(user)."""
        with self._tx(tx, readonly=True) as t:
            user = find_user(t, t.pools.require(pool_id), username)
        if user is None:
            raise NotFound(Kind.USER)
        return user

    def get_by_sub(self, pool_id: str, sub: str, *, tx: UnitOfWork | None = None) -> UserRecord:
        with self._tx(tx, readonly=True) as t:
            return t.users.require_by_sub(pool_id, sub)

    def list(
        self,
        pool_id: str,
        *,
        filter: str | None = None,
        limit: int = 60,
        pagination_token: str | None = None,
        tx: UnitOfWork | None = None,
    ) -> Page[UserRecord]:
        """ListUsers: Cognito ``Filter`` syntax (``email ^= "al"``), at most 60 per page."""
        parsed = parse_user_filter(filter)
        with self._tx(tx, readonly=True) as t:
            t.pools.require(pool_id)
            return t.users.list(pool_id, filter=parsed, limit=check_limit(limit), next_token=pagination_token)

    # -- passwords (authenticate, set_password, change_password: user_passwords.py) ----------------

    def reset_password(self, pool_id: str, username: str, *, tx: UnitOfWork | None = None) -> UserRecord:
        """AdminResetUserPassword: RESET_REQUIRED until the user sets a new password."""
        return self._set_state(pool_id, username, "user.password_reset", tx, status=UserStatus.RESET_REQUIRED)

    # -- state ----------------------------------------------------------------------------------

    def confirm(self, pool_id: str, username: str, *, tx: UnitOfWork | None = None) -> UserRecord:
        """AdminConfirmSignUp: UNCONFIRMED -> CONFIRMED."""
        with self._tx(tx) as t:
            user = require_user(t, pool_id, username)
            if user.status is not UserStatus.UNCONFIRMED:
                raise NotAuthorized(f"User cannot be confirmed. Current status is {user.status.value}")
            user = t.users.update(pool_id, user.sub, status=UserStatus.CONFIRMED)
            self._audit(t, "user.confirmed", pool_id=pool_id, target=user.sub)
        return user

    def enable(self, pool_id: str, username: str, *, tx: UnitOfWork | None = None) -> UserRecord:
        return self._set_state(pool_id, username, "user.enabled", tx, enabled=True)

    def disable(self, pool_id: str, username: str, *, tx: UnitOfWork | None = None) -> UserRecord:
        """AdminDisableUser: also revokes every session of the user."""
        with self._tx(tx) as t:
            user = self._set_state(pool_id, username, "user.disabled", t, enabled=False)
            return self._sign_out(t, user)

    def global_sign_out(self, pool_id: str, username: str, *, tx: UnitOfWork | None = None) -> UserRecord:
        """AdminUserGlobalSignOut: tokens issued before now stop working, sessions are revoked."""
        with self._tx(tx) as t:
            user = require_user(t, pool_id, username)
            user = self._sign_out(t, user)
            self._audit(t, "user.signed_out", pool_id=pool_id, target=user.sub)
        return user

    def delete(self, pool_id: str, username: str, *, tx: UnitOfWork | None = None) -> None:
        with self._tx(tx) as t:
            user = require_user(t, pool_id, username)
            t.users.delete(pool_id, user.sub)
            self._audit(t, "user.deleted", pool_id=pool_id, target=user.sub)

    # -- attributes (user_attributes.py) -----------------------------------------------------------

    def update_attributes(
        self,
        pool_id: str,
        username: str,
        attributes: Mapping[str, str],
        *,
        as_admin: bool = True,
        tx: UnitOfWork | None = None,
    ) -> UserRecord:
        """(Admin)UpdateUserAttributes. A changed e-mail or phone number becomes unverified unless
        ``*_verified`` is set in the same call."""
        with self._tx(tx) as t:
            return user_attributes.update(t, pool_id, username, attributes, as_admin=as_admin)

    def change_attributes(
        self,
        pool_id: str,
        username: str,
        attributes: Mapping[str, str],
        *,
        as_admin: bool = True,
        tx: UnitOfWork | None = None,
    ) -> user_attributes.AttributeChange:
        """:meth:`update_attributes`, also returning the verification codes it sent
        (``attribute_verification.plan_update``)."""
        with self._tx(tx) as t:
            return user_attributes.change(t, pool_id, username, attributes, as_admin=as_admin)

    def delete_attributes(
        self,
        pool_id: str,
        username: str,
        names: Iterable[str],
        *,
        as_admin: bool = True,
        tx: UnitOfWork | None = None,
    ) -> UserRecord:
        """(Admin)DeleteUserAttributes. Required, immutable and unknown attributes are refused."""
        with self._tx(tx) as t:
            return user_attributes.delete(t, pool_id, username, names, as_admin=as_admin)

    # -- helpers --------------------------------------------------------------------------------

    def _pool_and_schema(self, pool_id: str, tx: UnitOfWork | None) -> tuple[PoolRecord, list[AttributeSchemaRecord]]:
        with self._tx(tx, readonly=True) as t:
            return t.pools.require(pool_id), t.pools.attributes(pool_id)

    def _create(
        self,
        pool: PoolRecord,
        schema: list[AttributeSchemaRecord],
        username: str,
        attributes: Mapping[str, str] | None,
        password_hash: str,
        status: UserStatus,
        temporary_expires: int | None,
        tx: UnitOfWork | None,
        *,
        password: str,
    ) -> UserRecord:
        check_username(username)
        attrs = dict(attributes or {})
        sub = ids.new_sub()
        sign_in_attr = username_attribute(pool, username)
        if sign_in_attr is not None:  # sign in with e-mail/phone: the user name is the sub
            if attrs.get(sign_in_attr, username) != username:
                raise InvalidParameter(f"The {sign_in_attr} attribute must equal the user name.")
            attrs[sign_in_attr] = username
            username = sub
        validate_attributes(schema, attrs, creating=True, as_admin=True)
        credential = srp_credentials.make(pool.id, username, password)  # x hashes the final user name
        with self._tx(tx) as t:
            user = t.users.create(
                pool.id,
                username=username,
                sub=sub,
                password_hash=password_hash,
                status=status,
                temporary_password_expires_at=temporary_expires,
                attributes=attrs,
            )
            sign_in_aliases.sync(t, pool, user, before=None)  # e-mail/phone taken: UsernameExists/AliasExists
            srp_credentials.store(t, user, credential)
            self._audit(t, "user.created", pool_id=pool.id, target=user.sub, detail={"status": status.value})
        return user

    def _set_state(
        self, pool_id: str, username: str, event: str, tx: UnitOfWork | None, **fields
    ) -> UserRecord:
        with self._tx(tx) as t:
            user = require_user(t, pool_id, username)
            user = t.users.update(pool_id, user.sub, **fields)
            self._audit(t, event, pool_id=pool_id, target=user.sub)
        return user

    @staticmethod
    def _sign_out(t: UnitOfWork, user: UserRecord) -> UserRecord:
        t.token_families.revoke_user_families(user.pool_id, user.sub)
        return t.users.update(user.pool_id, user.sub, tokens_valid_after=t.now())
