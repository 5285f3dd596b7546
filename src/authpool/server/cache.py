"""Process-local caches for hot-path reads, with explicit invalidation and one hook point for
invalidation across processes.

What is cached (and nothing else): records that change only through the pool services and that a
token request would otherwise read from the store every time: app clients by client id
(:data:`CLIENTS`, ``pool/clients.py``), each pool's active signing keys (:data:`SIGNING_KEYS`,
``keys/service.py``) and each pool's resource-server encryption settings (``"keyservice"``,
``keyservice/cache.py``, emptied by session events at commit). Never cached: anything that must be
checked fresh on every request — refresh tokens, authorization codes, revocation (token families),
users, throttling.

Freshness, in this order:

1. **In this process**, a service that changes a cached record invalidates it *after its
   transaction commits* (``UnitOfWork.after_commit``); the next read loads the committed row.
2. **A load that raced with an invalidation is not stored**: :meth:`Cache.get_or_load` notes the
   cache's :attr:`~Cache.generation` before loading and drops the result if any invalidation
   happened meanwhile, so a reader never puts back a row older than a commit it raced with.
3. **Other processes** (other server workers, the CLI while a server runs) see a change within
   ``ttl`` seconds, or at once when a cross-process channel is attached at the hook point below.

The hook point (for PostgreSQL ``LISTEN/NOTIFY`` or Redis pub/sub):

* :func:`add_listener` registers ``fn(name, key)``, called after every local invalidation (``key``
  None means "everything in that cache"): a publisher sends it to the other processes.
* :func:`apply_remote` ``(name, key)`` applies an invalidation received from another process to
  every cache of that name here, without calling the listeners again (no echo).

Caches are found by name, so an invalidation reaches every cache of that name in the process (all
server contexts). Keys are strings, so that they can travel between processes as they are.
Bounded: at most ``max_entries`` per cache; the oldest entry goes first when full.

Work that must not wait (on the event loop): inside :func:`non_blocking`, a cache miss, a store
transaction (``Database.transaction``) and a pre-token hook call (``HookCustomizer``) raise
:class:`WouldBlock` instead of waiting, and the caller redoes the whole piece of work where waiting
is allowed (a worker thread). The token endpoint issues client-credentials tokens this way when all
it needs is in memory, which saves the hand-off to a thread and back. When an entry has just expired,
only the first such request goes to reload it; until it has (at most :data:`REFRESH_GRACE` seconds),
the others keep the expired value instead of all queueing on the store at once. Invalidated entries
are gone, never served.
"""

from __future__ import annotations

import contextvars
import logging
import threading
import time
import weakref
from collections.abc import Callable
from typing import Generic, TypeVar

__all__ = ["CLIENTS", "SIGNING_KEYS", "Cache", "PerRecord", "WouldBlock", "about_to_block", "add_listener",
           "apply_remote", "invalidate", "names", "non_blocking"]

V = TypeVar("V")
R = TypeVar("R")
Listener = Callable[[str, "str | None"], None]

CLIENTS = "clients"  # client id -> ClientRecord
SIGNING_KEYS = "signing_keys"  # pool id -> the pool's active signing keys

#: How long past its expiry an entry may still serve non_blocking() readers while one request reloads it.
REFRESH_GRACE = 1.0

log = logging.getLogger("authpool.cache")
_non_blocking: contextvars.ContextVar[bool] = contextvars.ContextVar("authpool_non_blocking", default=False)
_registry: dict[str, weakref.WeakSet[Cache]] = {}
_listeners: list[Listener] = []
_registry_lock = threading.Lock()


class Cache(Generic[V]):
    """A bounded, thread-safe map from string keys to values that expire after ``ttl`` seconds and
    can be invalidated by key or all at once. ``ttl <= 0`` turns caching off (every read loads)."""

    def __init__(self, name: str, *, ttl: float, max_entries: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self.name, self.ttl, self.max_entries, self._clock = name, ttl, max_entries, clock
        self._entries: dict[str, tuple[float, V]] = {}
        self._refreshing: set[str] = set()  # expired keys a request is reloading (see non_blocking)
        self._lock = threading.Lock()
        self._generation = 0
        with _registry_lock:
            _registry.setdefault(name, weakref.WeakSet()).add(self)

    @property
    def generation(self) -> int:
        """Counts invalidations of this cache; a load started at another generation is not stored."""
        return self._generation

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: str) -> V | None:
        """The cached value, or None when absent or expired."""
        entry = self._entries.get(key)
        if entry is None or entry[0] <= self._clock():
            return None
        return entry[1]

    def get_or_load(self, key: str, load: Callable[[], V | None]) -> V | None:
        """The cached value, else ``load()``'s, stored unless it is None (misses are not cached, so a
        record created elsewhere is seen at once) or an invalidation happened during the load."""
        entry = self._entries.get(key)
        if entry is not None:
            now = self._clock()
            if entry[0] > now:
                return entry[1]
            if _non_blocking.get():  # expired: one request reloads it (in a thread), the rest wait for nothing
                if key in self._refreshing and now < entry[0] + min(self.ttl, REFRESH_GRACE):
                    return entry[1]
                self._refreshing.add(key)
                raise WouldBlock
        about_to_block()
        generation = self._generation
        try:
            value = load()
        finally:
            self._refreshing.discard(key)
        if value is not None and self.ttl > 0:
            with self._lock:
                if generation == self._generation:
                    if key not in self._entries and len(self._entries) >= self.max_entries:
                        self._entries.pop(next(iter(self._entries)))  # the oldest
                    self._entries[key] = (self._clock() + self.ttl, value)
        return value

    def invalidate(self, key: str) -> None:
        """Drop ``key`` here and in every cache of this name, and tell the listeners."""
        invalidate(self.name, key)

    def invalidate_all(self) -> None:
        """Empty every cache of this name, and tell the listeners."""
        invalidate(self.name, None)

    def _drop(self, key: str | None) -> None:
        with self._lock:
            self._generation += 1
            if key is None:
                self._entries.clear()
                self._refreshing.clear()
            else:
                self._entries.pop(key, None)
                self._refreshing.discard(key)


class PerRecord(Generic[R, V]):
    """``derive(record)`` computed once per record *object*: for values that follow from a cached
    record alone (an app client's lifetimes, what its grants allow), which every token request would
    otherwise work out again.

    A :class:`Cache` hands out the same object until the entry is invalidated or expires; what it loads
    after that is a new object. So a derived value is kept with the object it came from (by ``key``,
    checked with ``is``) and worked out again for any other: it is exactly as fresh as the record, with
    no invalidation of its own. ``derive`` must be a pure function of the record, and callers must not
    change what it returns. Bounded: past ``max_entries`` keys it starts over."""

    def __init__(self, derive: Callable[[R], V], *, key: Callable[[R], str], max_entries: int = 10_000) -> None:
        self._derive, self._key, self._max = derive, key, max_entries
        self._entries: dict[str, tuple[R, V]] = {}

    def __call__(self, record: R) -> V:
        key = self._key(record)
        entry = self._entries.get(key)
        if entry is not None and entry[0] is record:
            return entry[1]
        value = self._derive(record)
        if len(self._entries) >= self._max:
            self._entries.clear()
        self._entries[key] = (record, value)
        return value


def invalidate(name: str, key: str | None = None, *, publish: bool = True) -> None:
    """Drop ``key`` (None: everything) from every cache called ``name`` in this process; then, if
    ``publish``, call each listener with ``(name, key)``. A failing listener is logged (its type
    only) and does not stop the others: the local invalidation has happened either way."""
    with _registry_lock:
        caches = list(_registry.get(name, ()))
        listeners = list(_listeners) if publish else []
    for cache in caches:
        cache._drop(key)
    for listener in listeners:
        try:
            listener(name, key)
        except Exception as exc:  # noqa: BLE001 - a broken channel must not fail the change that was committed
            log.error("cache invalidation listener failed: %s", type(exc).__name__)


def apply_remote(name: str, key: str | None) -> None:
    """An invalidation received from another process: applied here, not published again."""
    invalidate(name, key, publish=False)


def add_listener(listener: Listener) -> Callable[[], None]:
    """Call ``listener(name, key)`` after every local invalidation. Returns a function that removes it."""
    with _registry_lock:
        _listeners.append(listener)

    def remove() -> None:
        with _registry_lock:
            if listener in _listeners:
                _listeners.remove(listener)
    return remove


def names() -> list[str]:
    """The names of this process's caches: a process that may have missed invalidations from the
    others (its channel was down) flushes them all (``server/invalidation``)."""
    with _registry_lock:
        return list(_registry)


class WouldBlock(BaseException):
    """Raised inside :func:`non_blocking` where the work would wait (store, hook). A BaseException,
    like GeneratorExit, so that no ``except Exception`` on the way takes it for a failure."""


class non_blocking:
    """Within this block, :func:`about_to_block` raises :class:`WouldBlock`. Only for work that can be
    redone from the start (nothing written yet when it raises). A class rather than a
    ``@contextmanager`` generator: entered on every client-credentials token, 0.8 -> 0.3 us."""

    __slots__ = ("_token",)

    def __enter__(self) -> None:
        self._token = _non_blocking.set(True)

    def __exit__(self, *exc_info: object) -> None:
        _non_blocking.reset(self._token)


def about_to_block() -> None:
    """Called before waiting on the store or a hook: raises :class:`WouldBlock` inside :func:`non_blocking`."""
    if _non_blocking.get():
        raise WouldBlock
