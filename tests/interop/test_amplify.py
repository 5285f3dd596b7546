"""AWS Amplify JS v6 (``aws-amplify/auth``, from npm, unchanged) in Node.js against a live authpool
server, configured as a front end points Amplify at authpool: ``Amplify.configure({Auth: {Cognito:
{userPoolId, userPoolClientId, userPoolEndpoint}}})``. It signs in (SRP and USER_PASSWORD_AUTH),
completes NEW_PASSWORD_REQUIRED, refreshes (GetTokensFromRefreshToken, with and without rotation),
signs up and confirms with the code from the outbox (and signs in automatically), reads and updates
the user's attributes, and signs out (RevokeToken, GlobalSignOut); authpool.guard accepts the access
tokens it gets and refuses its ID tokens. A browser would let a page on another origin make each of
those calls (CORS: the preflight for the headers Amplify sends, Access-Control-Allow-Origin).

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

    def __init__(self, admin, live: LiveServer) -> None:
        self.admin, self.live = admin, live
        self.pool = admin.create_user_pool(PoolName="amplify", AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
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
    """Opens Amplify app sessions configured for the world's pool (``client`` defaults to ``app``)."""
    apps: list[AmplifyApp] = []

    def open_app(client: str | None = None) -> AmplifyApp:
        apps.append(AmplifyApp(node, endpoint=world.live.base_url + "/", pool_id=world.pool,
                               client_id=client or world.app))
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
