"""The guard's three key sources against the real services, without a web framework: tokens from a real
``authpool serve`` (hosted-login sign-in), keys from the guard's own ResourceKeys, from authpool's decrypt
endpoint (AuthpoolKeyService) and from moto's KMS server (AwsKms), sync and async. The servers are the
ones of tests/server/keyservice/live.py (shared by the session)."""

from __future__ import annotations

import asyncio

import pytest
from tests.server.keyservice.live import AWS_CREDENTIALS, HOOK, KMS, LOCAL, NATIONAL_ID, RK, shared_live

from authpool.guard import (
    AccessTokenVerifier,
    AuthpoolKeyService,
    AwsKms,
    ClaimDecryptor,
    DecryptionNotAllowed,
    EncryptedClaimWrongAudience,
    ResourceKeys,
)


@pytest.fixture(scope="module")
def live(tmp_path_factory, pytestconfig):
    return shared_live(tmp_path_factory, pytestconfig)


def verifier(live, decryptor: ClaimDecryptor) -> AccessTokenVerifier:
    return AccessTokenVerifier(issuer=live.issuer, client_ids=[live.web.client_id], discovery=True,
                               algorithms=["ES256"], decryptor=decryptor)


def decryptors(live) -> dict[str, ClaimDecryptor]:
    return {
        RK: ClaimDecryptor(audience=RK, resource_keys=ResourceKeys([live.rs_key.to_private_dict()])),
        HOOK: ClaimDecryptor(audience=HOOK, resource_keys=ResourceKeys([live.hook_key])),
        LOCAL: ClaimDecryptor(audience=LOCAL, key_service=AuthpoolKeyService(
            live.issuer, client_id=live.kycapi.client_id, client_secret=live.kycapi.secret)),
        KMS: ClaimDecryptor(audience=KMS, kms=AwsKms(key_ids=[live.kms_key], endpoint_url=live.moto.url,
                                                     client_kwargs=AWS_CREDENTIALS)),
    }


@pytest.mark.parametrize("audience", [RK, LOCAL, KMS, HOOK], ids=["resource-key", "local", "aws-kms", "hook"])
def test_each_key_source_round_trip(live, audience):
    guard = verifier(live, decryptors(live)[audience])
    token = live.token_for(audience)
    claims = guard.verify(token)
    assert claims.decrypt("custom:national_id") == NATIONAL_ID
    assert asyncio.run(guard.averify(token)).decrypt("custom:national_id") == NATIONAL_ID

    async def both():
        again = await guard.averify(token)
        return await asyncio.gather(again.adecrypt("custom:national_id"), again.adecrypt("custom:national_id"))

    assert asyncio.run(both()) == [NATIONAL_ID, NATIONAL_ID]


def test_a_token_for_one_api_is_unreadable_by_the_others(live):
    token = live.token_for(LOCAL)
    for audience, decryptor in decryptors(live).items():
        if audience != LOCAL:
            with pytest.raises(EncryptedClaimWrongAudience):
                verifier(live, decryptor).verify(token).decrypt("custom:national_id")


def test_the_key_policy_is_the_servers(live):
    other = ClaimDecryptor(audience=LOCAL, key_service=AuthpoolKeyService(
        live.issuer, client_id=live.other.client_id, client_secret=live.other.secret))
    claims = verifier(live, other).verify(live.token_for(LOCAL))
    with pytest.raises(DecryptionNotAllowed):
        claims.decrypt("custom:national_id")
    with pytest.raises(DecryptionNotAllowed):
        asyncio.run(claims.adecrypt("custom:national_id"))
