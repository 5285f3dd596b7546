"""Starlette / ASGI middleware through Starlette's TestClient: policy, default-deny, WebSockets."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route, WebSocketRoute
from starlette.testclient import TestClient
from starlette.websockets import WebSocket, WebSocketDisconnect

from authpool.guard import MissingToken, RoutePolicy
from authpool.guard.starlette import GuardMiddleware, get_claims

from .adapters_common import assert_refused, bearer, make_verifier
from .helpers import NOW, id_claims, token


async def items(request: Request) -> JSONResponse:
    claims = get_claims(request)
    return JSONResponse({"scopes": sorted(claims.scopes), "same": request.state.access_claims is claims})


async def health(request: Request) -> PlainTextResponse:
    try:
        get_claims(request)
    except MissingToken:
        return PlainTextResponse("ok")
    return PlainTextResponse("ok, with a token")


async def ws(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.send_json({"client": get_claims(websocket).client_id})
    await websocket.close()


def build(verifier, policy, **kwargs) -> TestClient:
    routes = [Route("/items", items, methods=["GET", "POST", "DELETE"]), Route("/items/{id}", items,
              methods=["GET", "PUT", "DELETE"]), Route("/health", health), Route("/other", health),
              WebSocketRoute("/ws", ws)]
    app = Starlette(routes=routes, middleware=[Middleware(GuardMiddleware, verifier=verifier, policy=policy,
                                                          **kwargs)])
    return TestClient(app)


@pytest.fixture
def policy() -> RoutePolicy:
    return RoutePolicy().public("GET", "/health").crud("items", "/items").allow("GET", "/ws")


@pytest.fixture
def client(rsa_key, id_key, policy):
    return build(make_verifier(rsa_key, id_key), policy, realm="api")


def test_allowed(client, rsa_key):
    r = client.get("/items/7", headers=bearer(token(rsa_key)))
    assert r.status_code == 200 and r.json() == {"scopes": ["aws.cognito.signin.user.admin", "items/read"],
                                                 "same": True}


def test_public_route_needs_no_token(client):
    assert client.get("/health").text == "ok"


def test_default_deny(client, rsa_key):
    r = client.get("/other", headers=bearer(token(rsa_key)))
    assert_refused(r, 403, "insufficient_scope")
    assert r.json()["error_description"] == "no access policy allows this route"


def test_default_authenticated(rsa_key):
    c = build(make_verifier(rsa_key), RoutePolicy(default="authenticated"))
    assert c.get("/other", headers=bearer(token(rsa_key))).text == "ok, with a token"
    assert_refused(c.get("/other"), 401, None)


def test_no_policy_protects_everything(rsa_key):
    c = build(make_verifier(rsa_key), None)
    assert_refused(c.get("/health"), 401, None)
    assert c.get("/health", headers=bearer(token(rsa_key))).text == "ok, with a token"


def test_crud_scopes(client, rsa_key):
    assert_refused(client.delete("/items/7", headers=bearer(token(rsa_key))), 403, "insufficient_scope",
                   scope="items/delete")
    assert_refused(client.put("/items/7", headers=bearer(token(rsa_key))), 403, "insufficient_scope",
                   scope="items/write")
    assert client.put("/items/7", headers=bearer(token(rsa_key, scope="items/write"))).status_code == 200


def test_invalid_and_missing(client, rsa_key):
    r = client.get("/items", headers=bearer(token(rsa_key, exp=NOW)))
    assert_refused(r, 401, "invalid_token")
    assert r.headers["WWW-Authenticate"].startswith('Bearer realm="api", error="invalid_token"')
    assert_refused(client.get("/items"), 401, None)
    assert_refused(client.get("/items", headers={"Authorization": "Bearer x y"}), 400, "invalid_request")


def test_id_token(client, id_key):
    r = client.get("/items", headers=bearer(token(id_key, id_claims(), typ=None)))
    assert_refused(r, 401, "invalid_token")
    assert r.json()["error_description"].startswith("an ID token was presented")


def test_query_token(rsa_key, policy):
    t = token(rsa_key)
    assert_refused(build(make_verifier(rsa_key), policy).get(f"/items?access_token={t}"), 400, "invalid_request")
    ok = build(make_verifier(rsa_key), policy, allow_query_token=True)
    assert ok.get(f"/items?access_token={t}").status_code == 200


def test_root_path(rsa_key, policy):
    app = build(make_verifier(rsa_key), policy).app

    async def mounted(scope, receive, send):
        scope = dict(scope, root_path="/api", path="/api" + scope["path"])
        await app(scope, receive, send)

    assert TestClient(mounted).get("/health").text == "ok"


def test_websocket(client, rsa_key):
    with client.websocket_connect("/ws", headers=bearer(token(rsa_key))) as s:
        assert s.receive_json() == {"client": "57cbishk4j24pabc1234567890"}
    with pytest.raises(WebSocketDisconnect) as e, client.websocket_connect("/ws") as s:
        s.receive_json()
    assert e.value.code == 1008


def test_lifespan_passes_through(rsa_key, policy):
    with build(make_verifier(rsa_key), policy) as c:
        assert c.get("/health").status_code == 200
