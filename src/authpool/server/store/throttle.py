"""Failed sign-in attempts, for the sign-in throttle when no Redis is configured
(``authpool.server.limiters.store``; the policy is ``authpool.server.ratelimit``'s).

One row per failure: a sliding window is then one indexed ``count`` / ``max`` over the window, the
same answer in every process that shares the database. Keys are keyed hashes (HMAC under a key
derived from the master key) of the pool, user name and client address, so the table holds no
personal data. Times here are epoch **milliseconds**: the backoff starts at one second, and whole
seconds would shorten it by up to a second. Rows older than the window are purged by the limiter.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Index, String, delete, func, select
from sqlalchemy.orm import Mapped, mapped_column

from ._base import Repository
from .models import Base, BigId


class ThrottleFailure(Base):
    __tablename__ = "throttle_failures"
    __table_args__ = (Index("ix_throttle_failures_key_hash_at_ms", "key_hash", "at_ms"),
                      Index("ix_throttle_failures_at_ms", "at_ms"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    at_ms: Mapped[int] = mapped_column(BigInteger)


class ThrottleRepository(Repository):
    def window(self, key_hash: str, *, since_ms: int) -> tuple[int, int | None]:
        """(failures after ``since_ms``, the latest one's time) for one key."""
        count, last = self._s.execute(
            select(func.count(), func.max(ThrottleFailure.at_ms))
            .where(ThrottleFailure.key_hash == key_hash, ThrottleFailure.at_ms > since_ms)
        ).one()
        return int(count), (int(last) if last is not None else None)

    def add(self, key_hash: str, *, at_ms: int) -> None:
        self._s.add(ThrottleFailure(key_hash=key_hash, at_ms=at_ms))
        self._s.flush()

    def clear(self, key_hash: str) -> None:
        self._s.execute(delete(ThrottleFailure).where(ThrottleFailure.key_hash == key_hash)
                        .execution_options(synchronize_session=False))

    def purge(self, *, before_ms: int) -> int:
        return self._s.execute(delete(ThrottleFailure).where(ThrottleFailure.at_ms <= before_ms)
                               .execution_options(synchronize_session=False)).rowcount
