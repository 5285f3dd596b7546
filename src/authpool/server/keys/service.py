"""Signing-key policy for each pool (the store keeps the keys; this module decides their life).

* Each pool has, per purpose (``id`` and ``access``: Cognito signs them with different keys,
  COGNITO.md §1.1), one **active** key that signs and one **next** key already published in the
  JWKS, so verifiers that cache the JWKS know it before it signs anything.
* ``rotate`` promotes next -> active, retires the old active key and makes a new next key.
* A retired key stays in the JWKS until every token it signed has expired: no ID or access token
  lives longer than one day (Cognito's maximum validity, COGNITO.md §1.5), plus the verifier leeway.
* Private keys are decrypted once per process and kept by ``kid`` (they never change for a kid).
* The pool's active keys (and the minter made of them) are cached (server/cache.py,
  :data:`~..cache.SIGNING_KEYS`): :meth:`SigningKeys.ensure` and :meth:`SigningKeys.rotate` invalidate
  them once their transaction commits; another process's rotation is seen within ``cache_ttl``
  seconds, meanwhile the old active key still signs, and it stays in the JWKS (retired) anyway.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from ...jose.algorithms import SIGNING_ALGORITHMS
from ...jose.jwk import JWK
from ...tokens.mint import TokenMinter
from ..cache import SIGNING_KEYS, Cache
from ..errors import InvalidParameter
from ..store.records import KeyPurpose, KeyState, PoolRecord

#: Longest any ID or access token can live (Cognito: 1 day) plus 5 minutes of verifier leeway.
MAX_TOKEN_LIFETIME = 86_400 + 300
DEFAULT_ALG = "RS256"
PURPOSES = (KeyPurpose.ID, KeyPurpose.ACCESS)
CACHE_TTL = 2.0


class SigningKeys:
    def __init__(self, db, clock: Callable[[], float] = time.time, *, cache_ttl: float = CACHE_TTL) -> None:
        self._db, self._clock = db, clock
        self._jwk_cache: dict[str, JWK] = {}
        self._lock = threading.Lock()
        self._minters: Cache[TokenMinter] = Cache(SIGNING_KEYS, ttl=cache_ttl)

    # -- policy ------------------------------------------------------------------------------------
    @staticmethod
    def signing_alg(pool: PoolRecord) -> str:
        alg = (pool.settings or {}).get("SigningAlgorithm", DEFAULT_ALG)
        return alg if alg in SIGNING_ALGORITHMS else DEFAULT_ALG

    def ensure(self, pool_id: str) -> None:
        """Give the pool an active and a next key for each purpose where one is missing."""
        with self._db.transaction() as tx:
            pool = tx.pools.require(pool_id)
            alg = self.signing_alg(pool)
            for purpose in PURPOSES:
                states = {k.state for k in tx.signing_keys.list(pool_id, purpose=purpose)}
                if KeyState.ACTIVE not in states:
                    self._add(tx, pool_id, purpose, alg, KeyState.ACTIVE)
                    tx.after_commit(lambda: self._minters.invalidate(pool_id))
                if KeyState.NEXT not in states:
                    self._add(tx, pool_id, purpose, alg, KeyState.NEXT)

    def rotate(self, pool_id: str) -> dict[str, str]:
        """Promote each purpose's next key; retire the old active key; publish a new next key.

        Returns ``{purpose: new active kid}``. All in one transaction: a failure changes nothing.
        """
        self.ensure(pool_id)
        promoted: dict[str, str] = {}
        with self._db.transaction() as tx:
            pool = tx.pools.require(pool_id)
            remove_after = int(self._clock()) + MAX_TOKEN_LIFETIME
            for purpose in PURPOSES:
                upcoming = tx.signing_keys.list(pool_id, purpose=purpose, states=[KeyState.NEXT])
                if not upcoming:
                    raise InvalidParameter("The pool has no next signing key to promote.")
                tx.signing_keys.activate(upcoming[0].kid, retired_remove_after=remove_after)
                self._add(tx, pool_id, purpose, self.signing_alg(pool), KeyState.NEXT)
                promoted[purpose.value] = upcoming[0].kid
            tx.signing_keys.purge()
            tx.after_commit(lambda: self._minters.invalidate(pool_id))
        return promoted

    @staticmethod
    def _add(tx, pool_id: str, purpose: KeyPurpose, alg: str, state: KeyState) -> None:
        key = JWK.generate(alg)
        tx.signing_keys.add(pool_id, kid=key.kid, purpose=purpose, alg=alg, private_jwk=key.to_private_dict(),
                            public_jwk=key.to_public_dict(), state=state)

    # -- publication -------------------------------------------------------------------------------
    def jwks_document(self, pool_id: str) -> dict[str, Any] | None:
        """The pool's public JWKS (active, next, and retired keys not yet past ``remove_after``),
        or None when the pool does not exist."""
        now = int(self._clock())
        with self._db.transaction(readonly=True) as tx:
            if tx.pools.get(pool_id) is None:
                return None
            records = tx.signing_keys.list(pool_id)
        if not records:  # a pool created by any door gets its keys on first use
            self.ensure(pool_id)
            return self.jwks_document(pool_id)
        keys = [r.public_jwk for r in records
                if r.state is not KeyState.RETIRED or (r.remove_after is not None and r.remove_after > now)]
        return {"keys": keys}

    # -- signing ------------------------------------------------------------------------------------
    def minter(self, pool_id: str, issuer: str) -> TokenMinter:
        """A minter with the pool's active ID-token and access-token keys (cached, see above)."""
        minter = self._minters.get_or_load(pool_id, lambda: self._load_minter(pool_id, issuer))
        if minter.issuer != issuer:  # one issuer per pool in practice; never sign for the wrong one
            minter = self._load_minter(pool_id, issuer)
        return minter

    def _load_minter(self, pool_id: str, issuer: str) -> TokenMinter:
        active = self._active(pool_id)
        if any(record is None for record in active.values()):
            self.ensure(pool_id)  # first use of a new pool (raises NotFound for an unknown pool)
            active = self._active(pool_id)
        return TokenMinter(issuer, id_key=self._jwk(active[KeyPurpose.ID]),
                           access_key=self._jwk(active[KeyPurpose.ACCESS]))

    def _active(self, pool_id: str) -> dict[KeyPurpose, Any]:
        with self._db.transaction(readonly=True) as tx:
            return {p: tx.signing_keys.active(pool_id, p) for p in PURPOSES}

    def _jwk(self, record) -> JWK:
        key = self._jwk_cache.get(record.kid)
        if key is None:
            key = JWK.from_dict(record.private_jwk)
            with self._lock:
                self._jwk_cache[record.kid] = key
        return key
