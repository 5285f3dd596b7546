"""Every refusal, against the live server (live.py): the guard's typed errors through the FastAPI app, and the
decrypt endpoint's answers (authentication, body, key policy, context, rate), each audited after
authentication. Moved and tampered ciphertexts are put into tokens signed with the pool's real key, as
a compromised or confused issuer path would."""

from __future__ import annotations

import json
import time

import pytest
from tests.server.keyservice.conftest import claims_of
from tests.server.keyservice.live import HOOK, KMS, LOCAL, NATIONAL_ID, RK, Client
from tests.support.live_server import free_port

from authpool.guard import (
    AccessTokenVerifier,
    AuthpoolKeyService,
    AwsKms,
    ClaimDecryptor,
    DecryptionKeyUnavailable,
    EncryptedClaimTampered,
)
from authpool.jose import b64url_decode, b64url_encode, parse_compact_jwe
from authpool.tokens.encrypted import ClaimContext


def remint(live, token: str, **changes) -> str:
    """The same access token with some claims changed, signed with the pool's active access key."""
    claims = {**claims_of(token), **changes}
    return live.ctx.keys.minter(live.pool_id, live.issuer).sign_access_token(claims)


def flip(jwe: str, part: int) -> str:
    parts = jwe.split(".")
    raw = bytearray(b64url_decode(parts[part]))
    raw[len(raw) // 2] ^= 0x01
    parts[part] = b64url_encode(bytes(raw))
    return ".".join(parts)


def refused(response, status: int, error: str) -> None:
    assert response.status_code == status, response.text
    assert response.json()["error"] == error
    assert NATIONAL_ID not in response.text
    assert response.headers["cache-control"].startswith("no-store")


# -- the guard's errors, through the FastAPI app -------------------------------------------------------------
def test_not_allowed_by_the_key_policy(live):
    token = live.token_for(LOCAL)
    before = len(live.audit("keys.decrypt"))
    for kind in ("sync", "async"):
        response = live.api.get(f"/local-other/{kind}", token)
        refused(response, 403, "insufficient_scope")
        assert "not allowed" in response.json()["error_description"]
    denied = live.audit("keys.decrypt")[before:]
    assert [e.detail["outcome"] for e in denied] == ["denied", "denied"]
    assert {e.actor for e in denied} == {live.other.client_id}


def test_not_allowed_by_kms(live):
    refused(live.api.get("/kms-otherkey/sync", live.token_for(KMS)), 403, "insufficient_scope")


def test_wrong_audience(live):
    token = live.token_for(HOOK)  # encrypted for the hook API; the /wrongaud guard is the RK API
    response = live.api.get("/wrongaud/async", token)
    refused(response, 401, "invalid_token")
    assert "another API" in response.json()["error_description"]


@pytest.mark.parametrize("audience", [RK, LOCAL, KMS], ids=["resource-key", "local", "aws-kms"])
def test_moved_to_another_user_or_claim(live, audience):
    route = {RK: "rk", LOCAL: "local", KMS: "kms"}[audience]
    token = live.token_for(audience)
    sealed = claims_of(token)["custom:national_id"]
    into_bob = remint(live, token, sub="bbbbbbbb-0000-0000-0000-000000000000")
    renamed = remint(live, token, **{"custom:national_id": "x", "custom:passport": sealed})
    response = live.api.get(f"/{route}/sync", into_bob)
    refused(response, 401, "invalid_token")
    assert "moved or altered" in response.json()["error_description"]
    # under another name, the route reading that name finds a ciphertext bound to another claim
    verifier = _verifier_like(live, route)
    with pytest.raises(EncryptedClaimTampered):
        verifier.verify(renamed).decrypt("custom:passport")


@pytest.mark.parametrize("audience", [RK, LOCAL, KMS], ids=["resource-key", "local", "aws-kms"])
@pytest.mark.parametrize("part", [1, 3, 4], ids=["encrypted-key", "ciphertext", "tag"])
def test_tampered_ciphertext(live, audience, part):
    route = {RK: "rk", LOCAL: "local", KMS: "kms"}[audience]
    token = live.token_for(audience)
    sealed = claims_of(token)["custom:national_id"]
    if part == 1 and not sealed.split(".")[1]:
        pytest.skip("dir (aws-kms) carries no encrypted key; its KMS blob is tested below")
    tampered = remint(live, token, **{"custom:national_id": flip(sealed, part)})
    refused(live.api.get(f"/{route}/async", tampered), 401, "invalid_token")


def test_tampered_kms_blob(live):
    token = live.token_for(KMS)
    sealed = claims_of(token)["custom:national_id"]
    header = parse_compact_jwe(sealed, algorithms=["dir"], encryptions=["A256GCM"]).header
    edk = bytearray(b64url_decode(header["edk"]))
    edk[-5] ^= 1
    header["edk"] = b64url_encode(bytes(edk))
    forged = b64url_encode(json.dumps(header, separators=(",", ":")).encode()) + "." + sealed.split(".", 1)[1]
    refused(live.api.get("/kms/sync", remint(live, token, **{"custom:national_id": forged})), 401, "invalid_token")


def test_key_unavailable_fails_closed(live):
    dead = f"http://127.0.0.1:{free_port()}"
    cases = [
        (LOCAL, ClaimDecryptor(audience=LOCAL, key_service=AuthpoolKeyService(
            f"{dead}/{live.pool_id}", client_id=live.kycapi.client_id, client_secret=live.kycapi.secret, timeout=1))),
        (KMS, ClaimDecryptor(audience=KMS, kms=AwsKms(key_ids=[live.kms_key], endpoint_url=dead, timeout=1,
                                                      client_kwargs={"aws_access_key_id": "testing",
                                                                     "aws_secret_access_key": "testing"}))),
    ]
    for audience, decryptor in cases:
        claims = _verifier(live, decryptor).verify(live.token_for(audience))
        with pytest.raises(DecryptionKeyUnavailable) as caught:
            claims.decrypt("custom:national_id")
        assert caught.value.status == 503
    bad_secret = ClaimDecryptor(audience=LOCAL, key_service=AuthpoolKeyService(
        live.issuer, client_id=live.kycapi.client_id, client_secret="not-the-secret"))
    with pytest.raises(DecryptionKeyUnavailable):  # 401 from the endpoint: this API is misconfigured
        _verifier(live, bad_secret).verify(live.token_for(LOCAL)).decrypt("custom:national_id")


# -- the decrypt endpoint itself ----------------------------------------------------------------------------------
@pytest.fixture
def request_body(live):
    token = live.token_for(LOCAL)
    claims = claims_of(token)
    jwe = parse_compact_jwe(claims["custom:national_id"], algorithms=["A256KW"], encryptions=["A256GCM"])
    context = ClaimContext(claims["iss"], claims["sub"], "custom:national_id", LOCAL)
    return {"KeyId": jwe.kid, "EncryptedKey": b64url_encode(jwe.encrypted_key), "EncryptionContext": context.as_dict()}


def test_endpoint_answers_the_content_key(live, request_body):
    response = live.decrypt_request(live.kycapi, request_body)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["KeyId"] == request_body["KeyId"] and isinstance(body["KeyVersion"], int)
    assert len(b64url_decode(body["Plaintext"])) == 32
    assert response.headers["cache-control"].startswith("no-store")


def test_endpoint_client_authentication(live, request_body):
    response = live.decrypt_request(live.kycapi, request_body, auth=None)
    refused(response, 401, "invalid_client")
    assert response.headers["www-authenticate"].startswith("Basic")
    refused(live.decrypt_request(live.kycapi, request_body, auth=(live.kycapi.client_id, "wrong")), 401,
            "invalid_client")
    refused(live.decrypt_request(live.kycapi, request_body, auth=("no-such-client", "x")), 401, "invalid_client")
    public = live.ctx.clients.create(live.pool_id, "public spa")
    refused(live.decrypt_request(Client(public.client_id, ""), request_body), 401, "invalid_client")
    other_pool = live.ctx.pools.create("elsewhere")
    stranger = live.ctx.clients.create(other_pool.id, "stranger", generate_secret=True)
    refused(live.decrypt_request(Client(stranger.client_id, stranger.client_secret), request_body), 401,
            "invalid_client")


@pytest.mark.parametrize("mutate", [
    lambda b: {k: v for k, v in b.items() if k != "KeyId"},
    lambda b: {**b, "Extra": 1},
    lambda b: {**b, "EncryptedKey": "not base64url!"},
    lambda b: {**b, "EncryptedKey": "A" * 400},
    lambda b: {**b, "EncryptionContext": {**b["EncryptionContext"], "more": "x"}},
    lambda b: {**b, "EncryptionContext": {"iss": "x"}},
    lambda b: {**b, "EncryptionContext": "iss=x"},
    lambda b: [b],
], ids=["missing", "extra", "bad-b64", "too-long", "context-extra", "context-short", "context-type", "array"])
def test_endpoint_malformed_bodies(live, request_body, mutate):
    refused(live.decrypt_request(live.kycapi, mutate(request_body)), 400, "invalid_request")


def test_endpoint_raw_body_rules(live, request_body):
    refused(live.decrypt_request(live.kycapi, None, raw=b'{"KeyId": "a", "KeyId": "b"}',
                                 headers={"content-type": "application/json"}), 400, "invalid_request")
    refused(live.decrypt_request(live.kycapi, None, raw=b"KeyId=x", headers={
        "content-type": "application/x-www-form-urlencoded"}), 400, "invalid_request")
    refused(live.decrypt_request(live.kycapi, None, raw=b"{" + b" " * 5000 + b"}",
                                 headers={"content-type": "application/json"}), 400, "invalid_request")
    assert live.decrypt_request(live.kycapi, request_body).status_code == 200  # the same request, well formed


def test_endpoint_policy_context_and_key(live, request_body):
    before = len(live.audit("keys.decrypt"))
    refused(live.decrypt_request(live.other, request_body), 403, "access_denied")
    moved = {**request_body, "EncryptionContext": {**request_body["EncryptionContext"], "sub": "someone-else"}}
    refused(live.decrypt_request(live.kycapi, moved), 400, "invalid_ciphertext")
    other_aud = {**request_body, "EncryptionContext": {**request_body["EncryptionContext"], "aud": RK}}
    refused(live.decrypt_request(live.kycapi, other_aud), 400, "invalid_ciphertext")
    unknown = {**request_body, "KeyId": "lk000000000000.1"}
    refused(live.decrypt_request(live.kycapi, unknown), 400, "invalid_ciphertext")
    outcomes = [(e.actor, e.detail["outcome"]) for e in live.audit("keys.decrypt")[before:]]
    assert outcomes == [(live.other.client_id, "denied"), (live.kycapi.client_id, "invalid"),
                        (live.kycapi.client_id, "invalid"), (live.kycapi.client_id, "invalid")]


def test_endpoint_rate_limit(live, request_body):
    from tests.server.keyservice.live import DECRYPT_BURST

    flooder = live.ctx.clients.create(live.pool_id, "flooder", generate_secret=True)
    client = Client(flooder.client_id, flooder.client_secret)
    before = len(live.audit("keys.decrypt"))
    statuses = [live.decrypt_request(client, request_body) for _ in range(DECRYPT_BURST + 15)]
    limited = [r for r in statuses if r.status_code == 429]
    assert limited, [r.status_code for r in statuses]
    assert all(r.status_code == 403 for r in statuses if r.status_code != 429)  # not in the policy anyway
    refused(limited[0], 429, "slow_down")
    assert int(limited[0].headers["retry-after"]) >= 1
    throttled = [e for e in live.audit("keys.decrypt")[before:] if e.detail["outcome"] == "throttled"]
    # one audit row per run of refusals (a refill between two requests starts a new run), not one per request
    assert 1 <= len(throttled) < len(limited)
    time.sleep(1.0 / 4)
    assert live.decrypt_request(live.kycapi, request_body).status_code == 200  # other clients are not affected


def test_endpoint_methods(live):
    import httpx

    assert httpx.get(live.url("/keys/decrypt")).status_code == 405


# -- helpers -------------------------------------------------------------------------------------------------------
def _verifier(live, decryptor) -> AccessTokenVerifier:
    return AccessTokenVerifier(issuer=live.issuer, client_ids=[live.web.client_id],
                               jwks_uri=live.issuer + "/.well-known/jwks.json", algorithms=["ES256"], decryptor=decryptor)


def _verifier_like(live, route: str) -> AccessTokenVerifier:
    from tests.server.keyservice.live import AWS_CREDENTIALS

    from authpool.guard import ResourceKeys
    decryptor = {
        "rk": lambda: ClaimDecryptor(audience=RK, resource_keys=ResourceKeys([live.rs_key])),
        "local": lambda: ClaimDecryptor(audience=LOCAL, key_service=AuthpoolKeyService(
            live.issuer, client_id=live.kycapi.client_id, client_secret=live.kycapi.secret)),
        "kms": lambda: ClaimDecryptor(audience=KMS, kms=AwsKms(key_ids=[live.kms_key], endpoint_url=live.moto.url,
                                                               client_kwargs=AWS_CREDENTIALS)),
    }[route]()
    return _verifier(live, decryptor)
