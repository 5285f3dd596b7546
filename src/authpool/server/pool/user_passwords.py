"""A user's password: checking it at sign-in, and setting or changing it (Cognito's
AdminSetUserPassword and ChangePassword; COGNITO.md §4.1, §4.2). :class:`UserPasswords` is the part
of :class:`~authpool.server.pool.users.UserService` that does this; the service supplies ``db`` and
``hasher``.

Sign-in (:meth:`UserPasswords.authenticate`) checks the password first, so nothing about an account
is revealed without it, and spends a full argon2 verification on unknown names too. Unknown users
raise NotAuthorized "Incorrect username or password." unless the caller asks for Cognito's LEGACY
behaviour (``reveal_user_existence=True`` -> NotFound(user); the client's
``PreventUserExistenceErrors``, COGNITO.md §4.1). Only then does :func:`check_can_sign_in` look at the
account's state. A hash made with older argon2 parameters is upgraded after a successful check.

Passwords are hashed outside the transaction when the service opens its own, so the SQLite write
lock is never held for an argon2 computation; the SRP verifier (``srp_credentials``) is written in
the same transaction as every new hash.
"""

from __future__ import annotations

from ..errors import Kind, NotAuthorized, NotFound, PasswordResetRequired, UserNotConfirmed
from ..store import PoolRecord, UnitOfWork, UserRecord, UserStatus
from . import srp_credentials
from ._service import Service
from .password_work import PasswordWorkBusy
from .passwords import PasswordHasher, check_password
from .pools import password_policy
from .user_lookup import find_user, require_user

MAX_SIGN_IN_INPUT = 256  # longer user names or passwords cannot match (PasswordType, UsernameType)


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


class UserPasswords(Service):
    hasher: PasswordHasher

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
        UserNotConfirmed, PasswordResetRequired, and PasswordWorkBusy when no argon2 slot frees up in
        time. A FORCE_CHANGE_PASSWORD user is returned: the caller answers with the
        NEW_PASSWORD_REQUIRED challenge.
        """
        if not isinstance(password, str) or not isinstance(username, str) or len(password) > MAX_SIGN_IN_INPUT:
            raise NotAuthorized()
        with self._tx(tx, readonly=True) as t:
            user = find_user(t, t.pools.require(pool_id), username) if len(username) <= MAX_SIGN_IN_INPUT else None
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
        policy = password_policy(self._pool(pool_id, tx))
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
        check_password(proposed, password_policy(self._pool(pool_id, tx)))
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

    def _pool(self, pool_id: str, tx: UnitOfWork | None) -> PoolRecord:
        with self._tx(tx, readonly=True) as t:
            return t.pools.require(pool_id)

    def _ensure_srp_verifier(self, user: UserRecord, password: str, tx: UnitOfWork | None) -> None:
        """Users whose password was set before SRP support get their verifier at their next
        password sign-in (docs/srp.md)."""
        with self._tx(tx, readonly=True) as t:
            if t.srp.exists(user.pool_id, user.sub):
                return
        credential = srp_credentials.make(user.pool_id, user.username, password)
        with self._tx(tx) as t:
            srp_credentials.store(t, user, credential)
