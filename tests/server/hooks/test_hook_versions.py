"""Each event version (V1_0, V2_0, V3_0) for each trigger source, through TokenService with an
in-process hook: the event Cognito would send, and what each version may change."""

from __future__ import annotations

import pytest
from tests.server.hooks import handlers
from tests.server.hooks.conftest import ADMIN_ROLE, POOL, H, claims_of

VERSIONS = ["V1_0", "V2_0", "V3_0"]
USER_TRIGGERS = ["TokenGeneration_HostedAuth", "TokenGeneration_Authentication",
                 "TokenGeneration_NewPasswordChallenge", "TokenGeneration_AuthenticateDevice"]


def check_envelope(event: dict, version: str, trigger: str) -> None:
    assert event["version"] == version[1]
    assert event["triggerSource"] == trigger
    assert event["region"] == "us-east-1" and event["userPoolId"] == POOL
    assert event["callerContext"] == {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": "appclient1"}
    key = "claimsOverrideDetails" if version == "V1_0" else "claimsAndScopeOverrideDetails"
    assert event["response"] == {key: None}


@pytest.mark.parametrize("trigger", USER_TRIGGERS)
@pytest.mark.parametrize("version", VERSIONS)
def test_user_sign_in(world, version, trigger):
    world.hook(H + "enrich", version)
    result = world.sign_in(trigger, scopes=["openid"], client_metadata={"origin": "web"})
    event = handlers.seen[-1]
    check_envelope(event, version, trigger)
    assert event["userName"] == "alice"
    request = event["request"]
    assert request["userAttributes"] == {"sub": world.user.sub, "email": "alice@example.com", "name": "Alice",
                                         "email_verified": "true", "custom:tenant": "acme",
                                         "cognito:user_status": "CONFIRMED"}
    assert request["groupConfiguration"] == {"groupsToOverride": ["admin", "staff"],
                                             "iamRolesToOverride": [ADMIN_ROLE], "preferredRole": ADMIN_ROLE}
    assert request["clientMetadata"] == {"origin": "web"}
    assert ("scopes" in request) is (version != "V1_0")
    id_claims, access = claims_of(result.id_token), claims_of(result.access_token)
    assert id_claims["plan"] == "gold"
    if version == "V1_0":  # V1 customizes the ID token only
        assert "tenant_id" not in access and access["scope"] == "openid" and result.scopes == ("openid",)
    else:
        assert request["scopes"] == ["openid"]
        assert access["tenant_id"] == "t-1" and "plan" not in access
        assert access["scope"] == "openid orders/read" and result.scopes == ("openid", "orders/read")


@pytest.mark.parametrize("version", VERSIONS)
def test_refresh_runs_the_hook_again_from_the_granted_scopes(world, version, clock):
    world.hook(H + "enrich", version)
    first = world.sign_in(scopes=["openid"])
    clock.advance(60)
    again = world.refresh(first, client_metadata={"why": "refresh"})
    event = handlers.seen[-1]
    check_envelope(event, version, "TokenGeneration_RefreshTokens")
    assert event["request"]["clientMetadata"] == {"why": "refresh"}
    if version != "V1_0":
        assert event["request"]["scopes"] == ["openid"]  # not the scopes the hook added last time
        assert claims_of(again.access_token)["scope"] == "openid orders/read"
    assert claims_of(again.id_token)["plan"] == "gold"


@pytest.mark.parametrize("version,runs", [("V1_0", False), ("V2_0", False), ("V3_0", True)])
def test_client_credentials_run_only_v3(world, version, runs):
    world.hook(H + "enrich", version)
    result = world.m2m(client_metadata={"env": "dev"})
    access = claims_of(result.access_token)
    assert result.id_token is None
    if not runs:  # as in Cognito, V1/V2 hooks are not invoked for client credentials
        assert handlers.seen == [] and "tenant_id" not in access
        return
    event = handlers.seen[-1]
    assert event["version"] == "3" and event["triggerSource"] == "TokenGeneration_ClientCredentials"
    assert "userName" not in event and event["callerContext"]["clientId"] == "machine1"
    assert event["request"] == {"userAttributes": {}, "scopes": ["orders/read"], "clientMetadata": {"env": "dev"},
                                "groupConfiguration": {"groupsToOverride": [], "iamRolesToOverride": [],
                                                       "preferredRole": None}}
    assert access["tenant_id"] == "t-1" and access["sub"] == "machine1"
    assert access["scope"] == "orders/read"  # scopesToAdd of an already present scope adds nothing


def test_async_handler(world):
    world.hook(H + "enrich_async", "V2_0")
    access = claims_of(world.sign_in().access_token)
    assert access["tenant_id"] == "t-1"


def test_no_hook_and_cleared_hook_change_nothing(world):
    from authpool.server.hooks import clear_hook

    plain = claims_of(world.sign_in().access_token)
    world.hook(H + "enrich", "V2_0")
    assert clear_hook(world.db, POOL)
    again = claims_of(world.sign_in().access_token)
    assert handlers.seen == [] and "tenant_id" not in plain and "tenant_id" not in again


@pytest.mark.parametrize("version", VERSIONS)
def test_a_hook_returning_the_event_unchanged_changes_nothing(world, version):
    volatile = {"jti", "origin_jti", "event_id"}
    before = world.sign_in()
    world.hook(H + "record", version)
    after = world.sign_in()
    for a, b in ((before.access_token, after.access_token), (before.id_token, after.id_token)):
        ca, cb = claims_of(a), claims_of(b)
        assert {k: v for k, v in ca.items() if k not in volatile} == {k: v for k, v in cb.items() if k not in volatile}
    assert len(handlers.seen) == 1
