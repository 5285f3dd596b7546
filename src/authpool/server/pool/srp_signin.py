"""SRP sign-in (Cognito's ``USER_SRP_AUTH`` then ``PASSWORD_VERIFIER``; COGNITO.md §4.3,
docs/srp.md). It issues no tokens: the Cognito API hands the outcome to ``TokenService``.

    srp = SrpSignIn(db, signin, master_key)
    params = srp.start(pool_id, "alice", srp_a_hex, client=client, source_ip=ip)   # the challenge
    outcome = srp.verify(pool_id, username=.., secret_block=.., signature=.., timestamp=..,
                         client=client, source_ip=ip)     # a SignInOutcome, as for a password

``start`` returns the PASSWORD_VERIFIER challenge parameters (``SALT``, ``SRP_B``, ``SECRET_BLOCK``,
``USERNAME``, ``USER_ID_FOR_SRP``). ``verify`` checks, in order: the throttle, the sealed block
(``srp_block``: this pool and client, not expired), that ``USERNAME`` names the block's user, the
``TIMESTAMP`` (shape -> InvalidParameter; not canonical or more than ``skew`` seconds from now ->
NotAuthorized), that the block was never answered before (``store/srp.py``), then the claim
signature in constant time, and last the user's state (``check_can_sign_in``), exactly as a
password sign-in. Every refusal of the proof is one opaque NotAuthorized "Incorrect username or
password." and counts as a failed password attempt in ``SignInThrottle``.

An unknown user (with the client's ``PreventUserExistenceErrors`` ``ENABLED``; ``LEGACY`` answers
UserNotFound) and a user without a verifier (password set before SRP support) get a decoy
challenge: a salt derived from the master key and the name (the same on every attempt), a B of the
same cost and distribution, and a block that never verifies.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from typing import NoReturn

from ..errors import InvalidParameter, Kind, NotAuthorized, NotFound
from ..secrets import MasterKey
from ..store import ClientRecord
from . import srp, srp_block
from .signin import DEFAULT_SESSION_MINUTES, SignInOutcome, SignInService
from .user_lookup import find_user
from .user_passwords import check_can_sign_in

DEFAULT_SKEW_SECONDS = 300  # clients fail beyond ~5 minutes of clock skew against Cognito too
INCORRECT = "Incorrect username or password."


class SrpSignIn:
    def __init__(self, db, signin: SignInService, master_key: MasterKey, *, randbytes: srp.RandBytes = os.urandom,
                 skew_seconds: int = DEFAULT_SKEW_SECONDS) -> None:
        self.db, self.signin, self._key, self._random = db, signin, master_key, randbytes
        self.skew = skew_seconds
        self._decoy_key = master_key.derive("srp-decoy")

    # -- USER_SRP_AUTH --------------------------------------------------------------------------
    def start(self, pool_id: str, username: str, srp_a: str, *, client: ClientRecord,
              source_ip: str | None) -> dict[str, str]:
        """The PASSWORD_VERIFIER challenge parameters. Raises InvalidParameter (bad SRP_A),
        NotAuthorized / TooManyRequests (throttled), NotFound(user) (unknown user, LEGACY)."""
        if client.pool_id != pool_id:
            raise NotFound(Kind.CLIENT)
        try:
            A = srp.parse_public(srp_a)
        except ValueError as exc:
            raise InvalidParameter(str(exc)) from None
        self.signin.throttle.check(pool_id, username, source_ip)
        with self.db.transaction(readonly=True) as t:
            pool = t.pools.require(pool_id)
            user = find_user(t, pool, username) if len(username) <= 256 else None
            credential = t.srp.get(pool_id, user.sub) if user is not None else None
        if user is None and client.settings.get("PreventUserExistenceErrors", "LEGACY") != "ENABLED":
            self.signin.throttle.failed(pool_id, username, source_ip)
            raise NotFound(Kind.USER)
        user_id = user.username if user is not None else username
        if credential is not None:
            salt, v, sub = credential.salt, credential.verifier, user.sub
        else:
            salt, v, sub = self._decoy(pool_id, user_id)
        while True:
            b = srp.new_server_secret(self._random)
            B = srp.server_public(v, b)
            u = srp.scrambler(A, B)
            if u:
                break
        minutes = int(client.settings.get("AuthSessionValidity") or DEFAULT_SESSION_MINUTES)
        state = srp_block.ChallengeState(id=self._random(16).hex(), sub=sub, username=user_id,
                                         expires_at=self.db.now() + minutes * 60, A=A, b=b, u=u)
        block = srp_block.seal(self._key, state, pool_id=pool_id, client_id=client.client_id)
        return {"SALT": format(salt, "x"), "SRP_B": format(B, "x"), "SECRET_BLOCK": block,
                "USERNAME": user_id, "USER_ID_FOR_SRP": user_id}

    def _decoy(self, pool_id: str, name: str) -> tuple[int, int, None]:
        seed = hmac.new(self._decoy_key, f"{pool_id}\x00{name.casefold()}".encode(), hashlib.sha512).digest()
        return int.from_bytes(seed[:srp.SALT_BYTES], "big") or 1, int.from_bytes(seed[32:], "big"), None

    # -- PASSWORD_VERIFIER ----------------------------------------------------------------------
    def verify(self, pool_id: str, *, username: str, secret_block: str, signature: str, timestamp: str,
               client: ClientRecord, source_ip: str | None) -> SignInOutcome:
        """Check the PASSWORD_CLAIM_SIGNATURE. Raises NotAuthorized (any failed proof, disabled,
        throttled), InvalidParameter (TIMESTAMP shape), UserNotConfirmed, PasswordResetRequired,
        TooManyRequests."""
        if client.pool_id != pool_id:
            raise NotFound(Kind.CLIENT)
        self.signin.throttle.check(pool_id, username, source_ip)
        now = self.db.now()
        try:
            state = srp_block.open_block(self._key, secret_block, pool_id=pool_id, client_id=client.client_id)
        except srp_block.InvalidBlock:
            self._fail(pool_id, username, source_ip)
        try:
            at = srp.parse_timestamp(timestamp)
        except srp.TimestampFormatError as exc:
            raise InvalidParameter(str(exc)) from None
        given = _signature_bytes(signature)
        if (state.expires_at <= now or username.casefold() != state.username.casefold() or at is None
                or abs(at - now) > self.skew or given is None):
            self._fail(pool_id, username, source_ip)
        with self.db.transaction() as t:
            first = t.srp.use_challenge(pool_id, state.id, expires_at=state.expires_at)
        with self.db.transaction(readonly=True) as t:
            user = t.users.get_by_sub(pool_id, state.sub) if state.sub else None
            credential = t.srp.get(pool_id, state.sub) if user is not None else None
        v = credential.verifier if credential is not None else self._decoy(pool_id, state.username)[1]
        key = srp.session_key(state.A, v, state.u, state.b)
        expected = srp.claim_signature(key, srp.pool_name(pool_id), state.username, srp_block.raw_bytes(secret_block),
                                       timestamp)
        if not (hmac.compare_digest(expected, given) and first and credential is not None):
            self._fail(pool_id, username, source_ip)
        try:
            check_can_sign_in(user, now)
        except NotAuthorized:
            self.signin.throttle.failed(pool_id, username, source_ip)
            raise
        return self.signin.proven(pool_id, username, user, client=client, source_ip=source_ip)

    def _fail(self, pool_id: str, username: str, source_ip: str | None) -> NoReturn:
        self.signin.throttle.failed(pool_id, username, source_ip)
        raise NotAuthorized(INCORRECT)


def _signature_bytes(signature: str) -> bytes | None:
    """The 32 HMAC bytes of a base64 PASSWORD_CLAIM_SIGNATURE, or None."""
    if not isinstance(signature, str) or len(signature) > 64:
        return None
    try:
        raw = base64.b64decode(signature, validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw if len(raw) == 32 else None
