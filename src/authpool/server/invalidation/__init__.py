"""Cache invalidation across the processes that share one store (``sync.py`` has the rules and the
bound): PostgreSQL ``LISTEN``/``NOTIFY`` when the store is PostgreSQL, Redis pub/sub when
``AUTHPOOL_REDIS_URL`` is set on a SQLite store, and nothing otherwise (one process: local
invalidation is exact; several workers on SQLite without Redis: the caches' TTLs bound staleness).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from .sync import CHANNEL, HEARTBEAT, SYNC_TIMEOUT, CacheSync, Channel

__all__ = ["CHANNEL", "HEARTBEAT", "SYNC_TIMEOUT", "CacheSync", "Channel", "build_cache_sync"]


def build_cache_sync(db, *, redis=None, connect_timeout: int = 3,
                     flushers: Mapping[str, Callable[[], None]] | None = None) -> CacheSync | None:
    """The process's :class:`CacheSync` for this store (not started: servers start it), or None."""
    if db.dialect == "postgresql":
        from .postgres import PostgresChannel

        return CacheSync(PostgresChannel(db.engine, connect_timeout=connect_timeout), flushers=flushers)
    if redis is not None:
        from .redis import RedisChannel

        return CacheSync(RedisChannel(redis), flushers=flushers)
    return None
