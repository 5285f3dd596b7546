"""AWS Amplify JS v6 (``aws-amplify/auth``, from npm, unchanged) in Node.js against a live authpool
server, configured as a front end points Amplify at authpool: ``Amplify.configure({Auth: {Cognito:
{userPoolId, userPoolClientId, userPoolEndpoint}}})``. It signs in (SRP and USER_PASSWORD_AUTH),
completes NEW_PASSWORD_REQUIRED, refreshes (GetTokensFromRefreshToken, with and without rotation),
signs up and confirms with the code from the outbox (and signs in automatically), reads, updates and
deletes the user's attributes and confirms a new e-mail with the code from the outbox, sets up TOTP MFA
(setUpTOTP, verifyTOTPSetup, updateMFAPreference) and answers the code step of SRP and password
sign-ins, and the set-up step of a pool with MFA ON; and signs out (RevokeToken, GlobalSignOut).
authpool.guard accepts the access tokens it gets and refuses its ID tokens. A browser would let a page
on another origin make each of those calls (CORS: the preflight for the headers Amplify sends,
Access-Control-Allow-Origin). TOTP codes come from tests/interop/totp_support.py (pyca's TOTP), each
user needing at most two, this step's and the next one's, so no test waits for the clock.

The package is pinned by ``tests/interop/amplify/package-lock.json`` (no registry addresses) and
installed with ``npm ci`` on first use (tests/interop/node_support.py says when these tests skip).
One SQLite server for the module (the PostgreSQL store is covered by the boto3 and pycognito suites).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest
from tests.interop.amplify_support import AMPLIFY_DIR, AmplifyApp, AmplifyError
from tests.interop.boto3_support import ENV, PASSWORD, claims, make_client, outbox
from tests.interop.node_support import node_with
from tests.interop.srp_support import NEW_PASSWORD
from tests.interop.totp_support import Authenticator
from tests.support.live_server import LiveServer

from authpool.guard import AccessTokenVerifier, WrongTokenType

FLOWS = ["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
#: Request headers a browser sends cross-origin without asking first (Fetch standard, CORS-safelisted;
#: Content-Type only for form and text types, so application/x-amz-json-1.1 is asked for).
SAFELISTED = {"accept", "accept-language", "content-language"}


@pytest.fixture(scope="module")
def node() -> str:
    return node_with(AMPLIFY_DIR, "aws-amplify")


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """One SQLite server for this module (overrides the two-backend fixture of conftest.py)."""
    with LiveServer(tmp_path_factory.mktemp("amplify"), env=ENV) as server:
        server.database_url = None
        yield server
        if getattr(server, "store", None) is not None:
            server.store.dispose()


class World:
    """A pool with self sign-up (e-mail verified by code) and the app clients a front end would use:
    ``app`` (SRP, password and refresh flows), ``hidden`` (PreventUserExistenceErrors), ``rotating``
    (RefreshTokenRotation). Users get a permanent password unless made with ``temporary=True``."""

    def __init__(self, admin, live: LiveServer, name: str = "amplify", **pool_settings) -> None:
        self.admin, self.live = admin, live
        self.pool = admin.create_user_pool(PoolName=name, **{"AutoVerifiedAttributes": ["email"], **pool_settings})[
            "UserPool"]["Id"]
        make = admin.create_user_pool_client
        common = {"UserPoolId": self.pool, "ExplicitAuthFlows": FLOWS, "WriteAttributes": ["email", "name"]}
        self.app = make(ClientName="app", **common)["UserPoolClient"]["ClientId"]
        self.hidden = make(ClientName="hidden", PreventUserExistenceErrors="ENABLED", **common)["UserPoolClient"][
            "ClientId"]
        self.rotating = make(ClientName="rotating", RefreshTokenRotation={"Feature": "ENABLED"},
                             **common)["UserPoolClient"]["ClientId"]
        self.issuer = f"{live.base_url}/{self.pool}"

    def user(self, name: str, *, temporary: bool = False) -> str:
        self.admin.admin_create_user(UserPoolId=self.pool, Username=name, MessageAction="SUPPRESS",
                                     TemporaryPassword=PASSWORD,
                                     UserAttributes=[{"Name": "email", "Value": f"{name}@example.com"},
                                                     {"Name": "email_verified", "Value": "true"}])
        if not temporary:
            self.admin.admin_set_user_password(UserPoolId=self.pool, Username=name, Password=PASSWORD,
                                               Permanent=True)
        return name

    def verifier(self, client_id: str) -> AccessTokenVerifier:
        return AccessTokenVerifier(issuer=self.issuer, client_ids=[client_id],
                                   jwks_uri=f"{self.issuer}/.well-known/jwks.json", algorithms=["RS256"],
                                   allow_http=True)


@pytest.fixture(scope="module")
def world(admin, live) -> World:
    return World(admin, live)


@pytest.fixture
def amplify(node, world) -> Iterator[Callable[..., AmplifyApp]]:
    """Opens Amplify app sessions configured for a pool (``of``, the world's by default; ``client``
    defaults to its ``app``)."""
    apps: list[AmplifyApp] = []

    def open_app(client: str | None = None, *, of: World | None = None) -> AmplifyApp:
        of = of or world
        apps.append(AmplifyApp(node, endpoint=of.live.base_url + "/", pool_id=of.pool, client_id=client or of.app))
        return apps[-1]

    yield open_app
    for app in apps:
        app.close()


def _signed_in(app: AmplifyApp, username: str, password: str = PASSWORD, **options) -> dict:
    result = app.call("signIn", username=username, password=password, **({"options": options} if options else {}))
    assert result == {"isSignedIn": True, "nextStep": {"signInStep": "DONE"}}, result
    return app.call("fetchAuthSession")


def test_srp_sign_in_gives_tokens_the_guard_accepts_and_an_id_token_it_refuses(amplify, world):
    alice = world.user("alice")
    app = amplify()
    tokens = _signed_in(app, alice)
    verifier = world.verifier(world.app)
    access = verifier.verify(tokens["accessToken"])
    assert access["username"] == "alice" and access["token_use"] == "access" and access["client_id"] == world.app
    with pytest.raises(WrongTokenType) as refused:
        verifier.verify(tokens["idToken"])
    assert refused.value.id_token
    assert claims(tokens["idToken"])["email"] == "alice@example.com"
    user = app.call("getCurrentUser")
    assert user["username"] == "alice" and user["userId"] == access["sub"]
    assert user["signInDetails"] == {"loginId": "alice", "authFlowType": "USER_SRP_AUTH"}


def test_user_password_auth_flow(amplify, world):
    bea = world.user("bea")
    app = amplify()
    tokens = _signed_in(app, bea, authFlowType="USER_PASSWORD_AUTH")
    assert world.verifier(world.app).verify(tokens["accessToken"])["username"] == "bea"
    assert app.call("getCurrentUser")["signInDetails"]["authFlowType"] == "USER_PASSWORD_AUTH"


def test_temporary_password_asks_for_a_new_one_and_confirm_sign_in_completes(amplify, world):
    newbie = world.user("newbie", temporary=True)
    app = amplify()
    result = app.call("signIn", username=newbie, password=PASSWORD)
    assert result["isSignedIn"] is False
    step = result["nextStep"]
    assert step["signInStep"] == "CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED", step
    assert step.get("missingAttributes") in (None, [])
    done = app.call("confirmSignIn", challengeResponse=NEW_PASSWORD)
    assert done == {"isSignedIn": True, "nextStep": {"signInStep": "DONE"}}, done
    tokens = app.call("fetchAuthSession")
    assert world.verifier(world.app).verify(tokens["accessToken"])["username"] == "newbie"
    user = world.admin.admin_get_user(UserPoolId=world.pool, Username=newbie)
    assert user["UserStatus"] == "CONFIRMED"
    app.call("signOut")
    _signed_in(app, newbie, NEW_PASSWORD)  # the new password is the password now


@pytest.mark.parametrize("flow", ["USER_SRP_AUTH", "USER_PASSWORD_AUTH"])
def test_wrong_password_and_unknown_user(amplify, world, flow):
    name = world.user(f"cleo-{flow.lower().replace('_', '-')}")
    app = amplify()
    options = {"authFlowType": flow}
    with pytest.raises(AmplifyError) as wrong:
        app.call("signIn", username=name, password="Wrong-Horse-42", options=options)
    assert (wrong.value.name, wrong.value.message) == ("NotAuthorizedException", "Incorrect username or password.")
    # PreventUserExistenceErrors LEGACY (Cognito's default for API-created clients) names the unknown user
    with pytest.raises(AmplifyError) as unknown:
        app.call("signIn", username="nobody", password=PASSWORD, options=options)
    assert unknown.value.name == "UserNotFoundException"
    # ENABLED answers exactly what a wrong password gets
    hidden = amplify(world.hidden)
    for username, password in (("nobody", PASSWORD), (name, "Wrong-Horse-42")):
        with pytest.raises(AmplifyError) as refused:
            hidden.call("signIn", username=username, password=password, options=options)
        assert (refused.value.name, refused.value.message) == ("NotAuthorizedException",
                                                                "Incorrect username or password.")
    assert app.call("fetchAuthSession") is None


def test_force_refresh_gives_new_tokens_with_the_same_refresh_token(amplify, world):
    dora = world.user("dora")
    app = amplify()
    first = _signed_in(app, dora)
    refresh = app.call("refreshToken")
    assert app.call("fetchAuthSession") == first  # cached until it expires
    second = app.call("fetchAuthSession", forceRefresh=True)
    assert second["accessToken"] != first["accessToken"] and second["idToken"] != first["idToken"]
    verifier = world.verifier(world.app)
    old, new = verifier.verify(first["accessToken"]), verifier.verify(second["accessToken"])
    assert new["jti"] != old["jti"] and new["origin_jti"] == old["origin_jti"]
    assert new["auth_time"] == old["auth_time"] and new["username"] == "dora"
    assert claims(second["idToken"])["email"] == "dora@example.com"
    assert app.call("refreshToken") == refresh  # RefreshTokenRotation DISABLED: no new refresh token


def test_force_refresh_with_rotation_keeps_the_new_refresh_token(amplify, world):
    erin = world.user("erin")
    app = amplify(world.rotating)
    first = _signed_in(app, erin)
    original = app.call("refreshToken")
    second = app.call("fetchAuthSession", forceRefresh=True)
    rotated = app.call("refreshToken")
    assert rotated != original and second["accessToken"] != first["accessToken"]
    third = app.call("fetchAuthSession", forceRefresh=True)  # Amplify presents the rotated token
    assert world.verifier(world.rotating).verify(third["accessToken"])["username"] == "erin"
    assert app.call("refreshToken") not in (original, rotated)
    public = make_client(world.live, unsigned=True)
    with pytest.raises(public.exceptions.RefreshTokenReuseException):  # a stolen old token...
        public.get_tokens_from_refresh_token(ClientId=world.rotating, RefreshToken=original)
    # ...revoked the session: Amplify's next refresh is refused, and it forgets the tokens
    assert app.call("fetchAuthSession", forceRefresh=True) is None
    assert app.call("fetchAuthSession") is None


def test_sign_up_confirm_with_the_outbox_code_and_auto_sign_in(amplify, world):
    app = amplify()
    signed = app.call("signUp", username="fay", password=PASSWORD,
                      options={"userAttributes": {"email": "fay@example.com", "name": "Fay"}, "autoSignIn": True})
    assert signed["isSignUpComplete"] is False and signed["userId"]
    assert signed["nextStep"] == {"signUpStep": "CONFIRM_SIGN_UP", "codeDeliveryDetails": {
        "destination": "f***@e***", "deliveryMedium": "EMAIL", "attributeName": "email"}}
    # Amplify turns the server's UserNotConfirmedException into a next step
    unconfirmed = amplify().call("signIn", username="fay", password=PASSWORD)
    assert unconfirmed == {"isSignedIn": False, "nextStep": {"signInStep": "CONFIRM_SIGN_UP"}}, unconfirmed
    with pytest.raises(AmplifyError) as mismatch:
        app.call("confirmSignUp", username="fay", confirmationCode="000000x")
    assert mismatch.value.name == "CodeMismatchException"
    [message] = [m for m in outbox(world.live, world.pool, "fay") if m["purpose"] == "confirm_sign_up"]
    confirmed = app.call("confirmSignUp", username="fay", confirmationCode=message["code"])
    assert confirmed == {"isSignUpComplete": True, "nextStep": {"signUpStep": "COMPLETE_AUTO_SIGN_IN"}}
    assert app.call("autoSignIn") == {"isSignedIn": True, "nextStep": {"signInStep": "DONE"}}
    tokens = app.call("fetchAuthSession")
    access = world.verifier(world.app).verify(tokens["accessToken"])
    assert access["username"] == "fay" and access["sub"] == signed["userId"]
    assert claims(tokens["idToken"])["email_verified"] is True


def test_user_attributes_are_read_and_updated(amplify, world):
    gus = world.user("gus")
    app = amplify()
    _signed_in(app, gus)
    attributes = app.call("fetchUserAttributes")
    assert attributes["email"] == "gus@example.com" and attributes["email_verified"] == "true"
    assert attributes["sub"] == app.call("getCurrentUser")["userId"]
    updated = app.call("updateUserAttributes", userAttributes={"name": "Gus G."})
    assert updated == {"name": {"isUpdated": True, "nextStep": {"updateAttributeStep": "DONE"}}}
    assert app.call("fetchUserAttributes")["name"] == "Gus G."
    with pytest.raises(AmplifyError) as refused:  # not in the client's WriteAttributes
        app.call("updateUserAttributes", userAttributes={"family_name": "G."})
    assert refused.value.name == "NotAuthorizedException"


def _email_code(world: World, username: str) -> str:
    """The e-mail verification code waiting in the outbox (one at a time: a new one replaces it)."""
    [message] = [m for m in outbox(world.live, world.pool, username) if m["purpose"] == "verify_email"]
    return message["code"]


def test_a_new_email_is_confirmed_with_the_code_from_the_outbox(amplify, world):
    kim = world.user("kim")
    app = amplify()
    _signed_in(app, kim)
    updated = app.call("updateUserAttributes", userAttributes={"email": "kim.new@example.com", "name": "Kim"})
    assert updated == {  # the pool auto-verifies e-mail: UpdateUserAttributes' CodeDeliveryDetailsList
        "name": {"isUpdated": True, "nextStep": {"updateAttributeStep": "DONE"}},
        "email": {"isUpdated": False, "nextStep": {"updateAttributeStep": "CONFIRM_ATTRIBUTE_WITH_CODE",
                                                   "codeDeliveryDetails": {"attributeName": "email",
                                                                           "deliveryMedium": "EMAIL",
                                                                           "destination": "k***@e***"}}}}
    attributes = app.call("fetchUserAttributes")
    assert (attributes["email"], attributes["email_verified"]) == ("kim.new@example.com", "false")
    first = _email_code(world, kim)
    resent = app.call("sendUserAttributeVerificationCode", userAttributeKey="email")
    assert resent == {"destination": "k***@e***", "deliveryMedium": "EMAIL", "attributeName": "email"}
    code = _email_code(world, kim)
    with pytest.raises(AmplifyError) as mismatch:  # the first code was replaced by the second
        app.call("confirmUserAttribute", userAttributeKey="email",
                 confirmationCode=next(c for c in (first, "000000", "111111") if c != code))
    assert mismatch.value.name == "CodeMismatchException"
    assert app.call("confirmUserAttribute", userAttributeKey="email", confirmationCode=code) is None
    assert app.call("fetchUserAttributes")["email_verified"] == "true"
    with pytest.raises(AmplifyError) as used:
        app.call("confirmUserAttribute", userAttributeKey="email", confirmationCode=code)
    assert used.value.name == "ExpiredCodeException"
    id_token = claims(app.call("fetchAuthSession", forceRefresh=True)["idToken"])
    assert (id_token["email"], id_token["email_verified"]) == ("kim.new@example.com", True)

    assert app.call("deleteUserAttributes", userAttributeKeys=["name"]) is None
    with pytest.raises(AmplifyError) as refused:  # not in the client's WriteAttributes
        app.call("deleteUserAttributes", userAttributeKeys=["sub"])
    assert refused.value.name == "NotAuthorizedException"
    attributes = app.call("fetchUserAttributes")
    assert "name" not in attributes and attributes["email"] == "kim.new@example.com"


def test_with_verification_before_update_the_old_email_stays_until_the_code(amplify, admin, live):
    careful = World(admin, live, "amplify-verify-first",
                    UserAttributeUpdateSettings={"AttributesRequireVerificationBeforeUpdate": ["email"]})
    lee = careful.user("lee")
    app = amplify(of=careful)
    _signed_in(app, lee)
    updated = app.call("updateUserAttribute", userAttribute={"attributeKey": "email", "value": "lee.new@example.com"})
    assert updated["isUpdated"] is False and updated["nextStep"]["updateAttributeStep"] == "CONFIRM_ATTRIBUTE_WITH_CODE"
    attributes = app.call("fetchUserAttributes")
    assert (attributes["email"], attributes["email_verified"]) == ("lee@example.com", "true")
    app.call("confirmUserAttribute", userAttributeKey="email", confirmationCode=_email_code(careful, lee))
    attributes = app.call("fetchUserAttributes")
    assert (attributes["email"], attributes["email_verified"]) == ("lee.new@example.com", "true")


@pytest.fixture(scope="module")
def optional_mfa(admin, live) -> World:
    """A pool that asks for a TOTP code of the users who enabled it."""
    return World(admin, live, "amplify-mfa", MfaConfiguration="OPTIONAL")


@pytest.fixture(scope="module")
def required_mfa(admin, live) -> World:
    """A pool that asks every user for a TOTP code, after setting one up if they have none."""
    return World(admin, live, "amplify-mfa-on", MfaConfiguration="ON")


TOTP_STEP = {"isSignedIn": False, "nextStep": {"signInStep": "CONFIRM_SIGN_IN_WITH_TOTP_CODE"}}
DONE = {"isSignedIn": True, "nextStep": {"signInStep": "DONE"}}


def test_totp_set_up_in_the_app_then_sign_in_asks_for_a_code(amplify, optional_mfa):
    """setUpTOTP, verifyTOTPSetup, updateMFAPreference, fetchMFAPreference; then SRP sign-in asks
    for a code (SOFTWARE_TOKEN_MFA) and confirmSignIn answers it. Two codes: no wait for the clock."""
    tom = optional_mfa.user("tom")
    app = amplify(of=optional_mfa)
    _signed_in(app, tom)
    assert app.call("fetchMFAPreference") == {}  # nothing enabled, nothing preferred
    details = app.call("setUpTOTP")  # AssociateSoftwareToken
    secret = details["sharedSecret"]
    assert details["setupUri"].startswith("otpauth://totp/authpool:")  # what an app shows as a QR code
    assert details["setupUri"].endswith(f"?secret={secret}&issuer=authpool")
    device = Authenticator(secret)
    with pytest.raises(AmplifyError) as wrong:
        app.call("verifyTOTPSetup", code=device.wrong())
    assert wrong.value.name == "EnableSoftwareTokenMFAException"
    assert app.call("verifyTOTPSetup", code=device.code(), options={"friendlyDeviceName": "Pixel"}) is None
    assert app.call("fetchMFAPreference") == {}  # verified is not enabled
    app.call("updateMFAPreference", totp="PREFERRED")
    assert app.call("fetchMFAPreference") == {"preferred": "TOTP", "enabled": ["TOTP"]}
    app.call("signOut")

    assert app.call("signIn", username=tom, password=PASSWORD) == TOTP_STEP
    with pytest.raises(AmplifyError) as mismatch:
        app.call("confirmSignIn", challengeResponse=device.wrong())
    assert (mismatch.value.name, mismatch.value.message) == ("CodeMismatchException", "Invalid code received for user")
    assert app.call("confirmSignIn", challengeResponse=device.code()) == DONE  # the session outlives a wrong code
    access = optional_mfa.verifier(optional_mfa.app).verify(app.call("fetchAuthSession")["accessToken"])
    assert access["username"] == "tom"
    assert app.call("getCurrentUser")["signInDetails"]["authFlowType"] == "USER_SRP_AUTH"


def test_totp_after_user_password_auth_a_code_works_once_and_disabling_stops_asking(amplify, optional_mfa):
    una = optional_mfa.user("una")
    options = {"authFlowType": "USER_PASSWORD_AUTH"}
    app = amplify(of=optional_mfa)
    _signed_in(app, una, **options)
    device = Authenticator(app.call("setUpTOTP")["sharedSecret"])
    app.call("verifyTOTPSetup", code=device.code())
    app.call("updateMFAPreference", totp="ENABLED")
    assert app.call("fetchMFAPreference") == {"enabled": ["TOTP"]}  # enabled, not preferred: asked all the same
    app.call("signOut")

    assert app.call("signIn", username=una, password=PASSWORD, options=options) == TOTP_STEP
    code = device.code()
    assert app.call("confirmSignIn", challengeResponse=code) == DONE
    assert app.call("getCurrentUser")["signInDetails"]["authFlowType"] == "USER_PASSWORD_AUTH"
    other_device = amplify(of=optional_mfa)
    assert other_device.call("signIn", username=una, password=PASSWORD, options=options) == TOTP_STEP
    with pytest.raises(AmplifyError) as replayed:  # the step's code was accepted once already
        other_device.call("confirmSignIn", challengeResponse=code)
    assert (replayed.value.name, replayed.value.message) == ("CodeMismatchException",
                                                              "Your software token has already been used once.")

    app.call("updateMFAPreference", totp="DISABLED")
    assert app.call("fetchMFAPreference") == {}
    assert other_device.call("signIn", username=una, password=PASSWORD, options=options) == DONE  # a new sign-in


def test_a_user_without_a_token_sets_one_up_to_sign_in_to_an_mfa_on_pool(amplify, required_mfa):
    """MFA_SETUP: Amplify calls AssociateSoftwareToken with the challenge's session and shows the
    secret (CONTINUE_SIGN_IN_WITH_TOTP_SETUP); confirmSignIn with a code calls VerifySoftwareToken
    and RespondToAuthChallenge. The token is then enabled and preferred: the next sign-in asks for a code."""
    val = required_mfa.user("val")
    app = amplify(of=required_mfa)
    started = app.call("signIn", username=val, password=PASSWORD)
    assert started["isSignedIn"] is False and started["nextStep"]["signInStep"] == "CONTINUE_SIGN_IN_WITH_TOTP_SETUP"
    device = Authenticator(started["nextStep"]["totpSetupDetails"]["sharedSecret"])
    with pytest.raises(AmplifyError) as wrong:
        app.call("confirmSignIn", challengeResponse=device.wrong())
    assert wrong.value.name == "EnableSoftwareTokenMFAException"
    assert app.call("confirmSignIn", challengeResponse=device.code()) == DONE
    access = required_mfa.verifier(required_mfa.app).verify(app.call("fetchAuthSession")["accessToken"])
    assert access["username"] == "val"
    assert app.call("fetchMFAPreference") == {"preferred": "TOTP", "enabled": ["TOTP"]}
    app.call("signOut")
    again = app.call("signIn", username=val, password=PASSWORD, options={"authFlowType": "USER_PASSWORD_AUTH"})
    assert again == TOTP_STEP
    assert app.call("confirmSignIn", challengeResponse=device.code()) == DONE


def test_a_new_user_in_an_mfa_on_pool_chooses_a_password_then_sets_up_totp(amplify, required_mfa):
    """An administrator-created user's first sign-in: NEW_PASSWORD_REQUIRED, then MFA_SETUP."""
    wes = required_mfa.user("wes", temporary=True)
    app = amplify(of=required_mfa)
    started = app.call("signIn", username=wes, password=PASSWORD, options={"authFlowType": "USER_PASSWORD_AUTH"})
    assert started["nextStep"]["signInStep"] == "CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED", started
    setup = app.call("confirmSignIn", challengeResponse=NEW_PASSWORD)
    assert setup["nextStep"]["signInStep"] == "CONTINUE_SIGN_IN_WITH_TOTP_SETUP", setup
    device = Authenticator(setup["nextStep"]["totpSetupDetails"]["sharedSecret"])
    assert app.call("confirmSignIn", challengeResponse=device.code()) == DONE
    assert app.call("getCurrentUser")["username"] == "wes"


def test_sign_out_revokes_the_refresh_token(amplify, world):
    hal = world.user("hal")
    app = amplify()
    tokens = _signed_in(app, hal)
    refresh = app.call("refreshToken")
    app.call("signOut")  # Amplify swallows errors here: what the server did is checked below
    assert app.call("fetchAuthSession") is None
    _assert_signed_out(world, refresh, tokens["accessToken"])


def test_global_sign_out_ends_every_session(amplify, world):
    ivy = world.user("ivy")
    app, other_device = amplify(), amplify()
    tokens = _signed_in(app, ivy)
    other = _signed_in(other_device, ivy, authFlowType="USER_PASSWORD_AUTH")
    refresh, other_refresh = app.call("refreshToken"), other_device.call("refreshToken")
    app.call("signOut", **{"global": True})
    assert app.call("fetchAuthSession") is None
    _assert_signed_out(world, refresh, tokens["accessToken"])
    _assert_signed_out(world, other_refresh, other["accessToken"])
    assert other_device.call("fetchAuthSession", forceRefresh=True) is None


def _assert_signed_out(world: World, refresh_token: str, access_token: str) -> None:
    public = make_client(world.live, unsigned=True)
    with pytest.raises(public.exceptions.NotAuthorizedException):
        public.initiate_auth(ClientId=world.app, AuthFlow="REFRESH_TOKEN_AUTH",
                             AuthParameters={"REFRESH_TOKEN": refresh_token})
    with pytest.raises(public.exceptions.NotAuthorizedException):
        public.get_user(AccessToken=access_token)


def test_a_page_on_another_origin_may_make_amplifys_calls(amplify, world):
    """What a browser checks before it lets Amplify in a page served from elsewhere (a dev server on
    localhost:5173) talk to authpool (CORS): the preflight for the very headers Amplify sends, and
    Access-Control-Allow-Origin on every answer, errors included. Node's fetch does not check it."""
    jo = world.user("jo")
    app = amplify()
    with pytest.raises(AmplifyError):
        app.call("signIn", username=jo, password="Wrong-Horse-42")
    _signed_in(app, jo)
    app.call("fetchUserAttributes")
    app.call("fetchAuthSession", forceRefresh=True)
    app.call("signOut")
    exchanges = app.call("exchanges")
    operations = {exchange["target"].rpartition(".")[2] for exchange in exchanges}
    assert operations == {"InitiateAuth", "RespondToAuthChallenge", "GetUser", "GetTokensFromRefreshToken",
                          "RevokeToken"}, operations
    assert all(exchange["method"] == "POST" and exchange["allowOrigin"] == "*" for exchange in exchanges), exchanges
    requested = {name for exchange in exchanges for name in exchange["headers"]} - SAFELISTED
    assert {"content-type", "x-amz-target"} <= requested
    answer = httpx.options(world.live.base_url + "/", headers={
        "Origin": "http://localhost:5173", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": ",".join(sorted(requested))})
    assert 200 <= answer.status_code < 300 and answer.headers["access-control-allow-origin"] == "*"
    assert "POST" in answer.headers["access-control-allow-methods"].split(",")
    assert requested <= set(answer.headers["access-control-allow-headers"].split(","))
