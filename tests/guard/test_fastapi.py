"""FastAPI adapter through its TestClient: status, WWW-Authenticate and body.

No ``from __future__ import annotations`` here: FastAPI must see the ``Depends`` in each annotation.
"""

from typing import Annotated

import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient

from authpool.guard import AccessClaims, RoutePolicy
from authpool.guard.fastapi import Guard, require
from authpool.guard.starlette import GuardMiddleware

from .adapters_common import assert_refused, bearer, make_verifier
from .helpers import NOW, id_claims, token


@pytest.fixture
def app(rsa_key, id_key):
    verifier = make_verifier(rsa_key, id_key)
    app = FastAPI()
    guard = Guard(verifier, app=app, realm="items-api")

    can_read = guard.require(scopes=["items/read"])

    @app.get("/items/{item_id}")
    async def read_item(item_id: int, claims: Annotated[AccessClaims, Depends(can_read)]):
        return {"item": item_id, "sub": claims.subject}

    can_delete = require(scopes=["items/delete"])  # the module-level form, using the installed Guard

    @app.delete("/items/{item_id}")
    async def delete_item(item_id: int, claims: Annotated[AccessClaims, Depends(can_delete)]):
        return {"deleted": item_id}

    @app.get("/admin")
    async def admin(claims: Annotated[AccessClaims, Depends(require(any_groups=["admin"]))]):
        return {"ok": True}

    @app.get("/me")
    def me(claims: Annotated[AccessClaims, Depends(guard.require())]):  # a sync endpoint works too
        return {"client": claims.client_id}

    app.state.verifier = verifier
    return app


@pytest.fixture
def client(app):
    return TestClient(app)


def test_valid_token(client, rsa_key):
    r = client.get("/items/3", headers=bearer(token(rsa_key)))
    assert r.status_code == 200 and r.json() == {"item": 3, "sub": "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"}
    assert client.get("/me", headers=bearer(token(rsa_key))).json() == {"client": "57cbishk4j24pabc1234567890"}
    assert client.get("/admin", headers=bearer(token(rsa_key))).status_code == 200


def test_missing_token(client):
    r = client.get("/items/3")
    assert_refused(r, 401, None)
    assert r.headers["WWW-Authenticate"] == 'Bearer realm="items-api"'


def test_expired(client, rsa_key):
    assert_refused(client.get("/items/3", headers=bearer(token(rsa_key, exp=NOW - 1))), 401, "invalid_token")


def test_insufficient_scope(client, rsa_key):
    r = client.delete("/items/3", headers=bearer(token(rsa_key)))
    assert_refused(r, 403, "insufficient_scope", scope="items/delete")


def test_group(client, rsa_key):
    r = client.get("/admin", headers=bearer(token(rsa_key, **{"cognito:groups": ["users"]})))
    assert_refused(r, 403, "insufficient_scope")


def test_id_token_refused_and_logged(client, app, id_key, caplog):
    t = token(id_key, id_claims(), typ=None)
    r = client.get("/items/3", headers=bearer(t))
    assert_refused(r, 401, "invalid_token")
    assert "ID token was presented where an access token is required" in r.json()["error_description"]
    [record] = [rec for rec in caplog.records if getattr(rec, "event", None) == "id_token_presented"]
    assert record.route == "GET /items/{item_id}" and t not in caplog.text
    assert app.state.verifier.signals.counts["wrong_token_type"] == 1


@pytest.mark.parametrize("headers, status", [({"Authorization": "Bearer"}, 400), ({"Authorization": "Bearer a b"}, 400),
                                             ({"Authorization": "Basic dTpw"}, 401)])
def test_malformed_authorization(client, headers, status):
    r = client.get("/items/3", headers=headers)
    assert_refused(r, status, "invalid_request" if status == 400 else None)


def test_query_token_refused(client, rsa_key):
    r = client.get("/items/3", params={"access_token": token(rsa_key)})
    assert_refused(r, 400, "invalid_request")


def test_openapi_declares_bearer(client):
    schemes = client.get("/openapi.json").json()["components"]["securitySchemes"]
    assert schemes == {"HTTPBearer": {"type": "http", "scheme": "bearer"}}


def test_without_install_status_and_headers_still_right(rsa_key):
    app = FastAPI()
    guard = Guard(make_verifier(rsa_key))

    @app.get("/x")
    async def x(claims: Annotated[AccessClaims, Depends(guard.require())]):
        return {}

    r = TestClient(app).get("/x", headers=bearer(token(rsa_key, exp=NOW - 1)))
    assert r.status_code == 401 and 'error="invalid_token"' in r.headers["WWW-Authenticate"]
    assert r.json()["detail"]["error"] == "invalid_token"


def test_module_require_needs_an_installed_guard(rsa_key):
    app = FastAPI()

    @app.get("/x")
    async def x(claims: Annotated[AccessClaims, Depends(require())]):
        return {}

    with pytest.raises(RuntimeError, match="no authpool Guard"):
        TestClient(app).get("/x", headers=bearer(token(rsa_key)))


def test_dependency_reuses_middleware_claims(rsa_key):
    verifier = make_verifier(rsa_key)
    app = FastAPI()
    guard = Guard(verifier, app=app)
    app.add_middleware(GuardMiddleware, verifier=verifier, policy=RoutePolicy(default="authenticated"))
    calls = []
    verifier.signals.add_listener(lambda e, r: calls.append(e.code))

    @app.get("/x")
    async def x(claims: Annotated[AccessClaims, Depends(guard.require(scopes=["items/write"]))]):
        return {}

    r = TestClient(app).get("/x", headers=bearer(token(rsa_key)))
    assert_refused(r, 403, "insufficient_scope", scope="items/write")
    assert calls == ["insufficient_scope"]
