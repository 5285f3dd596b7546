"""ASGI middleware: request ids, body-size bound, access log, metrics, and a last-resort error page.

Pure ASGI (no BaseHTTPMiddleware) so it costs little on the token hot path. The access log names the
method, the *route template* and the status: never the query string, headers or body, which can hold
codes, tokens and credentials.
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Awaitable

from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .logs import AccessLog, request_id_var
from .metrics import REQUEST_LATENCY, REQUESTS

log = logging.getLogger("authpool.http")
access_log = AccessLog(log)
_SAFE_REQUEST_ID = re.compile(rb"[A-Za-z0-9._-]{1,64}")


class RequestBodyTooLarge(Exception):
    pass


_TOO_LARGE = b'{"error":"invalid_request","error_description":"Request body too large."}'
_INTERNAL = b'{"error":"server_error","error_description":"Internal error."}'


class DirectAnswer:
    """What ServerMiddleware hands an endpoint that has ``serve_direct(scope, receive, send, answer)``,
    instead of wrapping its receive and send in closures for every request (the token endpoint; two
    coroutine frames less on each message). The endpoint puts ``headers`` (the request id) at the end of
    its answer's headers, refuses a body longer than ``max_body_bytes`` by raising RequestBodyTooLarge
    before it answers, and sets ``status`` just before it sends ``http.response.start`` (left None: it
    answered nothing, as when the client has gone)."""

    __slots__ = ("headers", "max_body_bytes", "status")

    def __init__(self, headers: list[tuple[bytes, bytes]], max_body_bytes: int) -> None:
        self.headers, self.max_body_bytes, self.status = headers, max_body_bytes, None


class ServerMiddleware:
    """``direct``: routes (of the app's table too) that this middleware hands requests to itself, without
    Starlette's exception middleware and router: the token endpoint, whose every request counts
    (bench/bench_token_endpoint.py). Only a full match (path and method) goes direct; anything else
    takes the usual way, so 404 and 405 answers are unchanged. A direct route's endpoint with
    ``serve_direct`` is served through a :class:`DirectAnswer`; any other app with wrapped receive and
    send. Either way the answer gets the same request id, body bound, metrics and access log."""

    #: Paths remembered as matching a direct route (a pool's token path is asked for again and again).
    MAX_REMEMBERED_PATHS = 1024

    def __init__(self, app: ASGIApp, *, max_body_bytes: int, direct: tuple[BaseRoute, ...] = ()) -> None:
        self.app, self.max_body_bytes, self.direct = app, max_body_bytes, tuple(direct)
        self._matched: dict[tuple[str, str, str], tuple[BaseRoute, Scope]] = {}

    def direct_target(self, scope: Scope) -> ASGIApp | None:
        """The app of the direct route ``scope`` fully matches (the scope updated as the router would),
        else None. A path that matched is remembered with what the match put in the scope, so that its
        next request skips the route's regular expression and parameter conversion (``Route.matches``)."""
        top = "path_params" not in scope  # what is remembered holds no parameters of an outer router
        key = (scope["path"], scope.get("root_path", ""), scope["method"])
        found = self._matched.get(key) if top else None
        if found is None:
            found = self._match(scope)
            if found is None:
                return None
            if top:
                if len(self._matched) >= self.MAX_REMEMBERED_PATHS:
                    self._matched.clear()
                self._matched[key] = found
        route, child_scope = found
        scope["endpoint"], scope["path_params"], scope["route"] = (child_scope["endpoint"],
                                                                   dict(child_scope["path_params"]), route)
        return route.app

    def _match(self, scope: Scope) -> tuple[BaseRoute, Scope] | None:
        for route in self.direct:
            if route.methods and scope["method"] not in route.methods:
                continue  # at best a partial match, which takes the usual way
            match, child_scope = route.matches(scope)
            if match is Match.FULL:
                return route, child_scope
        return None

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        """Returns the coroutine to await (no coroutine frame of its own)."""
        if scope["type"] != "http":
            return self.app(scope, receive, send)
        return self.serve(scope, receive, send, self.direct_target(scope))

    async def serve(self, scope: Scope, receive: Receive, send: Send, direct: ASGIApp | None) -> None:
        """One HTTP request, to ``direct`` (from :meth:`direct_target`) or else the wrapped app."""
        request_id, declared = _request_id_and_length(scope)
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = 500
        try:
            if declared is not None and declared > self.max_body_bytes:
                await _send_json(send, 413, _TOO_LARGE, request_id)
                status = 413
                return
            serve_direct = getattr(direct, "serve_direct", None)
            if serve_direct is None:
                status = await self._wrapped(direct or self.app, scope, receive, send, request_id)
                return
            answer = DirectAnswer([(b"x-request-id", request_id.encode())], self.max_body_bytes)
            try:
                await serve_direct(scope, receive, send, answer)
                status = 500 if answer.status is None else answer.status  # None: nothing answered
            except Exception as exc:  # noqa: BLE001 - the last line of defence: _failed logs it
                status = await _failed(send, exc, answer.status is not None, request_id)
        finally:
            _finish(scope, status, started)
            request_id_var.reset(token)

    async def _wrapped(self, app: ASGIApp, scope: Scope, receive: Receive, send: Send, request_id: str) -> int:
        """``app`` with a bounded receive and a send that adds the request id; the status answered."""
        status = 500
        response_started = False
        limit = self.max_body_bytes
        received = 0

        async def bounded_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise RequestBodyTooLarge
            return message

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status, response_started = message["status"], True
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await app(scope, bounded_receive, send_with_id)
        except Exception as exc:  # noqa: BLE001 - the last line of defence: _failed logs it
            status = await _failed(send, exc, response_started, request_id)
        return status


async def _failed(send: Send, exc: Exception, answered: bool, request_id: str) -> int:
    """The status of a request whose app raised ``exc`` (called in its ``except``): 413 for
    RequestBodyTooLarge, else 500, the last line of defence (logged, the type only; a fixed message).
    The JSON answer is sent unless the app had started one (``answered``)."""
    if isinstance(exc, RequestBodyTooLarge):
        status, body = 413, _TOO_LARGE
    else:
        log.exception("unhandled error")
        status, body = 500, _INTERNAL
    if not answered:
        await _send_json(send, status, body, request_id)
    return status


def _request_id_and_length(scope: Scope) -> tuple[str, int | None]:
    """The request id (the first well-formed ``X-Request-ID``, else a new one) and the first declared
    ``Content-Length`` (unparseable: larger than any limit), from one pass over the headers."""
    request_id = length = None
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            if request_id is None and _SAFE_REQUEST_ID.fullmatch(value):
                request_id = value.decode()
        elif name == b"content-length" and length is None:
            length = int(value) if value.isdigit() and len(value) < 19 else 1 << 62
    return request_id or os.urandom(16).hex(), length  # os.urandom: as uuid4().hex, a quarter of the cost


def _route_name(scope: Scope) -> str:
    route = scope.get("route")
    return getattr(route, "path", None) or "unmatched"


_children: dict[tuple[str, str, int], tuple] = {}  # (method, route, status) -> metric children


def _metrics(method: str, route: str, status: int) -> tuple:
    """The labelled counter and histogram, looked up once per label set (``labels()`` costs more)."""
    key = (method, route, status)
    found = _children.get(key)
    if found is None:
        found = _children[key] = (REQUESTS.labels(method, route, str(status)), REQUEST_LATENCY.labels(route))
    return found


def _finish(scope: Scope, status: int, started: float) -> None:
    elapsed = time.perf_counter() - started
    route = _route_name(scope)
    count, latency = _metrics(scope["method"], route, status)
    count.inc()
    latency.observe(elapsed)
    access_log.write(scope["method"], route, status, round(elapsed * 1000, 2))


async def _send_json(send: Send, status: int, body: bytes, request_id: str) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"cache-control", b"no-store"),
                            (b"content-length", str(len(body)).encode()), (b"x-request-id", request_id.encode())]})
    await send({"type": "http.response.body", "body": body})
