"""What SRP sign-in stores: each user's salt and verifier, and the challenges already answered.

- ``user_srp_verifiers``: one row per user with a password, written in the same transaction as the
  password hash (``pool/srp_credentials.py``). The verifier ``v = g^x`` is derived from the password
  by one SHA-256 step (Cognito's SRP, docs/srp.md), so a copy of it would allow a fast offline
  guess of the password, far cheaper than the argon2id hash beside it. It is therefore stored
  encrypted like the other secrets at rest: AES-256-GCM under the master key, context
  ``srp-verifier:<pool_id>:<sub>``, so a blob copied into another row does not decrypt. The salt is
  public (Cognito sends it in the challenge) and stored as hex.
- ``srp_challenges_used``: the ids of PASSWORD_VERIFIER challenges already answered, kept until the
  challenge would have expired anyway; inserting an id twice fails, which makes each challenge
  single-use across every server process (a replayed SECRET_BLOCK + signature is refused).
  Expired ids are deleted as new ones are recorded.

Both cascade with their pool (and the verifier with its user).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import BigInteger, ForeignKey, Index, LargeBinary, String, delete, select
from sqlalchemy.orm import Mapped, mapped_column

from ..errors import AlreadyExists, Kind
from ._base import Repository
from .models import Base


class UserSrpVerifier(Base):
    __tablename__ = "user_srp_verifiers"

    user_sub: Mapped[str] = mapped_column(ForeignKey("users.sub", ondelete="CASCADE"), primary_key=True)
    pool_id: Mapped[str] = mapped_column(ForeignKey("user_pools.id", ondelete="CASCADE"))
    salt: Mapped[str] = mapped_column(String(64))  # hex, as sent in the SALT challenge parameter
    verifier: Mapped[bytes] = mapped_column(LargeBinary)  # AES-GCM, "srp-verifier:<pool_id>:<sub>"
    updated_at: Mapped[int] = mapped_column(BigInteger)


class SrpChallengeUsed(Base):
    __tablename__ = "srp_challenges_used"
    __table_args__ = (Index("ix_srp_challenges_used_expires_at", "expires_at"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    pool_id: Mapped[str] = mapped_column(ForeignKey("user_pools.id", ondelete="CASCADE"))
    expires_at: Mapped[int] = mapped_column(BigInteger)


@dataclass(frozen=True, slots=True)
class SrpVerifierRecord:
    pool_id: str
    user_sub: str
    salt: int
    updated_at: int
    verifier: int = field(repr=False)  # decrypted


def _context(pool_id: str, sub: str) -> str:
    return f"srp-verifier:{pool_id}:{sub}"


class SrpRepository(Repository):
    def put(self, pool_id: str, user_sub: str, *, salt: int, verifier: int) -> None:
        """Store (or replace) the user's salt and verifier."""
        blob = self._key().encrypt(format(verifier, "x").encode("ascii"), _context(pool_id, user_sub))
        row = self._s.get(UserSrpVerifier, user_sub)
        if row is None:
            self._add(UserSrpVerifier(user_sub=user_sub, pool_id=pool_id, salt=format(salt, "x"), verifier=blob,
                                      updated_at=self._now()), kind=Kind.USER, parent=Kind.USER)
            return
        row.pool_id, row.salt, row.verifier, row.updated_at = pool_id, format(salt, "x"), blob, self._now()
        self._s.flush()

    def get(self, pool_id: str, user_sub: str) -> SrpVerifierRecord | None:
        """The user's verifier in ``pool_id``, or None (no password, or set before SRP existed)."""
        row = self._s.scalars(select(UserSrpVerifier).where(
            UserSrpVerifier.user_sub == user_sub, UserSrpVerifier.pool_id == pool_id)).first()
        if row is None:
            return None
        verifier = int(self._key().decrypt(row.verifier, _context(pool_id, user_sub)).decode("ascii"), 16)
        return SrpVerifierRecord(pool_id=pool_id, user_sub=user_sub, salt=int(row.salt, 16),
                                 updated_at=row.updated_at, verifier=verifier)

    def exists(self, pool_id: str, user_sub: str) -> bool:
        return self._s.scalar(select(UserSrpVerifier.user_sub).where(
            UserSrpVerifier.user_sub == user_sub, UserSrpVerifier.pool_id == pool_id)) is not None

    def use_challenge(self, pool_id: str, challenge_id: str, *, expires_at: int) -> bool:
        """Record a challenge as answered: True the first time, False for a replay."""
        self._s.execute(delete(SrpChallengeUsed).where(SrpChallengeUsed.expires_at < self._now())
                        .execution_options(synchronize_session=False))
        try:
            self._add(SrpChallengeUsed(id=challenge_id, pool_id=pool_id, expires_at=expires_at),
                      kind=Kind.USER, parent=Kind.POOL)
        except AlreadyExists:
            return False
        return True
