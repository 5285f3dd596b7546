"""Builds the ASGI application from a :class:`ServerContext`.

Routes are listed here, in one table; each endpoint lives in its own module.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from .cognito import cognito_endpoint, cognito_preflight
from .context import ServerContext
from .keyservice import endpoint as keyservice_endpoint
from .metrics import metrics_endpoint
from .middleware import ServerMiddleware
from .oauth import authorize, discovery, introspect, login, logout, revoke, token, userinfo


async def health(request: Request) -> Response:
    """Readiness: answers 200 when the store answers, 503 otherwise (liveness is :func:`live`)."""
    ctx: ServerContext = request.app.state.ctx
    try:
        await ctx.run(ctx.db.ping)
    except Exception:  # noqa: BLE001 - any store failure means "not ready"
        return JSONResponse({"status": "unavailable"}, status_code=503, headers={"Cache-Control": "no-store"})
    return JSONResponse({"status": "ok"}, headers={"Cache-Control": "no-store"})


async def live(request: Request) -> Response:
    """Liveness: this process answers. No dependency is checked (``/health`` is readiness): a database
    outage must take servers out of rotation, not restart them all (docs/deploy.md)."""
    return JSONResponse({"status": "ok"}, headers={"Cache-Control": "no-store"})


@contextlib.asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    """Background work of a serving process: the cross-process cache invalidation listener."""
    sync = app.state.ctx.cache_sync
    if sync is not None:
        sync.start()
    try:
        yield
    finally:
        if sync is not None:
            sync.stop()


def freeze_startup_objects() -> None:
    """For a serving process, once its app is built: what start-up made (modules, the app, the ORM's
    mappers) moves out of the garbage collector's view, so full collections, which a busy server
    triggers every few thousand requests, scan only what requests made (``gc.freeze``)."""
    gc.collect()
    gc.freeze()


class App(Starlette):
    """Starlette, except that a request for one of ServerMiddleware's direct routes (the token endpoint)
    goes to that middleware at once, past Starlette's outermost ServerErrorMiddleware, which has nothing
    to do for it: ServerMiddleware answers any error of a direct route itself (a JSON 500), and an
    error of its own still reaches the ASGI server, which logs it and answers 500. Everything else takes
    the whole stack (bench/bench_token_endpoint.py)."""

    _server: ServerMiddleware | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope["app"] = self
        if self.middleware_stack is None:
            self.middleware_stack = self.build_middleware_stack()
            self._server = _server_middleware(self.middleware_stack)
        server = self._server
        if server is not None and scope["type"] == "http":
            direct = server.direct_target(scope)
            if direct is not None:
                await server.serve(scope, receive, send, direct)
                return
        await self.middleware_stack(scope, receive, send)


def _server_middleware(app: ASGIApp | None) -> ServerMiddleware | None:
    while app is not None and not isinstance(app, ServerMiddleware):
        app = getattr(app, "app", None)
    return app


def create_app(ctx: ServerContext, *, extra_routes: list[BaseRoute] | None = None) -> Starlette:
    """``extra_routes`` go first (``authpool demo`` mounts its orders API and dashboard under /demo)."""
    token_route = Route("/{pool_id}/oauth2/token", token.token, methods=["POST"])
    routes = [
        token_route,  # also served by ServerMiddleware directly, past the router (middleware.py)
        Route("/health", health, methods=["GET"]),
        Route("/health/live", live, methods=["GET"]),
        Route("/metrics", metrics_endpoint, methods=["GET"]),
        Route("/", cognito_endpoint, methods=["POST"]),  # Cognito JSON API (X-Amz-Target)
        Route("/", cognito_preflight, methods=["OPTIONS"]),  # its CORS preflight (cognito/cors.py)
        Route("/{pool_id}/.well-known/openid-configuration", discovery.openid_configuration, methods=["GET"]),
        Route("/.well-known/oauth-authorization-server/{pool_id}", discovery.openid_configuration, methods=["GET"]),
        Route("/{pool_id}/.well-known/jwks.json", discovery.jwks, methods=["GET"]),
        Route("/{pool_id}/oauth2/authorize", authorize.authorize, methods=["GET", "POST"]),
        Route("/{pool_id}/oauth2/userInfo", userinfo.userinfo, methods=["GET", "POST"]),
        Route("/{pool_id}/oauth2/revoke", revoke.revoke, methods=["POST"]),
        Route("/{pool_id}/oauth2/introspect", introspect.introspect, methods=["POST"]),
        Route("/{pool_id}/login", login.login, methods=["GET", "POST"]),
        Route("/{pool_id}/logout", logout.logout, methods=["GET"]),
        Route("/{pool_id}/keys/decrypt", keyservice_endpoint.decrypt, methods=["POST"]),  # encrypted claims
    ]
    app = App(routes=[*(extra_routes or ()), *routes], lifespan=lifespan)
    app.state.ctx = ctx
    app.add_middleware(ServerMiddleware, max_body_bytes=ctx.settings.max_body_bytes, direct=(token_route,))
    return app
