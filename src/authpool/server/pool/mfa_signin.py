"""The MFA steps of a sign-in, after the password (plain or SRP) is proven: the ``SOFTWARE_TOKEN_MFA``
challenge and, in a pool whose ``MfaConfiguration`` is ``ON``, ``MFA_SETUP`` for a user without a
token (Cognito API reference: RespondToAuthChallenge, AssociateSoftwareToken, VerifySoftwareToken).

    SOFTWARE_TOKEN_MFA:  InitiateAuth -> {ChallengeName, Session}
                         RespondToAuthChallenge {USERNAME, SOFTWARE_TOKEN_MFA_CODE} + Session -> tokens
    MFA_SETUP:           InitiateAuth -> {ChallengeName: MFA_SETUP, Session S1}
                         AssociateSoftwareToken(Session S1) -> {SecretCode, Session S2}
                         VerifySoftwareToken(Session S2, UserCode) -> {Status: SUCCESS, Session S3}
                         RespondToAuthChallenge MFA_SETUP {USERNAME} + Session S3 -> tokens

The sessions are sealed like the NEW_PASSWORD_REQUIRED one (``signin.py``): AES-256-GCM under the
master key holding the pool, client, user ``sub``, challenge, stage, an id and an expiry (the client's
``AuthSessionValidity``, 3 minutes by default). AssociateSoftwareToken and VerifySoftwareToken name no
client, so the pool and client travel inside the sealed body (context ``mfa-session``) and are checked
against RespondToAuthChallenge's ``ClientId``. A session that completes a sign-in is single-use: its
id is recorded in the table of answered challenges (``store/srp.py``) in the transaction that accepts
the code. A wrong code leaves the session usable until it expires, as Cognito does, but counts as a
failed attempt in the sign-in throttle (``ratelimit.py``), under the user's name and the caller's
address; a proven password no longer clears the count for a user who still owes a code (``signin.py``),
so a known password does not reset the guessing budget.
"""

from __future__ import annotations

import secrets
from typing import Any

from .. import sealed
from ..errors import NotAuthorized
from ..ratelimit import SignInThrottle
from ..secrets import MasterKey
from ..store import ClientRecord, UserRecord
from .codes import CodeMismatch
from .mfa import MFA_SETUP, SOFTWARE_TOKEN_MFA, Challenge, MfaService
from .user_lookup import find_user
from .user_passwords import check_can_sign_in

_CONTEXT = "mfa-session"
_VERSION = 1
MAX_SESSION_CHARS = 4096
NEW, VERIFIED = "new", "verified"  # MFA_SETUP stages


class InvalidMfaSession(NotAuthorized):
    code = "invalid_session"
    default_message = "Invalid session for the user, session is expired."


class MfaSignIn:
    def __init__(self, db, throttle: SignInThrottle, master_key: MasterKey, *, session_minutes: int) -> None:
        self.db, self.throttle, self._key = db, throttle, master_key
        self.service = MfaService(db)
        self._default_minutes = session_minutes

    # -- sealed sessions ------------------------------------------------------------------------
    def seal(self, user: UserRecord, client: ClientRecord, challenge: str, stage: str = NEW) -> str:
        minutes = int(client.settings.get("AuthSessionValidity") or self._default_minutes)
        body = {"v": _VERSION, "ch": challenge, "st": stage, "p": user.pool_id, "c": client.client_id,
                "sub": user.sub, "id": secrets.token_hex(16), "exp": self.db.now() + minutes * 60}
        return sealed.seal(self._key, body, _CONTEXT)

    def open(self, session: str, challenge: str, *, stage: str | None = None,
             client: ClientRecord | None = None) -> dict[str, Any]:
        """The sealed body, checked: challenge, stage, client (when given), not expired. InvalidMfaSession."""
        if not isinstance(session, str) or not 20 <= len(session) <= MAX_SESSION_CHARS:
            raise InvalidMfaSession()
        data = sealed.unseal(self._key, session, _CONTEXT)  # None: tampered, foreign, not JSON
        if (data is None or data.get("v") != _VERSION or data.get("ch") != challenge
                or (stage is not None and data.get("st") != stage)
                or not all(isinstance(data.get(k), str) for k in ("p", "c", "sub", "id"))
                or not isinstance(data.get("exp"), int) or data["exp"] <= self.db.now()
                or (client is not None and (data["c"] != client.client_id or data["p"] != client.pool_id))):
            raise InvalidMfaSession()
        return data

    # -- after the password -----------------------------------------------------------------------
    def challenge(self, user: UserRecord, client: ClientRecord) -> tuple[Challenge, str] | None:
        """The MFA challenge owed after a proven password, with its session, or None."""
        with self.db.transaction(readonly=True) as t:
            pool = t.pools.require(user.pool_id)
            challenge = self.service.challenge(pool, user, tx=t)
        return None if challenge is None else (challenge, self.seal(user, client, challenge.name))

    # -- SOFTWARE_TOKEN_MFA -----------------------------------------------------------------------
    def respond(self, session: str, code: str, *, client: ClientRecord, source_ip: str | None,
                username: str | None = None) -> UserRecord:
        """Check SOFTWARE_TOKEN_MFA_CODE. Raises MfaCodeMismatch (wrong or reused code, counted by the
        throttle), InvalidMfaSession, NotAuthorized (disabled since, throttled), TooManyRequests."""
        data = self.open(session, SOFTWARE_TOKEN_MFA, client=client)
        user = self._user(data, username)
        self.throttle.check(user.pool_id, user.username, source_ip)
        try:
            with self.db.transaction() as t:  # a wrong code rolls the session's use back: it may retry
                self._use(t, data)
                self.service.check_code(user.pool_id, user.sub, code, tx=t)
        except CodeMismatch:
            self.throttle.failed(user.pool_id, user.username, source_ip)
            raise
        return self._finish(user, source_ip)

    # -- MFA_SETUP ------------------------------------------------------------------------------
    def associate(self, session: str) -> tuple[str, str]:
        """AssociateSoftwareToken with an MFA_SETUP session: (SecretCode, the next Session)."""
        data = self.open(session, MFA_SETUP, stage=NEW)
        user, client = self._user(data), self._client(data)
        self._still_without_token(user)
        secret = self.service.associate(user.pool_id, user.sub)
        return secret, self.seal(user, client, MFA_SETUP, NEW)

    def verify(self, session: str, code: str, *, friendly_name: str | None = None) -> str:
        """VerifySoftwareToken with an MFA_SETUP session: the token becomes the user's enabled and
        preferred factor; returns the Session that answers MFA_SETUP."""
        data = self.open(session, MFA_SETUP, stage=NEW)
        user, client = self._user(data), self._client(data)
        self._still_without_token(user)
        self.service.verify(user.pool_id, user.sub, code, friendly_name=friendly_name, enable=True)
        return self.seal(user, client, MFA_SETUP, VERIFIED)

    def complete_setup(self, session: str, *, client: ClientRecord, source_ip: str | None,
                       username: str | None = None) -> UserRecord:
        """RespondToAuthChallenge MFA_SETUP with VerifySoftwareToken's session: signed in, once."""
        data = self.open(session, MFA_SETUP, stage=VERIFIED, client=client)
        user = self._user(data, username)
        with self.db.transaction() as t:
            self._use(t, data)
        return self._finish(user, source_ip)

    # -- helpers --------------------------------------------------------------------------------
    def _user(self, data: dict[str, Any], username: str | None = None) -> UserRecord:
        with self.db.transaction(readonly=True) as t:
            user = t.users.get_by_sub(data["p"], data["sub"])
            if user is not None and username is not None:
                named = find_user(t, t.pools.require(data["p"]), username) if len(username) <= 256 else None
                if named is None or named.sub != user.sub:
                    raise InvalidMfaSession()
        if user is None:
            raise InvalidMfaSession()
        return user

    def _still_without_token(self, user: UserRecord) -> None:
        """An MFA_SETUP session sets up a first token only: once the user has a verified one (set up
        meanwhile), a leftover session cannot replace it (that takes the user's access token)."""
        with self.db.transaction(readonly=True) as t:
            record = t.software_tokens.get(user.pool_id, user.sub)
        if record is not None and record.verified:
            raise InvalidMfaSession()

    def _client(self, data: dict[str, Any]) -> ClientRecord:
        with self.db.transaction(readonly=True) as t:
            client = t.clients.find(data["c"])
        if client is None or client.pool_id != data["p"]:
            raise InvalidMfaSession()
        return client

    @staticmethod
    def _use(t, data: dict[str, Any]) -> None:
        if not t.srp.use_challenge(data["p"], "mfa:" + data["id"], expires_at=data["exp"]):
            raise InvalidMfaSession()  # already answered

    def _finish(self, user: UserRecord, source_ip: str | None) -> UserRecord:
        try:
            check_can_sign_in(user, self.db.now())
        except NotAuthorized:
            self.throttle.failed(user.pool_id, user.username, source_ip)
            raise
        self.throttle.succeeded(user.pool_id, user.username, source_ip)
        return user
