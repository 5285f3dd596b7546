"""ServerMiddleware on the token route, which it serves directly (middleware.py, app.py): what every
request gets there must be what it gets on any other route (request id, body bound, metrics, access
log, a JSON 500 for an escaped error), driven at the ASGI level so that chunked bodies and
disconnects can be sent as they are."""

from __future__ import annotations

import asyncio
import base64
import io
import json

import pytest

from authpool.server.app import create_app
from authpool.server.context import build_context
from authpool.server.logs import configure_logging
from authpool.server.metrics import REQUESTS
from authpool.server.settings import Settings

SCOPE = "https://api.mw.example/read"
BODY = b"grant_type=client_credentials&scope=" + SCOPE.replace(":", "%3A").replace("/", "%2F").encode()
ROUTE = "/{pool_id}/oauth2/token"
TOO_LARGE = {"error": "invalid_request", "error_description": "Request body too large."}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    ctx = build_context(Settings(data_dir=tmp_path_factory.mktemp("mw")))
    pool = ctx.pools.create("mw", settings={"SigningAlgorithm": "RS256"}).id
    ctx.keys.ensure(pool)
    ctx.resource_servers.create(pool, "https://api.mw.example", "api", scopes=[{"ScopeName": "read",
                                                                              "ScopeDescription": "read"}])
    client = ctx.clients.create(pool, "svc", generate_secret=True, settings={
        "AllowedOAuthFlows": ["client_credentials"], "AllowedOAuthFlowsUserPoolClient": True,
        "AllowedOAuthScopes": [SCOPE]})
    basic = base64.b64encode(f"{client.client_id}:{client.client_secret}".encode())
    yield {"app": create_app(ctx), "pool": pool, "auth": b"Basic " + basic, "ctx": ctx}
    ctx.db.dispose()


@pytest.fixture
def log():
    stream = io.StringIO()
    configure_logging("INFO", stream=stream)
    yield stream
    configure_logging("INFO")


def call(world, *, method="POST", messages=None, headers=(), length=True, auth=None, path=None):
    """Run one request through the app; ``messages``: what receive() hands out, in order."""
    body = BODY if messages is None else b"".join(m.get("body", b"") for m in messages)
    messages = list(messages or [{"type": "http.request", "body": BODY, "more_body": False}])
    head = [(b"host", b"testserver"), (b"content-type", b"application/x-www-form-urlencoded"),
            (b"authorization", auth or world["auth"]), *headers]
    if length:
        head.append((b"content-length", str(len(body)).encode()))
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
             "path": path or f"/{world['pool']}/oauth2/token", "raw_path": b"", "root_path": "", "query_string": b"",
             "headers": head, "server": ("testserver", 80), "client": ("127.0.0.1", 1234), "state": {}}
    sent = []

    async def receive():
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    asyncio.run(world["app"](scope, receive, send))
    return sent


def start(sent):
    return sent[0]["status"], [name for name, _ in sent[0]["headers"]], dict(sent[0]["headers"])


def lines(log):
    return [json.loads(line) for line in log.getvalue().splitlines() if '"message": "request"' in line]


def test_a_token_carries_the_request_id_last_and_is_logged_and_counted(world, log):
    before = REQUESTS.labels("POST", ROUTE, "200")._value.get()
    sent = call(world)
    status, names, headers = start(sent)
    assert status == 200 and json.loads(sent[1]["body"])["token_type"] == "Bearer"
    assert names == [b"content-length", b"content-type", b"cache-control", b"pragma", b"x-request-id"]
    request_id = headers[b"x-request-id"].decode()
    assert len(request_id) == 32 and int(request_id, 16) >= 0
    [line] = lines(log)
    assert (line["request_id"], line["route"], line["status"], line["method"]) == (request_id, ROUTE, 200, "POST")
    assert REQUESTS.labels("POST", ROUTE, "200")._value.get() == before + 1


def test_a_given_request_id_is_echoed_and_a_malformed_one_replaced(world, log):
    _, _, headers = start(call(world, headers=[(b"x-request-id", b"abc-123")]))
    assert headers[b"x-request-id"] == b"abc-123"
    _, _, headers = start(call(world, headers=[(b"x-request-id", b"a b"), (b"x-request-id", b"second.ok")]))
    assert headers[b"x-request-id"] == b"second.ok"  # the first well-formed one
    assert [line["request_id"] for line in lines(log)] == ["abc-123", "second.ok"]


def test_an_error_answer_carries_the_request_id_too(world, log):
    sent = call(world, auth=b"Basic " + base64.b64encode(b"nobody:wrong"))
    status, names, headers = start(sent)
    assert status == 401 and b"www-authenticate" in headers and names[-1] == b"x-request-id"
    assert json.loads(sent[1]["body"])["error"] == "invalid_client"
    assert lines(log)[0]["status"] == 401


def test_a_declared_body_over_the_limit_is_413_before_the_endpoint(world, log):
    limit = world["ctx"].settings.max_body_bytes
    chunk = {"type": "http.request", "body": b"x" * (limit + 1), "more_body": False}
    sent = call(world, messages=[chunk])
    status, names, _ = start(sent)
    assert status == 413 and json.loads(sent[1]["body"]) == TOO_LARGE and names[-1] == b"x-request-id"
    assert lines(log)[0]["status"] == 413


def test_a_chunked_body_over_the_limit_is_413(world, log):
    limit = world["ctx"].settings.max_body_bytes
    chunks = [{"type": "http.request", "body": b"x" * 4096, "more_body": True} for _ in range(limit // 4096 + 1)]
    sent = call(world, messages=chunks, length=False)
    status, _, headers = start(sent)
    assert status == 413 and json.loads(sent[1]["body"]) == TOO_LARGE and b"x-request-id" in headers
    assert lines(log)[0]["status"] == 413


def test_a_body_at_the_limit_reaches_the_endpoint(world, log):
    limit = world["ctx"].settings.max_body_bytes
    body = BODY
    for i in range(4):  # fields of at most MAX_VALUE (16 KiB) each, up to the limit
        body += f"&p{i}=".encode() + b"x" * min(16 * 1024, limit - len(body) - 4)
    assert len(body) == limit
    sent = call(world, messages=[{"type": "http.request", "body": body[:100], "more_body": True},
                                 {"type": "http.request", "body": body[100:], "more_body": False}], length=False)
    assert start(sent)[0] == 200


def test_a_client_gone_before_its_body_gets_nothing_and_is_logged_as_500(world, log):
    before = REQUESTS.labels("POST", ROUTE, "500")._value.get()
    assert call(world, messages=[{"type": "http.disconnect"}]) == []
    assert lines(log)[0]["status"] == 500
    assert REQUESTS.labels("POST", ROUTE, "500")._value.get() == before + 1


def test_an_error_escaping_the_endpoint_is_a_json_500(world, log, monkeypatch):
    from authpool.server.oauth import token

    def broken(*args):
        raise RuntimeError("boom")

    monkeypatch.setattr(token, "dumps_compact", broken)  # past the endpoint's own error renderer
    sent = call(world)
    status, names, _ = start(sent)
    assert status == 500 and json.loads(sent[1]["body"])["error"] == "server_error" and names[-1] == b"x-request-id"
    errors = [json.loads(line) for line in log.getvalue().splitlines() if "unhandled error" in line]
    assert errors and errors[0]["error_type"] == "RuntimeError" and "boom" not in errors[0]["message"]
    assert lines(log)[0]["status"] == 500


def test_other_methods_on_the_token_path_take_the_router(world, log):
    status, _, headers = start(call(world, method="GET"))
    assert status == 405 and b"x-request-id" in headers
    assert lines(log)[0]["route"] == ROUTE


def test_direct_matches_are_remembered_per_path_and_method_and_stay_what_the_route_gives():
    """ServerMiddleware remembers the paths that matched a direct route; what a remembered path puts in
    the scope must be what Route.matches puts there, for every path, and a fresh dict each time."""
    from starlette.routing import Match, Route

    from authpool.server.middleware import ServerMiddleware

    async def endpoint(scope, receive, send):  # pragma: no cover - never called
        pass

    route = Route("/{pool_id}/oauth2/token", endpoint, methods=["POST"])
    middleware = ServerMiddleware(None, max_body_bytes=1024, direct=(route,))
    middleware.MAX_REMEMBERED_PATHS = 3

    def scope(path, method="POST"):
        return {"type": "http", "path": path, "root_path": "", "method": method, "headers": []}

    for round_ in range(3):
        for pool in ["p1", "p2", "p3", "p4", "p%20x"]:
            got, expected = scope(f"/{pool}/oauth2/token"), scope(f"/{pool}/oauth2/token")
            assert middleware.direct_target(got) is route.app
            match, child = route.matches(expected)
            assert match is Match.FULL
            expected.update(child, route=route)
            assert got == expected, (round_, pool)
            got["path_params"]["pool_id"] = "changed"  # the next request's scope is not touched
        assert middleware.direct_target(scope("/p1/oauth2/token", "GET")) is None
        assert middleware.direct_target(scope("/p1/oauth2/tokens")) is None
    assert len(middleware._matched) <= 3


@pytest.mark.parametrize("endpoint", ["revoke", "introspect", "userInfo"])
def test_a_chunked_body_over_the_limit_is_413_on_the_other_form_endpoints(world, log, endpoint):
    """The same 413 as the token route when revocation, introspection or userinfo read a chunked body
    past the bound (the endpoint meets it while reading: errors.BodyTooLarge), never a 500."""
    limit = world["ctx"].settings.max_body_bytes
    chunks = [{"type": "http.request", "body": b"x" * 4096, "more_body": True} for _ in range(limit // 4096 + 1)]
    sent = call(world, messages=chunks, length=False, path=f"/{world['pool']}/oauth2/{endpoint}")
    status, _, headers = start(sent)
    assert status == 413 and json.loads(sent[1]["body"]) == TOO_LARGE and b"x-request-id" in headers
    assert b"www-authenticate" not in headers
    assert lines(log)[0]["status"] == 413
