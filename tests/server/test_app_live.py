"""The server skeleton over real HTTP: a uvicorn process, discovery, JWKS, health, metrics, logs."""

from __future__ import annotations

import time

import httpx
import jwt as pyjwt
import pytest
from tests.support.live_server import LiveServer

from authpool.server.context import build_context
from authpool.server.settings import Settings
from authpool.tokens import Session

POOL = "us-east-1_LiveTest1"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("live")
    ctx = build_context(Settings(data_dir=data_dir))
    with ctx.db.transaction() as tx:
        tx.pools.create(id=POOL, name="live", settings={})
    ctx.keys.ensure(POOL)
    with LiveServer(data_dir) as live:
        live.ctx = ctx
        yield live
    ctx.db.dispose()


def test_discovery_is_a_valid_openid_configuration(server):
    response = httpx.get(f"{server.base_url}/{POOL}/.well-known/openid-configuration")
    assert response.status_code == 200
    doc = response.json()
    issuer = f"{server.base_url}/{POOL}"
    assert doc["issuer"] == issuer
    assert doc["jwks_uri"] == f"{issuer}/.well-known/jwks.json"
    # OpenID Connect Discovery 1.0 §3: REQUIRED members.
    for member in ("authorization_endpoint", "token_endpoint", "response_types_supported",
                   "subject_types_supported", "id_token_signing_alg_values_supported"):
        assert doc[member]
    assert doc["code_challenge_methods_supported"] == ["S256"]
    assert "max-age" in response.headers["cache-control"]
    rfc8414 = httpx.get(f"{server.base_url}/.well-known/oauth-authorization-server/{POOL}").json()
    assert rfc8414["issuer"] == issuer


def test_jwks_keys_verify_a_minted_token(server):
    doc = httpx.get(f"{server.base_url}/{POOL}/.well-known/openid-configuration").json()
    response = httpx.get(doc["jwks_uri"])
    assert response.status_code == 200 and "max-age" in response.headers["cache-control"]
    jwks = pyjwt.PyJWKSet.from_dict(response.json())
    assert all(not getattr(k.key, "private_numbers", None) for k in jwks.keys)
    now = int(time.time())
    session = Session(issuer=doc["issuer"], sub="sub-1", client_id="client-1", auth_time=now, origin_jti="o",
                      username="alice", scopes=("openid",))
    issued = server.ctx.keys.minter(POOL, doc["issuer"]).mint(session, now=now, access_ttl=300, id_ttl=300)
    for token, use in ((issued.access_token, "access"), (issued.id_token, "id")):
        kid = pyjwt.get_unverified_header(token)["kid"]
        claims = pyjwt.decode(token, jwks[kid].key, algorithms=["RS256"], issuer=doc["issuer"],
                              options={"verify_aud": False})
        assert claims["token_use"] == use


def test_unknown_pool_is_404_json(server):
    for path in ("/us-east-1_Nope/.well-known/jwks.json", "/us-east-1_Nope/.well-known/openid-configuration",
                 "/" + "x" * 300 + "/.well-known/jwks.json"):
        response = httpx.get(server.base_url + path)
        assert response.status_code == 404
        assert response.json()["error"] == "not_found"


def test_health_and_metrics(server):
    health = httpx.get(f"{server.base_url}/health")
    assert health.json() == {"status": "ok"} and health.headers["cache-control"] == "no-store"
    metrics = httpx.get(f"{server.base_url}/metrics").text
    assert 'authpool_http_requests_total{method="GET",route="/health",status="200"}' in metrics


def test_request_id_is_echoed_or_generated(server):
    given = httpx.get(f"{server.base_url}/health", headers={"X-Request-Id": "abc-123"})
    assert given.headers["x-request-id"] == "abc-123"
    hostile = httpx.get(f"{server.base_url}/health", headers={"X-Request-Id": "a b<script>" * 40})
    assert hostile.headers["x-request-id"] != "a b" and len(hostile.headers["x-request-id"]) == 32


def test_oversized_body_is_refused_before_parsing(server):
    response = httpx.post(f"{server.base_url}/health", content=b"x" * (70 * 1024))
    assert response.status_code == 413
    assert response.json()["error"] == "invalid_request"


def test_logs_are_json_and_hold_no_query_strings_or_tokens(server):
    secret_query = "code=SplxlOBeZQQYbYS6WxSbIA&access_token=eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln"
    httpx.get(f"{server.base_url}/{POOL}/.well-known/jwks.json?{secret_query}",
              headers={"Authorization": "Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln"})
    time.sleep(0.2)
    log = server.log()
    assert '"route": "/{pool_id}/.well-known/jwks.json"' in log
    assert "SplxlOBeZQQYbYS6WxSbIA" not in log
    assert "eyJ" not in log
