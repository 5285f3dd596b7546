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

from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .logs import AccessLog, request_id_var
from .metrics import REQUEST_LATENCY, REQUESTS

log = logging.getLogger("authpool.http")
access_log = AccessLog(log)
_SAFE_REQUEST_ID = re.compile(rb"[A-Za-z0-9._-]{1,64}")


class RequestBodyTooLarge(Exception):
    pass


class ServerMiddleware:
    """``direct``: routes (of the app's table too) that this middleware hands requests to itself, without
    Starlette's exception middleware and router: the token endpoint, whose every request counts
    (bench/bench_token_endpoint.py). Only a full match (path and method) goes direct; anything else
    takes the usual way, so 404 and 405 answers are unchanged."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int, direct: tuple[BaseRoute, ...] = ()) -> None:
        self.app, self.max_body_bytes, self.direct = app, max_body_bytes, tuple(direct)

    def _target(self, scope: Scope) -> ASGIApp:
        for route in self.direct:
            if route.methods and scope["method"] not in route.methods:
                continue  # at best a partial match, which takes the usual way
            match, child_scope = route.matches(scope)
            if match is Match.FULL:
                scope.update(child_scope)
                scope["route"] = route
                return route.app
        return self.app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id, declared = _request_id_and_length(scope)
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = 500
        response_started = False
        limit = self.max_body_bytes
        received = 0

        if declared is not None and declared > limit:
            await _send_json(send, 413, b'{"error":"invalid_request","error_description":"Request body too large."}',
                             request_id)
            _finish(scope, 413, started)
            request_id_var.reset(token)
            return

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
            await self._target(scope)(scope, bounded_receive, send_with_id)
        except RequestBodyTooLarge:
            status = 413
            if not response_started:
                await _send_json(send, 413, b'{"error":"invalid_request","error_description":"Request body too large."}',
                                 request_id)
        except Exception:  # the last line of defence: log the type, send a fixed message
            log.exception("unhandled error")
            status = 500
            if not response_started:
                await _send_json(send, 500, b'{"error":"server_error","error_description":"Internal error."}',
                                 request_id)
        finally:
            _finish(scope, status, started)
            request_id_var.reset(token)


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
