"""pycognito (a Cognito client nobody on this project wrote) signs in with USER_SRP_AUTH against a
live authpool server, pointed at it only through boto3's ``endpoint_url``; its tokens pass
pycognito's own verification (JWKS, issuer, audience, token_use) and authpool.guard's
AccessTokenVerifier. The refusals are driven through pycognito's AWSSRP steps and boto3."""

from __future__ import annotations

import base64
import time

import pytest
from pycognito import Cognito
from tests.interop.boto3_support import PASSWORD, error_code, outbox
from tests.interop.srp_support import NEW_PASSWORD, SrpWorld, aws_srp, resign, unsigned_config

from authpool.server.pool import srp

INCORRECT = "Incorrect username or password."


@pytest.fixture(scope="module")
def world(admin, live):
    return SrpWorld(admin, live)


def _cognito(world, username, *, app=None, pool=None):
    app = app or world.app
    return Cognito(pool or world.pool, app["ClientId"], username=username, client_secret=app.get("ClientSecret"),
                   botocore_config=unsigned_config(), boto3_client_kwargs={"endpoint_url": world.live.base_url})


def _challenge(public, world, aws, app=None):
    app = app or world.app
    params = aws.get_auth_params()
    challenge = public.initiate_auth(ClientId=app["ClientId"], AuthFlow="USER_SRP_AUTH", AuthParameters=params)
    assert challenge["ChallengeName"] == "PASSWORD_VERIFIER" and "Session" not in challenge
    return challenge["ChallengeParameters"], aws.process_challenge(challenge["ChallengeParameters"], params)


def _respond(public, world, answer, app=None):
    return public.respond_to_auth_challenge(ClientId=(app or world.app)["ClientId"], ChallengeName="PASSWORD_VERIFIER",
                                            ChallengeResponses=answer)


def test_pycognito_signs_in_and_the_guard_accepts_the_access_token(world):
    user = _cognito(world, "alice")
    user.authenticate(password=PASSWORD)  # pycognito verifies both tokens against the pool's JWKS itself
    assert user.id_claims["cognito:username"] == "alice" and user.id_claims["aud"] == world.app["ClientId"]
    claims = world.verifier(world.app["ClientId"]).verify(user.access_token)
    assert claims["username"] == "alice" and claims["client_id"] == world.app["ClientId"]
    assert claims["scope"] == "aws.cognito.signin.user.admin" and claims["token_use"] == "access"
    assert user.refresh_token


def test_client_with_a_secret_needs_secret_hash(world, public):
    user = _cognito(world, "alice", app=world.secret)
    user.authenticate(password=PASSWORD)
    assert world.verifier(world.secret["ClientId"]).verify(user.access_token)["username"] == "alice"
    with pytest.raises(public.exceptions.NotAuthorizedException, match="secret"):
        public.initiate_auth(ClientId=world.secret["ClientId"], AuthFlow="USER_SRP_AUTH",
                             AuthParameters=aws_srp(world, public, "alice", app=world.app).get_auth_params())


def test_new_password_required_then_sign_in_with_the_new_password(world):
    user = _cognito(world, "newbie")
    user.new_password_challenge(PASSWORD, NEW_PASSWORD)  # SRP, then NEW_PASSWORD_REQUIRED
    again = _cognito(world, "newbie")
    again.authenticate(password=NEW_PASSWORD)  # the verifier written by the NEW_PASSWORD_REQUIRED answer
    assert world.verifier(world.app["ClientId"]).verify(again.access_token)["username"] == "newbie"


def test_admin_initiate_auth_with_srp(world, admin):
    aws = aws_srp(world, admin, "alice")
    params = aws.get_auth_params()
    challenge = admin.admin_initiate_auth(UserPoolId=world.pool, ClientId=world.app["ClientId"],
                                          AuthFlow="USER_SRP_AUTH", AuthParameters=params)
    answer = aws.process_challenge(challenge["ChallengeParameters"], params)
    result = admin.admin_respond_to_auth_challenge(UserPoolId=world.pool, ClientId=world.app["ClientId"],
                                                   ChallengeName="PASSWORD_VERIFIER", ChallengeResponses=answer)
    assert world.verifier(world.app["ClientId"]).verify(result["AuthenticationResult"]["AccessToken"])


def test_pool_signing_in_with_email(world):
    user = _cognito(world, "ann@example.com", app=world.by_email_app, pool=world.by_email)
    user.authenticate(password=PASSWORD)
    claims = world.verifier(world.by_email_app["ClientId"], pool=world.by_email).verify(user.access_token)
    assert claims["username"] == claims["sub"]  # USER_ID_FOR_SRP was the sub


def test_pool_signing_in_with_email_in_another_case(world, admin, public):
    """The pool is CaseSensitive: false, so its e-mail sign-in names match in any case, by SRP and by
    password; a second user whose e-mail differs only in case is UsernameExistsException."""
    user = _cognito(world, "ANN@Example.COM", app=world.by_email_app, pool=world.by_email)
    user.authenticate(password=PASSWORD)
    sub = world.verifier(world.by_email_app["ClientId"], pool=world.by_email).verify(user.access_token)["sub"]
    app = admin.create_user_pool_client(UserPoolId=world.by_email, ClientName="password",
                                        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"])["UserPoolClient"]["ClientId"]
    tokens = public.initiate_auth(ClientId=app, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={
        "USERNAME": "Ann@example.com", "PASSWORD": PASSWORD})["AuthenticationResult"]
    assert world.verifier(app, pool=world.by_email).verify(tokens["AccessToken"])["sub"] == sub
    with pytest.raises(public.exceptions.UsernameExistsException):
        public.sign_up(ClientId=app, Username="aNN@example.com", Password=PASSWORD)
    assert admin.admin_get_user(UserPoolId=world.by_email, Username="ann@EXAMPLE.com")["Username"] == sub


def test_wrong_password(world, public):
    with pytest.raises(public.exceptions.NotAuthorizedException, match=INCORRECT):
        _cognito(world, "alice").authenticate(password="Wrong-Horse-42")


def test_tampered_signature_then_replay_of_the_genuine_one(world, public):
    _, answer = _challenge(public, world, aws_srp(world, public, "alice"))
    raw = bytearray(base64.b64decode(answer["PASSWORD_CLAIM_SIGNATURE"]))
    raw[7] ^= 0x40
    with pytest.raises(public.exceptions.NotAuthorizedException, match=INCORRECT):
        _respond(public, world, {**answer, "PASSWORD_CLAIM_SIGNATURE": base64.b64encode(raw).decode()})
    with pytest.raises(public.exceptions.NotAuthorizedException, match=INCORRECT):  # that challenge is spent
        _respond(public, world, answer)


def test_replayed_challenge_is_refused(world, public):
    _, answer = _challenge(public, world, aws_srp(world, public, "alice"))
    assert _respond(public, world, answer)["AuthenticationResult"]["AccessToken"]
    with pytest.raises(public.exceptions.NotAuthorizedException, match=INCORRECT):
        _respond(public, world, answer)


def test_tampered_secret_block_is_refused(world, public):
    challenge, answer = _challenge(public, world, aws_srp(world, public, "alice"))
    raw = bytearray(base64.b64decode(challenge["SECRET_BLOCK"]))
    raw[-3] ^= 1
    forged = {**challenge, "SECRET_BLOCK": base64.b64encode(raw).decode()}
    aws = aws_srp(world, public, "alice")
    with pytest.raises(public.exceptions.NotAuthorizedException, match=INCORRECT):
        _respond(public, world, resign(aws, forged, {**answer, "PASSWORD_CLAIM_SECRET_BLOCK": forged["SECRET_BLOCK"]},
                                       answer["TIMESTAMP"]))


@pytest.mark.parametrize("srp_a", ["0", format(srp.N, "x"), format(2 * srp.N, "x"), "zz"])
def test_srp_a_zero_mod_n_is_refused(world, public, srp_a):
    with pytest.raises(public.exceptions.InvalidParameterException):
        public.initiate_auth(ClientId=world.app["ClientId"], AuthFlow="USER_SRP_AUTH",
                             AuthParameters={"USERNAME": "alice", "SRP_A": srp_a})


def test_stale_and_malformed_timestamps(world, public):
    aws = aws_srp(world, public, "alice")
    challenge, answer = _challenge(public, world, aws)
    stale = resign(aws, challenge, answer, srp.format_timestamp(int(time.time()) - 600))
    with pytest.raises(public.exceptions.NotAuthorizedException, match=INCORRECT):
        _respond(public, world, stale)
    challenge, answer = _challenge(public, world, aws_srp(world, public, "alice"))
    with pytest.raises(public.exceptions.InvalidParameterException) as excinfo:
        _respond(public, world, {**answer, "TIMESTAMP": "2026-09-05T09:03:07Z"})
    assert "TIMESTAMP format" in str(excinfo.value)
    # the same challenge still answers with a good timestamp: format errors do not spend it
    assert _respond(public, world, answer)["AuthenticationResult"]["IdToken"]


def test_explicit_auth_flows_and_missing_parameters(world, public):
    with pytest.raises(public.exceptions.InvalidParameterException, match="USER_SRP_AUTH flow not enabled"):
        _challenge(public, world, aws_srp(world, public, "alice", app=world.no_srp), app=world.no_srp)
    with pytest.raises(public.exceptions.InvalidParameterException, match="SRP_A"):
        public.initiate_auth(ClientId=world.app["ClientId"], AuthFlow="USER_SRP_AUTH",
                             AuthParameters={"USERNAME": "alice"})
    with pytest.raises(public.exceptions.InvalidParameterException, match="PASSWORD_CLAIM_SIGNATURE"):
        public.respond_to_auth_challenge(ClientId=world.app["ClientId"], ChallengeName="PASSWORD_VERIFIER",
                                         ChallengeResponses={"USERNAME": "alice", "TIMESTAMP": "x",
                                                             "PASSWORD_CLAIM_SECRET_BLOCK": "QUJD"})


def test_unknown_user(world, public):
    with pytest.raises(public.exceptions.UserNotFoundException):
        _challenge(public, world, aws_srp(world, public, "nobody"))
    first, answer = _challenge(public, world, aws_srp(world, public, "nobody", app=world.hidden), app=world.hidden)
    second, _ = _challenge(public, world, aws_srp(world, public, "nobody", app=world.hidden), app=world.hidden)
    assert first["SALT"] == second["SALT"]  # a decoy as stable as a real user's salt
    with pytest.raises(public.exceptions.NotAuthorizedException, match=INCORRECT):
        _respond(public, world, answer, app=world.hidden)


def test_failures_are_throttled_like_passwords(world, public):
    for _ in range(5):
        with pytest.raises(public.exceptions.NotAuthorizedException, match=INCORRECT):
            _cognito(world, "mallory").authenticate(password="Wrong-Horse-42")
    with pytest.raises(public.exceptions.NotAuthorizedException) as excinfo:
        _cognito(world, "mallory").authenticate(password=PASSWORD)
    assert "Password attempts exceeded" in str(excinfo.value) and error_code(excinfo) == "NotAuthorizedException"


def test_self_service_password_paths_keep_srp_working(world, public, live):
    """SignUp (auto-confirmed by the admin), ChangePassword, ConfirmForgotPassword: each writes a verifier."""
    public.sign_up(ClientId=world.app["ClientId"], Username="sam", Password=PASSWORD,
                   UserAttributes=[{"Name": "email", "Value": "sam@example.com"}])
    user = _cognito(world, "sam")
    with pytest.raises(public.exceptions.UserNotConfirmedException):  # proven password, unconfirmed user
        user.authenticate(password=PASSWORD)
    [code] = [m["code"] for m in outbox(live, world.pool, "sam") if m["purpose"] == "confirm_sign_up"]
    public.confirm_sign_up(ClientId=world.app["ClientId"], Username="sam", ConfirmationCode=code)
    user.authenticate(password=PASSWORD)
    public.change_password(AccessToken=user.access_token, PreviousPassword=PASSWORD, ProposedPassword=NEW_PASSWORD)
    user.authenticate(password=NEW_PASSWORD)
    public.forgot_password(ClientId=world.app["ClientId"], Username="sam")
    [code] = [m["code"] for m in outbox(live, world.pool, "sam") if m["purpose"] == "forgot_password"]
    public.confirm_forgot_password(ClientId=world.app["ClientId"], Username="sam", ConfirmationCode=code,
                                   Password="Third-Horse-42")
    user.authenticate(password="Third-Horse-42")
    assert world.verifier(world.app["ClientId"]).verify(user.access_token)["username"] == "sam"
