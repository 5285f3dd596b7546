"""TokenService on SQLite and PostgreSQL: sign-in, refresh (with and without rotation), reuse
detection, client credentials, revocation, validities and the customizer seam."""

from __future__ import annotations

import threading

import jwt as pyjwt
import pytest

from authpool.server.issuance import (
    ClaimSets,
    InvalidRefreshToken,
    RefreshTokenReused,
    TokenService,
    UserDisabled,
    validities,
)
from authpool.server.keys import SigningKeys
from authpool.server.store.records import UserStatus

POOL = "us-east-1_IssueTest"
BASE = "http://127.0.0.1:8000"


def issuer_for(pool_id: str) -> str:
    return f"{BASE}/{pool_id}"


@pytest.fixture
def setup(database, clock):
    with database.transaction() as tx:
        tx.pools.create(id=POOL, name="t", settings={})
        client = tx.clients.create(POOL, client_id="client1", name="app", client_secret=None,
                                   settings={"ReadAttributes": ["email", "name", "custom:tier"]})
        other = tx.clients.create(POOL, client_id="client2", name="other", client_secret=None, settings={})
        user = tx.users.create(POOL, username="alice", status=UserStatus.CONFIRMED,
                               attributes={"email": "alice@example.com", "name": "Alice", "custom:tier": "premium",
                                           "phone_number": "+15555550100"})
        tx.groups.create(POOL, name="users", precedence=5)
        tx.groups.create(POOL, name="admin", precedence=1)
        tx.groups.add_member(POOL, "users", user.sub)
        tx.groups.add_member(POOL, "admin", user.sub)
    keys = SigningKeys(database, clock=clock)
    keys.ensure(POOL)
    service = TokenService(database, keys, issuer_for, clock=clock)
    return service, client, other, user, keys


def claims_of(token: str) -> dict:
    return pyjwt.decode(token, options={"verify_signature": False})


def test_sign_in_issues_the_three_tokens(setup, clock):
    service, client, _, user, _ = setup
    result = service.for_user(client=client, user=user, scopes=["aws.cognito.signin.user.admin"],
                              trigger_source="TokenGeneration_Authentication")
    access, id_claims = claims_of(result.access_token), claims_of(result.id_token)
    assert result.expires_in == 3600 and result.token_type == "Bearer"
    assert access["scope"] == "aws.cognito.signin.user.admin" and access["client_id"] == "client1"
    assert access["cognito:groups"] == id_claims["cognito:groups"] == ["admin", "users"]  # by precedence
    assert "email" not in access and "aud" not in access
    assert id_claims["aud"] == "client1" and id_claims["email"] == "alice@example.com"
    assert "phone_number" not in id_claims  # not in the client's ReadAttributes
    assert access["origin_jti"] == id_claims["origin_jti"] and access["auth_time"] == clock.now
    assert access["iss"] == f"{BASE}/{POOL}"
    assert "." not in result.refresh_token


def test_refresh_keeps_auth_time_and_origin_jti(setup, clock):
    service, client, _, user, _ = setup
    first = service.for_user(client=client, user=user, scopes=["openid"], trigger_source="x")
    clock.advance(600)
    again = service.refresh(client=client, refresh_token=first.refresh_token, rotate=False)
    a, b = claims_of(first.access_token), claims_of(again.access_token)
    assert again.refresh_token is None  # Cognito: no new refresh token without rotation
    assert b["auth_time"] == a["auth_time"] and b["origin_jti"] == a["origin_jti"]
    assert b["jti"] != a["jti"] and b["iat"] == a["iat"] + 600 and b["event_id"] != a["event_id"]
    assert b["scope"] == "openid"


def test_refresh_token_is_bound_to_its_client(setup):
    service, client, other, user, _ = setup
    first = service.for_user(client=client, user=user, scopes=["openid"], trigger_source="x")
    with pytest.raises(InvalidRefreshToken):
        service.refresh(client=other, refresh_token=first.refresh_token, rotate=False)
    with pytest.raises(InvalidRefreshToken):
        service.refresh(client=client, refresh_token="not-a-token", rotate=False)


def test_rotation_and_reuse_detection_revoke_the_family(setup):
    service, client, _, user, _ = setup
    first = service.for_user(client=client, user=user, scopes=["openid"], trigger_source="x")
    second = service.refresh(client=client, refresh_token=first.refresh_token, rotate=True)
    assert second.refresh_token and second.refresh_token != first.refresh_token
    with pytest.raises(RefreshTokenReused):
        service.refresh(client=client, refresh_token=first.refresh_token, rotate=True)
    # The replay revoked the whole family: the legitimate new token is dead too, and so are access tokens.
    with pytest.raises(InvalidRefreshToken):
        service.refresh(client=client, refresh_token=second.refresh_token, rotate=True)
    assert service.is_revoked(claims_of(second.access_token))


def test_rotation_grace_period_allows_a_retry(setup, clock):
    service, client, _, user, _ = setup
    first = service.for_user(client=client, user=user, scopes=["openid"], trigger_source="x")
    service.refresh(client=client, refresh_token=first.refresh_token, rotate=True, grace_seconds=30)
    clock.advance(10)
    retry = service.refresh(client=client, refresh_token=first.refresh_token, rotate=True, grace_seconds=30)
    assert retry.refresh_token
    clock.advance(60)
    with pytest.raises(RefreshTokenReused):
        service.refresh(client=client, refresh_token=first.refresh_token, rotate=True, grace_seconds=30)


def test_concurrent_rotations_have_exactly_one_winner(setup):
    service, client, _, user, _ = setup
    first = service.for_user(client=client, user=user, scopes=["openid"], trigger_source="x")
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt():
        try:
            service.refresh(client=client, refresh_token=first.refresh_token, rotate=True)
            outcome = "ok"
        except InvalidRefreshToken as exc:
            outcome = type(exc).__name__
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=attempt) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("ok") <= 1 and len(outcomes) == 12
    assert all(o in ("ok", "RefreshTokenReused", "InvalidRefreshToken") for o in outcomes)


def test_revocation_kills_refresh_and_access_tokens(setup):
    service, client, other, user, _ = setup
    result = service.for_user(client=client, user=user, scopes=["openid"], trigger_source="x")
    assert not service.is_revoked(claims_of(result.access_token))
    assert service.revoke_refresh_token(client=other, refresh_token=result.refresh_token) is False
    assert service.revoke_refresh_token(client=client, refresh_token=result.refresh_token) is True
    assert service.is_revoked(claims_of(result.access_token))
    with pytest.raises(InvalidRefreshToken):
        service.refresh(client=client, refresh_token=result.refresh_token, rotate=False)


def test_disabled_user_cannot_sign_in_or_refresh(setup, database):
    service, client, _, user, _ = setup
    result = service.for_user(client=client, user=user, scopes=["openid"], trigger_source="x")
    with database.transaction() as tx:
        disabled = tx.users.update(POOL, user.sub, enabled=False)
    with pytest.raises(UserDisabled):
        service.refresh(client=client, refresh_token=result.refresh_token, rotate=False)
    with pytest.raises(UserDisabled):
        service.for_user(client=client, user=disabled, scopes=["openid"], trigger_source="x")


def test_client_credentials_writes_nothing_and_has_no_session(setup, database):
    service, client, _, _, _ = setup
    result = service.for_client(client=client, scopes=["orders/read"], audience="https://api.example.com")
    claims = claims_of(result.access_token)
    assert result.id_token is None and result.refresh_token is None
    assert claims["sub"] == "client1" and claims["aud"] == "https://api.example.com"
    assert "origin_jti" not in claims and "username" not in claims
    assert not service.is_revoked(claims)


def test_nonce_and_at_hash_for_oauth_flows(setup):
    service, client, _, user, _ = setup
    result = service.for_user(client=client, user=user, scopes=["openid"], trigger_source="TokenGeneration_HostedAuth",
                              nonce="n-123", with_at_hash=True, audience="orders")
    id_claims = claims_of(result.id_token)
    assert id_claims["nonce"] == "n-123" and id_claims["at_hash"]
    assert claims_of(result.access_token)["aud"] == "orders"


def test_customizer_changes_claims_and_scopes_before_signing(setup):
    service, client, _, user, _ = setup

    class AddTenant:
        def customize(self, context, claims: ClaimSets) -> ClaimSets:
            assert context.trigger_source == "TokenGeneration_Authentication" and context.groups == ["admin", "users"]
            claims.access["tenant_id"] = "t-42"
            claims.scopes.append("orders/read")
            del claims.id["email"]
            return claims

    service.customizer = AddTenant()
    result = service.for_user(client=client, user=user, scopes=["aws.cognito.signin.user.admin"],
                              trigger_source="TokenGeneration_Authentication")
    access = claims_of(result.access_token)
    assert access["tenant_id"] == "t-42"
    assert access["scope"] == "aws.cognito.signin.user.admin orders/read"
    assert "email" not in claims_of(result.id_token)


def test_validities_follow_cognito_units():
    assert validities({}) == validities({"AccessTokenValidity": 60, "TokenValidityUnits": {"AccessToken": "minutes"}})
    v = validities({"AccessTokenValidity": 5, "IdTokenValidity": 10, "RefreshTokenValidity": 2,
                    "TokenValidityUnits": {"AccessToken": "minutes", "IdToken": "minutes", "RefreshToken": "hours"}})
    assert (v.access, v.id, v.refresh) == (300, 600, 7200)
    assert validities({"RefreshTokenValidity": 0}).refresh == 30 * 86400


def test_client_validities_shape_token_lifetimes(setup, database, clock):
    service, client, _, user, _ = setup
    with database.transaction() as tx:
        short = tx.clients.update(POOL, client.client_id, settings={
            **client.settings, "AccessTokenValidity": 5, "TokenValidityUnits": {"AccessToken": "minutes"}})
    result = service.for_user(client=short, user=user, scopes=["openid"], trigger_source="x")
    claims = claims_of(result.access_token)
    assert result.expires_in == 300 and claims["exp"] - claims["iat"] == 300
    assert claims_of(result.id_token)["exp"] - claims["iat"] == 3600


def test_auth_time_is_when_the_user_authenticated(setup, clock):
    service, client, _, user, _ = setup
    signed_in_at = clock.now - 900  # e.g. an SSO session from 15 minutes ago
    result = service.for_user(client=client, user=user, scopes=["openid"], trigger_source="x", auth_time=signed_in_at)
    assert claims_of(result.access_token)["auth_time"] == claims_of(result.id_token)["auth_time"] == signed_in_at
    clock.advance(60)
    again = service.refresh(client=client, refresh_token=result.refresh_token, rotate=False)
    assert claims_of(again.access_token)["auth_time"] == signed_in_at
    future = service.for_user(client=client, user=user, scopes=["openid"], trigger_source="x",
                              auth_time=clock.now + 3600)
    assert claims_of(future.access_token)["auth_time"] == clock.now  # never in the future


def test_group_iam_roles_ride_in_the_id_token_only(setup, database):
    service, client, _, user, _ = setup
    with database.transaction() as tx:
        tx.groups.update(POOL, "admin", role_arn="arn:aws:iam::123456789012:role/admin")
        tx.groups.update(POOL, "users", role_arn="arn:aws:iam::123456789012:role/users")
    result = service.for_user(client=client, user=user, scopes=["openid"], trigger_source="x")
    id_claims, access = claims_of(result.id_token), claims_of(result.access_token)
    assert id_claims["cognito:roles"] == ["arn:aws:iam::123456789012:role/admin", "arn:aws:iam::123456789012:role/users"]
    assert id_claims["cognito:preferred_role"] == "arn:aws:iam::123456789012:role/admin"  # precedence 1 wins
    assert "cognito:roles" not in access and "cognito:preferred_role" not in access
