"""Cognito's rules for applying a response (COGNITO.md §2.5-§2.6, §7.7), end to end through TokenService:
suppress wins, reserved claims ignored (logged, audited) or refused in strict mode, group overrides
in both tokens, value types by version."""

from __future__ import annotations

import logging

import pytest
from tests.server.hooks.conftest import ADMIN_ROLE, H, claims_of

from authpool.server.hooks import ForbiddenClaim, InvalidHookResponse


def test_suppress_wins_over_add_for_claims_and_scopes(world):
    world.hook(H + "suppress_and_add", "V2_0")
    result = world.sign_in(scopes=["openid", "a/write"])
    id_claims, access = claims_of(result.id_token), claims_of(result.access_token)
    assert "email" not in id_claims and "name" not in id_claims and id_claims["nick"] == "al"
    assert access["scope"] == "a/read" and result.scopes == ("a/read",)


def test_reserved_claims_are_ignored_logged_and_audited(world, caplog):
    world.hook(H + "reserved", "V2_0")
    with caplog.at_level(logging.WARNING, logger="authpool.hooks"):
        result = world.sign_in(scopes=["openid"])
    id_claims, access = claims_of(result.id_token), claims_of(result.access_token)
    assert id_claims["iss"] == access["iss"] == "http://127.0.0.1:8000/us-east-1_HookTest1"
    assert "exp" in id_claims and id_claims["ok"] == "1"
    assert "cognito:groups" not in id_claims  # suppressing the group claim is allowed
    assert access["cognito:groups"] == ["admin", "staff"]  # adding it is not (use groupOverrideDetails)
    assert access["client_id"] == "appclient1" and access["scope"] == "openid"
    assert access["sub"] == world.user.sub and access["token_use"] == "access"
    [event] = world.audit("hook.claim_ignored")
    assert event.target == world.user.sub
    changes = {(c["claim"], c["action"], c["kind"]) for c in event.detail["claims"]}
    assert changes == {("iss", "add", "id"), ("exp", "suppress", "id"), ("client_id", "add", "access"),
                       ("cognito:groups", "add", "access"), ("scope", "add", "access"),
                       ("sub", "suppress", "access"), ("token_use", "suppress", "access")}
    assert any("reserved claims" in r.getMessage() and "iss" in r.getMessage() for r in caplog.records)


def test_strict_mode_refuses_reserved_claims_and_issues_nothing(world):
    world.hook(H + "reserved", "V2_0", strict=True)
    with pytest.raises(ForbiddenClaim) as caught:
        world.sign_in()
    assert caught.value.code == "hook_forbidden_claim" and "'iss'" in caught.value.message
    assert world.families() == 0 and world.refresh_tokens() == 0
    [event] = world.audit("hook.failed")
    assert event.detail["error"] == "hook_forbidden_claim" and event.detail["invoker"] == "python"


@pytest.mark.parametrize("version", ["V1_0", "V2_0"])
def test_group_override_replaces_groups_in_both_tokens(world, version):
    world.hook(H + "regroup", version)
    result = world.sign_in()
    id_claims, access = claims_of(result.id_token), claims_of(result.access_token)
    assert id_claims["cognito:groups"] == access["cognito:groups"] == ["auditors"]
    assert id_claims["cognito:roles"] == ["arn:aws:iam::1:role/a"]
    assert id_claims["cognito:preferred_role"] == "arn:aws:iam::1:role/a"
    assert "cognito:roles" not in access


@pytest.mark.parametrize("version", ["V1_0", "V3_0"])
def test_an_empty_group_override_removes_the_groups(world, version):
    world.hook(H + "ungroup", version)
    result = world.sign_in()
    assert "cognito:groups" not in claims_of(result.id_token)
    assert "cognito:groups" not in claims_of(result.access_token)


def test_copying_the_group_configuration_keeps_the_groups(world):
    world.hook(H + "keep_groups", "V2_0")
    result = world.sign_in()
    id_claims, access = claims_of(result.id_token), claims_of(result.access_token)
    assert access["cognito:groups"] == id_claims["cognito:groups"] == ["admin", "staff"] and access["x"] == "1"
    assert id_claims["cognito:roles"] == [ADMIN_ROLE] and id_claims["cognito:preferred_role"] == ADMIN_ROLE


def test_v2_values_keep_their_json_types(world):
    world.hook(H + "typed_values", "V2_0")
    result = world.sign_in()
    expected = {"n": 42, "f": 1.5, "b": True, "s": "x", "arr": ["a", 1, False], "obj": {"k": [1, {"z": None}]}}
    for token in (result.id_token, result.access_token):
        claims = claims_of(token)
        assert {k: claims[k] for k in expected} == expected


def test_v1_values_become_strings(world):
    world.hook(H + "v1_scalars", "V1_0")
    claims = claims_of(world.sign_in().id_token)
    assert (claims["n"], claims["b"], claims["s"]) == ("7", "false", "v")


@pytest.mark.parametrize("handler,version", [("v1_object_value", "V1_0"), ("complex_email_verified", "V2_0")])
def test_values_a_version_does_not_allow_are_an_invalid_response(world, handler, version):
    world.hook(H + handler, version)
    with pytest.raises(InvalidHookResponse):
        world.sign_in()
    assert world.families() == 0
