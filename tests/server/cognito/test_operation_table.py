"""The operation table against botocore's model of cognito-idp: every implemented operation exists
in Cognito, and is signed exactly when Cognito signs it (``authtype: none`` = unsigned)."""

from __future__ import annotations

import botocore.session

from authpool.server.cognito import OPERATIONS, UNSIGNED

REQUIRED = {  # issue 4's list
    "CreateUserPool", "DescribeUserPool", "UpdateUserPool", "DeleteUserPool", "ListUserPools",
    "CreateUserPoolClient", "DescribeUserPoolClient", "UpdateUserPoolClient", "DeleteUserPoolClient",
    "ListUserPoolClients", "CreateResourceServer", "DescribeResourceServer", "UpdateResourceServer",
    "DeleteResourceServer", "ListResourceServers", "CreateGroup", "GetGroup", "ListGroups", "DeleteGroup",
    "AdminCreateUser", "AdminGetUser", "AdminDeleteUser", "AdminSetUserPassword", "AdminUpdateUserAttributes",
    "AdminDeleteUserAttributes", "AdminDisableUser", "AdminEnableUser", "AdminAddUserToGroup",
    "AdminRemoveUserFromGroup", "AdminListGroupsForUser", "ListUsersInGroup", "ListUsers",
    "AdminUserGlobalSignOut", "AdminInitiateAuth", "AdminRespondToAuthChallenge", "AddCustomAttributes",
    "AdminConfirmSignUp", "DeleteUser", "ForgotPassword", "ConfirmForgotPassword", "ResendConfirmationCode",
    "SignUp", "ConfirmSignUp", "InitiateAuth", "GetTokensFromRefreshToken", "RespondToAuthChallenge", "GetUser",
    "UpdateUserAttributes", "ChangePassword", "RevokeToken", "GlobalSignOut",
}  # fmt: skip


def _model():
    return botocore.session.get_session().get_service_model("cognito-idp")


def test_every_required_operation_is_implemented():
    assert REQUIRED <= set(OPERATIONS)


def test_signedness_matches_cognito():
    model = _model()
    assert set(OPERATIONS) <= set(model.operation_names)
    for name in model.operation_names:
        op = model.operation_model(name)
        auth = getattr(op, "auth", None) or []
        unsigned = op.auth_type == "none" or auth == ["smithy.api#noAuth"]
        assert (name in UNSIGNED) == unsigned, name
