"""Every published example in tests/vectors/ run through authpool.jose.

RFC 7515 Appendix A, RFC 7520 sections 3-4, RFC 7517 Appendix A, RFC 7638 section 3.1 and RFC 8037
Appendix A. Deterministic signatures (RSASSA-PKCS1-v1_5, Ed25519) must come out byte for byte as
the RFC prints them; randomized ones (ECDSA, RSA-PSS) must verify as given and round-trip.
"""

from __future__ import annotations

import hashlib
import hmac

import pytest

from authpool.jose import (
    JWK,
    AlgorithmMismatch,
    InvalidKey,
    InvalidSignature,
    JWKSet,
    UnsupportedAlgorithm,
    b64url_decode,
    b64url_encode,
    parse_compact,
    sign_compact,
    verify_compact,
)
from authpool.jose.jsonutil import loads_object
from vectors import load

RFC7515 = load("rfc7515")
RFC7517 = load("rfc7517")
RFC7520 = load("rfc7520")
RFC7638 = load("rfc7638")
RFC8037 = load("rfc8037")


def _public(jwk: dict) -> dict:
    return {k: v for k, v in jwk.items() if k not in ("d", "p", "q", "dp", "dq", "qi")}


def _check_shape(vector: dict, payload: bytes) -> tuple[str, str, str]:
    """The vector is self-consistent: its parts decode to its header and payload."""
    raw_header, raw_payload, raw_signature = vector["compact"].split(".")
    assert loads_object(b64url_decode(raw_header)) == vector["header"]
    assert b64url_decode(raw_payload) == payload
    assert b64url_encode(payload) == raw_payload
    return raw_header, raw_payload, raw_signature


# -- RFC 7515 Appendix A --------------------------------------------------------------------------
@pytest.mark.parametrize("vector", RFC7515["vectors"], ids=lambda v: f"rfc7515-{v['id']}-{v['alg']}")
def test_rfc7515_verifies_given_token(vector):
    _check_shape(vector, vector["payload"].encode("utf-8"))
    public = JWK.from_dict(_public(vector["jwk"]), allow_private=False)
    jws = verify_compact(vector["compact"], public, algorithms=[vector["alg"]])
    assert jws.header == vector["header"]
    assert jws.payload == vector["payload"].encode("utf-8")
    # the private JWK verifies too (it carries its public half)
    verify_compact(vector["compact"], JWK.from_dict(vector["jwk"]), algorithms=[vector["alg"]])


@pytest.mark.parametrize("vector", RFC7515["vectors"], ids=lambda v: f"rfc7515-{v['id']}-{v['alg']}")
def test_rfc7515_signs(vector):
    raw_header, raw_payload, raw_signature = _check_shape(vector, vector["payload"].encode("utf-8"))
    private = JWK.from_dict(vector["jwk"])
    signing_input = f"{raw_header}.{raw_payload}".encode("ascii")
    signature = private.sign(signing_input, vector["alg"])
    if vector["deterministic"]:
        assert b64url_encode(signature) == raw_signature
    else:  # ECDSA is randomized: a fresh signature differs but verifies
        assert b64url_encode(signature) != raw_signature
        assert len(signature) == len(b64url_decode(raw_signature))
        assert private.public().verify(signature, signing_input, vector["alg"])
    token = sign_compact(vector["payload"].encode("utf-8"), private, alg=vector["alg"])
    jws = verify_compact(token, private.public(), algorithms=[vector["alg"]])
    assert jws.payload == vector["payload"].encode("utf-8")


@pytest.mark.parametrize("vector", RFC7515["vectors"], ids=lambda v: f"rfc7515-{v['id']}-{v['alg']}")
def test_rfc7515_tampered_token_fails(vector):
    raw_header, _raw_payload, raw_signature = vector["compact"].split(".")
    public = JWK.from_dict(_public(vector["jwk"]))
    other_payload = b64url_encode(vector["payload"].encode("utf-8") + b" ")
    with pytest.raises(InvalidSignature):
        verify_compact(f"{raw_header}.{other_payload}.{raw_signature}", public, algorithms=[vector["alg"]])


def test_rfc7515_a1_hs256_is_refused():
    vector = next(v for v in RFC7515["refused"] if v["id"] == "A.1")
    raw_header, raw_payload, raw_signature = _check_shape(vector, vector["payload"].encode("utf-8"))
    # the vector is the RFC's: its MAC checks out with the standard library ...
    mac = hmac.new(b64url_decode(vector["jwk"]["k"]), f"{raw_header}.{raw_payload}".encode(), hashlib.sha256)
    assert b64url_encode(mac.digest()) == raw_signature
    # ... and authpool refuses it at every door
    with pytest.raises(InvalidKey):
        JWK.from_dict(vector["jwk"])
    with pytest.raises(UnsupportedAlgorithm):
        parse_compact(vector["compact"], algorithms=["RS256", "ES256", "EdDSA"])
    rsa = JWK.from_dict(_public(RFC7515["vectors"][0]["jwk"]))
    with pytest.raises(AlgorithmMismatch):  # even a caller who lists HS256 gets nothing from an RSA key
        verify_compact(vector["compact"], rsa, algorithms=["HS256"])


def test_rfc7515_a5_unsecured_is_refused():
    vector = next(v for v in RFC7515["refused"] if v["id"] == "A.5")
    _check_shape(vector, vector["payload"].encode("utf-8"))
    assert vector["compact"].endswith(".")
    for algorithms in (None, ["RS256"], ["none"]):
        with pytest.raises(UnsupportedAlgorithm):
            parse_compact(vector["compact"], algorithms=algorithms)
    rsa = JWK.from_dict(_public(RFC7515["vectors"][0]["jwk"]))
    with pytest.raises(UnsupportedAlgorithm):
        verify_compact(vector["compact"], rsa, algorithms=["none"])


# -- RFC 7520 sections 3 and 4 ----------------------------------------------------------------------
def _rfc7520_key(ref: str) -> dict:
    return RFC7520["keys"][ref]["jwk"]


def test_rfc7520_payload():
    assert b64url_encode(RFC7520["payload"].encode("utf-8")) == RFC7520["payload_b64"]
    assert "\u2019" in RFC7520["payload"]  # the RIGHT SINGLE QUOTATION MARKs survived typing


@pytest.mark.parametrize("ref", ["3.1", "3.2", "3.3", "3.4"])
def test_rfc7520_keys_import_and_round_trip(ref):
    data = _rfc7520_key(ref)
    key = JWK.from_dict(data)
    assert key.kid == "bilbo.baggins@hobbiton.example" and key.use == "sig"
    assert key.is_private == ("d" in data)
    assert key.to_public_dict() == _public(data)
    if key.is_private:
        assert key.to_private_dict() == data


def test_rfc7520_symmetric_key_is_refused():
    with pytest.raises(InvalidKey):
        JWK.from_dict(_rfc7520_key("3.5"))
    assert len(JWKSet.from_dict({"keys": [_rfc7520_key("3.5")]})) == 0


VALID_7520 = [v for v in RFC7520["vectors"] if v["expect"] == "valid"]


@pytest.mark.parametrize("vector", VALID_7520, ids=lambda v: f"rfc7520-{v['id']}-{v['alg']}")
def test_rfc7520_verifies_given_token(vector):
    _raw_header, raw_payload, _raw_signature = _check_shape(vector, RFC7520["payload"].encode("utf-8"))
    assert raw_payload == RFC7520["payload_b64"]
    public = JWK.from_dict(_rfc7520_key(vector["public_key"]), allow_private=False)
    jws = verify_compact(vector["compact"], public, algorithms=[vector["alg"]])
    assert jws.kid == "bilbo.baggins@hobbiton.example"
    # looked up by kid through a JWK Set, the way a resource server does it
    jwks = JWKSet.from_dict({"keys": [_rfc7520_key(vector["public_key"])]})
    verify_compact(vector["compact"], lambda t: jwks.get(t.kid), algorithms=[vector["alg"]])


@pytest.mark.parametrize("vector", VALID_7520, ids=lambda v: f"rfc7520-{v['id']}-{v['alg']}")
def test_rfc7520_signs(vector):
    raw_header, raw_payload, raw_signature = vector["compact"].split(".")
    private = JWK.from_dict(_rfc7520_key(vector["private_key"]))
    signing_input = f"{raw_header}.{raw_payload}".encode("ascii")
    signature = private.sign(signing_input, vector["alg"])
    if vector["deterministic"]:
        assert b64url_encode(signature) == raw_signature
    else:
        assert b64url_encode(signature) != raw_signature
        assert private.verify(signature, signing_input, vector["alg"])
    token = sign_compact(RFC7520["payload"].encode("utf-8"), private, alg=vector["alg"])
    assert verify_compact(token, private.public(), algorithms=[vector["alg"]]).kid == private.kid


def test_rfc7520_4_4_hmac_is_refused():
    vector = next(v for v in RFC7520["vectors"] if v["id"] == "4.4")
    raw_header, raw_payload, raw_signature = _check_shape(vector, RFC7520["payload"].encode("utf-8"))
    key = _rfc7520_key(vector["private_key"])
    mac = hmac.new(b64url_decode(key["k"]), f"{raw_header}.{raw_payload}".encode(), hashlib.sha256)
    assert b64url_encode(mac.digest()) == raw_signature
    with pytest.raises(UnsupportedAlgorithm):
        parse_compact(vector["compact"], algorithms=["RS256", "PS384", "ES512"])
    rsa = JWK.from_dict(_rfc7520_key("3.3"))
    with pytest.raises(AlgorithmMismatch):
        verify_compact(vector["compact"], rsa, algorithms=["HS256"])


def test_rfc7520_keys_pin_their_type():
    """The cookbook's RSA and EC keys share a kid; neither verifies the other's token."""
    by_id = {v["id"]: v for v in VALID_7520}
    rsa, ec = JWK.from_dict(_rfc7520_key("3.3")), JWK.from_dict(_rfc7520_key("3.1"))
    with pytest.raises(AlgorithmMismatch):
        verify_compact(by_id["4.3"]["compact"], rsa, algorithms=["ES512"])
    with pytest.raises(AlgorithmMismatch):
        verify_compact(by_id["4.1"]["compact"], ec, algorithms=["RS256"])


# -- RFC 7517 Appendix A ----------------------------------------------------------------------------
def test_rfc7517_a1_public_keys_import():
    ec_data, rsa_data = RFC7517["public_keys"]["jwks"]["keys"]
    ec, rsa = JWK.from_dict(ec_data), JWK.from_dict(rsa_data)
    assert (ec.kty, ec.crv, ec.kid, ec.use, ec.alg) == ("EC", "P-256", "1", "enc", None)
    assert (rsa.kty, rsa.kid, rsa.alg, rsa.use) == ("RSA", "2011-04-29", "RS256", None)
    assert rsa.public_key.key_size == 2048
    assert rsa.algorithms == {"RS256"}  # "alg" on the key pins it
    assert ec.to_public_dict() == ec_data and rsa.to_public_dict() == rsa_data


def test_rfc7517_a1_as_a_jwk_set_skips_the_encryption_key():
    jwks = JWKSet.from_dict(RFC7517["public_keys"]["jwks"])
    assert jwks.kids() == {"2011-04-29"}  # the EC key is "use": "enc"
    assert jwks.get("1") is None
    assert jwks.to_dict() == {"keys": [RFC7517["public_keys"]["jwks"]["keys"][1]]}


def test_rfc7517_a2_private_keys_import():
    ec_data, rsa_data = RFC7517["private_keys"]["jwks"]["keys"]
    ec, rsa = JWK.from_dict(ec_data), JWK.from_dict(rsa_data)
    assert ec.is_private and rsa.is_private
    assert ec.to_private_dict() == ec_data
    assert rsa.to_private_dict() == rsa_data
    # the private halves belong to the A.1 public keys
    public_ec, public_rsa = RFC7517["public_keys"]["jwks"]["keys"]
    assert ec.to_public_dict() == public_ec and rsa.to_public_dict() == public_rsa
    # and they work: sign with the private key, verify with the A.1 public key
    token = sign_compact({"iss": "joe"}, rsa)
    verify_compact(token, JWK.from_dict(public_rsa), algorithms=["RS256"])


def test_rfc7517_a2_private_keys_refused_where_public_expected():
    for data in RFC7517["private_keys"]["jwks"]["keys"]:
        with pytest.raises(InvalidKey):
            JWK.from_dict(data, allow_private=False)
    assert len(JWKSet.from_dict(RFC7517["private_keys"]["jwks"])) == 0


def test_rfc7517_a3_symmetric_keys_refused():
    for data in RFC7517["symmetric_keys"]["jwks"]["keys"]:
        with pytest.raises(InvalidKey):
            JWK.from_dict(data)
    assert len(JWKSet.from_dict(RFC7517["symmetric_keys"]["jwks"])) == 0


# -- RFC 7638 section 3.1 ---------------------------------------------------------------------------
def test_rfc7638_thumbprint():
    key = JWK.from_dict(RFC7638["jwk"])
    assert key.thumbprint() == RFC7638["thumbprint"] == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
    # the canonical form printed in the RFC hashes to the same value
    digest = hashlib.sha256(RFC7638["canonical"].encode("utf-8")).digest()
    assert b64url_encode(digest) == RFC7638["thumbprint"]
    # optional members (alg, kid, use) and private members never change it
    bare = {m: RFC7638["jwk"][m] for m in ("kty", "n", "e")}
    assert JWK.from_dict(bare).thumbprint() == RFC7638["thumbprint"]
    assert JWK.from_dict(bare).kid == RFC7638["thumbprint"]  # a key without a kid is named by it
    private = JWK.from_dict(RFC7517["private_keys"]["jwks"]["keys"][1])
    assert private.thumbprint() == RFC7638["thumbprint"]


# -- RFC 8037 Appendix A ----------------------------------------------------------------------------
def test_rfc8037_a1_a2_keys():
    private = JWK.from_dict(RFC8037["private_key"]["jwk"])
    public = JWK.from_dict(RFC8037["public_key"]["jwk"])
    assert private.is_private and not public.is_private
    assert private.to_public_dict() | {"kid": None} == public.to_public_dict() | {"kid": None}
    assert private.public_key.public_bytes_raw().hex() == (
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
    assert private.private_key.private_bytes_raw().hex() == (
        "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")


def test_rfc8037_a3_thumbprint():
    vector = RFC8037["thumbprint"]
    digest = hashlib.sha256(vector["canonical"].encode("utf-8")).digest()
    assert digest.hex() == vector["sha256_hex"] and b64url_encode(digest) == vector["b64url"]
    assert JWK.from_dict(RFC8037["public_key"]["jwk"]).thumbprint() == vector["b64url"]
    assert JWK.from_dict(RFC8037["private_key"]["jwk"]).thumbprint() == vector["b64url"]


def test_rfc8037_a4_signs_exactly():
    vector = RFC8037["signature"]
    raw_header, raw_payload, raw_signature = _check_shape(vector, vector["payload"].encode("utf-8"))
    assert f"{raw_header}.{raw_payload}" == vector["signing_input"]
    private = JWK.from_dict(RFC8037["private_key"]["jwk"])
    signature = private.sign(vector["signing_input"].encode("ascii"), "EdDSA")
    assert b64url_encode(signature) == raw_signature  # Ed25519 is deterministic


def test_rfc8037_a5_verifies():
    vector = RFC8037["signature"]
    public = JWK.from_dict(RFC8037["public_key"]["jwk"])
    jws = verify_compact(vector["compact"], public, algorithms=["EdDSA"])
    assert jws.payload == b"Example of Ed25519 signing"
    with pytest.raises(UnsupportedAlgorithm):  # the allow-list is exact: "Ed25519" does not admit "EdDSA"
        verify_compact(vector["compact"], public, algorithms=["Ed25519"])
    bad = vector["compact"][:-2] + ("AA" if not vector["compact"].endswith("AA") else "Ag")
    with pytest.raises(InvalidSignature):
        verify_compact(bad, public, algorithms=["EdDSA"])
