"""What the customizer remembers between issuances: each pool's hook configuration and its groups'
IAM roles, so that an issuance does not pay for a store read it almost never needs.

Freshness, in this order:

* every change to a pool or a group committed **in this process** (UpdateUserPool, ``authpool hooks``
  through a server's context, UpdateGroup, DeleteUserPool ...) empties every cache at commit time:
  the store's SQLAlchemy session events say so (``store/commit_events.py``: ``do_orm_execute`` for
  UPDATE/DELETE statements, ``after_flush`` for added or changed rows, then ``after_commit``);
* changes made **by another process** (another server worker, the CLI while a server runs) arrive
  through the cross-process invalidation channel when there is one (``server/invalidation``:
  PostgreSQL NOTIFY or Redis pub/sub, milliseconds; the server then keeps entries longer), and are
  seen within ``ttl`` seconds otherwise (1 s by default).

A load that started before an invalidation is not stored (a generation counter), so a reader never
puts back a value older than a commit it raced with. Group roles only feed ``iamRolesToOverride`` /
``preferredRole`` in the event; group *membership* always comes fresh from TokenService.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable
from typing import Any

from .. import cache as shared_cache
from ..store.commit_events import on_commit_writing
from ..store.models import Group, UserPool

DEFAULT_TTL = 1.0
#: The name under which hook-cache invalidations travel between processes (server/cache.py listeners).
NAME = "hooks"
_WATCHED = (UserPool, Group)
_FLAG = "authpool_hooks_stale"


class TTLCache:
    """A small thread-safe map with expiry, emptied by :func:`invalidate_all`."""

    def __init__(self, ttl: float = DEFAULT_TTL, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl, self._clock = ttl, clock
        self._entries: dict[Any, tuple[float, Any]] = {}
        self._lock = threading.Lock()
        self.generation = 0
        _caches.add(self)

    def get(self, key: Any, default: Any = None) -> Any:
        entry = self._entries.get(key)
        if entry is None or entry[0] < self._clock():
            return default
        return entry[1]

    def put(self, key: Any, value: Any, generation: int) -> None:
        """Store ``value`` unless an invalidation happened since ``generation`` was read."""
        if self.ttl <= 0:
            return
        with self._lock:
            if generation == self.generation:
                self._entries[key] = (self._clock() + self.ttl, value)

    def clear(self) -> None:
        with self._lock:
            self.generation += 1
            self._entries.clear()


_caches: weakref.WeakSet[TTLCache] = weakref.WeakSet()


def clear_local() -> None:
    """Empty every hook cache of this process (an invalidation received from another process)."""
    for cache in list(_caches):
        cache.clear()


def invalidate_all() -> None:
    """Empty every hook cache here and tell the other processes (``server/cache.py``'s listeners)."""
    clear_local()
    shared_cache.invalidate(NAME)


on_commit_writing(_WATCHED, _FLAG, invalidate_all)
