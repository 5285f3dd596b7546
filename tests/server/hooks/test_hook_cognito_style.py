"""A handler written in Cognito's documented style (the event dict in, the same dict out) runs
unchanged on authpool: the documentation's own examples, ported line by line to Python."""

from __future__ import annotations

import pytest
from tests.server.hooks.conftest import ADMIN_ROLE, claims_of


@pytest.fixture
def backend() -> str:
    """What is tested here does not depend on the store: SQLite only (the store-facing paths run on
    both backends in test_hook_versions, _rules, _failures and _cache)."""
    return "sqlite"


S = "python:tests.server.hooks.cognito_style:"


def test_add_a_claim_and_suppress_email(world):
    world.hook(S + "add_claim_and_suppress", "V1_0")
    result = world.sign_in()
    id_claims = claims_of(result.id_token)
    assert id_claims["attribute_key"] == "attribute_value" and id_claims["attribute_key2"] == "attribute_value2"
    assert "email" not in id_claims and id_claims["name"] == "Alice"
    assert "attribute_key" not in claims_of(result.access_token)  # V1 leaves the access token's claims alone


def test_modify_group_membership(world):
    world.hook(S + "modify_group_membership", "V1_0")
    result = world.sign_in()
    id_claims, access = claims_of(result.id_token), claims_of(result.access_token)
    assert id_claims["cognito:groups"] == access["cognito:groups"] == ["group-A", "group-B", "group-C"]
    assert id_claims["cognito:preferred_role"] == "arn:aws:iam::XXXXXXXXXXX:role/sns_caller"
    assert len(id_claims["cognito:roles"]) == 3


def test_custom_scopes_from_initiate_auth(world):
    world.hook(S + "custom_scopes", "V2_0")
    result = world.sign_in(scopes=["aws.cognito.signin.user.admin"])
    assert claims_of(result.access_token)["scope"] == (
        "aws.cognito.signin.user.admin com.example.photos/read com.example.photos/write")


def test_a_full_v2_handler(world):
    world.hook(S + "lambda_handler", "V2_0")
    result = world.sign_in(scopes=["aws.cognito.signin.user.admin"])
    id_claims, access = claims_of(result.id_token), claims_of(result.access_token)
    assert id_claims["department"] == access["department"] == "engineering" and access["is_admin"] is True
    assert "email" not in id_claims
    assert access["scope"] == "my-api/read"
    assert access["cognito:groups"] == id_claims["cognito:groups"] == ["admin", "staff", "engineering"]
    assert id_claims["cognito:roles"] == [ADMIN_ROLE] and id_claims["cognito:preferred_role"] == ADMIN_ROLE


def test_the_lambda_context_is_there(world):
    world.hook("python:tests.server.hooks.handlers:remaining_time", "V2_0")
    access = claims_of(world.sign_in().access_token)
    assert access["left_ok"] is True and access["fn"] == "remaining_time" and access["rid"] is True
