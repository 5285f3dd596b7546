"""The demo "orders" API: a resource server protected by ``authpool.guard``, as any API would be.

It trusts nothing the browser says about the user except a verified **access token**:

    GET    /orders, /orders/{id}   needs scope orders/read
    POST   /orders                 needs scope orders/write
    PUT    /orders/{id}            needs scope orders/write
    DELETE /orders/{id}            needs scope orders/delete AND group admin
    GET    /whoami                 any valid access token: what the API sees (no personal data)

The guard's :class:`~authpool.guard.starlette.GuardMiddleware` verifies the token against the pool's
published JWKS (fetched over HTTP from this very server, as a separate API would) and answers refusals
itself (RFC 6750 §3): 401 ``invalid_token`` with the guard's explanation when an ID token is sent, 403
``insufficient_scope`` when a scope or the group is missing. The orders live in memory and are seeded
again at each start.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..guard import AccessTokenVerifier, RoutePolicy
from ..guard.starlette import GuardMiddleware, get_claims

MAX_ORDERS = 500
_NO_STORE = {"Cache-Control": "no-store"}


@dataclass
class Order:
    id: str
    item: str
    quantity: int
    status: str = "open"


SEED = (("Blue widget", 3, "shipped"), ("Red gadget", 1, "open"), ("Green sprocket", 12, "open"),
        ("Yellow gizmo", 2, "cancelled"))
STATUSES = ("open", "shipped", "cancelled")


class OrderBook:
    """A small thread-safe in-memory list of orders."""

    def __init__(self, seed: Iterable[tuple[str, int, str]] = SEED) -> None:
        self._lock = threading.Lock()
        self._ids = itertools.count(1001)
        self._orders: dict[str, Order] = {}
        for item, quantity, status in seed:
            self.add(item, quantity, status)

    def list(self) -> list[Order]:
        with self._lock:
            return list(self._orders.values())

    def get(self, order_id: str) -> Order | None:
        return self._orders.get(order_id)

    def add(self, item: str, quantity: int, status: str = "open") -> Order:
        with self._lock:
            if len(self._orders) >= MAX_ORDERS:
                raise OverflowError("the demo keeps at most 500 orders")
            order = Order(str(next(self._ids)), item, quantity, status)
            self._orders[order.id] = order
            return order

    def update(self, order_id: str, **changes) -> Order | None:
        with self._lock:
            order = self._orders.get(order_id)
            if order is not None:
                for name, value in changes.items():
                    setattr(order, name, value)
            return order

    def delete(self, order_id: str) -> bool:
        with self._lock:
            return self._orders.pop(order_id, None) is not None


def _error(status: int, error: str, description: str) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description}, status_code=status, headers=_NO_STORE)


async def _order_input(request: Request, *, partial: bool) -> dict | JSONResponse:
    """A JSON object with ``item`` (1-100 characters) and ``quantity`` (1-1000); ``status`` on PUT."""
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        return _error(415, "invalid_request", "send the order as application/json")
    try:
        body = json.loads(await request.body())
    except (ValueError, UnicodeDecodeError):
        return _error(400, "invalid_request", "the body is not valid JSON")
    if not isinstance(body, dict):
        return _error(400, "invalid_request", "the body must be a JSON object")
    out: dict = {}
    if "item" in body or not partial:
        item = body.get("item")
        if not isinstance(item, str) or not 1 <= len(item.strip()) <= 100:
            return _error(400, "invalid_request", "'item' must be a string of 1 to 100 characters")
        out["item"] = item.strip()
    if "quantity" in body or not partial:
        quantity = body.get("quantity")
        if type(quantity) is not int or not 1 <= quantity <= 1000:
            return _error(400, "invalid_request", "'quantity' must be an integer from 1 to 1000")
        out["quantity"] = quantity
    if partial and "status" in body:
        if body["status"] not in STATUSES:
            return _error(400, "invalid_request", f"'status' must be one of {', '.join(STATUSES)}")
        out["status"] = body["status"]
    return out


def _book(request: Request) -> OrderBook:
    return request.app.state.orders


async def list_orders(request: Request) -> Response:
    return JSONResponse({"orders": [asdict(o) for o in _book(request).list()]}, headers=_NO_STORE)


async def get_order(request: Request) -> Response:
    order = _book(request).get(request.path_params["order_id"])
    if order is None:
        return _error(404, "not_found", "no such order")
    return JSONResponse(asdict(order), headers=_NO_STORE)


async def create_order(request: Request) -> Response:
    data = await _order_input(request, partial=False)
    if isinstance(data, JSONResponse):
        return data
    try:
        order = _book(request).add(data["item"], data["quantity"])
    except OverflowError as exc:
        return _error(409, "conflict", str(exc))
    return JSONResponse(asdict(order), status_code=201, headers=_NO_STORE)


async def update_order(request: Request) -> Response:
    data = await _order_input(request, partial=True)
    if isinstance(data, JSONResponse):
        return data
    order = _book(request).update(request.path_params["order_id"], **data)
    if order is None:
        return _error(404, "not_found", "no such order")
    return JSONResponse(asdict(order), headers=_NO_STORE)


async def delete_order(request: Request) -> Response:
    if not _book(request).delete(request.path_params["order_id"]):
        return _error(404, "not_found", "no such order")
    return Response(status_code=204, headers=_NO_STORE)


async def whoami(request: Request) -> Response:
    """What an API learns from an access token: who (an opaque ``sub``), which app, what it may do."""
    claims = get_claims(request)
    return JSONResponse({"sub": claims.subject, "username": claims.username, "client_id": claims.client_id,
                         "scopes": sorted(claims.scopes), "groups": sorted(claims.groups)}, headers=_NO_STORE)


def orders_policy() -> RoutePolicy:
    """The route table of requirements; anything not listed is denied (the guard's default)."""
    return (RoutePolicy()
            .allow("GET", "/orders", scopes=["orders/read"])
            .allow("GET", "/orders/{order_id}", scopes=["orders/read"])
            .allow("POST", "/orders", scopes=["orders/write"])
            .allow("PUT", "/orders/{order_id}", scopes=["orders/write"])
            .allow("DELETE", "/orders/{order_id}", scopes=["orders/delete"], groups=["admin"])
            .allow("GET", "/whoami"))


def create_orders_api(verifier: AccessTokenVerifier, *, orders: OrderBook | None = None) -> Starlette:
    """The orders API as its own ASGI app (mount it anywhere; the policy's paths are relative)."""
    app = Starlette(
        routes=[
            Route("/orders", list_orders, methods=["GET"]),
            Route("/orders", create_order, methods=["POST"]),
            Route("/orders/{order_id}", get_order, methods=["GET"]),
            Route("/orders/{order_id}", update_order, methods=["PUT"]),
            Route("/orders/{order_id}", delete_order, methods=["DELETE"]),
            Route("/whoami", whoami, methods=["GET"]),
        ],
        middleware=[Middleware(GuardMiddleware, verifier=verifier, policy=orders_policy(), realm="orders")],
    )
    app.state.orders = orders if orders is not None else OrderBook()
    return app


def demo_verifier(issuer: str, *, client_ids: list[str], algorithm: str) -> AccessTokenVerifier:
    """A verifier for the demo pool's access tokens, keys fetched from the pool's own JWKS URL."""
    return AccessTokenVerifier(issuer=issuer, client_ids=client_ids, jwks_uri=f"{issuer}/.well-known/jwks.json",
                               algorithms=[algorithm], allow_http=True, leeway=5)


__all__ = ["Order", "OrderBook", "create_orders_api", "demo_verifier", "orders_policy"]
