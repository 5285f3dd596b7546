"""Password sign-in, shared by the Cognito API (InitiateAuth / AdminInitiateAuth /
RespondToAuthChallenge) and the hosted login page. It issues no tokens: callers hand the signed-in
user to :class:`authpool.server.issuance.TokenService`.

    signin = SignInService(db, users, SignInThrottle.in_memory(), master_key)
    outcome = signin.password(pool_id, "alice", password, client=client, source_ip="203.0.113.7")
    if outcome.challenge == NEW_PASSWORD_REQUIRED:        # admin-created user, temporary password
        user = signin.complete_new_password(pool_id, outcome.session, new_password, client=client)

Rules (COGNITO.md §4.1, §4.2; user_passwords.py's docstring):
- throttling first (``authpool.server.ratelimit``): a closed window refuses before any password work;
- the client's ``PreventUserExistenceErrors``: ``ENABLED`` makes an unknown user fail exactly like a
  wrong password (same NotAuthorized, and a dummy argon2 verification for similar timing);
  ``LEGACY`` (Cognito's default) answers UserNotFound;
- a user in ``FORCE_CHANGE_PASSWORD`` (AdminCreateUser's temporary password, which expires after
  the pool's ``TemporaryPasswordValidityDays``) gets the ``NEW_PASSWORD_REQUIRED`` challenge.

The challenge ``Session`` is opaque to clients: AES-256-GCM under the master key
(``authpool.server.secrets``) with the pool and client in the associated data, holding the user's
``sub``, an expiry (the client's ``AuthSessionValidity``, 3 minutes by default, 3..15) and a
fingerprint of the password hash, so it works in any server process, only for the pool and client
it was issued for, and dies when the temporary password changes or is used. Nothing is stored.

MFA (``mfa_signin.py``, ``mfa.py``): once the password is proven and no new password is owed, a user
who must give a TOTP code gets ``SOFTWARE_TOKEN_MFA`` (or ``MFA_SETUP`` in an ``ON`` pool when they have
no token yet) instead of being signed in. Such a password success does not clear the throttle's
failure count: only the completed sign-in does, so the code's guesses are counted with the password's.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass

from .. import sealed
from ..errors import InvalidParameter, Kind, NotAuthorized, NotFound
from ..ratelimit import SignInThrottle
from ..secrets import MasterKey
from ..store import ClientRecord, UserRecord, UserStatus
from . import srp_credentials
from .mfa import MFA_SETUP, SOFTWARE_TOKEN_MFA
from .mfa_signin import MfaSignIn
from .passwords import check_password
from .pools import password_policy
from .user_lookup import find_user
from .users import UserService

NEW_PASSWORD_REQUIRED = "NEW_PASSWORD_REQUIRED"
MFA_CHALLENGES = (SOFTWARE_TOKEN_MFA, MFA_SETUP)
DEFAULT_SESSION_MINUTES = 3
MAX_SESSION_CHARS = 4096  # botocore SessionType: 20..4096
_SESSION_VERSION = 1


class InvalidSession(NotAuthorized):
    """The challenge session is malformed, foreign, expired or used (Cognito: NotAuthorizedException)."""

    code = "invalid_session"
    default_message = "Invalid session for the user, session is expired."


@dataclass(frozen=True, slots=True)
class SignInOutcome:
    """A checked password: either done (``challenge`` None) or a challenge to answer with ``session``
    (``friendly_name``: the TOTP device's name, for SOFTWARE_TOKEN_MFA)."""

    user: UserRecord
    challenge: str | None = None
    session: str | None = None
    friendly_name: str | None = None


def _fingerprint(user: UserRecord) -> str:
    return hashlib.sha256((user.password_hash or "").encode()).hexdigest()[:32]


def _context(pool_id: str, client_id: str) -> str:
    return f"auth-session:{pool_id}:{client_id}"


class SignInService:
    def __init__(self, db, users: UserService, throttle: SignInThrottle, master_key: MasterKey) -> None:
        self.db, self.users, self.throttle, self._key = db, users, throttle, master_key
        self.mfa = MfaSignIn(db, throttle, master_key, session_minutes=DEFAULT_SESSION_MINUTES)

    # -- the password step ----------------------------------------------------------------------
    def password(self, pool_id: str, username: str, password: str, *, client: ClientRecord,
                 source_ip: str | None) -> SignInOutcome:
        """Check a user name and password for ``client``. Raises NotAuthorized (wrong password,
        unknown user with PreventUserExistenceErrors, disabled, expired temporary password,
        "Password attempts exceeded"), NotFound(user) (unknown user, LEGACY), UserNotConfirmed,
        PasswordResetRequired, TooManyRequests (this IP)."""
        if client.pool_id != pool_id:
            raise NotFound(Kind.CLIENT)
        if not isinstance(username, str) or not isinstance(password, str):
            raise InvalidParameter("USERNAME and PASSWORD must be strings.")
        self.throttle.check(pool_id, username, source_ip)
        reveal = client.settings.get("PreventUserExistenceErrors", "LEGACY") != "ENABLED"
        try:
            user = self.users.authenticate(pool_id, username, password, reveal_user_existence=reveal)
        except (NotAuthorized, NotFound):
            self.throttle.failed(pool_id, username, source_ip)
            raise
        return self.proven(pool_id, username, user, client=client, source_ip=source_ip)

    def proven(self, pool_id: str, username: str, user: UserRecord, *, client: ClientRecord,
               source_ip: str | None) -> SignInOutcome:
        """:meth:`outcome` for a password just proven (this service's or SRP's) under the sign-in
        name ``username``; the throttle's failure count is cleared unless an MFA code is still owed."""
        outcome = self.outcome(user, client)
        if outcome.challenge not in MFA_CHALLENGES:  # a code is still owed: keep counting
            self.throttle.succeeded(pool_id, username, source_ip)
        return outcome

    def outcome(self, user: UserRecord, client: ClientRecord) -> SignInOutcome:
        """What follows a proven password (this service's or SRP's): tokens, the
        NEW_PASSWORD_REQUIRED challenge for a temporary password, or an MFA challenge."""
        if user.status is UserStatus.FORCE_CHANGE_PASSWORD:
            return SignInOutcome(user, NEW_PASSWORD_REQUIRED, self._new_session(user, client))
        return self.after_password(user, client)

    def after_password(self, user: UserRecord, client: ClientRecord) -> SignInOutcome:
        """Signed in, or the MFA challenge the pool and user call for (also after NEW_PASSWORD_REQUIRED)."""
        owed = self.mfa.challenge(user, client)
        if owed is None:
            return SignInOutcome(user)
        challenge, session = owed
        return SignInOutcome(user, challenge.name, session, challenge.friendly_name)

    # -- NEW_PASSWORD_REQUIRED ------------------------------------------------------------------
    def complete_new_password(self, pool_id: str, session: str, new_password: str, *, client: ClientRecord,
                              attributes: Mapping[str, str] | None = None,
                              username: str | None = None) -> UserRecord:
        """Answer NEW_PASSWORD_REQUIRED: set a permanent password (pool policy applies), apply the
        attributes the user may write, and return the now CONFIRMED user. ``username``, when given,
        must name the same user as the session (Cognito's ``USERNAME`` challenge response)."""
        sub, fingerprint = self._open_session(session, pool_id, client)
        with self.db.transaction(readonly=True) as t:
            pool = t.pools.require(pool_id)
            user = t.users.get_by_sub(pool_id, sub)
            named = find_user(t, pool, username) if username is not None else user
        if user is None or named is None or named.sub != sub:
            raise InvalidSession()
        if client.pool_id != pool_id:
            raise NotFound(Kind.CLIENT)
        check_password(new_password, password_policy(pool))
        password_hash = self.users.hasher.hash(new_password)  # outside the write transaction
        credential = srp_credentials.make(pool_id, user.username, new_password)
        writable = client.settings.get("WriteAttributes")
        attrs = dict(attributes or {})
        if writable is not None and not set(attrs) <= set(writable):
            raise NotAuthorized("A client attempted to write unauthorized attribute")
        with self.db.transaction() as t:
            current = t.users.get_by_sub(pool_id, sub)
            if (current is None or current.status is not UserStatus.FORCE_CHANGE_PASSWORD
                    or not hmac.compare_digest(_fingerprint(current), fingerprint)):
                raise InvalidSession()  # already answered, or the temporary password changed
            if not current.enabled:
                raise NotAuthorized("User is disabled.")
            if attrs:
                self.users.update_attributes(pool_id, current.username, attrs, as_admin=False, tx=t)
            current = t.users.update(pool_id, sub, password_hash=password_hash, status=UserStatus.CONFIRMED,
                                     temporary_password_expires_at=None)
            srp_credentials.store(t, current, credential)
            t.audit.record("user.new_password_set", pool_id=pool_id, actor=t.actor, target=sub, detail=None)
        return current

    # -- the opaque session ---------------------------------------------------------------------
    def _new_session(self, user: UserRecord, client: ClientRecord) -> str:
        minutes = client.settings.get("AuthSessionValidity") or DEFAULT_SESSION_MINUTES
        return sealed.seal(self._key, {"v": _SESSION_VERSION, "sub": user.sub, "ch": NEW_PASSWORD_REQUIRED,
                                       "exp": self.db.now() + int(minutes) * 60, "ph": _fingerprint(user)},
                           _context(user.pool_id, client.client_id))

    def _open_session(self, session: str, pool_id: str, client: ClientRecord) -> tuple[str, str]:
        """The session's ``sub`` and password fingerprint, or InvalidSession."""
        if not isinstance(session, str) or not 20 <= len(session) <= MAX_SESSION_CHARS:
            raise InvalidSession()
        data = sealed.unseal(self._key, session, _context(pool_id, client.client_id))
        if (data is None or data.get("v") != _SESSION_VERSION
                or data.get("ch") != NEW_PASSWORD_REQUIRED or not isinstance(data.get("sub"), str)
                or not isinstance(data.get("ph"), str)
                or not isinstance(data.get("exp"), int) or data["exp"] <= self.db.now()):
            raise InvalidSession()
        return data["sub"], data["ph"]
