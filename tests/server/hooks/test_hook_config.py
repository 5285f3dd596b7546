"""Reading and writing a pool's hook configuration (LambdaConfig as Cognito carries it, plus authpool's
options), and the pieces that need no store: response parsing, the application rules, the event."""

from __future__ import annotations

import pytest
from tests.server.hooks.conftest import POOL

from authpool.server.errors import InvalidParameter
from authpool.server.hooks import (
    OPTIONS_KEY,
    apply_overrides,
    clear_hook,
    describe_hook,
    hook_config,
    invoker_kind,
    parse_response,
    runs_for,
    validate_lambda_config,
)
from authpool.server.hooks.errors import InvalidHookResponse, safe_handler_message
from authpool.server.issuance import ClaimSets

FN = "arn:aws:lambda:eu-west-1:123456789012:function:pretoken"


@pytest.mark.parametrize("arn,kind", [
    ("python:examples.hooks.group_scope:handler", "python"), ("python:a:Cls.method", "python"),
    ("https://hooks.internal/pretoken", "webhook"), ("http://127.0.0.1:9000/h?x=1", "webhook"),
    (FN, "lambda"), (FN + ":prod", "lambda"), ("arn:aws-cn:lambda:cn-north-1:123456789012:function:f", "lambda"),
])
def test_invoker_kinds(arn, kind):
    assert invoker_kind(arn) == kind


@pytest.mark.parametrize("arn", ["", "ftp://x/y", "python:mod", "python:1mod:f", "python:a.b:c d",
                                 "https://user:pw@host/x", "https:///nohost", "arn:aws:iam::123456789012:role/x",
                                 "arn:aws:lambda:us-east-1:123:function:f", "x" * 3000, None])
def test_unusable_arns_are_refused(arn):
    with pytest.raises(InvalidParameter):
        invoker_kind(arn)


def test_lambda_config_forms():
    assert hook_config({}) is None and hook_config({"LambdaConfig": {"PreSignUp": FN}}) is None
    legacy = hook_config({"LambdaConfig": {"PreTokenGeneration": FN}})
    assert (legacy.version, legacy.arn, legacy.kind, legacy.timeout, legacy.strict) == ("V1_0", FN, "lambda", 5.0, False)
    both = hook_config({"LambdaConfig": {"PreTokenGeneration": FN,
                                         "PreTokenGenerationConfig": {"LambdaVersion": "V3_0", "LambdaArn": FN}},
                        OPTIONS_KEY: {"Strict": True, "TimeoutSeconds": 2, "MaxTokenBytes": 4096}})
    assert (both.version, both.strict, both.timeout, both.max_token_bytes) == ("V3_0", True, 2.0, 4096)


@pytest.mark.parametrize("settings", [
    {"LambdaConfig": {"PreTokenGeneration": FN, "PreTokenGenerationConfig": {"LambdaVersion": "V2_0",
                                                                           "LambdaArn": FN + ":other"}}},
    {"LambdaConfig": {"PreTokenGenerationConfig": {"LambdaVersion": "V4_0", "LambdaArn": FN}}},
    {"LambdaConfig": {"PreTokenGenerationConfig": "V2_0"}},
    {"LambdaConfig": []},
    {"LambdaConfig": {"PreTokenGeneration": FN}, OPTIONS_KEY: {"TimeoutSeconds": 60}},
    {"LambdaConfig": {"PreTokenGeneration": FN}, OPTIONS_KEY: {"Strict": "yes"}},
    {"LambdaConfig": {"PreTokenGeneration": FN}, OPTIONS_KEY: {"MaxTokenBytes": 10}},
])
def test_bad_configurations_are_refused(settings):
    with pytest.raises(InvalidParameter):
        hook_config(settings)


def test_validate_lambda_config_for_the_cognito_api():
    validate_lambda_config(None)
    validate_lambda_config({"PreSignUp": "anything", "PreTokenGeneration": FN})
    with pytest.raises(InvalidParameter):
        validate_lambda_config({"PreTokenGeneration": "python:not a ref"})


def test_set_show_clear_keep_other_triggers(world):
    with world.db.transaction() as tx:
        tx.pools.update(POOL, settings={"SigningAlgorithm": "ES256", "LambdaConfig": {"PreSignUp": FN}})
    world.hook(FN, "V3_0", strict=True, timeout=1.5)
    shown = describe_hook(world.db, POOL)
    assert shown == {"LambdaVersion": "V3_0", "LambdaArn": FN, "invoker": "lambda", "Strict": True,
                     "TimeoutSeconds": 1.5, "MaxTokenBytes": 8192, "WebhookSecret": "none"}
    with world.db.transaction(readonly=True) as tx:
        settings = tx.pools.require(POOL).settings
    assert settings["LambdaConfig"] == {"PreSignUp": FN, "PreTokenGeneration": FN,
                                        "PreTokenGenerationConfig": {"LambdaVersion": "V3_0", "LambdaArn": FN}}
    assert clear_hook(world.db, POOL) and not clear_hook(world.db, POOL)
    assert describe_hook(world.db, POOL) is None
    with world.db.transaction(readonly=True) as tx:
        assert tx.pools.require(POOL).settings["LambdaConfig"] == {"PreSignUp": FN}
    assert [e.type for e in world.audit("pool.pre_token_hook_set")] == ["pool.pre_token_hook_set"]


# -- no store needed below --------------------------------------------------------------------------

def claims() -> ClaimSets:
    return ClaimSets(access={"sub": "u", "scope": "a", "cognito:groups": ["g"]},
                     id={"sub": "u", "email": "e", "cognito:groups": ["g"]}, scopes=["a", "b"])


def test_runs_for():
    assert [runs_for(v, "TokenGeneration_ClientCredentials") for v in ("V1_0", "V2_0", "V3_0")] == [False, False, True]
    assert all(runs_for(v, "TokenGeneration_RefreshTokens") for v in ("V1_0", "V2_0", "V3_0"))


@pytest.mark.parametrize("response", [{}, {"claimsAndScopeOverrideDetails": None},
                                      {"claimsAndScopeOverrideDetails": {}},
                                      {"claimsOverrideDetails": {"claimsToSuppress": ["email"]}}])
def test_empty_or_foreign_details_change_nothing_in_v2(response):
    result, ignored = apply_overrides("V2_0", parse_response("V2_0", {"response": response}), claims())
    assert (result.access, result.id, result.scopes, ignored) == (claims().access, claims().id, ["a", "b"], [])


def test_a_null_group_override_removes_groups_and_inputs_stay_untouched():
    original = claims()
    overrides = parse_response("V1_0", {"response": {"claimsOverrideDetails": {"groupOverrideDetails": None}}})
    result, _ = apply_overrides("V1_0", overrides, original)
    assert "cognito:groups" not in result.access and "cognito:groups" not in result.id
    assert original.access["cognito:groups"] == ["g"]


@pytest.mark.parametrize("returned", [
    None, [], {"response": None}, {"response": "x"}, {"nothing": {}},
    {"response": {"claimsAndScopeOverrideDetails": []}},
    {"response": {"claimsAndScopeOverrideDetails": {"accessTokenGeneration": {"scopesToAdd": "a"}}}},
    {"response": {"claimsAndScopeOverrideDetails": {"accessTokenGeneration": {"scopesToAdd": [""]}}}},
    {"response": {"claimsAndScopeOverrideDetails": {"accessTokenGeneration": {"scopesToAdd": ['a"b']}}}},
    {"response": {"claimsAndScopeOverrideDetails": {"idTokenGeneration": {"claimsToAddOrOverride": {"n": None}}}}},
    {"response": {"claimsAndScopeOverrideDetails": {"idTokenGeneration": {"claimsToAddOrOverride": {"n": 2**64}}}}},
    {"response": {"claimsAndScopeOverrideDetails": {"idTokenGeneration": {"claimsToAddOrOverride": {
        "n": float("nan")}}}}},
    {"response": {"claimsAndScopeOverrideDetails": {"idTokenGeneration": {"claimsToAddOrOverride": {
        "arr": [{"nested": "object"}]}}}}},
    {"response": {"claimsAndScopeOverrideDetails": {"idTokenGeneration": {"claimsToAddOrOverride": {"": "x"}}}}},
    {"response": {"claimsAndScopeOverrideDetails": {"groupOverrideDetails": {"groupsToOverride": "g"}}}},
    {"response": {"claimsAndScopeOverrideDetails": {"groupOverrideDetails": {"preferredRole": 3}}}},
    {"response": {"claimsAndScopeOverrideDetails": {"accessTokenGeneration": {
        "claimsToSuppress": ["x"] * 1001}}}},
])
def test_malformed_responses(returned):
    with pytest.raises(InvalidHookResponse):
        parse_response("V2_0", returned)


def test_deeply_nested_objects_are_refused():
    value: dict = {}
    for _ in range(40):
        value = {"k": value}
    returned = {"response": {"claimsAndScopeOverrideDetails": {"accessTokenGeneration": {
        "claimsToAddOrOverride": {"deep": value}}}}}
    with pytest.raises(InvalidHookResponse):
        parse_response("V2_0", returned)


def test_handler_messages_are_one_short_printable_line():
    assert safe_handler_message("first\nsecond") == "first"
    assert safe_handler_message("a\tb\x00c") == "a b c"
    assert len(safe_handler_message("x" * 10_000)) == 256
    assert safe_handler_message("") == "unknown error"
