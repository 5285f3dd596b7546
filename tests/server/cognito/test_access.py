"""authpool.server.cognito.access: which access tokens GetUser & co. accept, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from authpool.jose import JWK, b64url_decode, b64url_encode, sign_compact
from authpool.server.cognito.access import ID_TOKEN, authorize
from authpool.server.errors import NotAuthorized
from authpool.server.issuance import TokenService
from authpool.server.keys import SigningKeys
from authpool.server.settings import Settings
from authpool.server.store import KeyPurpose
from authpool.tokens.profiles import COGNITO_ADMIN_SCOPE

BASE = "http://127.0.0.1:9999"


@dataclass
class Ctx:
    settings: Settings
    db: object
    tokens: TokenService


@pytest.fixture
def world(database, clock, pools, clients, users):
    settings = Settings(base_url=BASE)
    keys = SigningKeys(database, clock=clock)
    ctx = Ctx(settings, database, TokenService(database, keys, settings.issuer_for, clock=clock))
    pool = pools.create("access")
    client = clients.create(pool.id, "app")
    user = users.sign_up(pool.id, "alice", "Correct-Horse-9", confirmed=True)
    return ctx, pool, client, user, users


def _sign_in(ctx, client, user, scopes=(COGNITO_ADMIN_SCOPE,)):
    return ctx.tokens.for_user(client=client, user=user, scopes=list(scopes),
                               trigger_source="TokenGeneration_Authentication")


def refused(ctx, token) -> str:
    with pytest.raises(NotAuthorized) as excinfo:
        authorize(ctx, token)
    return excinfo.value.message


def test_a_fresh_access_token_is_accepted(world):
    ctx, pool, client, user, _ = world
    grant = authorize(ctx, _sign_in(ctx, client, user).access_token)
    assert (grant.pool_id, grant.client_id, grant.user.sub) == (pool.id, client.client_id, user.sub)


def test_id_tokens_are_refused_by_name(world):
    ctx, _, client, user, _ = world
    assert refused(ctx, _sign_in(ctx, client, user).id_token) == ID_TOKEN


def test_expired_wrong_scope_and_foreign_tokens(world, clock):
    ctx, _, client, user, _ = world
    token = _sign_in(ctx, client, user).access_token
    no_admin_scope = _sign_in(ctx, client, user, scopes=["openid"]).access_token
    assert "required scopes" in refused(ctx, no_admin_scope)
    machine = ctx.tokens.for_client(client=client, scopes=["api/read"]).access_token
    assert "required scopes" in refused(ctx, machine)
    clock.advance(3600)
    assert "expired" in refused(ctx, token)
    for garbage in ("", "abc", "a.b.c", "a.b", "x" * 20000):
        assert refused(ctx, garbage) == "Invalid Access Token"


def test_tampered_or_foreign_signatures(world, database):
    ctx, pool, client, user, _ = world
    token = _sign_in(ctx, client, user).access_token
    header, payload, sig = token.split(".")
    claims = json.loads(b64url_decode(payload))
    claims["sub"] = "someone-else"
    assert refused(ctx, f"{header}.{b64url_encode(json.dumps(claims).encode())}.{sig}") == "Invalid Access Token"
    stranger = JWK.generate("RS256")
    assert refused(ctx, sign_compact(claims, stranger)) == "Invalid Access Token"
    with database.transaction(readonly=True) as tx:  # the pool's own ID-token key is not an access-token key
        id_key = JWK.from_dict(tx.signing_keys.active(pool.id, KeyPurpose.ID).private_jwk)
    claims["sub"] = user.sub
    assert refused(ctx, sign_compact(claims, id_key)) == "Invalid Access Token"
    claims["iss"] = "http://elsewhere.example/" + pool.id
    assert refused(ctx, sign_compact(claims, stranger)) == "Invalid Access Token"


def test_revoked_signed_out_disabled_and_deleted(world):
    ctx, pool, client, user, users = world
    result = _sign_in(ctx, client, user)
    ctx.tokens.revoke_refresh_token(client=client, refresh_token=result.refresh_token)
    assert "revoked" in refused(ctx, result.access_token)

    before = _sign_in(ctx, client, user).access_token
    users.global_sign_out(pool.id, "alice")
    assert "revoked" in refused(ctx, before)
    after = _sign_in(ctx, client, users.get(pool.id, "alice")).access_token
    authorize(ctx, after)  # a session started after the sign-out works

    users.disable(pool.id, "alice")
    refused(ctx, after)
    users.enable(pool.id, "alice")
    again = _sign_in(ctx, client, users.get(pool.id, "alice")).access_token
    users.delete(pool.id, "alice")
    refused(ctx, again)
