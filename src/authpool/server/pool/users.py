"""Users: creation, sign-in, passwords, state and attributes (Cognito's Admin*User operations,
SignUp, ChangePassword, ListUsers; COGNITO.md §4.2).

Statuses (Cognito ``UserStatusType``): ``admin_create`` makes ``FORCE_CHANGE_PASSWORD`` users with a
temporary password valid for the pool's ``TemporaryPasswordValidityDays``; ``sign_up`` makes
``UNCONFIRMED`` users (``confirm`` = AdminConfirmSignUp); a permanent ``set_password`` makes
``CONFIRMED``; ``reset_password`` makes ``RESET_REQUIRED``.

Sign-in (:meth:`UserService.authenticate`) checks the password first, so nothing about an account
is revealed without it, and spends a full argon2 verification on unknown names too. Unknown users
raise NotAuthorized "Incorrect username or password." unless the caller asks for Cognito's LEGACY
behaviour (``reveal_user_existence=True`` -> NotFound(user); the client's
``PreventUserExistenceErrors``, COGNITO.md §4.1). Disabling a user or signing them out globally
revokes every session (``tokens_valid_after`` and the token families; COGNITO.md §1.6).

Pools with ``UsernameAttributes`` (sign in with e-mail / phone): the given name must be an e-mail
address or phone number; it is stored as that attribute and the user name becomes the ``sub``, as
in Cognito. Pools with ``AliasAttributes`` accept a verified alias at sign-in.

Passwords are hashed outside the transaction when the service opens its own, so the SQLite write
lock is never held for an argon2 computation.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from ..errors import (
    AlreadyExists,
    InvalidParameter,
    Kind,
    NotAuthorized,
    NotFound,
    PasswordResetRequired,
    UserNotConfirmed,
)
from ..store import Page, PoolRecord, UnitOfWork, UserRecord, UserStatus, parse_user_filter
from ..store.records import AttributeSchemaRecord
from . import ids, srp_credentials
from ._service import Service, check_limit
from .attributes import looks_like, validate_attributes
from .password_work import PasswordWorkBusy
from .passwords import PasswordHasher, check_password, generate_password
from .pools import password_policy

MAX_USERNAME_LENGTH = 128
_USERNAME_CATEGORIES = ("L", "M", "S", "N", "P")  # UsernameType: [\p{L}\p{M}\p{S}\p{N}\p{P}]+


@dataclass(frozen=True, slots=True)
class CreatedUser:
    user: UserRecord
    temporary_password: str = field(repr=False)


def check_username(username: str) -> str:
    if (
        not isinstance(username, str)
        or not 1 <= len(username) <= MAX_USERNAME_LENGTH
        or any(unicodedata.category(ch)[0] not in _USERNAME_CATEGORIES for ch in username)
    ):
        raise InvalidParameter("Username must be 1 to 128 characters without spaces or control characters.")
    return username


def find_user(t: UnitOfWork, pool: PoolRecord, username: str) -> UserRecord | None:
    """The user a sign-in name refers to: the user name, or a unique (verified) alias."""
    user = t.users.get(pool.id, username)
    if user is not None:
        return user
    by_username_attr = pool.settings.get("UsernameAttributes") or []
    aliases = pool.settings.get("AliasAttributes") or []
    for name in [*by_username_attr, *aliases]:
        if name != "preferred_username" and not looks_like(name, username):
            continue
        found = t.users.find_by_attribute(pool.id, name, username)
        if name in aliases and name != "preferred_username":
            found = [u for u in found if u.attributes.get(f"{name}_verified") == "true"]
        if len(found) == 1:
            return found[0]
    return None


def check_can_sign_in(user: UserRecord, now: int) -> None:
    """After a proven password (argon2 or SRP): raise NotAuthorized (disabled, expired temporary
    password), UserNotConfirmed or PasswordResetRequired; a FORCE_CHANGE_PASSWORD user passes."""
    if not user.enabled:
        raise NotAuthorized("User is disabled.")
    if user.status is UserStatus.UNCONFIRMED:
        raise UserNotConfirmed()
    if user.status is UserStatus.RESET_REQUIRED:
        raise PasswordResetRequired()
    expires = user.temporary_password_expires_at
    if user.status is UserStatus.FORCE_CHANGE_PASSWORD and expires is not None and expires <= now:
        raise NotAuthorized("Temporary password has expired and must be reset by an administrator.")


def require_user(t: UnitOfWork, pool_id: str, username: str) -> UserRecord:
    """:func:`find_user` in the pool, or NotFound (pool or user)."""
    user = find_user(t, t.pools.require(pool_id), username)
    if user is None:
        raise NotFound(Kind.USER)
    return user


class UserService(Service):
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

    # -- passwords and sign-in ------------------------------------------------------------------

    def authenticate(
        self,
        pool_id: str,
        username: str,
        password: str,
        *,
        reveal_user_existence: bool = False,
        tx: UnitOfWork | None = None,
    ) -> UserRecord:
        """Check a user name and password; return the user or raise.

        Raises NotAuthorized (wrong password, unknown user, disabled, expired temporary password),
        UserNotConfirmed, PasswordResetRequired. A FORCE_CHANGE_PASSWORD user is returned: the
        caller answers with the NEW_PASSWORD_REQUIRED challenge.
        """
        if not isinstance(password, str) or not isinstance(username, str) or len(password) > 256:
            raise NotAuthorized()
        with self._tx(tx, readonly=True) as t:
            user = find_user(t, t.pools.require(pool_id), username) if len(username) <= 256 else None
        if user is None or user.password_hash is None:
            self.hasher.verify_dummy(password)
            if user is None and reveal_user_existence:
                raise NotFound(Kind.USER)
            raise NotAuthorized()
        if not self.hasher.verify(user.password_hash, password):
            raise NotAuthorized()
        check_can_sign_in(user, self.db.now())
        if self.hasher.needs_rehash(user.password_hash):
            try:
                upgraded = self.hasher.hash(password)  # outside the write transaction
            except PasswordWorkBusy:  # the password was right: the upgrade waits for a quieter sign-in
                upgraded = None
            if upgraded is not None:
                with self._tx(tx) as t:
                    user = t.users.update(pool_id, user.sub, password_hash=upgraded)
        self._ensure_srp_verifier(user, password, tx)
        return user

    def set_password(
        self, pool_id: str, username: str, password: str, *, permanent: bool, tx: UnitOfWork | None = None
    ) -> UserRecord:
        """AdminSetUserPassword: permanent -> CONFIRMED; temporary -> FORCE_CHANGE_PASSWORD."""
        pool, _ = self._pool_and_schema(pool_id, tx, schema=False)
        policy = password_policy(pool)
        check_password(password, policy)
        password_hash = self.hasher.hash(password)
        days = policy.temporary_password_validity_days
        with self._tx(tx) as t:
            user = require_user(t, pool_id, username)
            if permanent:
                status, expires = UserStatus.CONFIRMED, None
            else:
                status = UserStatus.FORCE_CHANGE_PASSWORD
                expires = t.now() + days * 86400 if days > 0 else None
            user = t.users.update(
                pool_id,
                user.sub,
                password_hash=password_hash,
                status=status,
                temporary_password_expires_at=expires,
            )
            srp_credentials.store(t, user, srp_credentials.make(pool_id, user.username, password))
            self._audit(
                t, "user.password_set", pool_id=pool_id, target=user.sub, detail={"permanent": permanent}
            )
        return user

    def change_password(
        self, pool_id: str, username: str, previous: str, proposed: str, *, tx: UnitOfWork | None = None
    ) -> UserRecord:
        """ChangePassword: the previous password must match (NotAuthorized otherwise)."""
        user = self.authenticate(pool_id, username, previous, tx=tx)
        pool, _ = self._pool_and_schema(pool_id, tx, schema=False)
        check_password(proposed, password_policy(pool))
        password_hash = self.hasher.hash(proposed)
        credential = srp_credentials.make(pool_id, user.username, proposed)
        with self._tx(tx) as t:
            user = t.users.update(
                pool_id, user.sub, password_hash=password_hash, status=UserStatus.CONFIRMED,
                temporary_password_expires_at=None,
            )  # fmt: skip
            srp_credentials.store(t, user, credential)
            self._audit(t, "user.password_changed", pool_id=pool_id, target=user.sub)
        return user

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

    # -- attributes -----------------------------------------------------------------------------

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
            user = require_user(t, pool_id, username)
            attrs = dict(attributes)
            for name in ("email", "phone_number"):
                if name in attrs and attrs[name] != user.attributes.get(name):
                    attrs.setdefault(f"{name}_verified", "false")
            validate_attributes(t.pools.attributes(pool_id), attrs, creating=False, as_admin=as_admin)
            user = t.users.set_attributes(pool_id, user.sub, attrs)
            self._audit(
                t,
                "user.attributes_updated",
                pool_id=pool_id,
                target=user.sub,
                detail={"names": sorted(attrs)},
            )
        return user

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
        names = list(names)
        with self._tx(tx) as t:
            user = require_user(t, pool_id, username)
            schema = {a.name: a for a in t.pools.attributes(pool_id)}
            for name in names:
                attr = schema.get(name)
                if attr is None or name == "sub":
                    raise InvalidParameter(
                        f"Attributes did not conform to the schema: {name}: Attribute does not exist in the schema."
                    )
                if attr.required or not attr.mutable or (attr.developer_only and not as_admin):
                    raise InvalidParameter(f"Cannot delete the attribute {name}")
            user = t.users.delete_attributes(pool_id, user.sub, names)
            self._audit(
                t,
                "user.attributes_deleted",
                pool_id=pool_id,
                target=user.sub,
                detail={"names": sorted(names)},
            )
        return user

    # -- helpers --------------------------------------------------------------------------------

    def _pool_and_schema(
        self, pool_id: str, tx: UnitOfWork | None, *, schema: bool = True
    ) -> tuple[PoolRecord, list[AttributeSchemaRecord]]:
        with self._tx(tx, readonly=True) as t:
            pool = t.pools.require(pool_id)
            return pool, (t.pools.attributes(pool_id) if schema else [])

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
        sign_in_attr = self._username_attribute(pool, username)
        if sign_in_attr is not None:  # sign in with e-mail/phone: the user name is the sub
            if attrs.get(sign_in_attr, username) != username:
                raise InvalidParameter(f"The {sign_in_attr} attribute must equal the user name.")
            attrs[sign_in_attr] = username
            username = sub
        validate_attributes(schema, attrs, creating=True, as_admin=True)
        credential = srp_credentials.make(pool.id, username, password)  # x hashes the final user name
        with self._tx(tx) as t:
            if sign_in_attr is not None and t.users.find_by_attribute(
                pool.id, sign_in_attr, attrs[sign_in_attr]
            ):
                label = "email" if sign_in_attr == "email" else "phone number"
                raise AlreadyExists(Kind.USER, f"An account with the given {label} already exists.")
            user = t.users.create(
                pool.id,
                username=username,
                sub=sub,
                password_hash=password_hash,
                status=status,
                temporary_password_expires_at=temporary_expires,
                attributes=attrs,
            )
            srp_credentials.store(t, user, credential)
            self._audit(t, "user.created", pool_id=pool.id, target=user.sub, detail={"status": status.value})
        return user

    def _ensure_srp_verifier(self, user: UserRecord, password: str, tx: UnitOfWork | None) -> None:
        """Users whose password was set before SRP support get their verifier at their next
        password sign-in (docs/srp.md)."""
        with self._tx(tx, readonly=True) as t:
            if t.srp.exists(user.pool_id, user.sub):
                return
        credential = srp_credentials.make(user.pool_id, user.username, password)
        with self._tx(tx) as t:
            srp_credentials.store(t, user, credential)

    @staticmethod
    def _username_attribute(pool: PoolRecord, username: str) -> str | None:
        allowed = pool.settings.get("UsernameAttributes") or []
        if not allowed:
            return None
        for name in allowed:
            if looks_like(name, username):
                return name
        raise InvalidParameter(
            "Username should be an email." if allowed == ["email"]
            else "Username should be a phone number." if allowed == ["phone_number"]
            else "Username should be either an email or a phone number."
        )  # fmt: skip

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
