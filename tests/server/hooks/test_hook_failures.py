"""Every failure mode fails the issuance closed: a typed error with a stable code and a message safe
for the caller (no trace), nothing issued or stored, and an audit event saying what happened."""

from __future__ import annotations

import pytest
from tests.server.hooks.conftest import POOL, H

from authpool.server.hooks import (
    HookRejected,
    HookTimeout,
    HookUnavailable,
    InvalidHookResponse,
    TokenTooLarge,
)

CASES = [
    ("deny", HookRejected, "hook_rejected"),
    ("deny_async", HookRejected, "hook_rejected"),
    ("slow", HookTimeout, "hook_timeout"),
    ("slow_async", HookTimeout, "hook_timeout"),
    ("returns_none", InvalidHookResponse, "invalid_hook_response"),
    ("returns_text", InvalidHookResponse, "invalid_hook_response"),
    ("malformed", InvalidHookResponse, "invalid_hook_response"),
    ("bad_scope", InvalidHookResponse, "invalid_hook_response"),
    ("not_json", InvalidHookResponse, "invalid_hook_response"),
    ("huge", TokenTooLarge, "hook_token_too_large"),
    ("not_callable", HookUnavailable, "hook_unavailable"),
]


@pytest.mark.parametrize("handler,error,code", CASES)
def test_a_failing_hook_issues_nothing(world, handler, error, code):
    world.hook(H + handler, "V2_0", timeout=0.2)
    with pytest.raises(error) as caught:
        world.sign_in()
    exc = caught.value
    assert exc.code == code and exc.invoker == "python"
    assert "Traceback" not in exc.message and "File " not in exc.message and "\n" not in exc.message
    assert world.families() == 0 and world.refresh_tokens() == 0
    [event] = world.audit("hook.failed")
    assert event.detail["error"] == code and event.detail["version"] == "V2_0"
    assert event.detail["trigger"] == "TokenGeneration_Authentication" and event.target == world.user.sub


def test_a_throwing_handler_s_message_reaches_the_caller_as_cognito_shows_it(world):
    world.hook(H + "deny", "V1_0")
    with pytest.raises(HookRejected) as caught:
        world.sign_in()
    assert caught.value.message == "PreTokenGeneration failed with error Sign-in is closed for this tenant."


def test_an_unimportable_handler_is_unavailable(world):
    world.hook("python:tests.server.hooks.does_not_exist:handler", "V2_0")
    with pytest.raises(HookUnavailable) as caught:
        world.sign_in()
    assert caught.value.message == "PreTokenGeneration invocation failed due to error ImportError."


def test_a_hook_configuration_that_cannot_run_fails_closed(world):
    with world.db.transaction() as tx:  # as a buggy writer might leave it: set, but unusable
        tx.pools.update(POOL, settings={"SigningAlgorithm": "ES256", "LambdaConfig": {
            "PreTokenGenerationConfig": {"LambdaVersion": "V9_0", "LambdaArn": "python:x:y"}}})
    with pytest.raises(HookUnavailable) as caught:
        world.sign_in()
    assert caught.value.reason == "InvalidLambdaConfig"
    assert world.audit("hook.failed")[0].detail["error"] == "hook_unavailable"


def test_a_failing_refresh_issues_nothing_and_keeps_the_session(world):
    first = world.sign_in()
    world.hook(H + "deny", "V2_0")
    with pytest.raises(HookRejected):
        world.refresh(first)
    assert world.families() == 1 and world.refresh_tokens() == 1
    from authpool.server.hooks import clear_hook

    clear_hook(world.db, POOL)
    assert world.refresh(first).access_token  # the refresh token still works once the hook lets it


def test_a_failing_v3_hook_refuses_client_credentials(world):
    world.hook(H + "deny", "V3_0")
    with pytest.raises(HookRejected):
        world.m2m()
    [event] = world.audit("hook.failed")
    assert event.target == "machine1" and event.detail["trigger"] == "TokenGeneration_ClientCredentials"


def test_the_token_size_limit_is_configurable(world):
    world.hook(H + "enrich", "V2_0", max_token_bytes=1024)
    with pytest.raises(TokenTooLarge):
        world.sign_in()
    world.hook(H + "enrich", "V2_0", max_token_bytes=8192)
    assert world.sign_in().access_token


def test_a_hung_handler_does_not_keep_the_process_from_exiting():
    import subprocess
    import sys
    import time

    script = (
        "from authpool.server.hooks import HookTimeout\n"
        "from authpool.server.hooks.invokers import PythonInvoker, Target\n"
        "invoker = PythonInvoker()\n"
        "try:\n"
        "    invoker.invoke(Target('p', 'python:tests.server.hooks.handlers:hang', 0.2), {'response': {}})\n"
        "except HookTimeout:\n"
        "    print('timed out')\n"
    )
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=30, check=False)
    assert done.stdout.strip() == "timed out" and done.returncode == 0, done.stderr
    assert time.monotonic() - started < 15  # not the handler's 60 s
