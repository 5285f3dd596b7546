"""boto3 drives the admin side of the Cognito API: SigV4, pools, clients, resource servers, groups,
admin user operations, and the wire errors botocore turns into Cognito's exception classes."""

from __future__ import annotations

import datetime
import json

import botocore.auth
import httpx
import pytest
from botocore.exceptions import ClientError
from tests.interop.boto3_support import ADMIN_SECRET, PASSWORD, error_code, make_client, outbox

TARGET = "AWSCognitoIdentityProviderService."


@pytest.fixture(scope="module")
def pool(admin):
    return admin.create_user_pool(
        PoolName="admin-suite",
        Policies={"PasswordPolicy": {"MinimumLength": 10, "RequireSymbols": False}},
        Schema=[{"Name": "email", "AttributeDataType": "String", "Mutable": True},
                {"Name": "tenant", "AttributeDataType": "String", "Mutable": True}],
        AutoVerifiedAttributes=["email"],
    )["UserPool"]


# -- SigV4 ---------------------------------------------------------------------------------------------
def test_admin_calls_need_the_admin_signature(live, admin, public, stranger):
    assert "UserPools" in admin.list_user_pools(MaxResults=10)
    with pytest.raises(ClientError) as unsigned:
        public.list_user_pools(MaxResults=10)
    assert error_code(unsigned) == "MissingAuthenticationTokenException"
    assert unsigned.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    with pytest.raises(ClientError) as wrong_secret:
        make_client(live, secret="x" * 40).list_user_pools(MaxResults=10)
    assert error_code(wrong_secret) == "InvalidSignatureException"
    with pytest.raises(ClientError) as unknown_key:
        stranger.list_user_pools(MaxResults=10)
    assert error_code(unknown_key) == "UnrecognizedClientException"


@pytest.mark.parametrize("minutes", [-10, 10])
def test_a_stale_or_future_signature_date_is_refused(admin, monkeypatch, minutes):
    skewed = datetime.datetime.now(datetime.UTC).replace(tzinfo=None) + datetime.timedelta(minutes=minutes)
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda *a, **k: skewed)
    with pytest.raises(ClientError) as excinfo:
        admin.list_user_pools(MaxResults=10)
    assert error_code(excinfo) == "InvalidSignatureException"


def test_a_signed_request_cannot_be_altered(live, admin):
    """Sign ListUserPools, then swap the operation or the body: both are refused."""
    captured = {}
    admin.meta.events.register_first("before-send.cognito-idp.ListUserPools",
                                     lambda request, **_: captured.setdefault("r", request) and None)
    admin.list_user_pools(MaxResults=5)
    admin.meta.events.unregister("before-send.cognito-idp.ListUserPools")
    request = captured["r"]
    headers = {k: v for k, v in request.headers.items()}
    swapped = {**headers, "X-Amz-Target": TARGET + "DeleteUserPool"}
    r = httpx.post(live.base_url + "/", content=request.body, headers=swapped)
    assert r.status_code == 400 and r.json()["__type"] == "InvalidSignatureException"
    r = httpx.post(live.base_url + "/", content=b'{"MaxResults": 6}', headers=headers)
    assert r.status_code == 400 and r.json()["__type"] == "InvalidSignatureException"
    r = httpx.post(live.base_url + "/", content=request.body, headers=headers)  # replay within 5 minutes
    assert r.status_code == 200


def test_public_operations_accept_any_or_no_signature(pool, public, stranger):
    for client in (public, stranger):
        with pytest.raises(client.exceptions.ResourceNotFoundException):
            client.initiate_auth(ClientId="nosuchclient", AuthFlow="USER_PASSWORD_AUTH",
                                 AuthParameters={"USERNAME": "x", "PASSWORD": "y"})


# -- wire protocol ---------------------------------------------------------------------------------------
def _raw(live, target: str, body: bytes | str = b"{}", content_type: str = "application/x-amz-json-1.1"):
    return httpx.post(live.base_url + "/", content=body,
                      headers={"X-Amz-Target": target, "Content-Type": content_type})


def test_unknown_operations_and_bad_bodies_are_400_never_500(live):
    for target in ("AWSCognitoIdentityProviderService.NoSuchThing", "Other.InitiateAuth", "",
                   "AWSCognitoIdentityProviderService." + "A" * 5000):
        r = _raw(live, target)
        assert r.status_code == 400, target
        assert r.json()["__type"] == "UnknownOperationException"
        assert r.headers["content-type"] == "application/x-amz-json-1.1"
    for body in (b"not json", b"[1, 2]", b'"text"', b"[" * 20000, b'{"ClientId": 5}',
                 json.dumps({"ClientId": "c" * 129, "AuthFlow": "USER_PASSWORD_AUTH"})):
        r = _raw(live, TARGET + "InitiateAuth", body)
        assert r.status_code == 400 and r.json()["__type"] == "InvalidParameterException", body[:20]
        assert "Traceback" not in r.text
    r = _raw(live, TARGET + "InitiateAuth", "{}", content_type="text/plain")
    assert r.status_code == 400 and r.json()["__type"] == "InvalidParameterException"
    r = _raw(live, TARGET + "SignUp", json.dumps({"ClientId": "c", "Username": "u", "Password": "p" * 70000}))
    assert r.status_code == 413  # the body bound, before any parsing


def test_errors_are_cognito_exception_classes(admin, pool):
    with pytest.raises(admin.exceptions.ResourceNotFoundException):
        admin.describe_user_pool(UserPoolId="us-east-1_Nope12345")
    with pytest.raises(admin.exceptions.InvalidParameterException):
        admin.create_user_pool_client(UserPoolId=pool["Id"], ClientName="bad", AllowedOAuthFlows=["client_credentials"],
                                      AllowedOAuthScopes=["x/y"], AllowedOAuthFlowsUserPoolClient=True)
    with pytest.raises(admin.exceptions.UserNotFoundException):
        admin.admin_get_user(UserPoolId=pool["Id"], Username="ghost")


# -- pools -------------------------------------------------------------------------------------------------
def test_pool_lifecycle(admin, pool):
    pool_id = pool["Id"]
    assert pool_id.startswith("us-east-1_")
    assert pool["Arn"].endswith(f":userpool/{pool_id}")
    assert pool["Policies"]["PasswordPolicy"]["MinimumLength"] == 10
    assert isinstance(pool["CreationDate"], datetime.datetime)
    names = {a["Name"] for a in pool["SchemaAttributes"]}
    assert {"sub", "email", "custom:tenant"} <= names
    admin.add_custom_attributes(UserPoolId=pool_id, CustomAttributes=[{"Name": "level", "AttributeDataType": "Number"}])
    with pytest.raises(admin.exceptions.InvalidParameterException):
        admin.add_custom_attributes(UserPoolId=pool_id, CustomAttributes=[{"Name": "level", "AttributeDataType": "String"}])
    described = admin.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert "custom:level" in {a["Name"] for a in described["SchemaAttributes"]}

    other = admin.create_user_pool(PoolName="to-update")["UserPool"]
    lambda_config = {"PreTokenGenerationConfig": {"LambdaVersion": "V2_0",
                                                  "LambdaArn": "arn:aws:lambda:us-east-1:123456789012:function:f"}}
    admin.update_user_pool(UserPoolId=other["Id"], LambdaConfig=lambda_config)
    updated = admin.describe_user_pool(UserPoolId=other["Id"])["UserPool"]
    assert updated["LambdaConfig"] == lambda_config
    assert updated["Policies"]["PasswordPolicy"]["MinimumLength"] == 8  # replaced, as Cognito does
    with pytest.raises(admin.exceptions.InvalidParameterException):
        admin.update_user_pool(UserPoolId=other["Id"], LambdaConfig={"PreTokenGenerationConfig": {
            "LambdaVersion": "V9_0", "LambdaArn": "arn:aws:lambda:us-east-1:123456789012:function:f"}})

    seen, token = set(), None
    while True:
        page = admin.list_user_pools(MaxResults=1, **({"NextToken": token} if token else {}))
        seen |= {p["Id"] for p in page["UserPools"]}
        token = page.get("NextToken")
        if not token:
            break
    assert {pool_id, other["Id"]} <= seen
    admin.delete_user_pool(UserPoolId=other["Id"])
    with pytest.raises(admin.exceptions.ResourceNotFoundException):
        admin.describe_user_pool(UserPoolId=other["Id"])
    protected = admin.create_user_pool(PoolName="protected", DeletionProtection="ACTIVE")["UserPool"]
    with pytest.raises(admin.exceptions.InvalidParameterException):
        admin.delete_user_pool(UserPoolId=protected["Id"])


# -- clients ---------------------------------------------------------------------------------------------
def test_client_lifecycle(admin, pool):
    pool_id = pool["Id"]
    admin.create_resource_server(UserPoolId=pool_id, Identifier="https://api.example.com", Name="api",
                                 Scopes=[{"ScopeName": "read", "ScopeDescription": "read"}])
    created = admin.create_user_pool_client(
        UserPoolId=pool_id, ClientName="web", GenerateSecret=True,
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        AllowedOAuthFlows=["code"], AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthScopes=["openid", "email", "https://api.example.com/read"],
        CallbackURLs=["https://app.example.com/cb"], LogoutURLs=["https://app.example.com/bye"],
        AccessTokenValidity=30, IdTokenValidity=30, RefreshTokenValidity=7,
        TokenValidityUnits={"AccessToken": "minutes", "IdToken": "minutes", "RefreshToken": "days"},
        ReadAttributes=["email", "custom:tenant"], WriteAttributes=["email"],
        EnableTokenRevocation=True, PreventUserExistenceErrors="ENABLED",
    )["UserPoolClient"]
    client_id = created["ClientId"]
    assert len(created["ClientSecret"]) >= 24
    described = admin.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)["UserPoolClient"]
    assert described["ClientSecret"] == created["ClientSecret"]
    assert described["AccessTokenValidity"] == 30 and described["TokenValidityUnits"]["AccessToken"] == "minutes"
    assert described["PreventUserExistenceErrors"] == "ENABLED"
    assert described["AllowedOAuthScopes"] == ["openid", "email", "https://api.example.com/read"]
    updated = admin.update_user_pool_client(UserPoolId=pool_id, ClientId=client_id, ClientName="web2",
                                            ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH"])["UserPoolClient"]
    assert updated["ClientName"] == "web2" and updated["ExplicitAuthFlows"] == ["ALLOW_ADMIN_USER_PASSWORD_AUTH"]
    assert updated["AccessTokenValidity"] == 1  # UpdateUserPoolClient replaces: back to the default
    with pytest.raises(admin.exceptions.InvalidParameterException):
        admin.update_user_pool_client(UserPoolId=pool_id, ClientId=client_id, AccessTokenValidity=2,
                                      TokenValidityUnits={"AccessToken": "days"})
    listed = admin.list_user_pool_clients(UserPoolId=pool_id, MaxResults=60)["UserPoolClients"]
    assert {"ClientId": client_id, "UserPoolId": pool_id, "ClientName": "web2"} in listed
    admin.delete_user_pool_client(UserPoolId=pool_id, ClientId=client_id)
    with pytest.raises(admin.exceptions.ResourceNotFoundException):
        admin.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)


# -- resource servers ---------------------------------------------------------------------------------------
def test_resource_server_lifecycle(admin, pool):
    pool_id = pool["Id"]
    created = admin.create_resource_server(
        UserPoolId=pool_id, Identifier="orders", Name="Orders API",
        Scopes=[{"ScopeName": "read", "ScopeDescription": "Read orders"}])["ResourceServer"]
    assert created == {"UserPoolId": pool_id, "Identifier": "orders", "Name": "Orders API",
                       "Scopes": [{"ScopeName": "read", "ScopeDescription": "Read orders"}]}
    with pytest.raises(admin.exceptions.InvalidParameterException):
        admin.create_resource_server(UserPoolId=pool_id, Identifier="orders", Name="again")
    with pytest.raises(admin.exceptions.InvalidParameterException):
        admin.create_resource_server(UserPoolId=pool_id, Identifier="bad", Name="bad",
                                     Scopes=[{"ScopeName": "a/b", "ScopeDescription": "slash"}])
    updated = admin.update_resource_server(
        UserPoolId=pool_id, Identifier="orders", Name="Orders",
        Scopes=[{"ScopeName": "read", "ScopeDescription": "r"}, {"ScopeName": "write", "ScopeDescription": "w"}],
    )["ResourceServer"]
    assert [s["ScopeName"] for s in updated["Scopes"]] == ["read", "write"]
    assert admin.describe_resource_server(UserPoolId=pool_id, Identifier="orders")["ResourceServer"] == updated
    listed = admin.list_resource_servers(UserPoolId=pool_id, MaxResults=50)["ResourceServers"]
    assert "orders" in {s["Identifier"] for s in listed}
    admin.delete_resource_server(UserPoolId=pool_id, Identifier="orders")
    with pytest.raises(admin.exceptions.ResourceNotFoundException):
        admin.describe_resource_server(UserPoolId=pool_id, Identifier="orders")


# -- users and groups -----------------------------------------------------------------------------------
def test_users_and_groups(live, admin, public, pool):
    pool_id = pool["Id"]
    created = admin.admin_create_user(
        UserPoolId=pool_id, Username="alice", TemporaryPassword="Temp-Pass-1234", MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": "alice@example.com"}, {"Name": "custom:tenant", "Value": "t1"}],
    )["User"]
    assert created["Username"] == "alice" and created["UserStatus"] == "FORCE_CHANGE_PASSWORD" and created["Enabled"]
    attrs = {a["Name"]: a["Value"] for a in created["Attributes"]}
    assert attrs["custom:tenant"] == "t1" and attrs["email"] == "alice@example.com" and attrs["sub"]
    with pytest.raises(admin.exceptions.UsernameExistsException):
        admin.admin_create_user(UserPoolId=pool_id, Username="ALICE", MessageAction="SUPPRESS")
    with pytest.raises(admin.exceptions.InvalidPasswordException):
        admin.admin_create_user(UserPoolId=pool_id, Username="weak", TemporaryPassword="short1A!",
                                MessageAction="SUPPRESS")
    with pytest.raises(admin.exceptions.InvalidParameterException):
        admin.admin_create_user(UserPoolId=pool_id, Username="nosuchattr", MessageAction="SUPPRESS",
                                UserAttributes=[{"Name": "custom:nope", "Value": "x"}])

    # Without SUPPRESS the invitation (temporary password) goes to the outbox, not to a mailbox.
    admin.admin_create_user(UserPoolId=pool_id, Username="bob",
                            UserAttributes=[{"Name": "email", "Value": "bob@example.com"}])
    [invitation] = outbox(live, pool_id, "bob")
    assert invitation["purpose"] == "invitation" and invitation["attribute"] == "email"
    assert len(invitation["code"]) >= 10

    admin.admin_update_user_attributes(UserPoolId=pool_id, Username="alice",
                                       UserAttributes=[{"Name": "name", "Value": "Alice A."}])
    admin.admin_delete_user_attributes(UserPoolId=pool_id, Username="alice", UserAttributeNames=["custom:tenant"])
    admin.admin_set_user_password(UserPoolId=pool_id, Username="alice", Password=PASSWORD, Permanent=True)
    got = admin.admin_get_user(UserPoolId=pool_id, Username="alice")
    got_attrs = {a["Name"]: a["Value"] for a in got["UserAttributes"]}
    assert got["UserStatus"] == "CONFIRMED" and got_attrs["name"] == "Alice A." and "custom:tenant" not in got_attrs
    admin.admin_disable_user(UserPoolId=pool_id, Username="alice")
    assert admin.admin_get_user(UserPoolId=pool_id, Username="alice")["Enabled"] is False
    admin.admin_enable_user(UserPoolId=pool_id, Username="alice")
    assert admin.admin_get_user(UserPoolId=pool_id, Username="alice")["Enabled"] is True

    # ListUsers: Filter and pagination tokens
    found = admin.list_users(UserPoolId=pool_id, Filter='email ^= "alice"')["Users"]
    assert [u["Username"] for u in found] == ["alice"]
    first = admin.list_users(UserPoolId=pool_id, Limit=1, AttributesToGet=["email"])
    assert len(first["Users"]) == 1 and {a["Name"] for a in first["Users"][0]["Attributes"]} <= {"email"}
    second = admin.list_users(UserPoolId=pool_id, Limit=1, PaginationToken=first["PaginationToken"])
    assert {first["Users"][0]["Username"], second["Users"][0]["Username"]} == {"alice", "bob"}
    with pytest.raises(admin.exceptions.InvalidParameterException):
        admin.list_users(UserPoolId=pool_id, Filter='email ~ "x"')

    # Groups
    group = admin.create_group(UserPoolId=pool_id, GroupName="admins", Description="Admins", Precedence=1)["Group"]
    assert group["GroupName"] == "admins" and group["Precedence"] == 1
    with pytest.raises(admin.exceptions.GroupExistsException):
        admin.create_group(UserPoolId=pool_id, GroupName="admins")
    admin.create_group(UserPoolId=pool_id, GroupName="readers")
    assert admin.update_group(UserPoolId=pool_id, GroupName="readers", Precedence=5)["Group"]["Precedence"] == 5
    assert admin.get_group(UserPoolId=pool_id, GroupName="admins")["Group"]["Description"] == "Admins"
    assert {g["GroupName"] for g in admin.list_groups(UserPoolId=pool_id)["Groups"]} == {"admins", "readers"}
    admin.admin_add_user_to_group(UserPoolId=pool_id, Username="alice", GroupName="admins")
    admin.admin_add_user_to_group(UserPoolId=pool_id, Username="alice", GroupName="readers")
    first = admin.admin_list_groups_for_user(UserPoolId=pool_id, Username="alice", Limit=1)
    assert [g["GroupName"] for g in first["Groups"]] == ["admins"]  # lowest precedence first
    rest = admin.admin_list_groups_for_user(UserPoolId=pool_id, Username="alice", NextToken=first["NextToken"])
    assert [g["GroupName"] for g in rest["Groups"]] == ["readers"] and "NextToken" not in rest
    members = admin.list_users_in_group(UserPoolId=pool_id, GroupName="admins")["Users"]
    assert [u["Username"] for u in members] == ["alice"]
    admin.admin_remove_user_from_group(UserPoolId=pool_id, Username="alice", GroupName="readers")
    assert [g["GroupName"] for g in admin.admin_list_groups_for_user(UserPoolId=pool_id, Username="alice")["Groups"]] \
        == ["admins"]
    admin.delete_group(UserPoolId=pool_id, GroupName="readers")
    with pytest.raises(admin.exceptions.ResourceNotFoundException):
        admin.get_group(UserPoolId=pool_id, GroupName="readers")

    # AdminConfirmSignUp after a SignUp; AdminDeleteUser
    client = admin.create_user_pool_client(UserPoolId=pool_id, ClientName="signup")["UserPoolClient"]
    public.sign_up(ClientId=client["ClientId"], Username="carol", Password=PASSWORD,
                   UserAttributes=[{"Name": "email", "Value": "carol@example.com"}])
    assert [m["purpose"] for m in outbox(live, pool_id, "carol")] == ["confirm_sign_up"]
    admin.admin_confirm_sign_up(UserPoolId=pool_id, Username="carol")
    assert admin.admin_get_user(UserPoolId=pool_id, Username="carol")["UserStatus"] == "CONFIRMED"
    assert outbox(live, pool_id, "carol") == []
    with pytest.raises(admin.exceptions.NotAuthorizedException):
        admin.admin_confirm_sign_up(UserPoolId=pool_id, Username="carol")
    admin.admin_delete_user(UserPoolId=pool_id, Username="carol")
    with pytest.raises(admin.exceptions.UserNotFoundException):
        admin.admin_get_user(UserPoolId=pool_id, Username="carol")
    assert ADMIN_SECRET not in live.log() and "alice@example.com" not in live.log()


def test_an_email_signs_in_one_user_only(admin, public):
    """A pool that signs in with e-mail: a taken address is UsernameExistsException on SignUp and
    AdminCreateUser, AliasExistsException on AdminUpdateUserAttributes (400, Cognito's message);
    UpdateUserPool keeps the sign-in options (not members of UpdateUserPoolRequest)."""
    pool_id = admin.create_user_pool(PoolName="by-email", UsernameAttributes=["email"],
                                     Policies={"PasswordPolicy": {"MinimumLength": 10}})["UserPool"]["Id"]
    client = admin.create_user_pool_client(UserPoolId=pool_id, ClientName="app")["UserPoolClient"]["ClientId"]
    public.sign_up(ClientId=client, Username="dana@example.com", Password=PASSWORD)
    with pytest.raises(public.exceptions.UsernameExistsException) as signed_up:
        public.sign_up(ClientId=client, Username="dana@example.com", Password=PASSWORD)
    assert signed_up.value.response["Error"]["Message"] == "An account with the given email already exists."
    with pytest.raises(admin.exceptions.UsernameExistsException):
        admin.admin_create_user(UserPoolId=pool_id, Username="dana@example.com", MessageAction="SUPPRESS")
    eve = admin.admin_create_user(UserPoolId=pool_id, Username="eve@example.com", MessageAction="SUPPRESS")["User"]
    with pytest.raises(admin.exceptions.AliasExistsException) as changed:
        admin.admin_update_user_attributes(UserPoolId=pool_id, Username="eve@example.com",
                                           UserAttributes=[{"Name": "email", "Value": "dana@example.com"}])
    assert changed.value.response["Error"]["Message"] == "An account with the given email already exists."
    assert changed.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert admin.admin_get_user(UserPoolId=pool_id, Username="eve@example.com")["Username"] == eve["Username"]
    admin.update_user_pool(UserPoolId=pool_id, AutoVerifiedAttributes=["email"])
    assert admin.describe_user_pool(UserPoolId=pool_id)["UserPool"]["UsernameAttributes"] == ["email"]
    admin.delete_user_pool(UserPoolId=pool_id)
