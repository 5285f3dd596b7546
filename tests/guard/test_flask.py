"""Flask extension through Flask's test client: decorator, policy hook, RFC 6750 answers."""

from __future__ import annotations

import pytest
from flask import Flask, jsonify

from authpool.guard import MissingToken, RoutePolicy
from authpool.guard.flask import FlaskGuard, current_claims

from .adapters_common import assert_refused, bearer, make_verifier
from .helpers import NOW, id_claims, token


@pytest.fixture
def app(rsa_key, id_key):
    app = Flask(__name__)
    guard = FlaskGuard(app, make_verifier(rsa_key, id_key), realm="api")

    @app.get("/items/<int:item_id>")
    @guard.require(scopes=["items/read"])
    def read_item(item_id: int):
        return jsonify(item=item_id, client=current_claims().client_id)

    @app.delete("/items/<int:item_id>")
    @guard.require(scopes=["items/delete"])
    def delete_item(item_id: int):
        return jsonify(deleted=item_id)

    @app.get("/open")
    def open_view():
        with pytest.raises(MissingToken):
            current_claims()
        return "ok"

    app.extensions["test_guard"] = guard
    return app


@pytest.fixture
def client(app):
    return app.test_client()


def test_valid(client, rsa_key):
    r = client.get("/items/4", headers=bearer(token(rsa_key)))
    assert r.status_code == 200 and r.json == {"item": 4, "client": "57cbishk4j24pabc1234567890"}
    assert client.get("/open").text == "ok"


def test_refusals(client, rsa_key, id_key):
    assert_refused(client.get("/items/4"), 401, None)
    assert_refused(client.get("/items/4", headers=bearer(token(rsa_key, exp=NOW))), 401, "invalid_token")
    assert_refused(client.delete("/items/4", headers=bearer(token(rsa_key))), 403, "insufficient_scope",
                   scope="items/delete")
    assert_refused(client.get("/items/4", headers={"Authorization": "Bearer"}), 400, "invalid_request")
    r = client.get("/items/4", headers=bearer(token(id_key, id_claims(), typ=None)))
    assert_refused(r, 401, "invalid_token")
    assert "ID token" in r.json["error_description"]
    assert_refused(client.get(f"/items/4?access_token={token(rsa_key)}"), 400, "invalid_request")


def test_id_token_event_names_the_route(client, id_key, caplog):
    client.get("/items/4", headers=bearer(token(id_key, id_claims(), typ=None)))
    [record] = [rec for rec in caplog.records if getattr(rec, "event", None) == "id_token_presented"]
    assert record.route == "GET /items/<int:item_id>"


def test_policy_hook(rsa_key):
    app = Flask(__name__)
    policy = RoutePolicy().public("GET", "/health").crud("items", "/items")
    guard = FlaskGuard(verifier=make_verifier(rsa_key), policy=policy).init_app(app)
    seen = []

    @app.get("/health")
    def health():
        return "ok"

    @app.get("/items")
    def items():
        return jsonify(scopes=sorted(current_claims().scopes))

    @app.get("/items/<int:item_id>")
    @guard.require(groups=["admin"])
    def item(item_id: int):
        return "ok"

    @app.get("/unlisted")
    def unlisted():
        return "never"

    guard.gate.verifier.signals.add_listener(lambda e, r: seen.append(e.code))
    c = app.test_client()
    assert c.get("/health").text == "ok"
    assert c.get("/items", headers=bearer(token(rsa_key))).json["scopes"][1] == "items/read"
    assert_refused(c.get("/items"), 401, None)
    assert_refused(c.get("/unlisted", headers=bearer(token(rsa_key))), 403, "insufficient_scope")
    assert c.get("/items/1", headers=bearer(token(rsa_key))).text == "ok"  # claims reused by the decorator
    assert_refused(c.get("/items/1", headers=bearer(token(rsa_key, **{"cognito:groups": ["x"]}))), 403,
                   "insufficient_scope")
    assert seen == ["missing_token", "route_not_allowed", "insufficient_group"]


def test_needs_a_verifier():
    with pytest.raises(TypeError):
        FlaskGuard(Flask(__name__))
