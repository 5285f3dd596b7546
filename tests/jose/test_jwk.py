"""JWK and JWK Set rules (RFC 7517, RFC 7518 section 6, RFC 8037 section 2, RFC 7638, RFC 8725 3.1)."""

from __future__ import annotations

import hashlib
import json

import pytest
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa, x25519
from tests.vectors import load

from authpool.jose import (
    ALGORITHMS,
    JWK,
    AlgorithmMismatch,
    ECDHKey,
    InvalidKey,
    JWKSet,
    UnsupportedAlgorithm,
    b64url_decode,
    b64url_encode,
    sign_compact,
    verify_compact,
)
from authpool.jose.jwk import thumbprint

CURVES = {"P-256": (ec.SECP256R1, 32, "ES256"), "P-384": (ec.SECP384R1, 48, "ES384"),
          "P-521": (ec.SECP521R1, 66, "ES512")}


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def ec_keys() -> dict[str, ec.EllipticCurvePrivateKey]:
    return {crv: ec.generate_private_key(cls()) for crv, (cls, _, _) in CURVES.items()}


@pytest.fixture(scope="module")
def ed_key() -> ed25519.Ed25519PrivateKey:
    return ed25519.Ed25519PrivateKey.generate()


@pytest.fixture(scope="module")
def all_keys(rsa_key, ec_keys, ed_key) -> dict[str, object]:
    return {"RSA": rsa_key, **ec_keys, "Ed25519": ed_key}


def _thumbprint(members: dict) -> str:
    canonical = json.dumps(members, sort_keys=True, separators=(",", ":")).encode()
    return b64url_encode(hashlib.sha256(canonical).digest())


# -- generate -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("alg, kty, crv", [("RS256", "RSA", None), ("PS256", "RSA", None),
                                           ("ES256", "EC", "P-256"), ("ES384", "EC", "P-384"),
                                           ("ES512", "EC", "P-521"), ("EdDSA", "OKP", "Ed25519")])
def test_generate(alg, kty, crv):
    key = JWK.generate(alg, kid="k1")
    assert (key.kty, key.crv, key.alg, key.use, key.kid, key.is_private) == (kty, crv, alg, "sig", "k1", True)
    assert key.algorithms == {alg}
    if kty == "RSA":
        assert key.public_key.key_size == 2048 and key.public_key.public_numbers().e == 65537
    token = sign_compact({"sub": "x"}, key)
    assert verify_compact(token, key.public(), algorithms=[alg]).kid == "k1"


@pytest.mark.parametrize("alg", ["HS256", "none", "", "RSA-OAEP", "rs256"])
def test_generate_unknown_algorithm(alg):
    with pytest.raises(UnsupportedAlgorithm):
        JWK.generate(alg)


# -- import / export round trips ------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["RSA", "P-256", "P-384", "P-521", "Ed25519"])
def test_private_round_trip(all_keys, name):
    key = JWK.from_key(all_keys[name])
    private = key.to_private_dict()
    again = JWK.from_dict(private)
    assert again.is_private
    assert again.to_private_dict() == private
    assert again.to_public_dict() == key.to_public_dict()
    assert again.thumbprint() == key.thumbprint() == key.kid  # no kid given: named by the thumbprint
    # and the imported key is the same key: what one signs, the other verifies
    alg = {"RSA": "RS256", "Ed25519": "EdDSA"}.get(name) or CURVES[name][2]
    assert again.public().verify(key.sign(b"data", alg), b"data", alg)


@pytest.mark.parametrize("name", ["RSA", "P-256", "P-384", "P-521", "Ed25519"])
def test_public_round_trip(all_keys, name):
    key = JWK.from_key(all_keys[name].public_key(), kid="pub")
    public = key.to_public_dict()
    assert not any(m in public for m in ("d", "p", "q", "dp", "dq", "qi"))
    again = JWK.from_dict(public, allow_private=False)
    assert not again.is_private and again.to_public_dict() == public
    with pytest.raises(InvalidKey):
        again.to_private_dict()
    with pytest.raises(InvalidKey):
        again.sign(b"data", again.alg or min(again.algorithms))


def test_public_members_are_exact(all_keys):
    rsa_pub = JWK.from_key(all_keys["RSA"], kid="r").to_public_dict()
    assert set(rsa_pub) == {"kid", "kty", "n", "e"} and rsa_pub["e"] == "AQAB"
    assert len(b64url_decode(rsa_pub["n"])) == 256  # minimal big-endian, no leading zero
    for crv, (_, size, _) in CURVES.items():
        pub = JWK.from_key(all_keys[crv], kid="e").to_public_dict()
        assert set(pub) == {"kid", "kty", "crv", "x", "y"} and pub["crv"] == crv
        assert len(b64url_decode(pub["x"])) == size and len(b64url_decode(pub["y"])) == size
        priv = JWK.from_key(all_keys[crv]).to_private_dict()
        assert len(b64url_decode(priv["d"])) == size  # RFC 7518 6.2.2.1: full length
    okp = JWK.from_key(all_keys["Ed25519"], kid="o").to_public_dict()
    assert okp == {"kid": "o", "kty": "OKP", "crv": "Ed25519",
                   "x": b64url_encode(all_keys["Ed25519"].public_key().public_bytes_raw())}


def test_metadata_round_trips():
    data = JWK.generate("ES256", kid="abc").to_public_dict()
    assert data["kid"] == "abc" and data["alg"] == "ES256" and data["use"] == "sig"
    again = JWK.from_dict(data)
    assert (again.kid, again.alg, again.use) == ("abc", "ES256", "sig")


def test_rsa_private_without_crt_parameters(rsa_key):
    full = JWK.from_key(rsa_key, alg="RS256").to_private_dict()
    minimal = {m: full[m] for m in ("kty", "kid", "alg", "n", "e", "d")}
    key = JWK.from_dict(minimal)
    assert key.is_private and key.to_public_dict() == JWK.from_dict(full).to_public_dict()
    assert {key.to_private_dict()[m] for m in ("p", "q")} == {full["p"], full["q"]}  # primes recovered
    # RSASSA-PKCS1-v1_5 is deterministic: the recovered key signs identically
    assert key.sign(b"x", "RS256") == JWK.from_dict(full).sign(b"x", "RS256")


def test_repr_holds_no_key_material(rsa_key):
    key = JWK.from_key(rsa_key, kid="k")
    text = repr(key)
    assert "private=True" in text and "'k'" in text
    for member in ("d", "p", "q", "n"):
        assert key.to_private_dict()[member][:12] not in text


# -- thumbprints (RFC 7638) --------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["RSA", "P-256", "P-384", "P-521", "Ed25519"])
def test_thumbprint_uses_required_members_only(all_keys, name):
    key = JWK.from_key(all_keys[name], kid="anything", alg=None)
    public = key.to_public_dict()
    required = {"RSA": ("e", "kty", "n"), "OKP": ("crv", "kty", "x")}.get(public["kty"], ("crv", "kty", "x", "y"))
    assert key.thumbprint() == _thumbprint({m: public[m] for m in required})
    decorated = dict(public, kid="other", use="sig", key_ops=["verify"], x5t="zzz")
    assert JWK.from_dict(decorated).thumbprint() == key.thumbprint()


def test_thumbprint_of_rsa_modulus_with_leading_zero_is_canonical(rsa_key):
    """A modulus sent with a spurious leading zero octet (RFC 7518 6.3.1.1 warns of such libraries)
    is read as the same integer; the thumbprint and the export use the minimal encoding."""
    public = JWK.from_key(rsa_key.public_key(), kid="k").to_public_dict()
    padded = dict(public, n=b64url_encode(b"\x00" + b64url_decode(public["n"])))
    key = JWK.from_dict(padded)
    assert key.thumbprint() == JWK.from_dict(public).thumbprint()
    assert key.to_public_dict() == public


@pytest.mark.parametrize("vector", ["rfc7638", "rfc8037"])
def test_module_thumbprint_hashes_a_jwk_object_as_the_rfcs_print(vector):
    """RFC 7638 §3.1 (RSA) and RFC 8037 Appendix A.3 (Ed25519), straight from the JWK objects: the
    optional and private members they carry are left out."""
    data = load(vector)
    jwk, expected = ((data["jwk"], data["thumbprint"]) if vector == "rfc7638"
                     else (data["private_key"]["jwk"], data["thumbprint"]["b64url"]))
    assert "kid" in jwk or "d" in jwk  # something the thumbprint must ignore
    assert thumbprint(jwk) == expected == JWK.from_dict(jwk).thumbprint()


def test_ecdh_keys_share_the_thumbprint_of_the_same_point(ec_keys):
    """One RFC 7638 computation for both key classes: an EC point named by ECDHKey and by JWK."""
    for name in CURVES:
        private = ec_keys[name]
        assert ECDHKey(private).thumbprint() == JWK.from_key(private).thumbprint()
    agreement = ECDHKey.generate("X25519")
    public = agreement.to_public_dict()
    assert agreement.thumbprint() == _thumbprint({m: public[m] for m in ("crv", "kty", "x")}) == agreement.kid


@pytest.mark.parametrize("members", [{"kty": "oct", "k": "AAAA"}, {"n": "AQAB", "e": "AQAB"},
                                     {"kty": "EC", "crv": "P-256", "x": "AAAA"},
                                     {"kty": "RSA", "n": 12345, "e": "AQAB"}])
def test_module_thumbprint_refuses_what_rfc_7638_does_not_define(members):
    with pytest.raises(InvalidKey):
        thumbprint(members)


# -- refusals ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("bits", [1024, 1536])
def test_rsa_shorter_than_2048_refused(bits):
    small = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    with pytest.raises(InvalidKey):
        JWK.from_key(small)
    with pytest.raises(InvalidKey):
        JWK.from_key(small.public_key())
    n = small.public_key().public_numbers().n
    with pytest.raises(InvalidKey):
        JWK.from_dict({"kty": "RSA", "n": b64url_encode(n.to_bytes((n.bit_length() + 7) // 8, "big")), "e": "AQAB"})
    assert len(JWKSet.from_dict({"keys": [{"kty": "RSA", "e": "AQAB",
                                           "n": b64url_encode(n.to_bytes(bits // 8, "big"))}]})) == 0


@pytest.mark.parametrize("e", ["AQ", "Ag", "AAEAAQ=="])  # e = 1, e = 2 (even), padded
def test_rsa_bad_exponent_refused(rsa_key, e):
    public = JWK.from_key(rsa_key.public_key()).to_public_dict()
    with pytest.raises(InvalidKey):
        JWK.from_dict(dict(public, e=e))


def test_rsa_private_parts_must_match(rsa_key):
    full = JWK.from_key(rsa_key).to_private_dict()
    other = JWK.generate("RS256").to_private_dict()
    for member in ("d", "p", "q", "dp", "dq", "qi"):
        with pytest.raises(InvalidKey):
            JWK.from_dict(dict(full, **{member: other[member]}))
    with pytest.raises(InvalidKey):  # d alone, from another key
        JWK.from_dict({"kty": "RSA", "n": full["n"], "e": full["e"], "d": other["d"]})


@pytest.mark.parametrize("crv", list(CURVES))
def test_ec_coordinate_length(ec_keys, crv):
    public = JWK.from_key(ec_keys[crv].public_key()).to_public_dict()
    size = CURVES[crv][1]
    for member in ("x", "y"):
        raw = b64url_decode(public[member])
        for wrong in (raw[1:], b"\x00" + raw, raw + b"\x00", b""):
            with pytest.raises(InvalidKey):
                JWK.from_dict(dict(public, **{member: b64url_encode(wrong)}))
        assert len(raw) == size


@pytest.mark.parametrize("crv", list(CURVES))
def test_ec_private_scalar_length(ec_keys, crv):
    private = JWK.from_key(ec_keys[crv]).to_private_dict()
    d = b64url_decode(private["d"])
    for wrong in (b"\x00" + d, d + b"\x00"):
        with pytest.raises(InvalidKey):
            JWK.from_dict(dict(private, d=b64url_encode(wrong)))
    # a scalar whose top octet is zero must still be sent at full length
    size = CURVES[crv][1]
    short = ec.derive_private_key(int.from_bytes(b"\x5a" * (size - 1), "big"), CURVES[crv][0]())
    short_dict = JWK.from_key(short).to_private_dict()
    assert b64url_decode(short_dict["d"])[0] == 0 and len(b64url_decode(short_dict["d"])) == size
    JWK.from_dict(short_dict)
    stripped = b64url_encode(b64url_decode(short_dict["d"]).lstrip(b"\x00"))
    with pytest.raises(InvalidKey):
        JWK.from_dict(dict(short_dict, d=stripped))


def test_ec_point_not_on_curve_refused(ec_keys):
    public = JWK.from_key(ec_keys["P-256"].public_key()).to_public_dict()
    y = bytearray(b64url_decode(public["y"]))
    y[-1] ^= 1
    with pytest.raises(InvalidKey):
        JWK.from_dict(dict(public, y=b64url_encode(bytes(y))))
    with pytest.raises(InvalidKey):  # coordinates of the right length for another curve
        JWK.from_dict(dict(public, crv="P-384"))


def test_ec_mismatched_private_refused(ec_keys):
    private = JWK.from_key(ec_keys["P-256"]).to_private_dict()
    other = JWK.generate("ES256").to_private_dict()
    with pytest.raises(InvalidKey):
        JWK.from_dict(dict(private, d=other["d"]))


def test_okp_mismatched_private_refused(ed_key):
    private = JWK.from_key(ed_key).to_private_dict()
    other = JWK.generate("EdDSA").to_private_dict()
    with pytest.raises(InvalidKey):
        JWK.from_dict(dict(private, d=other["d"]))
    with pytest.raises(InvalidKey):
        JWK.from_dict(dict(private, x=other["x"]))


@pytest.mark.parametrize("x_len", [0, 31, 33, 57])
def test_okp_wrong_length_refused(ed_key, x_len):
    public = JWK.from_key(ed_key.public_key()).to_public_dict()
    with pytest.raises(InvalidKey):
        JWK.from_dict(dict(public, x=b64url_encode(b"\x01" * x_len)))
    private = JWK.from_key(ed_key).to_private_dict()
    with pytest.raises(InvalidKey):
        JWK.from_dict(dict(private, d=b64url_encode(b"\x01" * x_len)))


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"kty": "oct", "k": "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ"},
        {"kty": "rsa", "n": "AQAB", "e": "AQAB"},
        {"kty": None},
        {"kty": "EC", "crv": "P-192", "x": "AA", "y": "AA"},
        {"kty": "EC", "crv": "secp256k1", "x": "A" * 43, "y": "A" * 43},
        {"kty": "OKP", "crv": "Ed448", "x": "A" * 76},
        {"kty": "OKP", "crv": "X25519", "x": "A" * 43},
        {"kty": "OKP", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},
        {"kty": "RSA", "e": "AQAB"},
        {"kty": "RSA", "n": 12345, "e": "AQAB"},
        {"kty": "EC", "crv": "P-256", "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU"},
        {"kty": "EC", "crv": "P-256", "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU==",
         "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"},
        {"kty": "EC", "crv": "P-256", "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
         "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0", "kid": 7},
        {"kty": "EC", "crv": "P-256", "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
         "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0", "alg": ["ES256"]},
        {"kty": "EC", "crv": "P-256", "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
         "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0", "use": 1},
        {"kty": "EC", "crv": "P-256", "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
         "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0", "d": 5},
    ],
    ids=lambda d: json.dumps(d)[:60],
)
def test_unusable_jwk_refused(data):
    with pytest.raises(InvalidKey):
        JWK.from_dict(data)


@pytest.mark.parametrize("data", [None, [], "RSA", 1, b"{}"])
def test_jwk_must_be_an_object(data):
    with pytest.raises(InvalidKey):
        JWK.from_dict(data)


def test_private_refused_where_public_expected(all_keys):
    for key in all_keys.values():
        with pytest.raises(InvalidKey):
            JWK.from_dict(JWK.from_key(key).to_private_dict(), allow_private=False)


@pytest.mark.parametrize("make", [
    lambda: dsa.generate_private_key(2048),
    lambda: x25519.X25519PrivateKey.generate(),
    lambda: ed448.Ed448PrivateKey.generate(),
    lambda: ec.generate_private_key(ec.SECP256K1()),
    lambda: b"-----BEGIN PUBLIC KEY-----",
    lambda: None,
])
def test_unsupported_key_objects_refused(make):
    with pytest.raises(InvalidKey):
        JWK.from_key(make())


# -- alg on the key pins the algorithm (RFC 8725 3.1) -------------------------------------------------------
def test_unpinned_key_fits_its_family(all_keys):
    assert JWK.from_key(all_keys["RSA"]).algorithms == {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"}
    for crv, (_, _, alg) in CURVES.items():
        assert JWK.from_key(all_keys[crv]).algorithms == {alg}  # the curve fixes the ECDSA algorithm
    assert JWK.from_key(all_keys["Ed25519"]).algorithms == {"EdDSA", "Ed25519"}


@pytest.mark.parametrize("key_alg, header_alg", [("RS256", "PS256"), ("RS256", "RS512"), ("PS256", "RS256"),
                                                 ("ES256", "ES384"), ("ES256", "ES512"), ("EdDSA", "Ed25519")])
def test_alg_on_key_pins_algorithm(key_alg, header_alg):
    key = JWK.generate(key_alg)
    if header_alg in key.algorithms:  # pragma: no cover - guard against a wrong table above
        pytest.fail("table entry is not a mismatch")
    # a token whose header names another algorithm than the key's
    other = JWK.from_key(key.private_key, kid=key.kid) if ALGORITHMS[header_alg].kty == key.kty else None
    if other is not None and header_alg in other.algorithms:
        token = sign_compact({"sub": "x"}, other, alg=header_alg)
        with pytest.raises(AlgorithmMismatch):
            verify_compact(token, key.public(), algorithms=[key_alg, header_alg])
    with pytest.raises(AlgorithmMismatch):
        key.verify(b"\x00" * 64, b"data", header_alg)
    with pytest.raises(AlgorithmMismatch):
        key.sign(b"data", header_alg)
    with pytest.raises(AlgorithmMismatch):
        sign_compact({"sub": "x"}, key, alg=header_alg)


def test_ec_p256_key_cannot_verify_es384():
    key = JWK.from_key(ec.generate_private_key(ec.SECP256R1()))  # no alg member: the curve decides
    assert key.algorithms == {"ES256"}
    with pytest.raises(AlgorithmMismatch):
        key.verify(b"\x00" * 96, b"data", "ES384")


@pytest.mark.parametrize("kty_key, alg", [("RSA", "ES256"), ("RSA", "EdDSA"), ("RSA", "HS256"), ("RSA", "none"),
                                         ("P-256", "ES384"), ("P-384", "ES256"), ("P-521", "RS256"),
                                         ("Ed25519", "ES256"), ("Ed25519", "Ed448")])
def test_alg_that_does_not_fit_the_key_refused(all_keys, kty_key, alg):
    with pytest.raises(InvalidKey):
        JWK.from_key(all_keys[kty_key], alg=alg)
    with pytest.raises(InvalidKey):
        JWK.from_dict(dict(JWK.from_key(all_keys[kty_key]).to_public_dict(), alg=alg))


def test_keys_of_one_family_do_not_cross(all_keys):
    rsa_jwk, ec_jwk, ed_jwk = (JWK.from_key(all_keys[n]) for n in ("RSA", "P-256", "Ed25519"))
    for key, foreign in ((rsa_jwk, "ES256"), (rsa_jwk, "EdDSA"), (ec_jwk, "RS256"), (ec_jwk, "EdDSA"),
                         (ed_jwk, "RS256"), (ed_jwk, "ES256")):
        with pytest.raises(AlgorithmMismatch):
            key.algorithm_for(foreign)


def test_sign_without_alg_needs_one(all_keys):
    key = JWK.from_key(all_keys["RSA"])
    with pytest.raises(UnsupportedAlgorithm):
        key.sign(b"data")
    with pytest.raises(UnsupportedAlgorithm):
        sign_compact({"a": 1}, key)
    assert key.public().verify(key.sign(b"data", "PS256"), b"data", "PS256")


# -- JWK Sets (RFC 7517 section 5) -------------------------------------------------------------------------------
def test_jwks_skips_encryption_and_unusable_keys(all_keys):
    good_sig = JWK.from_key(all_keys["P-256"].public_key(), kid="sig", alg="ES256").to_public_dict() | {"use": "sig"}
    no_use = JWK.from_key(all_keys["Ed25519"].public_key(), kid="no-use").to_public_dict()
    enc = JWK.from_key(all_keys["RSA"].public_key(), kid="enc").to_public_dict() | {"use": "enc"}
    weak_n = rsa.generate_private_key(public_exponent=65537, key_size=1024).public_key().public_numbers().n
    weak = {"kty": "RSA", "kid": "weak", "n": b64url_encode(weak_n.to_bytes(128, "big")), "e": "AQAB"}
    private = JWK.from_key(all_keys["P-384"], kid="private").to_private_dict()
    jwks = JWKSet.from_dict({"keys": [
        good_sig, no_use, enc, weak, private,
        {"kty": "oct", "kid": "hmac", "k": "c2VjcmV0"},
        {"kty": "EC", "kid": "bad-curve", "crv": "P-192", "x": "AA", "y": "AA"},
        {"kty": "RSA", "kid": "alg-enc", "alg": "RSA-OAEP", "n": enc["n"], "e": "AQAB"},
        {"kid": "no-kty"},
        {"kty": "EC", "kid": "use-not-string", "use": ["sig"], "crv": "P-256", "x": good_sig["x"], "y": good_sig["y"]},
        "not an object", None, 42, ["kty", "RSA"],
    ]})
    assert jwks.kids() == {"sig", "no-use"}
    assert len(jwks) == 2 and [k.kid for k in jwks] == ["sig", "no-use"]
    assert jwks.get("sig").algorithms == {"ES256"}
    assert jwks.get("enc") is None and jwks.get(None) is None and jwks.get("missing") is None
    assert jwks.to_dict() == {"keys": [good_sig, no_use]}
    assert JWKSet.from_dict(jwks.to_dict()).to_dict() == jwks.to_dict()


@pytest.mark.parametrize("data", [None, [], {}, {"keys": None}, {"keys": {}}, {"keys": "[]"}, "{}"])
def test_jwks_must_be_an_object_with_keys_array(data):
    with pytest.raises(InvalidKey):
        JWKSet.from_dict(data)


def test_jwks_empty_is_fine():
    jwks = JWKSet.from_dict({"keys": []})
    assert len(jwks) == 0 and jwks.kids() == frozenset() and jwks.to_dict() == {"keys": []}


def test_jwks_lookup_by_kid_verifies():
    a, b = JWK.generate("RS256", kid="a"), JWK.generate("EdDSA", kid="b")
    jwks = JWKSet.from_dict({"keys": [a.to_public_dict(), b.to_public_dict()]})
    for key in (a, b):
        token = sign_compact({"sub": key.kid}, key)
        jws = verify_compact(token, lambda t: jwks.get(t.kid), algorithms=["RS256", "EdDSA"])
        assert jws.kid == key.kid
