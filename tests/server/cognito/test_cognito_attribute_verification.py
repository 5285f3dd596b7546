"""authpool.server.cognito.attribute_verification: the wire side of GetUserAttributeVerificationCode,
VerifyUserAttribute and DeleteUserAttributes (shapes, parameter bounds, the client's WriteAttributes,
the error names), on SQLite and PostgreSQL. The access-token check is access.py's (test_access.py),
stood in for here by a grant for the user; boto3 drives the whole path in
tests/interop/test_boto3_self_service.py."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from authpool.server.cognito import attribute_verification as ops
from authpool.server.cognito.access import AccessGrant
from authpool.server.cognito.dispatch import OPERATIONS, UNSIGNED
from authpool.server.cognito.errors import to_cognito_error
from authpool.server.cognito.params import Params
from authpool.server.pool.attribute_verification import purpose


@pytest.fixture
def world(monkeypatch, database, pools, clients, users):
    pool = pools.create("wire", schema=[{"Name": "email", "Mutable": True, "Required": True}],
                        settings={"AutoVerifiedAttributes": ["email"]})
    client = clients.create(pool.id, "app", settings={"WriteAttributes": ["email", "name"]})
    user = users.admin_create(pool.id, "wendy", attributes={"email": "wendy@example.com", "name": "W",
                                                            "given_name": "Wendy"}).user
    ctx = SimpleNamespace(db=database, users=users, clients=clients)
    monkeypatch.setattr(ops, "_grant", lambda call: AccessGrant(pool.id, client.client_id,
                                                                users.get(pool.id, "wendy"), {}))

    def call(operation, **body):
        try:
            return ops.OPERATIONS[operation](SimpleNamespace(ctx=ctx, params=Params({"AccessToken": "t", **body})))
        except Exception as exc:  # noqa: BLE001 - as the dispatcher answers it
            error = to_cognito_error(exc)
            return {"__type": error.type, "message": error.message}

    return SimpleNamespace(call=call, user=user, pool=pool, database=database, users=users)


def _code(world):
    with world.database.transaction(readonly=True) as tx:
        return tx.codes.get(world.user.sub, purpose("email")).code


def test_the_operations_are_served_unsigned():
    for name in ("GetUserAttributeVerificationCode", "VerifyUserAttribute", "DeleteUserAttributes"):
        assert OPERATIONS[name] is ops.OPERATIONS[name] and name in UNSIGNED


def test_get_code_and_verify(world):
    assert world.call("GetUserAttributeVerificationCode", AttributeName="email", ClientMetadata={"k": "v"}) == {
        "CodeDeliveryDetails": {"Destination": "w***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}}
    assert world.call("VerifyUserAttribute", AttributeName="email", Code="bad") == {
        "__type": "CodeMismatchException", "message": "Invalid verification code provided, please try again."}
    code = _code(world)
    assert world.call("VerifyUserAttribute", AttributeName="email", Code=code) == {}
    assert world.call("VerifyUserAttribute", AttributeName="email", Code=code) == {
        "__type": "ExpiredCodeException", "message": "Invalid code provided, please request a code again."}
    assert world.users.get(world.pool.id, "wendy").attributes["email_verified"] == "true"


def test_refusals(world):
    assert world.call("GetUserAttributeVerificationCode", AttributeName="name") == {
        "__type": "InvalidParameterException",
        "message": "Invalid attribute name. Only phone_number and email can be verified."}
    assert world.call("GetUserAttributeVerificationCode", AttributeName="phone_number") == {
        "__type": "InvalidParameterException", "message": "User does not have a valid registered phone number"}
    assert world.call("GetUserAttributeVerificationCode", AttributeName="x" * 33)["__type"] == \
        "InvalidParameterException"
    assert world.call("VerifyUserAttribute", AttributeName="email")["__type"] == "InvalidParameterException"
    assert world.call("VerifyUserAttribute", AttributeName="email", Code=" ")["__type"] == \
        "InvalidParameterException"


def test_delete_user_attributes(world):
    assert world.call("DeleteUserAttributes", UserAttributeNames=["name"]) == {}
    assert "name" not in world.users.get(world.pool.id, "wendy").attributes
    assert world.call("DeleteUserAttributes", UserAttributeNames=["name"]) == {}  # not there: fine
    assert world.call("DeleteUserAttributes", UserAttributeNames=["given_name"]) == {  # not writable by the client
        "__type": "NotAuthorizedException", "message": "A client attempted to write unauthorized attribute"}
    assert world.call("DeleteUserAttributes", UserAttributeNames=["email"]) == {  # required in this pool
        "__type": "InvalidParameterException", "message": "Cannot delete the attribute email"}
    assert world.call("DeleteUserAttributes")["__type"] == "InvalidParameterException"
    assert world.users.get(world.pool.id, "wendy").attributes["email"] == "wendy@example.com"
