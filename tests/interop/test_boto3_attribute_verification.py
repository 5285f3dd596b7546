"""boto3 drives attribute verification against a live server (SQLite and PostgreSQL), codes read from
the outbox as `authpool outbox` shows them: GetUserAttributeVerificationCode, VerifyUserAttribute, the
code UpdateUserAttributes sends for a new e-mail, AttributesRequireVerificationBeforeUpdate, the sign-in
alias a verified e-mail becomes (AliasExistsException when taken) and DeleteUserAttributes."""

from __future__ import annotations

import boto3
import pytest
from botocore import UNSIGNED
from botocore.config import Config
from tests.interop.boto3_support import PASSWORD, outbox


@pytest.fixture(scope="module")
def pool(admin):
    return admin.create_user_pool(PoolName="verify", AutoVerifiedAttributes=["email"], AliasAttributes=["email"],
                                  Schema=[{"Name": "email", "AttributeDataType": "String", "Required": True,
                                           "Mutable": True}])["UserPool"]["Id"]


@pytest.fixture(scope="module")
def app(admin, pool):
    return admin.create_user_pool_client(UserPoolId=pool, ClientName="app", ExplicitAuthFlows=[
        "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        WriteAttributes=["email", "name", "phone_number"])["UserPoolClient"]["ClientId"]


def _user(admin, pool, username, email, **more):
    attributes = [{"Name": "email", "Value": email}, *({"Name": k, "Value": v} for k, v in more.items())]
    admin.admin_create_user(UserPoolId=pool, Username=username, MessageAction="SUPPRESS",
                            TemporaryPassword=PASSWORD, UserAttributes=attributes)
    admin.admin_set_user_password(UserPoolId=pool, Username=username, Password=PASSWORD, Permanent=True)


def _no_retries(live):
    """boto3 retries LimitExceededException once even with max_attempts 1 (legacy mode): not here."""
    return boto3.client("cognito-idp", endpoint_url=live.base_url, region_name="us-east-1",
                        aws_access_key_id="unused", aws_secret_access_key="unused",
                        config=Config(retries={"total_max_attempts": 1}, signature_version=UNSIGNED))


def _access(public, app, username):
    return public.initiate_auth(ClientId=app, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={
        "USERNAME": username, "PASSWORD": PASSWORD})["AuthenticationResult"]["AccessToken"]


def _code(live, pool, user):
    [message] = [m for m in outbox(live, pool, user) if m["purpose"] == "verify_email"]
    return message


def _me(public, access):
    return {a["Name"]: a["Value"] for a in public.get_user(AccessToken=access)["UserAttributes"]}


def test_verify_an_email_with_a_code(live, public, admin, pool, app):
    _user(admin, pool, "uma", "uma@example.com")
    access = _access(public, app, "uma")
    with pytest.raises(public.exceptions.UserNotFoundException):  # not an alias until verified
        _access(public, app, "uma@example.com")
    sent = public.get_user_attribute_verification_code(AccessToken=access, AttributeName="email")
    assert sent["CodeDeliveryDetails"] == {"Destination": "u***@e***", "DeliveryMedium": "EMAIL",
                                           "AttributeName": "email"}
    message = _code(live, pool, "uma")
    assert message["attribute"] == "email" and len(message["code"]) == 6
    wrong = "000000" if message["code"] != "000000" else "111111"
    with pytest.raises(public.exceptions.CodeMismatchException):
        public.verify_user_attribute(AccessToken=access, AttributeName="email", Code=wrong)
    public.verify_user_attribute(AccessToken=access, AttributeName="email", Code=message["code"])  # raises if refused
    assert _me(public, access)["email_verified"] == "true"
    with pytest.raises(public.exceptions.ExpiredCodeException):  # single use
        public.verify_user_attribute(AccessToken=access, AttributeName="email", Code=message["code"])
    assert _access(public, app, "uma@example.com")  # the verified e-mail signs her in now
    with pytest.raises(public.exceptions.InvalidParameterException, match="Only phone_number and email"):
        public.get_user_attribute_verification_code(AccessToken=access, AttributeName="name")
    with pytest.raises(public.exceptions.InvalidParameterException, match="valid registered phone number"):
        public.get_user_attribute_verification_code(AccessToken=access, AttributeName="phone_number")
    with pytest.raises(public.exceptions.NotAuthorizedException):
        public.verify_user_attribute(AccessToken="not.a.token", AttributeName="email", Code="123456")


def test_wrong_guesses_burn_the_code(live, public, admin, pool, app):
    _user(admin, pool, "burt", "burt@example.com")
    access = _access(public, app, "burt")
    public.get_user_attribute_verification_code(AccessToken=access, AttributeName="email")
    code = _code(live, pool, "burt")["code"]
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        with pytest.raises(public.exceptions.CodeMismatchException):
            public.verify_user_attribute(AccessToken=access, AttributeName="email", Code=wrong)
    once = _no_retries(live)
    with pytest.raises(once.exceptions.LimitExceededException):
        once.verify_user_attribute(AccessToken=access, AttributeName="email", Code=code)
    with pytest.raises(public.exceptions.ExpiredCodeException):  # burned
        public.verify_user_attribute(AccessToken=access, AttributeName="email", Code=code)


def test_a_new_email_gets_a_code_and_a_taken_one_is_refused(live, public, admin, pool, app):
    _user(admin, pool, "val", "val@example.com", email_verified="true")
    _user(admin, pool, "wes", "wes@example.com", email_verified="true")
    access = _access(public, app, "wes")
    changed = public.update_user_attributes(AccessToken=access, UserAttributes=[
        {"Name": "email", "Value": "val@example.com"}])  # val's sign-in alias, but not verified here yet
    assert changed["CodeDeliveryDetailsList"] == [{"Destination": "v***@e***", "DeliveryMedium": "EMAIL",
                                                   "AttributeName": "email"}]
    me = _me(public, access)
    assert (me["email"], me["email_verified"]) == ("val@example.com", "false")
    code = _code(live, pool, "wes")["code"]
    with pytest.raises(public.exceptions.AliasExistsException):
        public.verify_user_attribute(AccessToken=access, AttributeName="email", Code=code)
    assert _me(public, access)["email_verified"] == "false"
    with pytest.raises(public.exceptions.NotAuthorizedException):  # not in the client's WriteAttributes
        public.update_user_attributes(AccessToken=access, UserAttributes=[
            {"Name": "email_verified", "Value": "true"}])
    unrestricted = admin.create_user_pool_client(UserPoolId=pool, ClientName="open", ExplicitAuthFlows=[
        "ALLOW_USER_PASSWORD_AUTH"])["UserPoolClient"]["ClientId"]
    with pytest.raises(public.exceptions.InvalidParameterException, match="email_verified"):  # nor by any client
        public.update_user_attributes(AccessToken=_access(public, unrestricted, "wes"), UserAttributes=[
            {"Name": "email_verified", "Value": "true"}])
    changed = public.update_user_attributes(AccessToken=access, UserAttributes=[
        {"Name": "email", "Value": "wes2@example.com"}])
    assert changed["CodeDeliveryDetailsList"][0]["Destination"] == "w***@e***"
    public.verify_user_attribute(AccessToken=access, AttributeName="email", Code=_code(live, pool, "wes")["code"])
    assert _access(public, app, "wes2@example.com")
    # an administrator marking the address verified sends nothing
    admin.admin_update_user_attributes(UserPoolId=pool, Username="wes", UserAttributes=[
        {"Name": "email", "Value": "wes3@example.com"}, {"Name": "email_verified", "Value": "true"}])
    assert [m for m in outbox(live, pool, "wes") if m["purpose"] == "verify_email"] == []
    assert _access(public, app, "wes3@example.com")
    admin.admin_update_user_attributes(UserPoolId=pool, Username="wes", UserAttributes=[
        {"Name": "email", "Value": "wes4@example.com"}])  # without it, a code as for the user
    assert _code(live, pool, "wes")["attribute"] == "email"


def test_keep_the_original_until_the_new_email_is_verified(live, public, admin):
    pool = admin.create_user_pool(PoolName="keep", AutoVerifiedAttributes=["email"], UsernameAttributes=["email"],
                                  UserAttributeUpdateSettings={
                                      "AttributesRequireVerificationBeforeUpdate": ["email"]})["UserPool"]["Id"]
    described = admin.describe_user_pool(UserPoolId=pool)["UserPool"]
    assert described["UserAttributeUpdateSettings"] == {"AttributesRequireVerificationBeforeUpdate": ["email"]}
    app = admin.create_user_pool_client(UserPoolId=pool, ClientName="app", ExplicitAuthFlows=[
        "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]["ClientId"]
    admin.admin_create_user(UserPoolId=pool, Username="kim@example.com", MessageAction="SUPPRESS",
                            TemporaryPassword=PASSWORD, UserAttributes=[{"Name": "email_verified", "Value": "true"}])
    admin.admin_set_user_password(UserPoolId=pool, Username="kim@example.com", Password=PASSWORD, Permanent=True)
    access = _access(public, app, "kim@example.com")
    changed = public.update_user_attributes(AccessToken=access, UserAttributes=[
        {"Name": "email", "Value": "kim.new@example.com"}])
    assert changed["CodeDeliveryDetailsList"][0]["Destination"] == "k***@e***"
    me = _me(public, access)
    assert (me["email"], me["email_verified"]) == ("kim@example.com", "true")  # still in effect
    assert _access(public, app, "kim@example.com")
    with pytest.raises(public.exceptions.UserNotFoundException):
        _access(public, app, "kim.new@example.com")
    [user] = [m["username"] for m in outbox(live, pool) if m["purpose"] == "verify_email"]
    public.verify_user_attribute(AccessToken=access, AttributeName="email", Code=_code(live, pool, user)["code"])
    me = _me(public, access)
    assert (me["email"], me["email_verified"]) == ("kim.new@example.com", "true")
    assert _access(public, app, "kim.new@example.com")


def test_delete_own_attributes(public, admin, pool, app):
    _user(admin, pool, "dot", "dot@example.com", name="Dot", locale="fr")
    access = _access(public, app, "dot")
    public.delete_user_attributes(AccessToken=access, UserAttributeNames=["name"])  # raises if refused
    assert "name" not in _me(public, access)
    with pytest.raises(public.exceptions.InvalidParameterException):  # required in this pool
        public.delete_user_attributes(AccessToken=access, UserAttributeNames=["email"])
    with pytest.raises(public.exceptions.NotAuthorizedException):  # outside the client's WriteAttributes
        public.delete_user_attributes(AccessToken=access, UserAttributeNames=["locale"])
    assert _me(public, access)["locale"] == "fr"
