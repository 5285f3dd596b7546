"""``arn:aws:lambda:...`` hooks through boto3, against a local HTTP server on 127.0.0.1 that speaks the
Lambda Invoke API (POST /2015-03-31/functions/<name>/invocations). No AWS account is involved; what
is tested is authpool's side: the request boto3 sends, and how answers and errors are read."""

from __future__ import annotations

import json

import pytest
from tests.server.hooks.conftest import claims_of
from tests.server.hooks.servers import HookServer, lambda_api

from authpool.server.hooks import HookRejected, HookUnavailable


@pytest.fixture
def backend() -> str:
    """What is tested here does not depend on the store: SQLite only (the store-facing paths run on
    both backends in test_hook_versions, _rules, _failures and _cache)."""
    return "sqlite"


ARN = "arn:aws:lambda:us-east-1:123456789012:function:tokenhook"
received: list[dict] = []


def tokenhook(event):
    received.append(event)
    event["response"]["claimsAndScopeOverrideDetails"] = {
        "accessTokenGeneration": {"claimsToAddOrOverride": {"plan": "lambda"}}}
    return event


def refuser(event):
    raise RuntimeError("Account locked by policy")


@pytest.fixture(scope="module")
def lambda_server():
    server = HookServer(respond=lambda_api({"tokenhook": tokenhook, "refuser": refuser})).start()
    yield server
    server.stop()


@pytest.fixture
def lambda_endpoint(lambda_server):
    received.clear()
    return lambda_server.url


def test_invoke_through_boto3(world, lambda_server):
    world.hook(ARN, "V2_0")
    access = claims_of(world.sign_in().access_token)
    assert access["plan"] == "lambda"
    assert received[-1]["triggerSource"] == "TokenGeneration_Authentication"
    request = lambda_server.requests[-1]
    assert request.path.startswith("/2015-03-31/functions/") and request.path.endswith("/invocations")
    assert "AWS4-HMAC-SHA256" in request.headers["Authorization"]  # signed by boto3
    assert request.headers.get("X-Amz-Invocation-Type") == "RequestResponse"
    assert json.loads(request.body)["userPoolId"] == world.app.pool_id


def test_a_function_error_refuses_the_sign_in(world):
    world.hook(ARN.replace("tokenhook", "refuser"), "V2_0")
    with pytest.raises(HookRejected) as caught:
        world.sign_in()
    assert caught.value.message == "PreTokenGeneration failed with error Account locked by policy."
    assert world.families() == 0


def test_a_missing_function_is_unavailable(world):
    world.hook(ARN.replace("tokenhook", "missing"), "V2_0")
    with pytest.raises(HookUnavailable) as caught:
        world.sign_in()
    assert caught.value.reason == "ResourceNotFoundException"
    assert world.audit("hook.failed")[0].detail["invoker"] == "lambda"
