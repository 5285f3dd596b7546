"""authpool.server.cognito.params: bounded, typed request members; messages never echo values."""

from __future__ import annotations

import pytest

from authpool.server.cognito.errors import CognitoError
from authpool.server.cognito.params import CLIENT_ID, PASSWORD, POOL_ID, Params, required_members


def refused(fn, *args, **kwargs) -> str:
    with pytest.raises(CognitoError) as excinfo:
        fn(*args, **kwargs)
    assert excinfo.value.type == "InvalidParameterException"
    return excinfo.value.message


def test_strings():
    p = Params({"UserPoolId": "us-east-1_Abc", "Bad": "us-east-1", "Long": "x" * 56, "Num": 5})
    assert p.str("UserPoolId", required=True, **POOL_ID) == "us-east-1_Abc"
    assert "userPoolId" in refused(p.str, "Missing", required=True).replace("missing", "userPoolId")
    assert "regular expression" in refused(p.str, "Bad", **POOL_ID)
    assert "length between 1 and 55" in refused(p.str, "Long", **POOL_ID)
    assert "string" in refused(p.str, "Num")
    assert p.str("Absent", default="d") == "d"
    assert "enum" in refused(Params({"F": "X"}).str, "F", choices=("A", "B"))


def test_messages_name_the_member_never_the_value():
    secret = "Sup3r-Secret-Passw0rd!" * 20
    message = refused(Params({"Password": secret}).str, "Password", **PASSWORD)
    assert "'password'" in message and secret not in message and "Sup3r" not in message
    message = refused(Params({"ClientId": "bad id!"}).str, "ClientId", **CLIENT_ID)
    assert "bad id" not in message


def test_numbers_booleans_and_collections():
    p = Params({"Limit": 61, "Flag": "true", "T": True, "L": ["a", 1], "M": {"k": "v"}, "O": [], "A": [
        {"Name": "email", "Value": "a@example.com"}, {"Name": "email", "Value": "b@example.com"}]})
    assert "between 0 and 60" in refused(p.int, "Limit", min=0, max=60)
    assert "integer" in refused(Params({"Limit": True}).int, "Limit")
    assert "boolean" in refused(p.bool, "Flag")
    assert p.bool("T") is True and p.bool("Absent", default=False) is False
    refused(p.str_list, "L")
    assert p.str_map("M") == {"k": "v"} and p.str_map("Absent") == {}
    refused(Params({"M": {"k": "v" * 5000}}).str_map, "M")
    refused(Params({"M": {str(i): "v" for i in range(101)}}).str_map, "M")
    assert p.attributes("A") == {"email": "b@example.com"}
    refused(Params({"A": [{"Name": "x" * 33, "Value": "v"}]}).attributes, "A")
    refused(Params({"A": [{"Name": "n", "Value": "v" * 2049}]}).attributes, "A")
    refused(Params({"A": [{"Value": "v"}]}).attributes, "A")
    refused(Params({"O": {"not": "a list"}}).obj_list, "O")
    assert "Absent" not in p and "T" in p


def test_required_members_answer_their_values_or_name_the_first_missing_one():
    given = {"USERNAME": "alice", "SRP_A": "", "SECRET_HASH": "h"}
    assert required_members(given, "USERNAME", "SECRET_HASH") == ["alice", "h"]
    assert refused(required_members, given, "USERNAME", "SRP_A", "TIMESTAMP") == "Missing required parameter SRP_A"
    assert refused(required_members, given, "TIMESTAMP", "SRP_A") == "Missing required parameter TIMESTAMP"
