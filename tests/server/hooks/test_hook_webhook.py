"""Webhook hooks against a real HTTP server on 127.0.0.1: the signed POST, the answer applied, and
each way a webhook can fail (refusal, HTTP error, timeout, bad or oversized body, redirect, no server)."""

from __future__ import annotations

import json
import socket
import time

import pytest
from tests.server.hooks.conftest import POOL, claims_of

from authpool.server.hooks import (
    OPTIONS_KEY,
    HookRejected,
    HookTimeout,
    HookUnavailable,
    InvalidHookResponse,
    SignatureError,
    verify_signature,
)


@pytest.fixture
def backend() -> str:
    """What is tested here does not depend on the store: SQLite only (the store-facing paths run on
    both backends in test_hook_versions, _rules, _failures and _cache)."""
    return "sqlite"


def answer(event: dict) -> dict:
    event["response"]["claimsAndScopeOverrideDetails"] = {
        "accessTokenGeneration": {"claimsToAddOrOverride": {"tenant_id": "hooked"}, "scopesToAdd": ["orders/read"]}}
    return event


def json_reply(status: int, value) -> tuple[int, dict, bytes]:
    return status, {"Content-Type": "application/json"}, json.dumps(value).encode()


@pytest.mark.parametrize("version", ["V2_0", "V3_0"])
def test_signed_post_and_applied_answer(world, webhook, clock, version):
    secret = world.hook(webhook.url + "/pretoken", version)
    webhook.respond = lambda req: json_reply(200, answer(json.loads(req.body)))
    result = world.sign_in(scopes=["openid"])
    assert claims_of(result.access_token)["tenant_id"] == "hooked" and result.scopes == ("openid", "orders/read")
    [request] = webhook.requests
    assert request.path == "/pretoken" and request.headers["Content-Type"] == "application/json"
    verify_signature(secret, request.headers, request.body, now=clock())  # does not raise
    with pytest.raises(SignatureError):
        verify_signature("another-secret", request.headers, request.body, now=clock())
    with pytest.raises(SignatureError):
        verify_signature(secret, request.headers, request.body + b" ", now=clock())
    with pytest.raises(SignatureError):  # a replay ten minutes later
        verify_signature(secret, request.headers, request.body, now=clock() + 600)
    event = json.loads(request.body)
    assert event["version"] == version[1] and event["request"]["userAttributes"]["email"] == "alice@example.com"


def test_client_credentials_through_a_v3_webhook(world, webhook):
    world.hook(webhook.url, "V3_0")
    webhook.respond = lambda req: json_reply(200, answer(json.loads(req.body)))
    access = claims_of(world.m2m().access_token)
    assert access["tenant_id"] == "hooked" and access["client_id"] == "machine1"
    assert json.loads(webhook.requests[0].body)["triggerSource"] == "TokenGeneration_ClientCredentials"


def test_an_error_message_refuses_the_sign_in(world, webhook):
    world.hook(webhook.url, "V2_0")
    webhook.respond = lambda req: json_reply(400, {"errorMessage": "Tenant suspended", "errorType": "Error"})
    with pytest.raises(HookRejected) as caught:
        world.sign_in()
    assert caught.value.message == "PreTokenGeneration failed with error Tenant suspended."
    assert caught.value.invoker == "webhook" and world.families() == 0


def slow_reply(req):
    time.sleep(1.0)
    return json_reply(200, json.loads(req.body))


def dripping_reply(req):  # each piece in time, the whole too late: the deadline is total, not per read
    return 200, {"Content-Type": "application/json"}, [b" "] * 10 + [req.body]


@pytest.mark.parametrize("respond,error,reason", [
    (lambda req: json_reply(500, {"errorMessage": "boom"}), HookUnavailable, "HTTP500"),
    (lambda req: json_reply(403, {"message": "no"}), HookUnavailable, "HTTP403"),
    (lambda req: (302, {"Location": "http://127.0.0.1:1/x"}, b""), HookUnavailable, "HTTP302"),
    (lambda req: (200, {}, b"<html>not json</html>"), InvalidHookResponse, None),
    (lambda req: json_reply(200, [1, 2]), InvalidHookResponse, None),
    (lambda req: (200, {}, b'{"response": {}, "response": {}}'), InvalidHookResponse, None),
    (lambda req: json_reply(200, {"response": {"claimsAndScopeOverrideDetails": {"x": "y" * 300_000}}}),
     InvalidHookResponse, None),
    (slow_reply, HookTimeout, "TimeoutError"),
    (dripping_reply, HookTimeout, "TimeoutError"),
])
def test_webhook_failures(world, webhook, respond, error, reason):
    world.hook(webhook.url, "V2_0", timeout=0.3)
    webhook.respond = respond
    with pytest.raises(error) as caught:
        world.sign_in()
    if reason:
        assert caught.value.reason == reason
    assert world.families() == 0 and world.audit("hook.failed")[0].detail["invoker"] == "webhook"
    assert len(webhook.requests) == 1  # no retry, no redirect followed


def test_an_unreachable_webhook_is_unavailable(world):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed when the block ends: nothing listens there
    world.hook(f"http://127.0.0.1:{port}/hook", "V2_0")
    with pytest.raises(HookUnavailable) as caught:
        world.sign_in()
    assert caught.value.reason == "ConnectError"


def test_a_webhook_without_a_secret_is_not_called(world, webhook):
    with world.db.transaction() as tx:  # configured through UpdateUserPool only: no secret yet
        tx.pools.update(POOL, settings={"SigningAlgorithm": "ES256", "LambdaConfig": {
            "PreTokenGenerationConfig": {"LambdaVersion": "V2_0", "LambdaArn": webhook.url}}})
    with pytest.raises(HookUnavailable) as caught:
        world.sign_in()
    assert caught.value.reason == "WebhookSecretMissing" and webhook.requests == []


def test_the_stored_secret_is_encrypted_and_bound_to_the_pool(world, webhook):
    secret = world.hook(webhook.url, "V2_0")
    with world.db.transaction(readonly=True) as tx:
        stored = tx.pools.require(POOL).settings[OPTIONS_KEY]["WebhookSecret"]
    assert secret not in json.dumps(stored)
    from authpool.server.hooks.admin import decrypt_secret

    assert decrypt_secret(world.db.master_key, POOL, stored) == secret.encode()
    with pytest.raises(HookUnavailable):
        decrypt_secret(world.db.master_key, "us-east-1_OtherPool", stored)
    assert world.hook(webhook.url, "V2_0") is None  # kept on a later set ...
    assert world.hook(webhook.url, "V2_0", new_webhook_secret=True) not in (None, secret)  # ... until renewed
