"""boto3 drives the user's own operations: SignUp / ConfirmSignUp / ResendConfirmationCode (codes read
from the outbox, as `authpool outbox` shows them), ForgotPassword / ConfirmForgotPassword, and with an access token
GetUser, UpdateUserAttributes, ChangePassword, DeleteUser; the bound on codes requested."""

from __future__ import annotations

import boto3
import pytest
from botocore import UNSIGNED
from botocore.config import Config
from tests.interop.boto3_support import PASSWORD, authpool_cli, outbox, secret_hash

NEW_PASSWORD = "Battery-Staple-77"


@pytest.fixture(scope="module")
def pool(admin):
    return admin.create_user_pool(PoolName="self-service", AutoVerifiedAttributes=["email"],
                                  Schema=[{"Name": "email", "AttributeDataType": "String", "Required": True,
                                           "Mutable": True}])["UserPool"]["Id"]


@pytest.fixture(scope="module")
def app(admin, pool):
    return admin.create_user_pool_client(UserPoolId=pool, ClientName="app",
                                         ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
                                         WriteAttributes=["email", "name"])["UserPoolClient"]["ClientId"]


def _code(live, pool, user, purpose):
    [message] = [m for m in outbox(live, pool, user) if m["purpose"] == purpose]
    return message["code"]


def _sign_in(public, app, username, password):
    return public.initiate_auth(ClientId=app, AuthFlow="USER_PASSWORD_AUTH",
                                AuthParameters={"USERNAME": username, "PASSWORD": password})["AuthenticationResult"]


def test_sign_up_and_confirm_with_a_code_from_the_outbox(live, public, admin, pool, app):
    signed = public.sign_up(ClientId=app, Username="bob", Password=PASSWORD,
                            UserAttributes=[{"Name": "email", "Value": "bob@example.com"}])
    assert signed["UserConfirmed"] is False and signed["UserSub"]
    assert signed["CodeDeliveryDetails"] == {"Destination": "b***@e***", "DeliveryMedium": "EMAIL",
                                             "AttributeName": "email"}
    with pytest.raises(public.exceptions.UserNotConfirmedException):
        _sign_in(public, app, "bob", PASSWORD)
    first = _code(live, pool, "bob", "confirm_sign_up")
    assert len(first) == 6 and first.isdigit()
    public.resend_confirmation_code(ClientId=app, Username="bob")
    second = _code(live, pool, "bob", "confirm_sign_up")
    if second != first:  # the new code replaces the old one
        with pytest.raises(public.exceptions.CodeMismatchException):
            public.confirm_sign_up(ClientId=app, Username="bob", ConfirmationCode=first)
    with pytest.raises(public.exceptions.CodeMismatchException):
        public.confirm_sign_up(ClientId=app, Username="bob", ConfirmationCode="not-it")
    public.confirm_sign_up(ClientId=app, Username="bob", ConfirmationCode=second)
    user = admin.admin_get_user(UserPoolId=pool, Username="bob")
    assert user["UserStatus"] == "CONFIRMED"
    assert {a["Name"]: a["Value"] for a in user["UserAttributes"]}["email_verified"] == "true"
    with pytest.raises(public.exceptions.NotAuthorizedException):  # already confirmed
        public.confirm_sign_up(ClientId=app, Username="bob", ConfirmationCode=second)
    with pytest.raises(public.exceptions.InvalidParameterException):
        public.resend_confirmation_code(ClientId=app, Username="bob")


def test_sign_up_refusals(public, admin, pool, app):
    with pytest.raises(public.exceptions.UsernameExistsException):
        public.sign_up(ClientId=app, Username="BOB", Password=PASSWORD,
                       UserAttributes=[{"Name": "email", "Value": "b2@example.com"}])
    with pytest.raises(public.exceptions.InvalidPasswordException):
        public.sign_up(ClientId=app, Username="weak", Password="password",
                       UserAttributes=[{"Name": "email", "Value": "w@example.com"}])
    with pytest.raises(public.exceptions.InvalidParameterException):  # email is required in this pool
        public.sign_up(ClientId=app, Username="noemail", Password=PASSWORD)
    with pytest.raises(public.exceptions.NotAuthorizedException):  # not in the client's WriteAttributes
        public.sign_up(ClientId=app, Username="sneaky", Password=PASSWORD,
                       UserAttributes=[{"Name": "email", "Value": "s@example.com"},
                                       {"Name": "email_verified", "Value": "true"}])
    confidential = admin.create_user_pool_client(UserPoolId=pool, ClientName="secret",
                                                 GenerateSecret=True)["UserPoolClient"]
    with pytest.raises(public.exceptions.NotAuthorizedException):
        public.sign_up(ClientId=confidential["ClientId"], Username="carl", Password=PASSWORD,
                       UserAttributes=[{"Name": "email", "Value": "c@example.com"}])
    ok = public.sign_up(ClientId=confidential["ClientId"], Username="carl", Password=PASSWORD,
                        SecretHash=secret_hash(confidential["ClientSecret"], "carl", confidential["ClientId"]),
                        UserAttributes=[{"Name": "email", "Value": "c@example.com"}])
    assert ok["UserConfirmed"] is False
    with pytest.raises(public.exceptions.ResourceNotFoundException):
        public.sign_up(ClientId="unknownclient", Username="x", Password=PASSWORD)


def test_auto_confirm_pool(live, public, admin):
    pool = admin.create_user_pool(PoolName="auto")["UserPool"]["Id"]
    app = admin.create_user_pool_client(UserPoolId=pool, ClientName="app")["UserPoolClient"]["ClientId"]
    authpool_cli(live, "cognito", "auto-confirm", "on", "--pool", pool)
    signed = public.sign_up(ClientId=app, Username="quick", Password=PASSWORD)
    assert signed["UserConfirmed"] is True and "CodeDeliveryDetails" not in signed
    admin.update_user_pool(UserPoolId=pool, MfaConfiguration="OFF")  # a Cognito update keeps the setting
    assert public.sign_up(ClientId=app, Username="quick2", Password=PASSWORD)["UserConfirmed"] is True


def test_forgot_password(live, public, admin, pool, app):
    admin.admin_create_user(UserPoolId=pool, Username="fran", MessageAction="SUPPRESS", TemporaryPassword=PASSWORD,
                            UserAttributes=[{"Name": "email", "Value": "fran@example.com"}])
    with pytest.raises(public.exceptions.NotAuthorizedException):  # a temporary password cannot be reset
        public.forgot_password(ClientId=app, Username="fran")
    admin.admin_set_user_password(UserPoolId=pool, Username="fran", Password=PASSWORD, Permanent=True)
    sent = public.forgot_password(ClientId=app, Username="fran")["CodeDeliveryDetails"]
    assert sent["DeliveryMedium"] == "EMAIL" and sent["Destination"] == "f***@e***"
    code = _code(live, pool, "fran", "forgot_password")
    with pytest.raises(public.exceptions.CodeMismatchException):
        public.confirm_forgot_password(ClientId=app, Username="fran", ConfirmationCode="000000"
                                       if code != "000000" else "111111", Password=NEW_PASSWORD)
    with pytest.raises(public.exceptions.InvalidPasswordException):  # checked before the code is used
        public.confirm_forgot_password(ClientId=app, Username="fran", ConfirmationCode=code, Password="weakweak")
    public.confirm_forgot_password(ClientId=app, Username="fran", ConfirmationCode=code, Password=NEW_PASSWORD)
    with pytest.raises(public.exceptions.CodeMismatchException):  # single use
        public.confirm_forgot_password(ClientId=app, Username="fran", ConfirmationCode=code, Password=PASSWORD)
    assert _sign_in(public, app, "fran", NEW_PASSWORD)["AccessToken"]
    with pytest.raises(public.exceptions.UserNotFoundException):
        public.forgot_password(ClientId=app, Username="nobody")
    hiding = admin.create_user_pool_client(UserPoolId=pool, ClientName="hiding",
                                           PreventUserExistenceErrors="ENABLED")["UserPoolClient"]["ClientId"]
    fake = public.forgot_password(ClientId=hiding, Username="nobody")["CodeDeliveryDetails"]
    assert fake["DeliveryMedium"] == "EMAIL"  # looks like a real delivery
    with pytest.raises(public.exceptions.CodeMismatchException):
        public.confirm_forgot_password(ClientId=hiding, Username="nobody", ConfirmationCode="123456",
                                       Password=NEW_PASSWORD)


def test_code_requests_are_bounded_alike_for_known_and_unknown_users(live, admin, pool):
    """Five codes an hour per user and purpose (the default), then LimitExceededException; under
    PreventUserExistenceErrors an unknown name gets the same answers. No retries: boto3's legacy mode
    would retry LimitExceededException once."""
    once = boto3.client("cognito-idp", endpoint_url=live.base_url, region_name="us-east-1",
                        aws_access_key_id="unused", aws_secret_access_key="unused",
                        config=Config(retries={"total_max_attempts": 1}, signature_version=UNSIGNED))
    hiding = admin.create_user_pool_client(UserPoolId=pool, ClientName="bounded",
                                           PreventUserExistenceErrors="ENABLED")["UserPoolClient"]["ClientId"]
    admin.admin_create_user(UserPoolId=pool, Username="hank", MessageAction="SUPPRESS", TemporaryPassword=PASSWORD,
                            UserAttributes=[{"Name": "email", "Value": "hank@example.com"}])
    admin.admin_set_user_password(UserPoolId=pool, Username="hank", Password=PASSWORD, Permanent=True)

    def answers(username):
        out = []
        for _ in range(7):
            try:
                once.forgot_password(ClientId=hiding, Username=username)
                out.append("sent")
            except once.exceptions.LimitExceededException as exc:
                assert exc.response["Error"]["Message"] == "Attempt limit exceeded, please try after some time."
                assert exc.response["ResponseMetadata"]["HTTPStatusCode"] == 400
                out.append("limit")
        return out

    assert answers("hank") == answers("nobody-at-all") == ["sent"] * 5 + ["limit"] * 2
    assert len([m for m in outbox(live, pool, "hank") if m["purpose"] == "forgot_password"]) == 1
    once.sign_up(ClientId=hiding, Username="ivy", Password=PASSWORD,
                 UserAttributes=[{"Name": "email", "Value": "ivy@example.com"}])  # SignUp's code counts
    for _ in range(4):
        once.resend_confirmation_code(ClientId=hiding, Username="ivy")
    with pytest.raises(once.exceptions.LimitExceededException):
        once.resend_confirmation_code(ClientId=hiding, Username="ivy")


def test_the_user_manages_their_own_account_with_an_access_token(public, admin, pool, app):
    admin.admin_create_user(UserPoolId=pool, Username="gail", MessageAction="SUPPRESS", TemporaryPassword=PASSWORD,
                            UserAttributes=[{"Name": "email", "Value": "gail@example.com"}])
    admin.admin_set_user_password(UserPoolId=pool, Username="gail", Password=PASSWORD, Permanent=True)
    tokens = _sign_in(public, app, "gail", PASSWORD)
    access = tokens["AccessToken"]
    public.update_user_attributes(AccessToken=access, UserAttributes=[{"Name": "name", "Value": "Gail G."}])
    me = {a["Name"]: a["Value"] for a in public.get_user(AccessToken=access)["UserAttributes"]}
    assert me["name"] == "Gail G."
    with pytest.raises(public.exceptions.NotAuthorizedException):  # not in WriteAttributes
        public.update_user_attributes(AccessToken=access, UserAttributes=[{"Name": "locale", "Value": "fr"}])
    with pytest.raises(public.exceptions.NotAuthorizedException):
        public.update_user_attributes(AccessToken=tokens["IdToken"], UserAttributes=[{"Name": "name", "Value": "x"}])
    with pytest.raises(public.exceptions.NotAuthorizedException):
        public.change_password(AccessToken=access, PreviousPassword="Wrong-Horse-1", ProposedPassword=NEW_PASSWORD)
    with pytest.raises(public.exceptions.InvalidPasswordException):
        public.change_password(AccessToken=access, PreviousPassword=PASSWORD, ProposedPassword="weakweak")
    public.change_password(AccessToken=access, PreviousPassword=PASSWORD, ProposedPassword=NEW_PASSWORD)
    fresh = _sign_in(public, app, "gail", NEW_PASSWORD)
    public.delete_user(AccessToken=fresh["AccessToken"])
    with pytest.raises(admin.exceptions.UserNotFoundException):
        admin.admin_get_user(UserPoolId=pool, Username="gail")
    with pytest.raises(public.exceptions.NotAuthorizedException):
        public.get_user(AccessToken=fresh["AccessToken"])
