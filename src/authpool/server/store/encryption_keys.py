"""Key-encryption keys of the ``local`` key service (docs/encrypted-claims.md): one key per pool and
resource server (audience), in numbered versions.

Life cycle of a version: ``active`` (new encrypted claims use it; at most one per pool and audience,
enforced by a partial unique index) -> ``retired`` by a rotation, still decrypting until
``remove_after`` (no access token outlives it) -> deleted by :meth:`EncryptionKeyRepository.purge`.

The 256-bit key material is stored encrypted under the master key (AES-256-GCM,
``authpool.server.secrets``) with the context ``encryption-key:<pool_id>:<key_id>:<version>``, so a
blob copied into another row, pool or version does not decrypt there. Rows cascade with their pool.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import (
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    delete,
    select,
    text,
    update,
)
from sqlalchemy.orm import Mapped, mapped_column

from ..errors import AlreadyExists, Conflict, Kind
from ._base import Repository
from .models import Base

ACTIVE, RETIRED = "active", "retired"


class EncryptionKey(Base):
    __tablename__ = "encryption_keys"
    __table_args__ = (
        Index("ix_encryption_keys_pool_audience", "pool_id", "audience"),
        Index("uq_encryption_keys_one_active", "pool_id", "audience", unique=True,
              sqlite_where=text("state = 'active'"), postgresql_where=text("state = 'active'")),
    )

    key_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    pool_id: Mapped[str] = mapped_column(ForeignKey("user_pools.id", ondelete="CASCADE"))
    audience: Mapped[str] = mapped_column(String(256))  # the resource server's identifier
    state: Mapped[str] = mapped_column(String(16))  # active | retired
    material: Mapped[bytes] = mapped_column(LargeBinary)  # AES-GCM, "encryption-key:<pool>:<key_id>:<version>"
    created_at: Mapped[int] = mapped_column(BigInteger)
    retired_at: Mapped[int | None] = mapped_column(BigInteger)
    remove_after: Mapped[int | None] = mapped_column(BigInteger)


@dataclass(frozen=True, slots=True)
class EncryptionKeyRecord:
    pool_id: str
    key_id: str
    version: int
    audience: str
    state: str
    created_at: int
    retired_at: int | None
    remove_after: int | None
    material: bytes = field(repr=False)  # decrypted


def material_context(pool_id: str, key_id: str, version: int) -> str:
    return f"encryption-key:{pool_id}:{key_id}:{version}"


class EncryptionKeyRepository(Repository):
    def add(self, pool_id: str, *, key_id: str, version: int, audience: str, material: bytes) -> EncryptionKeyRecord:
        """Store a new **active** version. Raises Conflict when the audience already has an active
        version (retire it first, in the same transaction), NotFound(pool) for an unknown pool."""
        sealed = self._key().encrypt(material, material_context(pool_id, key_id, version))
        row = EncryptionKey(key_id=key_id, version=version, pool_id=pool_id, audience=audience, state=ACTIVE,
                            material=sealed, created_at=self._now())
        try:
            self._add(row, kind=Kind.SIGNING_KEY, parent=Kind.POOL)
        except AlreadyExists:  # the one-active index (or the version) was taken by a concurrent rotation
            raise Conflict("Another encryption key was activated concurrently.") from None
        return self._record(row)

    def get(self, pool_id: str, key_id: str, version: int) -> EncryptionKeyRecord | None:
        row = self._s.get(EncryptionKey, (key_id, version))
        return self._record(row) if row is not None and row.pool_id == pool_id else None

    def active(self, pool_id: str, audience: str) -> EncryptionKeyRecord | None:
        row = self._s.scalars(select(EncryptionKey).where(
            EncryptionKey.pool_id == pool_id, EncryptionKey.audience == audience,
            EncryptionKey.state == ACTIVE)).first()
        return self._record(row) if row is not None else None

    def list(self, pool_id: str, *, audience: str | None = None) -> list[EncryptionKeyRecord]:
        """Every version of the pool's keys (optionally one audience), oldest first."""
        stmt = select(EncryptionKey).where(EncryptionKey.pool_id == pool_id)
        if audience is not None:
            stmt = stmt.where(EncryptionKey.audience == audience)
        rows = self._s.scalars(stmt.order_by(EncryptionKey.audience, EncryptionKey.version))
        return [self._record(r) for r in rows]

    def retire(self, pool_id: str, key_id: str, version: int, *, remove_after: int) -> None:
        result = self._s.execute(
            update(EncryptionKey)
            .where(EncryptionKey.key_id == key_id, EncryptionKey.version == version,
                   EncryptionKey.pool_id == pool_id, EncryptionKey.state == ACTIVE)
            .values(state=RETIRED, retired_at=self._now(), remove_after=remove_after)
            .execution_options(synchronize_session="fetch"))
        if result.rowcount != 1:
            raise Conflict("The encryption key version was retired concurrently.")

    def purge(self, *, now: int | None = None) -> int:
        """Delete retired versions whose ``remove_after`` has passed; returns how many."""
        result = self._s.execute(
            delete(EncryptionKey)
            .where(EncryptionKey.state == RETIRED, EncryptionKey.remove_after.is_not(None),
                   EncryptionKey.remove_after <= self._now(now))
            .execution_options(synchronize_session=False))
        self._s.expunge_all()
        return result.rowcount

    def _record(self, row: EncryptionKey) -> EncryptionKeyRecord:
        material = self._key().decrypt(row.material, material_context(row.pool_id, row.key_id, row.version))
        return EncryptionKeyRecord(pool_id=row.pool_id, key_id=row.key_id, version=row.version, audience=row.audience,
                                   state=row.state, created_at=row.created_at, retired_at=row.retired_at,
                                   remove_after=row.remove_after, material=material)
