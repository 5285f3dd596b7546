"""boto3 drives sign-in: InitiateAuth / AdminInitiateAuth (password and refresh), the
NEW_PASSWORD_REQUIRED challenge, GetTokensFromRefreshToken with rotation, RevokeToken, sign-out,
and the Cognito rules around them (SECRET_HASH, ExplicitAuthFlows, disabled users,
PreventUserExistenceErrors, throttling). Tokens are checked with PyJWT against the pool's JWKS."""

from __future__ import annotations

import time

import jwt as pyjwt
import pytest
from tests.interop.boto3_support import PASSWORD, claims, error_code, header, secret_hash

ADMIN_SCOPE = "aws.cognito.signin.user.admin"
FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH"]


class World:
    """One pool, a public client, a client with a secret, a rotating client, and a few users."""

    def __init__(self, admin, live):
        self.pool = admin.create_user_pool(PoolName="auth-suite")["UserPool"]["Id"]
        self.issuer = f"{live.base_url}/{self.pool}"
        make = admin.create_user_pool_client
        self.app = make(UserPoolId=self.pool, ClientName="app", ExplicitAuthFlows=FLOWS)["UserPoolClient"]
        self.hidden = make(UserPoolId=self.pool, ClientName="hidden", ExplicitAuthFlows=FLOWS,
                           PreventUserExistenceErrors="ENABLED")["UserPoolClient"]
        self.confidential = make(
            UserPoolId=self.pool, ClientName="confidential", GenerateSecret=True, ExplicitAuthFlows=FLOWS,
            AllowedOAuthFlows=["code"], AllowedOAuthFlowsUserPoolClient=True, AllowedOAuthScopes=["openid", "email"],
            CallbackURLs=["https://app.example.com/cb"])["UserPoolClient"]
        self.rotating = make(UserPoolId=self.pool, ClientName="rotating", ExplicitAuthFlows=FLOWS,
                             RefreshTokenRotation={"Feature": "ENABLED", "RetryGracePeriodSeconds": 0})["UserPoolClient"]
        self.srp_only = make(UserPoolId=self.pool, ClientName="default-flows")["UserPoolClient"]
        self.jwks = pyjwt.PyJWKClient(f"{self.issuer}/.well-known/jwks.json")
        for name in ("alice", "dave", "erin"):
            admin.admin_create_user(UserPoolId=self.pool, Username=name, MessageAction="SUPPRESS",
                                    TemporaryPassword=PASSWORD,
                                    UserAttributes=[{"Name": "email", "Value": f"{name}@example.com"},
                                                    {"Name": "email_verified", "Value": "true"}])
            admin.admin_set_user_password(UserPoolId=self.pool, Username=name, Password=PASSWORD, Permanent=True)
        admin.create_group(UserPoolId=self.pool, GroupName="staff")
        admin.admin_add_user_to_group(UserPoolId=self.pool, Username="alice", GroupName="staff")

    def sign_in(self, client, username="alice", password=PASSWORD, app=None, **extra):
        app = app or self.app
        params = {"USERNAME": username, "PASSWORD": password, **extra}
        return client.initiate_auth(ClientId=app["ClientId"], AuthFlow="USER_PASSWORD_AUTH", AuthParameters=params)

    def verify(self, token: str, **options) -> dict:
        key = self.jwks.get_signing_key_from_jwt(token).key
        return pyjwt.decode(token, key, algorithms=["RS256"], issuer=self.issuer, **options)


@pytest.fixture(scope="module")
def world(admin, live):
    return World(admin, live)


@pytest.fixture(scope="module")
def alice(world, public):
    """One sign-in of alice, shared by the read-only checks."""
    return world.sign_in(public)["AuthenticationResult"]


def test_authentication_result_and_token_profiles(world, alice):
    assert set(alice) == {"AccessToken", "IdToken", "RefreshToken", "ExpiresIn", "TokenType"}
    assert alice["TokenType"] == "Bearer" and alice["ExpiresIn"] == 3600
    client_id = world.app["ClientId"]
    id_claims = world.verify(alice["IdToken"], audience=client_id)
    access = world.verify(alice["AccessToken"], options={"verify_aud": False})
    assert id_claims["aud"] == client_id and id_claims["email"] == "alice@example.com"
    assert id_claims["email_verified"] is True and id_claims["token_use"] == "id"
    assert id_claims["cognito:username"] == "alice" and id_claims["cognito:groups"] == ["staff"]
    assert "email" not in access and access.get("aud") != client_id and "aud" not in access
    assert access["client_id"] == client_id and access["token_use"] == "access" and access["username"] == "alice"
    assert access["scope"] == ADMIN_SCOPE  # API sign-in grants only this scope
    assert access["cognito:groups"] == ["staff"]
    assert access["origin_jti"] == id_claims["origin_jti"] and access["sub"] == id_claims["sub"]
    assert header(alice["AccessToken"])["kid"] != header(alice["IdToken"])["kid"]
    assert "RefreshToken" in alice and alice["RefreshToken"].count(".") == 0  # opaque


def test_get_user_takes_the_access_token_and_refuses_the_id_token(world, public, alice):
    me = public.get_user(AccessToken=alice["AccessToken"])
    assert me["Username"] == "alice"
    assert {a["Name"]: a["Value"] for a in me["UserAttributes"]}["email"] == "alice@example.com"
    with pytest.raises(public.exceptions.NotAuthorizedException) as excinfo:
        public.get_user(AccessToken=alice["IdToken"])
    assert "ID token" in str(excinfo.value)
    for garbage in ("x", "a.b.c", alice["AccessToken"][:-4] + "AAAA"):
        with pytest.raises(public.exceptions.NotAuthorizedException):
            public.get_user(AccessToken=garbage)


def test_scopes_stay_the_admin_scope_even_for_oauth_clients(world, public):
    client = world.confidential
    result = world.sign_in(public, app=client, SECRET_HASH=secret_hash(client["ClientSecret"], "alice",
                                                                       client["ClientId"]))
    assert claims(result["AuthenticationResult"]["AccessToken"])["scope"] == ADMIN_SCOPE


def test_secret_hash_is_required_and_checked(world, public):
    client = world.confidential
    with pytest.raises(public.exceptions.NotAuthorizedException):
        world.sign_in(public, app=client)
    with pytest.raises(public.exceptions.NotAuthorizedException):
        world.sign_in(public, app=client, SECRET_HASH=secret_hash("wrong-secret", "alice", client["ClientId"]))
    with pytest.raises(public.exceptions.NotAuthorizedException):  # hash of another user name
        world.sign_in(public, app=client, SECRET_HASH=secret_hash(client["ClientSecret"], "dave", client["ClientId"]))
    good = world.sign_in(public, app=client, SECRET_HASH=secret_hash(client["ClientSecret"], "alice",
                                                                     client["ClientId"]))["AuthenticationResult"]
    refresh = {"REFRESH_TOKEN": good["RefreshToken"]}
    with pytest.raises(public.exceptions.NotAuthorizedException):
        public.initiate_auth(ClientId=client["ClientId"], AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters=refresh)
    sub = claims(good["AccessToken"])["sub"]  # on refresh the hash may use the sub (e-mail sign-in pools)
    renewed = public.initiate_auth(ClientId=client["ClientId"], AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={
        **refresh, "SECRET_HASH": secret_hash(client["ClientSecret"], sub, client["ClientId"])})
    assert "AccessToken" in renewed["AuthenticationResult"]
    with pytest.raises(public.exceptions.NotAuthorizedException):
        public.get_tokens_from_refresh_token(ClientId=client["ClientId"], RefreshToken=good["RefreshToken"])
    ok = public.get_tokens_from_refresh_token(ClientId=client["ClientId"], RefreshToken=good["RefreshToken"],
                                              ClientSecret=client["ClientSecret"])
    assert "RefreshToken" not in ok["AuthenticationResult"]  # no rotation on this client


def test_explicit_auth_flows_are_enforced(world, public, admin):
    with pytest.raises(public.exceptions.InvalidParameterException) as excinfo:
        world.sign_in(public, app=world.srp_only)  # Cognito's default flows exclude USER_PASSWORD_AUTH
    assert "USER_PASSWORD_AUTH" in str(excinfo.value)
    with pytest.raises(public.exceptions.InvalidParameterException) as srp:
        public.initiate_auth(ClientId=world.app["ClientId"], AuthFlow="USER_SRP_AUTH",
                             AuthParameters={"USERNAME": "alice", "SRP_A": "abc"})
    assert "USER_SRP_AUTH flow not enabled" in str(srp.value)  # FLOWS has no ALLOW_USER_SRP_AUTH
    with pytest.raises(admin.exceptions.InvalidParameterException):
        admin.admin_initiate_auth(UserPoolId=world.pool, ClientId=world.srp_only["ClientId"],
                                  AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                  AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD})
    with pytest.raises(public.exceptions.InvalidParameterException):
        public.initiate_auth(ClientId=world.app["ClientId"], AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                             AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD})


def test_refresh_works_until_revoke_token(world, public):
    first = world.sign_in(public, username="dave")["AuthenticationResult"]
    refresh = {"REFRESH_TOKEN": first["RefreshToken"]}
    renewed = public.initiate_auth(ClientId=world.app["ClientId"], AuthFlow="REFRESH_TOKEN_AUTH",
                                   AuthParameters=refresh)["AuthenticationResult"]
    assert "RefreshToken" not in renewed  # REFRESH_TOKEN_AUTH returns no new refresh token
    old, new = claims(first["AccessToken"]), claims(renewed["AccessToken"])
    assert new["origin_jti"] == old["origin_jti"] and new["auth_time"] == old["auth_time"]
    assert new["jti"] != old["jti"]
    assert public.get_user(AccessToken=renewed["AccessToken"])["Username"] == "dave"
    with pytest.raises(public.exceptions.UnsupportedTokenTypeException):
        public.revoke_token(ClientId=world.app["ClientId"], Token=renewed["AccessToken"])
    public.revoke_token(ClientId=world.app["ClientId"], Token=first["RefreshToken"])
    with pytest.raises(public.exceptions.NotAuthorizedException):
        public.initiate_auth(ClientId=world.app["ClientId"], AuthFlow="REFRESH_TOKEN", AuthParameters=refresh)
    for token in (first["AccessToken"], renewed["AccessToken"]):  # access tokens of the session too
        with pytest.raises(public.exceptions.NotAuthorizedException) as excinfo:
            public.get_user(AccessToken=token)
        assert "revoked" in str(excinfo.value)
    public.revoke_token(ClientId=world.app["ClientId"], Token=first["RefreshToken"])  # again: not an error


def test_new_password_required_through_respond_to_auth_challenge(world, public, admin):
    admin.admin_create_user(UserPoolId=world.pool, Username="newbie", TemporaryPassword="Temp-Pass-123",
                            MessageAction="SUPPRESS", UserAttributes=[{"Name": "email", "Value": "n@example.com"}])
    challenge = world.sign_in(public, username="newbie", password="Temp-Pass-123")
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED" and len(challenge["Session"]) >= 20
    assert challenge["ChallengeParameters"]["USER_ID_FOR_SRP"] == "newbie"
    assert "AuthenticationResult" not in challenge
    respond = {"ClientId": world.app["ClientId"], "ChallengeName": "NEW_PASSWORD_REQUIRED",
               "Session": challenge["Session"]}
    with pytest.raises(public.exceptions.InvalidPasswordException):
        public.respond_to_auth_challenge(**respond, ChallengeResponses={"USERNAME": "newbie", "NEW_PASSWORD": "weak"})
    with pytest.raises(public.exceptions.NotAuthorizedException):  # the session belongs to newbie only
        public.respond_to_auth_challenge(**respond, ChallengeResponses={"USERNAME": "alice", "NEW_PASSWORD": PASSWORD})
    done = public.respond_to_auth_challenge(**respond, ChallengeResponses={
        "USERNAME": "newbie", "NEW_PASSWORD": PASSWORD, "userAttributes.name": "New Bie"})
    tokens = done["AuthenticationResult"]
    assert claims(tokens["IdToken"])["name"] == "New Bie" and tokens["RefreshToken"]
    assert admin.admin_get_user(UserPoolId=world.pool, Username="newbie")["UserStatus"] == "CONFIRMED"
    with pytest.raises(public.exceptions.NotAuthorizedException):  # a session answers once
        public.respond_to_auth_challenge(**respond, ChallengeResponses={"USERNAME": "newbie", "NEW_PASSWORD": PASSWORD})


def test_admin_initiate_auth_and_admin_respond(world, admin):
    admin.admin_create_user(UserPoolId=world.pool, Username="backend-user", TemporaryPassword="Temp-Pass-123",
                            MessageAction="SUPPRESS")
    started = admin.admin_initiate_auth(UserPoolId=world.pool, ClientId=world.app["ClientId"],
                                        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                        AuthParameters={"USERNAME": "backend-user", "PASSWORD": "Temp-Pass-123"})
    assert started["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    done = admin.admin_respond_to_auth_challenge(
        UserPoolId=world.pool, ClientId=world.app["ClientId"], ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=started["Session"], ChallengeResponses={"USERNAME": "backend-user", "NEW_PASSWORD": PASSWORD})
    refresh_token = done["AuthenticationResult"]["RefreshToken"]
    renewed = admin.admin_initiate_auth(UserPoolId=world.pool, ClientId=world.app["ClientId"],
                                        AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={"REFRESH_TOKEN": refresh_token})
    assert claims(renewed["AuthenticationResult"]["IdToken"])["cognito:username"] == "backend-user"
    with pytest.raises(admin.exceptions.ResourceNotFoundException):  # the client must be in the named pool
        admin.admin_initiate_auth(UserPoolId="us-east-1_Other1234", ClientId=world.app["ClientId"],
                                  AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                  AuthParameters={"USERNAME": "backend-user", "PASSWORD": PASSWORD})


def test_disabled_users_cannot_sign_in_and_their_refresh_tokens_stop(world, public, admin):
    tokens = world.sign_in(public, username="erin")["AuthenticationResult"]
    admin.admin_disable_user(UserPoolId=world.pool, Username="erin")
    with pytest.raises(public.exceptions.NotAuthorizedException) as excinfo:
        world.sign_in(public, username="erin")
    assert "disabled" in str(excinfo.value)
    with pytest.raises(public.exceptions.NotAuthorizedException):
        public.initiate_auth(ClientId=world.app["ClientId"], AuthFlow="REFRESH_TOKEN_AUTH",
                             AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]})
    with pytest.raises(public.exceptions.NotAuthorizedException):
        public.get_user(AccessToken=tokens["AccessToken"])
    admin.admin_enable_user(UserPoolId=world.pool, Username="erin")
    with pytest.raises(public.exceptions.NotAuthorizedException):  # re-enabling does not revive old sessions
        public.initiate_auth(ClientId=world.app["ClientId"], AuthFlow="REFRESH_TOKEN_AUTH",
                             AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]})


def test_global_sign_out_and_admin_global_sign_out(world, public, admin):
    mine = world.sign_in(public, username="dave")["AuthenticationResult"]
    public.global_sign_out(AccessToken=mine["AccessToken"])
    for call in (lambda: public.get_user(AccessToken=mine["AccessToken"]),
                 lambda: public.initiate_auth(ClientId=world.app["ClientId"], AuthFlow="REFRESH_TOKEN_AUTH",
                                              AuthParameters={"REFRESH_TOKEN": mine["RefreshToken"]})):
        with pytest.raises(public.exceptions.NotAuthorizedException):
            call()
    again = world.sign_in(public, username="dave")["AuthenticationResult"]
    assert public.get_user(AccessToken=again["AccessToken"])["Username"] == "dave"  # new sessions work
    admin.admin_user_global_sign_out(UserPoolId=world.pool, Username="dave")
    with pytest.raises(public.exceptions.NotAuthorizedException):
        public.get_user(AccessToken=again["AccessToken"])


def test_get_tokens_from_refresh_token_rotates_and_detects_reuse(world, public, admin):
    client_id = world.rotating["ClientId"]
    first = world.sign_in(public, username="alice", app=world.rotating)["AuthenticationResult"]
    with pytest.raises(public.exceptions.InvalidParameterException):  # rotation means GetTokensFromRefreshToken
        public.initiate_auth(ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                             AuthParameters={"REFRESH_TOKEN": first["RefreshToken"]})
    second = public.get_tokens_from_refresh_token(ClientId=client_id, RefreshToken=first["RefreshToken"])
    rotated = second["AuthenticationResult"]["RefreshToken"]
    assert rotated != first["RefreshToken"]
    with pytest.raises(public.exceptions.RefreshTokenReuseException):
        public.get_tokens_from_refresh_token(ClientId=client_id, RefreshToken=first["RefreshToken"])
    with pytest.raises(public.exceptions.NotAuthorizedException):  # reuse revoked the whole session
        public.get_tokens_from_refresh_token(ClientId=client_id, RefreshToken=rotated)

    admin.update_user_pool_client(UserPoolId=world.pool, ClientId=client_id, ExplicitAuthFlows=FLOWS,
                                  RefreshTokenRotation={"Feature": "ENABLED", "RetryGracePeriodSeconds": 60})
    fresh = world.sign_in(public, username="alice", app=world.rotating)["AuthenticationResult"]
    one = public.get_tokens_from_refresh_token(ClientId=client_id, RefreshToken=fresh["RefreshToken"])
    retry = public.get_tokens_from_refresh_token(ClientId=client_id, RefreshToken=fresh["RefreshToken"])
    assert one["AuthenticationResult"]["AccessToken"] and retry["AuthenticationResult"]["AccessToken"]


def test_prevent_user_existence_errors(world, public):
    with pytest.raises(public.exceptions.UserNotFoundException):  # LEGACY, Cognito's default
        world.sign_in(public, username="nobody-here")
    timings: dict[str, float] = {}
    for _ in range(2):
        for name, password in (("nobody-here", PASSWORD), ("alice", "Wrong-Horse-42")):
            started = time.perf_counter()
            with pytest.raises(public.exceptions.NotAuthorizedException) as excinfo:
                world.sign_in(public, username=name, password=password, app=world.hidden)
            timings[name] = min(timings.get(name, 1e9), time.perf_counter() - started)
            assert excinfo.value.response["Error"]["Message"] == "Incorrect username or password."
    ratio = timings["nobody-here"] / timings["alice"]
    assert 0.25 < ratio < 4, timings  # both spend one argon2 verification (loose: CI machines are noisy)


def test_repeated_failures_are_throttled_without_locking_the_user_out(world, public, admin):
    admin.admin_create_user(UserPoolId=world.pool, Username="target", MessageAction="SUPPRESS",
                            TemporaryPassword=PASSWORD)
    admin.admin_set_user_password(UserPoolId=world.pool, Username="target", Password=PASSWORD, Permanent=True)
    for _ in range(5):
        with pytest.raises(public.exceptions.NotAuthorizedException) as excinfo:
            world.sign_in(public, username="target", password="Wrong-Horse-42")
        assert error_code(excinfo) == "NotAuthorizedException"
    with pytest.raises(public.exceptions.NotAuthorizedException) as locked:
        world.sign_in(public, username="target")  # even the right password, for now
    assert locked.value.response["Error"]["Message"] == "Password attempts exceeded"
    time.sleep(1.1)  # 2^(5-5) = 1 second, then it lifts by itself
    assert world.sign_in(public, username="target")["AuthenticationResult"]["AccessToken"]


def test_a_pre_token_hook_set_with_update_user_pool_runs_on_api_sign_in(public, admin):
    pool = admin.create_user_pool(PoolName="hooked", Schema=[{"Name": "tenant", "AttributeDataType": "String"}],
                                  Policies={"PasswordPolicy": {"MinimumLength": 8}})["UserPool"]["Id"]
    admin.update_user_pool(UserPoolId=pool, LambdaConfig={"PreTokenGenerationConfig": {
        "LambdaVersion": "V2_0", "LambdaArn": "python:tests.interop.cognito_hook:handler"}})
    assert admin.describe_user_pool(UserPoolId=pool)["UserPool"]["Policies"]["PasswordPolicy"]["MinimumLength"] == 8
    app = admin.create_user_pool_client(UserPoolId=pool, ClientName="app", ExplicitAuthFlows=FLOWS)["UserPoolClient"]
    for name, tenant in (("hank", "acme"), ("ivy", "blocked")):
        admin.admin_create_user(UserPoolId=pool, Username=name, MessageAction="SUPPRESS", TemporaryPassword=PASSWORD,
                                UserAttributes=[{"Name": "email", "Value": f"{name}@example.com"},
                                                {"Name": "custom:tenant", "Value": tenant}])
        admin.admin_set_user_password(UserPoolId=pool, Username=name, Password=PASSWORD, Permanent=True)
    tokens = public.initiate_auth(ClientId=app["ClientId"], AuthFlow="USER_PASSWORD_AUTH",
                                  AuthParameters={"USERNAME": "hank", "PASSWORD": PASSWORD})["AuthenticationResult"]
    access = claims(tokens["AccessToken"])
    assert access["tenant"] == "acme" and access["scope"].split() == [ADMIN_SCOPE, "orders/read"]
    assert "email" not in claims(tokens["IdToken"])
    with pytest.raises(public.exceptions.UserLambdaValidationException) as excinfo:  # fails closed
        admin.admin_initiate_auth(UserPoolId=pool, ClientId=app["ClientId"], AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                  AuthParameters={"USERNAME": "ivy", "PASSWORD": PASSWORD})
    assert "tenant is blocked" in str(excinfo.value)
