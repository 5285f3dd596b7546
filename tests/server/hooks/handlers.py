"""In-process hooks the tests configure as ``python:tests.server.hooks.handlers:<name>``.

Each is written as a Cognito handler would be: ``(event, context)`` in, the event (with ``response``
filled in) out. ``seen`` keeps the events received, for assertions on their shape.
"""

from __future__ import annotations

import asyncio
import copy
import os
import socket
import threading
import time

seen: list[dict] = []
#: Held by :func:`blocked` until a test sets it (tests set it in a ``finally``).
gate = threading.Event()


def record(event, context):
    seen.append(copy.deepcopy(event))
    return event


def _v2(event, **details):
    event["response"]["claimsAndScopeOverrideDetails"] = details
    return event


def enrich(event, context):
    """Adds one claim to each token (the V1 key for V1, the V2 key otherwise) and a scope."""
    seen.append(copy.deepcopy(event))
    if event["version"] == "1":
        event["response"]["claimsOverrideDetails"] = {"claimsToAddOrOverride": {"plan": "gold"}}
        return event
    return _v2(event, idTokenGeneration={"claimsToAddOrOverride": {"plan": "gold"}},
               accessTokenGeneration={"claimsToAddOrOverride": {"tenant_id": "t-1"}, "scopesToAdd": ["orders/read"]})


async def enrich_async(event, context):
    await asyncio.sleep(0)
    return enrich(event, context)


def suppress_and_add(event, context):
    return _v2(event, idTokenGeneration={"claimsToAddOrOverride": {"email": "x@example.org", "nick": "al"},
                                         "claimsToSuppress": ["email", "name"]},
               accessTokenGeneration={"scopesToAdd": ["a/read", "a/write"], "scopesToSuppress": ["a/write", "openid"]})


def reserved(event, context):
    return _v2(event, idTokenGeneration={"claimsToAddOrOverride": {"iss": "https://evil.example", "ok": "1"},
                                         "claimsToSuppress": ["exp", "cognito:groups"]},
               accessTokenGeneration={"claimsToAddOrOverride": {"client_id": "other", "cognito:groups": ["root"],
                                                                "scope": "admin"},
                                      "claimsToSuppress": ["sub", "token_use"]})


def typed_values(event, context):
    values = {"n": 42, "f": 1.5, "b": True, "s": "x", "arr": ["a", 1, False], "obj": {"k": [1, {"z": None}]}}
    return _v2(event, idTokenGeneration={"claimsToAddOrOverride": dict(values)},
               accessTokenGeneration={"claimsToAddOrOverride": dict(values)})


def v1_scalars(event, context):
    event["response"]["claimsOverrideDetails"] = {"claimsToAddOrOverride": {"n": 7, "b": False, "s": "v"}}
    return event


def v1_object_value(event, context):
    event["response"]["claimsOverrideDetails"] = {"claimsToAddOrOverride": {"o": {"k": "v"}}}
    return event


def complex_email_verified(event, context):
    return _v2(event, idTokenGeneration={"claimsToAddOrOverride": {"email_verified": ["true"]}})


def regroup(event, context):
    details = {"groupOverrideDetails": {"groupsToOverride": ["auditors"], "iamRolesToOverride": ["arn:aws:iam::1:role/a"],
                                        "preferredRole": "arn:aws:iam::1:role/a"}}
    key = "claimsOverrideDetails" if event["version"] == "1" else "claimsAndScopeOverrideDetails"
    event["response"][key] = details
    return event


def ungroup(event, context):
    key = "claimsOverrideDetails" if event["version"] == "1" else "claimsAndScopeOverrideDetails"
    event["response"][key] = {"groupOverrideDetails": {}}
    return event


def keep_groups(event, context):
    """The documented way to keep groups: copy the request's groupConfiguration into the response."""
    event["response"]["claimsAndScopeOverrideDetails"] = {
        "groupOverrideDetails": event["request"]["groupConfiguration"],
        "accessTokenGeneration": {"claimsToAddOrOverride": {"x": "1"}}}
    return event


def deny(event, context):
    raise PermissionError("Sign-in is closed for this tenant\nTraceback (most recent call last): secret")


async def deny_async(event, context):
    raise ValueError("nope")


def slow(event, context):
    time.sleep(1.0)
    return event


def hang(event, context):
    time.sleep(60)
    return event


def blocked(event, context):
    """Never returns on its own: waits for ``gate`` (60 s at most, so a failed test leaves no thread forever)."""
    gate.wait(60)
    return event


def blocked_on_socket(event, context):
    """For a server in another process: connects to the test's gate (``HOOK_GATE_PORT``) and waits until
    the test closes the connection (60 s at most)."""
    with socket.create_connection(("127.0.0.1", int(os.environ["HOOK_GATE_PORT"])), timeout=60) as conn:
        conn.recv(1)
    return event


async def slow_async(event, context):
    await asyncio.sleep(10)
    return event


def returns_none(event, context):
    return None


def returns_text(event, context):
    return "not an event"


def malformed(event, context):
    return _v2(event, idTokenGeneration={"claimsToSuppress": "email"})


def bad_scope(event, context):
    return _v2(event, accessTokenGeneration={"scopesToAdd": ["two words"]})


def not_json(event, context):
    return _v2(event, accessTokenGeneration={"claimsToAddOrOverride": {"when": object()}})


def huge(event, context):
    return _v2(event, accessTokenGeneration={"claimsToAddOrOverride": {"blob": "x" * 20_000}})


def remaining_time(event, context):
    left = context.get_remaining_time_in_millis()
    return _v2(event, accessTokenGeneration={"claimsToAddOrOverride": {
        "left_ok": 0 < left <= 5000, "fn": context.function_name, "rid": bool(context.aws_request_id)}})


not_callable = 42
