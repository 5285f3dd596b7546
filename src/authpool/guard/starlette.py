"""Starlette / any-ASGI adapter: :class:`GuardMiddleware` enforces a :class:`RoutePolicy` on every request.

    policy = RoutePolicy().public("GET", "/health").crud("items", "/items")
    app = Starlette(routes=..., middleware=[Middleware(GuardMiddleware, verifier=verifier, policy=policy)])

    async def items(request):
        claims = get_claims(request)       # the verified AccessClaims

Without a policy every HTTP and WebSocket request needs a valid access token. The claims are stored in
``scope["state"]["access_claims"]`` (``request.state.access_claims``). Refusals are answered with
:func:`authpool.guard.rfc6750.render`; a refused WebSocket handshake is closed with code 1008
(policy violation), which the server turns into an HTTP 403.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from .claims import AccessClaims
from .errors import MissingToken, TokenError
from .gate import Gate
from .policy import RoutePolicy
from .rfc6750 import render
from .verifier import AccessTokenVerifier


def _route_path(scope: Scope) -> str:
    path: str = scope["path"]
    root = scope.get("root_path", "")
    if root and path.startswith(root) and path != root:
        path = path[len(root):]
    return path or "/"


class GuardMiddleware:
    """Pure ASGI middleware (no BaseHTTPMiddleware: streaming and background tasks stay intact)."""

    def __init__(self, app: ASGIApp, verifier: AccessTokenVerifier, *, policy: RoutePolicy | None = None,
                 realm: str | None = None, allow_query_token: bool = False) -> None:
        self.app = app
        self.gate = Gate(verifier, policy=policy, realm=realm, allow_query_token=allow_query_token)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind != "http" and kind != "websocket":
            await self.app(scope, receive, send)
            return
        gate = self.gate
        method = scope["method"] if kind == "http" else "GET"
        try:
            requirement, route = gate.decide(method, _route_path(scope))
            if requirement is not None:
                authorization = [v.decode("latin-1") for k, v in scope["headers"] if k == b"authorization"]
                query = scope.get("query_string", b"")
                query_tokens = ([v for k, v in parse_qsl(query.decode("latin-1"), keep_blank_values=True)
                                 if k == "access_token"] if b"access_token" in query else [])
                claims = await gate.aauthenticate(authorization, query_tokens, requirement, route)
                scope.setdefault("state", {})["access_claims"] = claims
        except TokenError as error:
            await self._refuse(error, scope, receive, send)
            return
        started = False

        async def tracking_send(message: Any) -> None:
            nonlocal started
            if message["type"] in ("http.response.start", "websocket.accept"):
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except TokenError as error:  # raised by the endpoint, e.g. claims.decrypt(...): same answer
            if started:
                raise
            await self._refuse(error, scope, receive, send)

    async def _refuse(self, error: TokenError, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008, "reason": error.description[:120]})
            return
        status, headers, body = render(error, realm=self.gate.realm)
        await JSONResponse(body, status_code=status, headers=headers)(scope, receive, send)


def get_claims(conn: HTTPConnection) -> AccessClaims:
    """The verified claims of this request; raises :class:`MissingToken` on a public route."""
    claims: Any = conn.scope.get("state", {}).get("access_claims")
    if not isinstance(claims, AccessClaims):
        raise MissingToken("this route was not protected by GuardMiddleware")
    return claims


__all__ = ["GuardMiddleware", "get_claims"]
