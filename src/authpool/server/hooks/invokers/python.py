"""``python:package.module:function`` hooks, called in-process like a Lambda handler.

The function is called as ``handler(event, context)``, as AWS Lambda's Python runtime calls it; it may
be a plain function or a coroutine function (``async def``), and returns the event with ``response``
filled in. ``context`` has the attributes of Lambda's context object that handlers read
(``function_name``, ``aws_request_id``, ``get_remaining_time_in_millis()`` ...).

The timeout is enforced by waiting, not by killing: a coroutine is cancelled when its time is up; a
plain function runs in a (daemon) worker thread of the invoker's own bounded pool (threads.py, the
``hook_threads`` setting) that Python cannot stop, so it finishes in the background while the
issuance has already failed, and never delays the server's exit. Such a *stuck* thread holds one
of the pool's threads until the handler returns; while all of them are stuck, python hooks fail
closed at once (:class:`~authpool.server.hooks.errors.HookUnavailable` ``HookThreadsExhausted``:
Cognito's ``UnexpectedLambdaException``, OAuth ``server_error``) instead of waiting out a timeout.
Hooks that call out to a network should set their own timeouts below the pool's. The handler runs with the server's privileges: only an administrator
can configure one (UpdateUserPool is SigV4-signed; the CLI needs the data directory).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import functools
import importlib
import inspect
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from ....tokens.mint import new_jti
from ..config import PYTHON_REF
from ..errors import HookRejected, HookTimeout, HookUnavailable
from .base import Target
from .threads import DaemonPool, PoolExhausted, PoolStats

log = logging.getLogger("authpool.hooks")

#: Threads for plain (sync) python handlers per invoker, unless the ``hook_threads`` setting says otherwise.
DEFAULT_THREADS = 16


class LambdaContext:
    """The parts of the AWS Lambda Python context object a handler may read."""

    def __init__(self, arn: str, function_name: str, deadline: float) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = arn
        self.memory_limit_in_mb = 128
        self.aws_request_id = new_jti()
        self.log_group_name = f"/authpool/hooks/{function_name}"
        self.log_stream_name = self.aws_request_id
        self.identity = None
        self.client_context = None
        self._deadline = deadline

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def _is_async(fn: Callable[..., Any]) -> bool:
    while isinstance(fn, functools.partial):
        fn = fn.func
    return inspect.iscoroutinefunction(fn) or inspect.iscoroutinefunction(type(fn).__call__)


class PythonInvoker:
    kind = "python"

    def __init__(self, *, max_workers: int = DEFAULT_THREADS) -> None:
        self._handlers: dict[str, Callable[..., Any]] = {}
        self._lock = threading.Lock()
        self._workers = DaemonPool(max_workers)
        self._loop: asyncio.AbstractEventLoop | None = None

    # -- resolving ----------------------------------------------------------------------------------
    def resolve(self, arn: str) -> Callable[..., Any]:
        handler = self._handlers.get(arn)
        if handler is not None:
            return handler
        match = PYTHON_REF.match(arn)
        if match is None:
            raise HookUnavailable("InvalidHandlerReference", invoker=self.kind)
        module_name, qualname = match.groups()
        try:
            obj: Any = importlib.import_module(module_name)
            for part in qualname.split("."):
                obj = getattr(obj, part)
        except Exception as exc:  # noqa: BLE001 - an import runs arbitrary module code: any failure is "cannot load"
            log.error("pre-token hook %s could not be loaded: %s", arn, type(exc).__name__)
            raise HookUnavailable("ImportError", invoker=self.kind) from None
        if not callable(obj):
            raise HookUnavailable("HandlerNotCallable", invoker=self.kind)
        with self._lock:
            self._handlers[arn] = obj
        return obj

    # -- running ------------------------------------------------------------------------------------
    def _event_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                threading.Thread(target=loop.run_forever, name="authpool-hook-loop", daemon=True).start()
                self._loop = loop
            return self._loop

    def _wait(self, future: concurrent.futures.Future, deadline: float, *, in_thread: bool = False) -> Any:
        done, _ = concurrent.futures.wait([future], timeout=max(0.0, deadline - time.monotonic()))
        if not done:
            if in_thread:
                self._workers.abandon(future)  # not started: dropped; running: its thread counts as stuck
            else:
                future.cancel()  # stops a coroutine
            raise HookTimeout(invoker=self.kind)
        try:
            error = future.exception()
        except concurrent.futures.CancelledError:
            raise HookTimeout(invoker=self.kind) from None
        if error is not None:
            raise HookRejected(error, invoker=self.kind)
        return future.result()

    def _await(self, awaitable: Any, deadline: float) -> Any:
        async def run() -> Any:
            return await awaitable

        return self._wait(asyncio.run_coroutine_threadsafe(run(), self._event_loop()), deadline)

    def invoke(self, target: Target, event: dict[str, Any]) -> Any:
        handler = self.resolve(target.arn)
        deadline = time.monotonic() + target.timeout
        context = LambdaContext(target.arn, target.arn.rsplit(":", 1)[-1], deadline)
        if _is_async(handler):
            try:
                awaitable = handler(event, context)
            except Exception as exc:  # noqa: BLE001 - the handler's own error: it refuses the sign-in
                raise HookRejected(exc, invoker=self.kind) from None
            return self._await(awaitable, deadline)
        run = contextvars.copy_context().run  # keep the request id for the handler's own logs
        try:
            future = self._workers.submit(run, handler, event, context)
        except PoolExhausted:
            raise HookUnavailable("HookThreadsExhausted", invoker=self.kind) from None
        result = self._wait(future, deadline, in_thread=True)
        if inspect.isawaitable(result):
            result = self._await(result, deadline)
        return result

    def threads(self) -> PoolStats:
        """The sync handlers' threads: capacity, started, busy, stuck past a timeout, refusals."""
        return self._workers.stats()

    def close(self) -> None:
        self._workers.close()
        with self._lock:
            if self._loop is not None:
                self._loop.call_soon_threadsafe(self._loop.stop)
                self._loop = None
