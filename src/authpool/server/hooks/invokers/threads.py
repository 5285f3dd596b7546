"""A small pool of *daemon* worker threads for in-process handlers.

``concurrent.futures.ThreadPoolExecutor`` joins its threads when the interpreter exits, so one hung
hook would keep the server from ever shutting down. These threads are daemons: a handler that never
returns holds its thread, and nothing else. Threads are started on demand up to ``max_workers``
and then reused.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any


class DaemonPool:
    def __init__(self, max_workers: int = 16, *, name: str = "authpool-hook") -> None:
        self._max, self._name = max_workers, name
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._threads = 0
        self._idle = threading.Semaphore(0)  # one release per worker gone back to waiting (as in the stdlib pool)
        self._closed = False

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future:
        future: Future = Future()
        with self._lock:
            if self._closed:
                raise RuntimeError("the hook worker pool is closed")
            self._queue.put((future, fn, args))
            if not self._idle.acquire(blocking=False) and self._threads < self._max:
                self._threads += 1
                threading.Thread(target=self._work, name=f"{self._name}-{self._threads}", daemon=True).start()
        return future

    def _work(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            future, fn, args = item
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(fn(*args))
                except BaseException as exc:  # noqa: BLE001 - handed to the waiting caller
                    future.set_exception(exc)
            del item, future, fn, args
            self._idle.release()

    def close(self) -> None:
        """Stop idle workers; a busy (hung) worker ends with the process."""
        with self._lock:
            self._closed = True
            for _ in range(self._threads):
                self._queue.put(None)
