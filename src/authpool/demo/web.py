"""What ``authpool demo`` mounts beside the user pool, on the same port:

    /demo/            the dashboard (a single-page app built with oidc-client-ts; shipped in static/)
    /demo/callback    the dashboard again: it completes the code + PKCE sign-in there
    /demo/config.json the pool's issuer, the demo-spa client id and the API's URL, for the dashboard
    /demo/api/...     the orders API, protected by authpool.guard (api.py)

The dashboard's pages go out with a strict Content-Security-Policy (scripts and connections to this
origin only, no framing): the tokens live in the page, so nothing else may run there.
"""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from ..tokens.profiles import PII_CLAIMS
from .api import OrderBook, create_orders_api, demo_verifier

STATIC = Path(__file__).parent / "static"
SCOPES = "openid profile email orders/read orders/write orders/delete"
_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
PAGE_HEADERS = {"Content-Security-Policy": _CSP, "X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff",
                "Referrer-Policy": "no-referrer", "Cache-Control": "no-cache"}


class _Assets(StaticFiles):
    """Built assets have content hashes in their names: cache them for long; send nosniff."""

    def file_response(self, *args, **kwargs) -> Response:
        response = super().file_response(*args, **kwargs)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response


def dashboard_config(*, issuer: str, client_id: str, base_url: str) -> dict[str, object]:
    """What the dashboard needs; the personal-data claim names come from authpool.tokens, one list."""
    return {
        "authority": issuer,
        "client_id": client_id,
        "redirect_uri": f"{base_url}/demo/callback",
        "post_logout_redirect_uri": f"{base_url}/demo/",
        "scope": SCOPES,
        "api": f"{base_url}/demo/api",
        "pii_claims": sorted(PII_CLAIMS),
        "pii_prefixes": ["custom:"],
    }


def demo_routes(*, issuer: str, spa_client_id: str, service_client_id: str, algorithm: str,
                base_url: str, orders: OrderBook | None = None) -> list[BaseRoute]:
    """The routes to pass to ``create_app(ctx, extra_routes=...)``."""
    config = dashboard_config(issuer=issuer, client_id=spa_client_id, base_url=base_url)
    api = create_orders_api(demo_verifier(issuer, client_ids=[spa_client_id, service_client_id],
                                          algorithm=algorithm), orders=orders)

    async def config_json(request: Request) -> Response:
        return JSONResponse(config, headers={"Cache-Control": "no-store"})

    async def page(request: Request) -> Response:
        index = STATIC / "index.html"
        if not index.is_file():
            return Response("The dashboard was not built: run `npm run build` in src/authpool/demo/dashboard.",
                            status_code=503, media_type="text/plain")
        return FileResponse(index, headers=PAGE_HEADERS, media_type="text/html")

    async def to_dashboard(request: Request) -> Response:
        return RedirectResponse("/demo/", status_code=308)

    return [
        Route("/demo", to_dashboard, methods=["GET"]),
        Route("/demo/", page, methods=["GET"]),
        Route("/demo/callback", page, methods=["GET"]),
        Route("/demo/config.json", config_json, methods=["GET"]),
        Mount("/demo/api", app=api),
        Mount("/demo/assets", app=_Assets(directory=STATIC / "assets", check_dir=False)),
    ]


__all__ = ["dashboard_config", "demo_routes"]
