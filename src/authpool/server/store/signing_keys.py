"""Signing keys of a pool, one set per purpose (``id`` / ``access``: Cognito signs ID and access
tokens with different keys, COGNITO.md §1.1).

Life cycle: ``next`` (published in the JWKS ahead of use) -> ``active`` (signs; at most one per pool
and purpose, enforced by a partial unique index) -> ``retired`` (still published until
``remove_after`` so tokens it signed keep verifying) -> deleted by :meth:`purge`.
The private JWK is stored encrypted under the master key with the context ``signing-key:<kid>``.
The rotation *policy* (when to add, activate, retire) belongs to ``authpool.server.keys``.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from ..errors import Conflict, Kind, NotFound
from ._base import Repository
from .models import SigningKey
from .records import KeyPurpose, KeyState, SigningKeyRecord


def key_context(kid: str) -> str:
    return f"signing-key:{kid}"


class SigningKeyRepository(Repository):
    def add(
        self,
        pool_id: str,
        *,
        kid: str,
        purpose: KeyPurpose,
        alg: str,
        private_jwk: Mapping[str, Any],
        public_jwk: Mapping[str, Any],
        state: KeyState = KeyState.NEXT,
    ) -> SigningKeyRecord:
        """Store a new key (default state ``next``). Raises AlreadyExists(signing_key), NotFound(pool).

        Adding a key directly as ``active`` fails with AlreadyExists if one is active already.
        """
        now = self._now()
        state = KeyState(state)
        sealed = self._key().encrypt(json.dumps(dict(private_jwk)).encode("utf-8"), key_context(kid))
        row = SigningKey(
            kid=kid,
            pool_id=pool_id,
            purpose=KeyPurpose(purpose).value,
            alg=alg,
            private_jwk=sealed,
            public_jwk=dict(public_jwk),
            state=state.value,
            created_at=now,
            activated_at=now if state is KeyState.ACTIVE else None,
        )
        self._add(row, kind=Kind.SIGNING_KEY, parent=Kind.POOL)
        return self._record(row)

    def get(self, kid: str) -> SigningKeyRecord | None:
        row = self._s.get(SigningKey, kid)
        return self._record(row) if row else None

    def list(
        self, pool_id: str, *, purpose: KeyPurpose | None = None, states: Iterable[KeyState] | None = None
    ) -> list[SigningKeyRecord]:
        """Keys of a pool, oldest first; optionally one purpose and some states (e.g. for the JWKS)."""
        stmt = select(SigningKey).where(SigningKey.pool_id == pool_id)
        if purpose is not None:
            stmt = stmt.where(SigningKey.purpose == KeyPurpose(purpose).value)
        if states is not None:
            stmt = stmt.where(SigningKey.state.in_([KeyState(s).value for s in states]))
        return [
            self._record(r) for r in self._s.scalars(stmt.order_by(SigningKey.created_at, SigningKey.kid))
        ]

    def active(self, pool_id: str, purpose: KeyPurpose) -> SigningKeyRecord | None:
        found = self.list(pool_id, purpose=purpose, states=[KeyState.ACTIVE])
        return found[0] if found else None

    def activate(self, kid: str, *, retired_remove_after: int | None = None) -> SigningKeyRecord:
        """Make ``kid`` the active key of its pool and purpose, retiring the previous active one.

        The old key gets ``retired_at`` = now and ``remove_after`` = ``retired_remove_after`` (the
        time after which no token it signed can still be valid). Both steps are in the caller's
        transaction: either both happen or neither.
        """
        row = self._s.get(SigningKey, kid)
        if row is None:
            raise NotFound(Kind.SIGNING_KEY)
        now = self._now()
        try:
            with self._s.begin_nested():
                self._s.execute(
                    update(SigningKey)
                    .where(
                        SigningKey.pool_id == row.pool_id,
                        SigningKey.purpose == row.purpose,
                        SigningKey.state == KeyState.ACTIVE.value,
                        SigningKey.kid != kid,
                    )
                    .values(state=KeyState.RETIRED.value, retired_at=now, remove_after=retired_remove_after)
                    .execution_options(synchronize_session="fetch")
                )
                self._s.execute(
                    update(SigningKey)
                    .where(SigningKey.kid == kid)
                    .values(state=KeyState.ACTIVE.value, activated_at=now, retired_at=None, remove_after=None)
                    .execution_options(synchronize_session="fetch")
                )
        except IntegrityError:  # a concurrent activation won the one-active-key index
            raise Conflict("Another signing key was activated concurrently.") from None
        return self._require(kid)

    def retire(self, kid: str, *, remove_after: int | None) -> SigningKeyRecord:
        result = self._s.execute(
            update(SigningKey)
            .where(SigningKey.kid == kid)
            .values(state=KeyState.RETIRED.value, retired_at=self._now(), remove_after=remove_after)
            .execution_options(synchronize_session="fetch")
        )
        if result.rowcount != 1:
            raise NotFound(Kind.SIGNING_KEY)
        return self._require(kid)

    def delete(self, kid: str) -> None:
        result = self._s.execute(
            delete(SigningKey).where(SigningKey.kid == kid).execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            raise NotFound(Kind.SIGNING_KEY)
        self._s.expunge_all()

    def purge(self, *, now: int | None = None) -> int:
        """Delete retired keys whose ``remove_after`` has passed; returns how many."""
        result = self._s.execute(
            delete(SigningKey)
            .where(
                SigningKey.state == KeyState.RETIRED.value,
                SigningKey.remove_after.is_not(None),
                SigningKey.remove_after <= self._now(now),
            )
            .execution_options(synchronize_session=False)
        )
        self._s.expunge_all()
        return result.rowcount

    # -- helpers ------------------------------------------------------------------------------

    def _require(self, kid: str) -> SigningKeyRecord:
        record = self.get(kid)
        if record is None:
            raise NotFound(Kind.SIGNING_KEY)
        return record

    def _record(self, row: SigningKey) -> SigningKeyRecord:
        private = json.loads(self._key().decrypt(row.private_jwk, key_context(row.kid)))
        return SigningKeyRecord(
            kid=row.kid,
            pool_id=row.pool_id,
            purpose=KeyPurpose(row.purpose),
            alg=row.alg,
            public_jwk=copy.deepcopy(row.public_jwk),
            state=KeyState(row.state),
            created_at=row.created_at,
            activated_at=row.activated_at,
            retired_at=row.retired_at,
            remove_after=row.remove_after,
            private_jwk=private,
        )
