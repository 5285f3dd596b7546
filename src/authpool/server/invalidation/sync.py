"""Cross-process cache invalidation: what one process drops from its caches, every other process
sharing the store drops too, within a bounded time.

``server/cache.py`` invalidates locally after a commit and calls its listeners; :class:`CacheSync`
is such a listener. It publishes ``(name, key)`` on a channel (PostgreSQL ``NOTIFY`` or Redis
``PUBLISH``: ``postgres.py``, ``redis.py``) and, in a server process, a listener thread applies what
the other processes publish (``cache.apply_remote``; no echo: messages carry the sender's id).

The bound (docs/deploy.md, "Caches across processes"):

* **connected**: a change is applied everywhere as soon as the channel delivers it — milliseconds;
* **channel lost**: the listener proves its channel alive every :data:`HEARTBEAT` seconds. When it
  fails, or nothing proves it alive for :data:`SYNC_TIMEOUT` seconds (a silent network), a
  watchdog flushes every cache at once and then every :data:`HEARTBEAT` seconds until the channel is
  back; on every (re)connection, once listening, everything is flushed again, because whatever was
  published meanwhile was missed. A change is thus never served from a stale cache for more than
  ``SYNC_TIMEOUT + HEARTBEAT`` seconds (4 s);
* a process killed between its commit and its publish (microseconds) leaves the others on their
  caches' TTLs.

Caches other than ``server/cache.py``'s (the hook configuration cache, the key service's settings)
join with ``flushers={name: clear_everything}``: a message for ``name`` and every flush call them.
"""

from __future__ import annotations

import json
import logging
import math
import secrets
import threading
import time
import weakref
from collections.abc import Callable, Iterator, Mapping
from typing import Protocol

from .. import cache

log = logging.getLogger("authpool.invalidation")

CHANNEL = "authpool_cache"
HEARTBEAT = 1.0
SYNC_TIMEOUT = 3.0
RECEIVE_WAIT = 0.5
MAX_PAYLOAD = 7000  # PostgreSQL NOTIFY payloads are < 8000 bytes
RECONNECT_DELAYS = (0.2, 0.5, 1.0, 2.0)


class Channel(Protocol):
    """One transport: ``connect`` subscribes (and returns only once subscribed); ``receive`` yields
    each payload as soon as it arrives, for up to ``timeout`` seconds; ``heartbeat`` raises unless
    the connection is alive; every method but ``publish`` runs on the listener thread."""

    kind: str

    def connect(self) -> None: ...

    def receive(self, timeout: float) -> Iterator[str]: ...

    def heartbeat(self) -> None: ...

    def publish(self, payload: str) -> None: ...

    def close(self) -> None: ...


class CacheSync:
    def __init__(self, channel: Channel, *, flushers: Mapping[str, Callable[[], None]] | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.channel, self.id, self._clock = channel, secrets.token_hex(8), clock
        self._flushers = dict(flushers or {})
        self._last_ok = -math.inf
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.received = self.published = self.flushes = self.reconnects = 0
        ref = weakref.ref(self)

        def publish(name: str, key: str | None) -> None:  # weak: a dropped context stops publishing
            sync = ref()
            if sync is not None:
                sync.publish(name, key)

        self._publisher = publish
        self._remove = cache.add_listener(publish)
        weakref.finalize(self, self._remove)  # a context dropped without close() leaves no listener behind

    # -- state --------------------------------------------------------------------------------------
    @property
    def synced(self) -> bool:
        """True while the channel has proved itself alive within :data:`SYNC_TIMEOUT` seconds."""
        return self._clock() - self._last_ok < SYNC_TIMEOUT

    @property
    def running(self) -> bool:
        return any(t.is_alive() for t in self._threads)

    # -- publishing (any thread, after a local invalidation) ------------------------------------------
    def publish(self, name: str, key: str | None) -> None:
        payload = json.dumps({"s": self.id, "n": name, "k": key}, separators=(",", ":"))
        if len(payload) > MAX_PAYLOAD:
            payload = json.dumps({"s": self.id, "n": name, "k": None}, separators=(",", ":"))
        try:
            self.channel.publish(payload)
            self.published += 1
            log.debug("cache invalidation published", extra={"cache": name})
        except Exception as exc:  # noqa: BLE001 - the change is committed; the others' watchdogs bound the damage
            log.warning("could not publish a cache invalidation", extra={"cache": name, "channel": self.channel.kind,
                                                                          "error_type": type(exc).__name__})

    def invalidate(self, name: str) -> None:
        """For caches outside ``server/cache.py``: tell the other processes that ``name`` changed."""
        self.publish(name, None)

    # -- receiving (server processes) -----------------------------------------------------------------
    def start(self) -> None:
        if self.running:
            return
        self._stop.clear()
        self._threads = [threading.Thread(target=self._listen, name="authpool-cache-sync", daemon=True),
                         threading.Thread(target=self._watch, name="authpool-cache-watchdog", daemon=True)]
        for thread in self._threads:
            thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout)
        self._threads = []

    def close(self) -> None:
        self.stop()
        self._remove()

    def flush_all(self, reason: str) -> None:
        """Empty every cache of this process (server/cache.py's and the flushers')."""
        self.flushes += 1
        for name in cache.names():
            cache.apply_remote(name, None)
        for flush in self._flushers.values():
            flush()
        log.debug("caches flushed", extra={"reason": reason})

    def apply(self, payload: str) -> None:
        try:
            message = json.loads(payload)
            sender, name, key = message["s"], message["n"], message["k"]
        except (ValueError, TypeError, KeyError):
            log.warning("ignored a malformed cache invalidation message")
            return
        if sender == self.id or not isinstance(name, str) or not (key is None or isinstance(key, str)):
            return
        self.received += 1
        log.debug("cache invalidation received", extra={"cache": name})
        if name in self._flushers:
            self._flushers[name]()
        else:
            cache.apply_remote(name, key)

    def _listen(self) -> None:
        attempt = 0
        while not self._stop.is_set():
            try:
                self.channel.connect()
                self.flush_all("connected")  # listening now: drop whatever was missed before
                self._last_ok, attempt = self._clock(), 0
                log.info("cache invalidation channel connected", extra={"channel": self.channel.kind})
                next_beat = self._clock() + HEARTBEAT
                while not self._stop.is_set():
                    for payload in self.channel.receive(RECEIVE_WAIT):
                        self.apply(payload)
                    if self._clock() >= next_beat:
                        self.channel.heartbeat()
                        self._last_ok, next_beat = self._clock(), self._clock() + HEARTBEAT
            except Exception as exc:  # noqa: BLE001 - any failure: reconnect, caches not trusted meanwhile
                if self._stop.is_set():
                    break
                self._last_ok = -math.inf
                self.reconnects += 1
                log.warning("cache invalidation channel lost; caches flushed until it is back",
                            extra={"channel": self.channel.kind, "error_type": type(exc).__name__})
                self.flush_all("disconnected")
            finally:
                self.channel.close()
            self._stop.wait(RECONNECT_DELAYS[min(attempt, len(RECONNECT_DELAYS) - 1)])
            attempt += 1

    def _watch(self) -> None:
        while not self._stop.wait(HEARTBEAT):
            if not self.synced:
                self.flush_all("unsynced")
