"""claims.decrypt / adecrypt with resource keys: the check order of guard/decrypt.py, one refusal per step.

Encrypted claims are made here exactly as the resource-key backend makes them (ECDH-ES+A256KW, A256GCM,
``aud`` and ``ctx`` in the protected header), with tokens signed by a local key, so each step can be
broken on purpose. The other key services (authpool's decrypt endpoint, AWS KMS) are exercised end to
end in tests/server/keyservice/.
"""

from __future__ import annotations

import asyncio

import pytest

from authpool.guard import (
    AccessClaims,
    AccessTokenVerifier,
    AuthpoolKeyService,
    ClaimDecryptor,
    DecryptionError,
    DecryptionKeyUnavailable,
    EncryptedClaimMissing,
    EncryptedClaimTampered,
    EncryptedClaimWrongAudience,
    MalformedEncryptedClaim,
    ResourceKeys,
    TokenError,
    rfc6750,
)
from authpool.jose import (
    ECDHKey,
    b64url_decode,
    b64url_encode,
    dumps_compact,
    encrypt_compact_jwe,
    loads_object,
)
from authpool.tokens.encrypted import ClaimContext, encode_value

from .helpers import ISS, NOW, access_claims, token

API = "https://kyc.example.com"
OTHER_API = "https://billing.example.com"
SUB = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
NATIONAL_ID = "756.9217.0769.85"


@pytest.fixture(scope="module")
def rs_key() -> ECDHKey:
    return ECDHKey.generate("X25519", kid="kyc-2026")


def seal(value, key: ECDHKey, *, claim="custom:national_id", iss=ISS, sub=SUB, aud=API, alg="ECDH-ES+A256KW",
         extra=None) -> str:
    context = ClaimContext(iss, sub, claim, aud)
    headers = {"aud": aud, "ctx": context.binding(), **(extra or {})}
    return encrypt_compact_jwe(encode_value(value), key.public(), alg=alg, enc="A256GCM", kid=key.kid, headers=headers)


@pytest.fixture
def verify(rsa_key, rs_key):
    def make(decryptor=..., **claims):
        if decryptor is ...:
            decryptor = ClaimDecryptor(audience=API, resource_keys=ResourceKeys([rs_key.to_private_dict()]))
        verifier = AccessTokenVerifier(issuer=ISS, client_ids=None, jwks=[rsa_key.public()], algorithms=["RS256"],
                                       clock=lambda: NOW, decryptor=decryptor)
        return verifier.verify(token(rsa_key, access_claims(**claims)))
    return make


def test_round_trip(verify, rs_key):
    claims = verify(**{"custom:national_id": seal(NATIONAL_ID, rs_key)})
    assert claims.decrypt("custom:national_id") == NATIONAL_ID
    assert asyncio.run(claims.adecrypt("custom:national_id")) == NATIONAL_ID
    # any JSON value round-trips
    claims = verify(birth=seal({"y": 1985, "m": 4}, rs_key, claim="birth"))
    assert claims.decrypt("birth") == {"y": 1985, "m": 4}


def test_step1_missing(verify):
    claims = verify()
    with pytest.raises(EncryptedClaimMissing) as caught:
        claims.decrypt("custom:national_id")
    assert caught.value.status == 403 and caught.value.claim == "custom:national_id"
    assert claims.decrypt("custom:national_id", default=None) is None
    assert asyncio.run(claims.adecrypt("custom:national_id", default="n/a")) == "n/a"


@pytest.mark.parametrize("value", [NATIONAL_ID, 42, {"a": 1}, ["x"] * 20, "a.b.c", "a.b.c.d.e", "x" * 9000])
def test_step2_3_not_an_encrypted_claim(verify, value):
    """A value in clear, a JWS, five garbage parts, an oversized string: refused, never returned."""
    claims = verify(**{"custom:national_id": value})
    with pytest.raises(MalformedEncryptedClaim) as caught:
        claims.decrypt("custom:national_id")
    assert caught.value.status == 401 and caught.value.error == "invalid_token"
    assert NATIONAL_ID not in str(caught.value)


def test_step3_only_the_claim_algorithms(verify, rs_key):
    for alg in ("ECDH-ES+A128KW", "ECDH-ES"):  # valid JWE, never what authpool issues
        with pytest.raises(MalformedEncryptedClaim):
            verify(**{"custom:national_id": seal(NATIONAL_ID, rs_key, alg=alg)}).decrypt("custom:national_id")


def test_step6_a_key_service_this_guard_does_not_have(verify):
    """A claim for the local key service (A256KW), for this API, when it only has resource keys: fail closed."""
    context = ClaimContext(ISS, SUB, "custom:national_id", API)
    local = encrypt_compact_jwe(b'"x"', b"k" * 32, alg="A256KW", enc="A256GCM", kid="lk1.1",
                                headers={"aud": API, "ctx": context.binding()})
    with pytest.raises(DecryptionKeyUnavailable) as caught:
        verify(**{"custom:national_id": local}).decrypt("custom:national_id")
    assert caught.value.actual == "A256KW" and caught.value.expected == ["ECDH-ES+A256KW"]


def test_step4_wrong_audience(verify, rs_key):
    claims = verify(**{"custom:national_id": seal(NATIONAL_ID, rs_key, aud=OTHER_API)})
    with pytest.raises(EncryptedClaimWrongAudience) as caught:
        claims.decrypt("custom:national_id")
    assert caught.value.actual == [OTHER_API] and caught.value.expected == API


def test_one_entry_per_audience(verify, rs_key):
    other = ECDHKey.generate("P-256")
    both = [seal(NATIONAL_ID + "-billing", other, aud=OTHER_API), seal(NATIONAL_ID, rs_key)]
    assert verify(**{"custom:national_id": both}).decrypt("custom:national_id") == NATIONAL_ID


@pytest.mark.parametrize("moved", [
    {"sub": "ffffffff-0000-0000-0000-000000000000"},  # into another user's token
    {"claim": "custom:passport"},                      # under another claim name
    {"iss": "https://other-issuer.example/pool"},      # from another issuer
])
def test_step5_moved_ciphertext(verify, rs_key, moved):
    kwargs = {"claim": "custom:national_id", **moved}
    sealed = seal(NATIONAL_ID, rs_key, **kwargs)
    claims = verify(**{"custom:national_id": sealed})
    with pytest.raises(EncryptedClaimTampered) as caught:
        claims.decrypt("custom:national_id")
    assert caught.value.code == "encrypted_claim_tampered"


def test_step5_renamed_claim(verify, rs_key):
    claims = verify(**{"custom:passport": seal(NATIONAL_ID, rs_key)})  # made for national_id, found elsewhere
    with pytest.raises(EncryptedClaimTampered):
        claims.decrypt("custom:passport")


def test_step5_rewritten_binding_breaks_the_tag(verify, rs_key):
    """An attacker who moves the ciphertext and rewrites ``ctx`` to match passes step 5, not step 7."""
    sealed = seal(NATIONAL_ID, rs_key, sub="someone-else")
    parts = sealed.split(".")
    header = loads_object(b64url_decode(parts[0]))
    header["ctx"] = ClaimContext(ISS, SUB, "custom:national_id", API).binding()
    parts[0] = b64url_encode(dumps_compact(header))
    with pytest.raises(EncryptedClaimTampered):
        verify(**{"custom:national_id": ".".join(parts)}).decrypt("custom:national_id")


@pytest.mark.parametrize("part", [1, 2, 3, 4])
def test_step7_tampered_parts(verify, rs_key, part):
    parts = seal(NATIONAL_ID, rs_key).split(".")
    raw = bytearray(b64url_decode(parts[part]))
    raw[-1] ^= 0x01
    parts[part] = b64url_encode(bytes(raw))
    with pytest.raises(EncryptedClaimTampered):
        verify(**{"custom:national_id": ".".join(parts)}).decrypt("custom:national_id")


def test_step6_unknown_kid_fails_closed(verify):
    stranger = ECDHKey.generate("X25519", kid="not-ours")
    with pytest.raises(DecryptionKeyUnavailable) as caught:
        verify(**{"custom:national_id": seal(NATIONAL_ID, stranger)}).decrypt("custom:national_id")
    assert caught.value.status == 503


def test_rotated_resource_keys_both_decrypt(verify, rs_key):
    new = ECDHKey.generate("P-256", kid="kyc-2027")
    decryptor = ClaimDecryptor(audience=API, resource_keys=ResourceKeys([rs_key.to_private_dict(), new]))
    for key in (rs_key, new):
        claims = verify(decryptor, **{"custom:national_id": seal(NATIONAL_ID, key)})
        assert claims.decrypt("custom:national_id") == NATIONAL_ID


def test_no_decryptor_fails_closed(verify, rs_key):
    claims = verify(None, **{"custom:national_id": seal(NATIONAL_ID, rs_key)})
    with pytest.raises(DecryptionKeyUnavailable):
        claims.decrypt("custom:national_id")
    with pytest.raises(DecryptionKeyUnavailable):
        AccessClaims({"iss": ISS}).decrypt("x")


def test_nothing_is_cached_on_the_claims(verify, rs_key):
    """The verified-token cache may hand the same AccessClaims to many requests: decrypt stores nothing."""
    claims = verify(**{"custom:national_id": seal(NATIONAL_ID, rs_key)})
    before = {slot: getattr(claims, slot, None) for slot in type(claims).__slots__}
    claims.decrypt("custom:national_id")
    after = {slot: getattr(claims, slot, None) for slot in type(claims).__slots__}
    assert before == after
    assert NATIONAL_ID not in repr(claims) and NATIONAL_ID not in repr(claims.to_dict())


def test_errors_render_as_rfc6750_without_the_value(verify, rs_key):
    for error in (EncryptedClaimMissing(), EncryptedClaimWrongAudience(), EncryptedClaimTampered(),
                  DecryptionKeyUnavailable()):
        assert isinstance(error, DecryptionError) and isinstance(error, TokenError)
        status, headers, body = rfc6750.render(error)
        assert status == error.status and body["error_description"] == error.description
        assert "WWW-Authenticate" in headers
    assert rfc6750.render(DecryptionKeyUnavailable())[1]["Retry-After"] == "10"


def test_configuration_is_explicit(rs_key):
    with pytest.raises(TypeError):
        ClaimDecryptor(audience=API)  # no key service at all
    with pytest.raises(TypeError):
        ClaimDecryptor(audience="", resource_keys=ResourceKeys([rs_key]))
    with pytest.raises(ValueError):
        ResourceKeys([rs_key.public()])  # a public key cannot decrypt
    with pytest.raises(ValueError):
        AuthpoolKeyService("http://kyc.example.com/pool", client_id="c", client_secret="s")  # plain http off-host
    with pytest.raises(ValueError):
        AuthpoolKeyService("https://idp.example/pool", client_id="c", client_secret="")
    service = AuthpoolKeyService("https://idp.example/pool", client_id="c", client_secret="s3cr3t-value")
    assert "s3cr3t-value" not in repr(service)
    assert service.url == "https://idp.example/pool/keys/decrypt"


def test_key_service_unreachable_fails_closed(verify):
    """authpool's endpoint does not answer (nothing listens on the port): DecryptionKeyUnavailable, 503."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    service = AuthpoolKeyService(f"http://127.0.0.1:{port}/pool", client_id="c", client_secret="s", timeout=1)
    decryptor = ClaimDecryptor(audience=API, key_service=service)
    context = ClaimContext(ISS, SUB, "custom:national_id", API)
    local = encrypt_compact_jwe(b'"x"', b"k" * 32, alg="A256KW", enc="A256GCM", kid="lk1.1",
                                headers={"aud": API, "ctx": context.binding()})
    claims = verify(decryptor, **{"custom:national_id": local})
    with pytest.raises(DecryptionKeyUnavailable):
        claims.decrypt("custom:national_id")
    with pytest.raises(DecryptionKeyUnavailable):
        asyncio.run(claims.adecrypt("custom:national_id"))
