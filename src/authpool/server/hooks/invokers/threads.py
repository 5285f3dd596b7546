"""The bounded pool of *daemon* worker threads that runs plain (sync) in-process hook handlers.

* Its own threads, not the server's shared worker pool (where requests' blocking work runs): a hook that
  never returns can hold at most ``max_workers`` threads (the ``hook_threads`` setting,
  docs/settings.md), and holds no request thread past its timeout.
* Daemons: ``concurrent.futures.ThreadPoolExecutor`` joins its threads when the interpreter exits,
  so one hung hook would keep the server from ever shutting down; a daemon thread ends with the
  process. Threads start on demand up to ``max_workers`` and are then reused.
* Python cannot stop a thread. When a caller gives up at its timeout while the handler still runs,
  it calls :meth:`DaemonPool.abandon`: that thread counts as *stuck* until the handler returns.
  While every thread is stuck, :meth:`submit` refuses at once (:class:`PoolExhausted`) instead of
  queueing a call that could only time out; the first stuck thread to come back makes room again.
  Calls that find the threads merely busy (not stuck) wait in the queue, within their own timeout.
* Counts for ``/metrics`` (server/metrics.py): :func:`totals` over every live pool.
"""

from __future__ import annotations

import logging
import queue
import threading
import weakref
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import astuple, dataclass
from typing import Any

log = logging.getLogger("authpool.hooks")

_POOLS: weakref.WeakSet[DaemonPool] = weakref.WeakSet()


class PoolExhausted(RuntimeError):
    """Every worker holds a handler that ran past its caller's timeout: nothing can run now."""


@dataclass(frozen=True, slots=True)
class PoolStats:
    capacity: int  # max_workers
    threads: int  # started so far
    busy: int  # running a handler (stuck ones included)
    stuck: int  # running a handler whose caller has given up
    refused: int  # submits refused because every worker was stuck


class DaemonPool:
    def __init__(self, max_workers: int = 16, *, name: str = "authpool-hook") -> None:
        if max_workers < 1:
            raise ValueError("max_workers must be at least 1")
        self._max, self._name = max_workers, name
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._threads = 0
        self._idle = threading.Semaphore(0)  # one release per worker gone back to waiting (as in the stdlib pool)
        self._running: set[Future] = set()
        self._stuck: set[Future] = set()
        self._refused = 0
        self._closed = False
        _POOLS.add(self)

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future:
        """Queue ``fn(*args)``; :class:`PoolExhausted` at once when every worker is stuck."""
        future: Future = Future()
        with self._lock:
            if self._closed:
                raise RuntimeError("the hook worker pool is closed")
            if len(self._stuck) >= self._max:
                self._refused += 1
                raise PoolExhausted(f"all {self._max} {self._name} threads are stuck")
            self._queue.put((future, fn, args))
            if not self._idle.acquire(blocking=False) and self._threads < self._max:
                self._threads += 1
                threading.Thread(target=self._work, name=f"{self._name}-{self._threads}", daemon=True).start()
        return future

    def abandon(self, future: Future) -> None:
        """The caller of ``future`` has given up: cancel it if it has not started, else count its
        thread as stuck until the handler returns."""
        if future.cancel():
            return
        with self._lock:
            if future not in self._running:
                return  # finished meanwhile
            self._stuck.add(future)
            stuck = len(self._stuck)
        if stuck >= self._max:
            log.warning("every %s thread (%d) runs a handler past its timeout; calls fail at once until one "
                        "returns", self._name, self._max)

    def _work(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            future, fn, args = item
            with self._lock:  # started and counted in one step, so abandon() sees it running
                started = future.set_running_or_notify_cancel()
                if started:
                    self._running.add(future)
            if started:
                try:
                    future.set_result(fn(*args))
                except BaseException as exc:  # noqa: BLE001 - handed to the waiting caller
                    future.set_exception(exc)
                with self._lock:
                    was_full = len(self._stuck) >= self._max
                    self._running.discard(future)
                    came_back = future in self._stuck
                    self._stuck.discard(future)
                if came_back and was_full:
                    log.info("a stuck %s thread returned; calls run again", self._name)
            del item, future, fn, args
            self._idle.release()

    def stats(self) -> PoolStats:
        with self._lock:
            return PoolStats(self._max, self._threads, len(self._running), len(self._stuck), self._refused)

    def close(self) -> None:
        """Stop idle workers; a busy (hung) worker ends with the process."""
        with self._lock:
            self._closed = True
            for _ in range(self._threads):
                self._queue.put(None)


def totals() -> PoolStats:
    """The sums over every pool alive in this process (one per PythonInvoker, one per server)."""
    rows = [astuple(pool.stats()) for pool in list(_POOLS)]
    return PoolStats(*(sum(column) for column in zip(*rows, strict=True))) if rows else PoolStats(0, 0, 0, 0, 0)
