"""authpool.jose.jwe: round trips for every algorithm pair, and every refusal of the strict parser.

The order of checks is that of the module docstring: size, five parts, base64url, JSON header,
alg/enc allow-lists, zip, crit, header keys, kid, epk/apu/apv, part lengths; then one opaque
DecryptionFailed for anything cryptographic.
"""

from __future__ import annotations

import os

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from authpool.jose import (
    ECDHKey,
    InvalidKey,
    MalformedJWE,
    MalformedJWS,
    TokenTooLarge,
    UnknownCritical,
    UnsupportedAlgorithm,
    UntrustedHeaderKey,
    b64url_decode,
    b64url_encode,
    decrypt_compact_jwe,
    encrypt_compact_jwe,
    parse_compact_jwe,
)
from authpool.jose.jsonutil import dumps_compact
from authpool.jose.jwe import ECDH_ES, ENCRYPTIONS, KEY_WRAP, DecryptionFailed

ALL_ALGS = ["dir", *KEY_WRAP, *ECDH_ES]
ALL_ENCS = list(ENCRYPTIONS)
PLAINTEXT = b'"123-45-6789"'


def key_pair(alg: str, enc: str, crv: str = "X25519"):
    if alg == "dir":
        key = os.urandom(ENCRYPTIONS[enc])
        return key, key
    if alg in KEY_WRAP:
        key = os.urandom(KEY_WRAP[alg])
        return key, key
    private = ECDHKey.generate(crv)
    return private.public(), private


def decrypt(token, key, alg="ECDH-ES+A256KW", enc="A256GCM", **kw):
    return decrypt_compact_jwe(token, key, algorithms=[alg], encryptions=[enc], **kw)


@pytest.mark.parametrize("enc", ALL_ENCS)
@pytest.mark.parametrize("alg", ALL_ALGS)
def test_round_trip(alg, enc):
    public, private = key_pair(alg, enc)
    token = encrypt_compact_jwe(PLAINTEXT, public, alg=alg, enc=enc, kid="k1", headers={"aud": "https://api"})
    header, plaintext = decrypt(token, private, alg, enc)
    assert plaintext == PLAINTEXT
    assert header["alg"] == alg and header["enc"] == enc and header["kid"] == "k1" and header["aud"] == "https://api"
    assert token.count(".") == 4
    empty_key = alg in ("dir", "ECDH-ES")
    assert (token.split(".")[1] == "") is empty_key


@pytest.mark.parametrize("crv", ["P-256", "P-384", "P-521", "X25519"])
def test_every_curve(crv):
    private = ECDHKey.generate(crv)
    again = ECDHKey.from_dict(private.to_private_dict())
    token = encrypt_compact_jwe(b"x", ECDHKey.from_dict(private.to_public_dict(), allow_private=False),
                                alg="ECDH-ES+A256KW", enc="A256GCM")
    assert decrypt(token, again)[1] == b"x"
    assert again.thumbprint() == private.thumbprint() == private.kid


def test_encryption_is_randomised():
    public, _ = key_pair("ECDH-ES+A256KW", "A256GCM")
    a = encrypt_compact_jwe(PLAINTEXT, public, alg="ECDH-ES+A256KW", enc="A256GCM")
    b = encrypt_compact_jwe(PLAINTEXT, public, alg="ECDH-ES+A256KW", enc="A256GCM")
    assert a != b and a.split(".")[0] != b.split(".")[0]  # a new ephemeral key each time


# -- strict parsing ---------------------------------------------------------------------------------------
@pytest.fixture
def sample():
    public, private = key_pair("ECDH-ES+A256KW", "A256GCM")
    return encrypt_compact_jwe(PLAINTEXT, public, alg="ECDH-ES+A256KW", enc="A256GCM", kid="k"), private


def with_header(token: str, **changes) -> str:
    parts = token.split(".")
    from authpool.jose import loads_object
    header = loads_object(b64url_decode(parts[0]))
    for name, value in changes.items():
        if value is None:
            header.pop(name, None)
        else:
            header[name] = value
    parts[0] = b64url_encode(dumps_compact(header))
    return ".".join(parts)


def test_size_bound_comes_first(sample):
    token, key = sample
    with pytest.raises(TokenTooLarge):
        decrypt("!" * 9000, key)  # not even base64: the size decides first
    with pytest.raises(TokenTooLarge):
        decrypt(token, key, max_size=len(token) - 1)
    with pytest.raises(TokenTooLarge):
        decrypt(token.encode() + b"A" * 9000, key)


@pytest.mark.parametrize("bad", ["a.b.c", "a.b.c.d", "a.b.c.d.e.f", "", "....", "é.a.b.c.d"])
def test_not_five_parts_or_not_ascii(bad):
    with pytest.raises(MalformedJWE):
        parse_compact_jwe(bad, algorithms=["dir"], encryptions=["A256GCM"])


def test_a_jws_is_not_a_jwe():
    from authpool.jose import JWK, sign_compact
    token = sign_compact({"sub": "x"}, JWK.generate("ES256"))
    with pytest.raises(MalformedJWE):
        parse_compact_jwe(token, algorithms=["dir"], encryptions=["A256GCM"])


@pytest.mark.parametrize("where", range(5))
def test_strict_base64url_in_every_part(sample, where):
    token, key = sample
    parts = token.split(".")
    parts[where] = parts[where] + "="  # padding is refused
    with pytest.raises(MalformedJWE):
        decrypt(".".join(parts), key)
    parts = token.split(".")
    parts[where] = (parts[where] or "AA")[:-1] + "+"  # standard alphabet is refused
    with pytest.raises(MalformedJWE):
        decrypt(".".join(parts), key)


def test_header_must_be_an_object_without_duplicates(sample):
    token, key = sample
    rest = token.split(".", 1)[1]
    for raw in (b"[1,2]", b'{"alg":"dir","alg":"dir","enc":"A256GCM"}', b"{", b'{"alg":NaN}'):
        with pytest.raises(MalformedJWE):
            decrypt(b64url_encode(raw) + "." + rest, key)


@pytest.mark.parametrize(("changes", "error"), [
    ({"alg": None}, MalformedJWE),
    ({"enc": None}, MalformedJWE),
    ({"alg": 5}, MalformedJWE),
    ({"alg": "none"}, UnsupportedAlgorithm),
    ({"alg": "RSA1_5"}, UnsupportedAlgorithm),
    ({"alg": "ECDH-ES+A128KW"}, UnsupportedAlgorithm),  # known, but not in the allow-list
    ({"enc": "A128CBC-HS256"}, UnsupportedAlgorithm),
    ({"enc": "A128GCM"}, UnsupportedAlgorithm),
    ({"zip": "DEF"}, UnsupportedAlgorithm),
    ({"crit": ["exp"]}, UnknownCritical),
    ({"jku": "https://evil.example/jwks"}, UntrustedHeaderKey),
    ({"jwk": {"kty": "OKP", "crv": "X25519", "x": "AA"}}, UntrustedHeaderKey),
    ({"x5u": "https://evil.example/cert"}, UntrustedHeaderKey),
    ({"x5c": ["MII..."]}, UntrustedHeaderKey),
    ({"kid": 7}, MalformedJWE),
    ({"epk": None}, MalformedJWE),
    ({"epk": "not an object"}, MalformedJWE),
    ({"apu": "QWxpY2U="}, MalformedJWE),
    ({"apv": 12}, MalformedJWE),
    ({"apu": "A" * 400}, MalformedJWE),
])
def test_header_rules(sample, changes, error):
    token, key = sample
    with pytest.raises(error):
        decrypt(with_header(token, **changes), key)


def test_epk_with_private_part_is_refused(sample):
    token, key = sample
    other = ECDHKey.generate("X25519").to_private_dict()
    with pytest.raises(MalformedJWE):
        decrypt(with_header(token, epk=other), key)


def test_allow_lists_are_required_and_not_strings(sample):
    token, key = sample
    with pytest.raises(TypeError):
        decrypt_compact_jwe(token, key, algorithms="ECDH-ES+A256KW", encryptions=["A256GCM"])
    with pytest.raises(TypeError):
        decrypt_compact_jwe(token, key, algorithms=["ECDH-ES+A256KW"], encryptions="A256GCM")
    with pytest.raises(TypeError):
        decrypt_compact_jwe(token, key)  # no default allow-lists


def test_part_lengths(sample):
    token, key = sample
    parts = token.split(".")
    for index, value in ((1, b64url_encode(b"x" * 39)), (2, b64url_encode(b"x" * 16)), (4, b64url_encode(b"x" * 12))):
        broken = list(parts)
        broken[index] = value
        with pytest.raises(MalformedJWE):
            decrypt(".".join(broken), key)
    dir_key = os.urandom(32)
    direct = encrypt_compact_jwe(b"x", dir_key, alg="dir", enc="A256GCM").split(".")
    direct[1] = b64url_encode(b"k" * 40)  # dir carries no encrypted key (RFC 7516 §5.1)
    with pytest.raises(MalformedJWE):
        decrypt(".".join(direct), dir_key, alg="dir")


def test_malformed_is_a_malformed_jws_too():
    assert issubclass(MalformedJWE, MalformedJWS)


# -- cryptographic refusals --------------------------------------------------------------------------------
def test_tampering_anywhere_fails_opaquely(sample):
    token, key = sample
    parts = token.split(".")
    tampered_header = with_header(token, aud="https://other")  # the header is the AAD
    with pytest.raises(DecryptionFailed):
        decrypt(tampered_header, key)
    for index in (1, 3, 4):
        raw = bytearray(b64url_decode(parts[index]))
        raw[0] ^= 1
        broken = list(parts)
        broken[index] = b64url_encode(bytes(raw))
        with pytest.raises(DecryptionFailed) as caught:
            decrypt(".".join(broken), key)
        assert str(caught.value) == "the JWE could not be decrypted"


def test_wrong_key(sample):
    token, _ = sample
    with pytest.raises(DecryptionFailed):
        decrypt(token, ECDHKey.generate("X25519"))
    kw = encrypt_compact_jwe(b"x", os.urandom(32), alg="A256KW", enc="A256GCM")
    with pytest.raises(DecryptionFailed):
        decrypt(kw, os.urandom(32), alg="A256KW")


def test_key_types_must_fit(sample):
    token, _ = sample
    with pytest.raises(InvalidKey):
        decrypt(token, os.urandom(32))  # ECDH needs an ECDHKey
    with pytest.raises(InvalidKey):
        decrypt(token, ECDHKey.generate("X25519").public())  # ... a private one
    kw = encrypt_compact_jwe(b"x", os.urandom(32), alg="A256KW", enc="A256GCM")
    with pytest.raises(InvalidKey):
        decrypt(kw, os.urandom(16), alg="A256KW")
    with pytest.raises(InvalidKey):
        encrypt_compact_jwe(b"x", os.urandom(16), alg="dir", enc="A256GCM")
    with pytest.raises(ValueError):
        encrypt_compact_jwe(b"x", os.urandom(32), alg="dir", enc="A256GCM", headers={"zip": "DEF"})


def test_epk_on_another_curve_or_off_the_curve(sample):
    token, key = sample
    p256 = ECDHKey.generate("P-256").epk()
    with pytest.raises(DecryptionFailed):
        decrypt(with_header(token, epk=p256), key)
    # An EC recipient and an epk that is not on its curve (the invalid-curve attack): refused.
    recipient = ECDHKey.generate("P-256")
    ec_token = encrypt_compact_jwe(b"x", recipient.public(), alg="ECDH-ES+A256KW", enc="A256GCM")
    epk = dict(ECDHKey.generate("P-256").epk())
    y = bytearray(b64url_decode(epk["y"]))
    y[-1] ^= 1
    epk["y"] = b64url_encode(bytes(y))
    with pytest.raises(DecryptionFailed):
        decrypt(with_header(ec_token, epk=epk), recipient)


def test_x25519_small_order_point_is_refused():
    """RFC 7748 §6.1: an all-zero shared secret must be refused (here: the point of order 1, u = 0...)."""
    recipient = ECDHKey.generate("X25519")
    token = encrypt_compact_jwe(b"x", recipient.public(), alg="ECDH-ES+A256KW", enc="A256GCM")
    for u in (bytes(32), (1).to_bytes(32, "little")):
        with pytest.raises(DecryptionFailed):
            decrypt(with_header(token, epk={"kty": "OKP", "crv": "X25519", "x": b64url_encode(u)}), recipient)


def test_ecdh_key_import_rules():
    pub = ECDHKey.generate("P-256").to_public_dict()
    with pytest.raises(InvalidKey):
        ECDHKey.from_dict({**pub, "use": "sig"})
    with pytest.raises(InvalidKey):
        ECDHKey.from_dict({**pub, "alg": "ES256"})
    with pytest.raises(InvalidKey):
        ECDHKey.from_dict(ECDHKey.generate("X25519").to_private_dict(), allow_private=False)
    with pytest.raises(InvalidKey):
        ECDHKey.from_dict({"kty": "OKP", "crv": "Ed25519", "x": pub["x"]})
    with pytest.raises(InvalidKey):
        ECDHKey.from_dict({"kty": "RSA", "n": "AQAB", "e": "AQAB"})
    with pytest.raises(InvalidKey):
        ECDHKey.from_dict({**pub, "x": pub["x"][:-2]})
    private = ECDHKey.generate("X25519").to_private_dict()
    with pytest.raises(InvalidKey):
        ECDHKey.from_dict({**private, "x": ECDHKey.generate("X25519").to_public_dict()["x"]})
    with pytest.raises(InvalidKey):
        ECDHKey(ec.generate_private_key(ec.SECP256K1()))
    key = ECDHKey.generate("X25519")
    assert key.to_private_dict()["d"] not in repr(key)
