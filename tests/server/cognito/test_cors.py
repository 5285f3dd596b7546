"""A web page on another origin can call the Cognito API as a browser would (cognito/cors.py): the
preflight ``OPTIONS /`` allows POST with the headers asked for (what Amplify JS v6 sends: content-type,
x-amz-target, x-amz-user-agent, cache-control), from any origin, without credentials; every answer of
``POST /``, success or Cognito error, carries ``Access-Control-Allow-Origin: *``."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from authpool.server.app import create_app
from authpool.server.cognito.cors import MAX_REQUESTED_HEADERS, allowed_headers
from authpool.server.context import build_context
from authpool.server.settings import Settings

TARGET = "AWSCognitoIdentityProviderService."
ORIGIN = "http://localhost:5173"
AMPLIFY_HEADERS = "cache-control,content-type,x-amz-target,x-amz-user-agent"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    ctx = build_context(Settings(data_dir=tmp_path_factory.mktemp("cors")))
    with TestClient(create_app(ctx)) as client:
        yield client, ctx
    ctx.db.dispose()


def _preflight(client: TestClient, requested: str | None = AMPLIFY_HEADERS):
    headers = {"Origin": ORIGIN, "Access-Control-Request-Method": "POST"}
    if requested is not None:
        headers["Access-Control-Request-Headers"] = requested
    return client.options("/", headers=headers)


def test_preflight_allows_amplifys_request_from_any_origin(client):
    answer = _preflight(client[0])
    assert answer.status_code == 204 and answer.content == b""
    assert answer.headers["access-control-allow-origin"] == "*"
    assert answer.headers["access-control-allow-methods"] == "POST"
    assert answer.headers["access-control-allow-headers"] == AMPLIFY_HEADERS
    assert int(answer.headers["access-control-max-age"]) > 0
    assert "access-control-allow-credentials" not in answer.headers


def test_preflight_allows_headers_an_app_adds(client):
    answer = _preflight(client[0], "Content-Type, X-Amz-Target, X-My-App-Version")
    assert answer.headers["access-control-allow-headers"] == "content-type,x-amz-target,x-my-app-version"


@pytest.mark.parametrize("requested", [None, "", "x-amz-target, bad header", "x(y)",
                                       ",".join(f"x-h{i}" for i in range(MAX_REQUESTED_HEADERS + 1))])
def test_preflight_allows_no_header_it_cannot_read(client, requested):
    answer = _preflight(client[0], requested)
    assert answer.status_code == 204 and "access-control-allow-headers" not in answer.headers


def test_allowed_headers_normalises_the_list():
    assert allowed_headers(" X-Amz-Target ,content-type,x-amz-target,") == "x-amz-target,content-type"
    assert allowed_headers(",".join(f"x-h{i}" for i in range(MAX_REQUESTED_HEADERS))) is not None


def test_answers_and_errors_are_readable_cross_origin(client):
    http, ctx = client
    pool = ctx.pools.create("cors")
    app = ctx.clients.create(pool.id, "web")
    headers = {"Origin": ORIGIN, "Content-Type": "application/x-amz-json-1.1"}
    refused = http.post("/", headers={**headers, "X-Amz-Target": TARGET + "InitiateAuth"},
                        json={"ClientId": app.client_id, "AuthFlow": "USER_PASSWORD_AUTH",
                              "AuthParameters": {"USERNAME": "nobody", "PASSWORD": "Wrong-Horse-1"}})
    assert refused.status_code == 400 and refused.json()["__type"] == "InvalidParameterException"
    unknown = http.post("/", headers={**headers, "X-Amz-Target": TARGET + "NoSuchThing"}, json={})
    answered = http.post("/", headers={**headers, "X-Amz-Target": TARGET + "SignUp"},
                         json={"ClientId": app.client_id, "Username": "ann", "Password": "Correct-Horse-42"})
    assert answered.status_code == 200 and answered.json()["UserSub"]
    for response in (refused, unknown, answered):
        assert response.headers["access-control-allow-origin"] == "*"
        assert response.headers["access-control-expose-headers"] == "x-amzn-RequestId"
        assert "access-control-allow-credentials" not in response.headers


def test_other_methods_are_still_refused(client):
    assert client[0].get("/").status_code == 405
