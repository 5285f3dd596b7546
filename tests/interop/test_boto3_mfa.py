"""boto3 drives software-token (TOTP) MFA against a live server on both stores: the pool setting
(SetUserPoolMfaConfig / GetUserPoolMfaConfig / DescribeUserPool), AssociateSoftwareToken and
VerifySoftwareToken with an access token and with an MFA_SETUP session, (Admin)SetUserMFAPreference,
(Admin)GetUser, and sign-in answering SOFTWARE_TOKEN_MFA after USER_PASSWORD_AUTH, USER_SRP_AUTH
(pycognito) and ADMIN_USER_PASSWORD_AUTH, and MFA_SETUP in an ON pool. Codes are made with
pyca/cryptography's TOTP from the SecretCode the server returned."""

from __future__ import annotations

import json

import pytest
from pycognito.aws_srp import AWSSRP
from pycognito.exceptions import SoftwareTokenMFAChallengeException
from tests.interop.boto3_support import PASSWORD, claims
from tests.interop.totp_support import Authenticator

from authpool.server.pool import totp

FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH",
         "ALLOW_REFRESH_TOKEN_AUTH"]


class World:
    def __init__(self, admin):
        self.admin = admin
        self.pool = admin.create_user_pool(PoolName="mfa-suite")["UserPool"]["Id"]
        self.app = admin.create_user_pool_client(UserPoolId=self.pool, ClientName="app",
                                                 ExplicitAuthFlows=FLOWS)["UserPoolClient"]
        self.required = admin.create_user_pool(PoolName="mfa-required", MfaConfiguration="ON")["UserPool"]["Id"]
        self.required_app = admin.create_user_pool_client(UserPoolId=self.required, ClientName="app",
                                                          ExplicitAuthFlows=FLOWS)["UserPoolClient"]
        for pool, names in ((self.pool, ("alice", "bob", "dora", "erin")), (self.required, ("carol",))):
            for name in names:
                admin.admin_create_user(UserPoolId=pool, Username=name, MessageAction="SUPPRESS",
                                        TemporaryPassword=PASSWORD)
                admin.admin_set_user_password(UserPoolId=pool, Username=name, Password=PASSWORD, Permanent=True)

    def sign_in(self, client, username, app=None):
        app = app or self.app
        return client.initiate_auth(ClientId=app["ClientId"], AuthFlow="USER_PASSWORD_AUTH",
                                    AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD})

    def enrol(self, client, username) -> tuple[Authenticator, str]:
        """Before MFA: sign in, associate and verify a token, enable and prefer it."""
        access = self.sign_in(client, username)["AuthenticationResult"]["AccessToken"]
        device = Authenticator(client.associate_software_token(AccessToken=access)["SecretCode"])
        assert client.verify_software_token(AccessToken=access, UserCode=device.code(),
                                            FriendlyDeviceName=f"{username}'s phone")["Status"] == "SUCCESS"
        client.set_user_mfa_preference(AccessToken=access,
                                       SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})
        return device, access


@pytest.fixture(scope="module")
def world(admin):
    world = World(admin)
    admin.set_user_pool_mfa_config(UserPoolId=world.pool, MfaConfiguration="OPTIONAL",
                                   SoftwareTokenMfaConfiguration={"Enabled": True})
    return world


def test_pool_mfa_configuration(admin, public):
    pool = admin.create_user_pool(PoolName="mfa-config")["UserPool"]
    assert pool["MfaConfiguration"] == "OFF"
    got = admin.get_user_pool_mfa_config(UserPoolId=pool["Id"])
    assert got["MfaConfiguration"] == "OFF" and got["SoftwareTokenMfaConfiguration"] == {"Enabled": False}
    for bad in ({"MfaConfiguration": "OFF", "SoftwareTokenMfaConfiguration": {"Enabled": True}},
                {"MfaConfiguration": "ON", "SoftwareTokenMfaConfiguration": {"Enabled": False}},
                {"MfaConfiguration": "OPTIONAL", "SmsMfaConfiguration": {"SmsAuthenticationMessage": "{####} code"}},
                {"MfaConfiguration": "OPTIONAL", "EmailMfaConfiguration": {"Message": "{####}"}}):
        with pytest.raises(admin.exceptions.InvalidParameterException):
            admin.set_user_pool_mfa_config(UserPoolId=pool["Id"], **bad)
    done = admin.set_user_pool_mfa_config(UserPoolId=pool["Id"], MfaConfiguration="OPTIONAL",
                                          SoftwareTokenMfaConfiguration={"Enabled": True})
    assert done["MfaConfiguration"] == "OPTIONAL" and done["SoftwareTokenMfaConfiguration"] == {"Enabled": True}
    assert admin.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]["MfaConfiguration"] == "OPTIONAL"
    with pytest.raises(admin.exceptions.InvalidParameterException):
        admin.update_user_pool(UserPoolId=pool["Id"], MfaConfiguration="SMS_ONLY")


def test_associate_in_a_pool_without_totp(admin, public):
    pool = admin.create_user_pool(PoolName="mfa-off")["UserPool"]["Id"]
    app = admin.create_user_pool_client(UserPoolId=pool, ClientName="app", ExplicitAuthFlows=FLOWS)["UserPoolClient"]
    admin.admin_create_user(UserPoolId=pool, Username="olga", MessageAction="SUPPRESS", TemporaryPassword=PASSWORD)
    admin.admin_set_user_password(UserPoolId=pool, Username="olga", Password=PASSWORD, Permanent=True)
    access = public.initiate_auth(ClientId=app["ClientId"], AuthFlow="USER_PASSWORD_AUTH", AuthParameters={
        "USERNAME": "olga", "PASSWORD": PASSWORD})["AuthenticationResult"]["AccessToken"]
    with pytest.raises(public.exceptions.SoftwareTokenMFANotFoundException):
        public.associate_software_token(AccessToken=access)


def test_associate_verify_prefer_then_sign_in_with_a_code(world, admin, public):
    access = world.sign_in(public, "alice")["AuthenticationResult"]["AccessToken"]
    secret_code = public.associate_software_token(AccessToken=access)["SecretCode"]
    assert len(secret_code) == 32 and len(totp.from_base32(secret_code)) == 20
    device = Authenticator(secret_code)
    with pytest.raises(public.exceptions.InvalidParameterException):  # not verified yet
        public.set_user_mfa_preference(AccessToken=access, SoftwareTokenMfaSettings={"Enabled": True})
    with pytest.raises(public.exceptions.EnableSoftwareTokenMFAException):
        public.verify_software_token(AccessToken=access, UserCode=device.wrong())
    verified = public.verify_software_token(AccessToken=access, UserCode=device.code(), FriendlyDeviceName="Pixel")
    assert verified["Status"] == "SUCCESS" and "Session" not in verified
    assert "UserMFASettingList" not in public.get_user(AccessToken=access)  # verified, not enabled
    assert world.sign_in(public, "alice")["AuthenticationResult"]  # OPTIONAL pool: no code asked yet
    public.set_user_mfa_preference(AccessToken=access, SoftwareTokenMfaSettings={"Enabled": True,
                                                                                 "PreferredMfa": True})
    for reader in (public.get_user(AccessToken=access),
                   admin.admin_get_user(UserPoolId=world.pool, Username="alice")):
        assert reader["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"]
        assert reader["PreferredMfaSetting"] == "SOFTWARE_TOKEN_MFA"

    challenge = world.sign_in(public, "alice")
    assert "AuthenticationResult" not in challenge
    assert challenge["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    assert challenge["ChallengeParameters"] == {"FRIENDLY_DEVICE_NAME": "Pixel"}
    respond = public.respond_to_auth_challenge

    def answer(code, session=challenge["Session"]):
        return respond(ClientId=world.app["ClientId"], ChallengeName="SOFTWARE_TOKEN_MFA", Session=session,
                       ChallengeResponses={"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": code})

    with pytest.raises(public.exceptions.CodeMismatchException):
        answer(device.wrong())
    code = device.code()
    tokens = answer(code)["AuthenticationResult"]
    access_claims = claims(tokens["AccessToken"])
    assert access_claims["username"] == "alice" and "amr" not in access_claims
    assert "amr" not in claims(tokens["IdToken"]) and tokens["RefreshToken"]
    with pytest.raises(public.exceptions.NotAuthorizedException):  # the session answered once
        answer(device.wrong())
    again = world.sign_in(public, "alice")
    with pytest.raises(public.exceptions.CodeMismatchException, match="already been used"):
        answer(code, again["Session"])  # the same code in the same step: refused (unit tests: the next one works)


def test_srp_and_admin_sign_in_get_the_challenge_too(world, admin, public):
    device, _ = world.enrol(public, "bob")
    srp = AWSSRP("bob", PASSWORD, world.pool, world.app["ClientId"], client=public)
    with pytest.raises(SoftwareTokenMFAChallengeException) as raised:
        srp.authenticate_user()
    challenge = raised.value.get_tokens()
    assert challenge["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    tokens = public.respond_to_auth_challenge(
        ClientId=world.app["ClientId"], ChallengeName="SOFTWARE_TOKEN_MFA", Session=challenge["Session"],
        ChallengeResponses={"USERNAME": "bob", "SOFTWARE_TOKEN_MFA_CODE": device.code()})["AuthenticationResult"]
    assert claims(tokens["AccessToken"])["username"] == "bob"

    device, _ = world.enrol(public, "dora")  # a user of her own: the codes of one step are used once
    started = admin.admin_initiate_auth(UserPoolId=world.pool, ClientId=world.app["ClientId"],
                                        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                        AuthParameters={"USERNAME": "dora", "PASSWORD": PASSWORD})
    assert started["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    done = admin.admin_respond_to_auth_challenge(
        UserPoolId=world.pool, ClientId=world.app["ClientId"], ChallengeName="SOFTWARE_TOKEN_MFA",
        Session=started["Session"], ChallengeResponses={"USERNAME": "dora", "SOFTWARE_TOKEN_MFA_CODE": device.code()})
    assert done["AuthenticationResult"]["IdToken"]

    admin.admin_set_user_mfa_preference(UserPoolId=world.pool, Username="dora",
                                        SoftwareTokenMfaSettings={"Enabled": False})
    assert "UserMFASettingList" not in admin.admin_get_user(UserPoolId=world.pool, Username="dora")
    assert world.sign_in(public, "dora")["AuthenticationResult"]  # OPTIONAL and disabled: no code


def test_mfa_setup_in_an_on_pool(world, public):
    started = world.sign_in(public, "carol", app=world.required_app)
    assert started["ChallengeName"] == "MFA_SETUP" and "AuthenticationResult" not in started
    assert json.loads(started["ChallengeParameters"]["MFAS_CAN_SETUP"]) == ["SOFTWARE_TOKEN_MFA"]
    with pytest.raises(public.exceptions.NotAuthorizedException):  # not set up yet
        public.respond_to_auth_challenge(ClientId=world.required_app["ClientId"], ChallengeName="MFA_SETUP",
                                         Session=started["Session"], ChallengeResponses={"USERNAME": "carol"})
    associated = public.associate_software_token(Session=started["Session"])
    device = Authenticator(associated["SecretCode"])
    with pytest.raises(public.exceptions.EnableSoftwareTokenMFAException):
        public.verify_software_token(Session=associated["Session"], UserCode=device.wrong())
    verified = public.verify_software_token(Session=associated["Session"], UserCode=device.code())
    assert verified["Status"] == "SUCCESS" and verified["Session"]

    def complete():
        return public.respond_to_auth_challenge(ClientId=world.required_app["ClientId"], ChallengeName="MFA_SETUP",
                                                Session=verified["Session"], ChallengeResponses={"USERNAME": "carol"})

    assert claims(complete()["AuthenticationResult"]["AccessToken"])["username"] == "carol"
    with pytest.raises(public.exceptions.NotAuthorizedException):
        complete()
    assert world.sign_in(public, "carol", app=world.required_app)["ChallengeName"] == "SOFTWARE_TOKEN_MFA"


def test_refusals(world, admin, public):
    device, access = world.enrol(public, "erin")
    with pytest.raises(public.exceptions.InvalidParameterException):  # both, or neither
        public.associate_software_token(AccessToken=access, Session="x" * 40)
    with pytest.raises(public.exceptions.InvalidParameterException):
        public.verify_software_token(UserCode="123456")
    with pytest.raises(public.exceptions.NotAuthorizedException):
        public.associate_software_token(Session="A" * 60)
    with pytest.raises(public.exceptions.InvalidParameterException):
        public.set_user_mfa_preference(AccessToken=access, SMSMfaSettings={"Enabled": True})
    with pytest.raises(admin.exceptions.InvalidParameterException):
        admin.admin_set_user_mfa_preference(UserPoolId=world.pool, Username="erin",
                                            EmailMfaSettings={"Enabled": True, "PreferredMfa": True})
    challenge = world.sign_in(public, "erin")
    with pytest.raises(public.exceptions.InvalidParameterException):  # no code
        public.respond_to_auth_challenge(ClientId=world.app["ClientId"], ChallengeName="SOFTWARE_TOKEN_MFA",
                                         Session=challenge["Session"], ChallengeResponses={"USERNAME": "erin"})
    with pytest.raises(public.exceptions.NotAuthorizedException):  # another client
        public.respond_to_auth_challenge(ClientId=world.required_app["ClientId"], ChallengeName="SOFTWARE_TOKEN_MFA",
                                         Session=challenge["Session"],
                                         ChallengeResponses={"USERNAME": "erin", "SOFTWARE_TOKEN_MFA_CODE": device.code()})
    with pytest.raises(public.exceptions.NotAuthorizedException):  # a session is not an MFA_SETUP one
        public.associate_software_token(Session=challenge["Session"])
