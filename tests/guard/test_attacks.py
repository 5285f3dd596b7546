"""Hostile input (RFC 8725 §2-§3): every case gets a typed TokenError, never an unhandled exception."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from cryptography.hazmat.primitives import serialization
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from authpool.guard import (
    AccessTokenVerifier,
    AlgorithmNotAllowed,
    InvalidHeader,
    InvalidSignature,
    KeyNotFound,
    MalformedToken,
    TokenError,
    TokenTooLarge,
    UnsupportedTokenFormat,
)
from authpool.jose import JWK, b64url_encode, dumps_compact

from .helpers import CLIENT, ISS, Clock, access_claims, raw_token, resign, token


@pytest.fixture(scope="module")
def keys():
    return [JWK.generate("RS256", kid="rsa-1"), JWK.generate("ES256", kid="ec-1"), JWK.generate("EdDSA", kid="ed-1")]


@pytest.fixture(scope="module")
def v(keys) -> AccessTokenVerifier:
    return AccessTokenVerifier(issuer=ISS, client_ids=[CLIENT], jwks={"keys": [k.to_public_dict() for k in keys]},
                               algorithms=["RS256", "ES256", "EdDSA"], clock=Clock())


def refused(v: AccessTokenVerifier, t, exc: type[TokenError]) -> TokenError:
    with pytest.raises(exc) as e:
        v.verify(t)
    return e.value


# -- RFC 8725 §2.1 / §3.1: alg none and algorithm confusion ---------------------------------------------------------
@pytest.mark.parametrize("alg", ["none", "None", "NONE", "nOnE"])
@pytest.mark.parametrize("signature", [b"", b"x"])
def test_alg_none(v, alg, signature):
    t = raw_token({"alg": alg, "kid": "rsa-1", "typ": "at+jwt"}, access_claims(), signature)
    refused(v, t, AlgorithmNotAllowed)


@pytest.mark.parametrize("secret_form", ["pem", "der", "jwk"])
def test_hs256_over_the_public_key(v, keys, secret_form):
    pub = keys[0].public_key
    secret = {
        "pem": lambda: pub.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo),
        "der": lambda: pub.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo),
        "jwk": lambda: json.dumps(keys[0].to_public_dict()).encode(),
    }[secret_form]()
    header = b64url_encode(dumps_compact({"alg": "HS256", "kid": "rsa-1", "typ": "at+jwt"}))
    payload = b64url_encode(dumps_compact(access_claims()))
    mac = hmac.new(secret, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    refused(v, f"{header}.{payload}.{b64url_encode(mac)}", AlgorithmNotAllowed)


def test_hmac_cannot_even_be_configured():
    with pytest.raises(ValueError):
        AccessTokenVerifier(issuer=ISS, client_ids=[CLIENT], jwks={"keys": []}, algorithms=["HS256"])


# -- CVE-2022-21449, "psychic signatures" -----------------------------------------------------------------------------
@pytest.mark.parametrize("signature", [bytes(64), bytes(63) + b"\x01", b"\x01" + bytes(63), bytes(32), b""])
def test_psychic_ecdsa(v, signature):
    t = raw_token({"alg": "ES256", "kid": "ec-1", "typ": "at+jwt"}, access_claims(), signature)
    refused(v, t, InvalidSignature)


def test_ecdsa_r_and_s_equal_to_the_order(v):
    n = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
    signature = n.to_bytes(32, "big") * 2
    refused(v, raw_token({"alg": "ES256", "kid": "ec-1"}, access_claims(), signature), InvalidSignature)


# -- RFC 8725 §3.10: keys in the header are never trusted -----------------------------------------------------------
@pytest.mark.parametrize("member", ["jwk", "jku", "x5c", "x5u"])
def test_header_embedded_keys(v, member):
    attacker = JWK.generate("RS256", kid="rsa-1")
    values = {"jwk": attacker.to_public_dict(), "jku": "https://evil.example/jwks.json",
              "x5c": ["MIIB..."], "x5u": "https://evil.example/cert.pem"}
    t = resign(attacker, {"alg": "RS256", "kid": "rsa-1", "typ": "at+jwt", member: values[member]}, access_claims())
    refused(v, t, InvalidHeader)


def test_attacker_key_with_a_known_kid(v):
    attacker = JWK.generate("RS256", kid="rsa-1")
    refused(v, token(attacker), InvalidSignature)


@pytest.mark.parametrize("crit", [["exp"], ["b64"], [], "x"])
def test_unknown_crit(v, keys, crit):
    t = resign(keys[0], {"alg": "RS256", "kid": "rsa-1", "crit": crit, "exp": 1}, access_claims())
    refused(v, t, InvalidHeader)


# -- size, encoding, JSON ------------------------------------------------------------------------------------------------
def test_oversize_is_refused_before_decoding(v, keys):
    refused(v, "x" * (16 * 1024 + 1), TokenTooLarge)
    refused(v, token(keys[0], pad="y" * 16 * 1024), TokenTooLarge)


@pytest.mark.parametrize("mangle", [
    lambda h, p, s: f"{h}=.{p}.{s}",  # padding
    lambda h, p, s: f"{h}.{p.replace('-', '+').replace('_', '/')}+/.{s}",  # standard alphabet
    lambda h, p, s: f"{h}.{p} .{s}",  # whitespace
    lambda h, p, s: f"{h}.{p}.{s}\n",
    lambda h, p, s: f"{h}.{p}.{s[:-1]}",  # impossible length or non-canonical tail
    lambda h, p, s: f"{h}.{p}",  # two parts
    lambda h, p, s: f"{h}.{p}.{s}.",  # four parts
    lambda h, p, s: f"{h}..{s}",  # empty payload
    lambda h, p, s: f".{p}.{s}",  # empty header
    lambda h, p, s: "",
    lambda h, p, s: "..",
    lambda h, p, s: f"{h}.{p}.{s}é",
])
def test_bad_compact_form(v, keys, mangle):
    h, p, s = token(keys[0]).split(".")
    refused(v, mangle(h, p, s), MalformedToken)


def test_non_canonical_base64url_tail(v, keys):
    t = token(keys[0])
    h, p, s = t.split(".")
    # A 2-character final group has 4 unused bits; setting one gives other text for the same bytes.
    for part in (h, p, s):
        if len(part) % 4 in (2, 3):
            alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
            bumped = part[:-1] + alphabet[alphabet.index(part[-1]) + 1]
            refused(v, t.replace(part, bumped, 1), MalformedToken)


@pytest.mark.parametrize("header", [b"[]", b'"x"', b"1", b"null", b"{", b'{"alg":"RS256"}x', b"\xff\xfe"])
def test_header_not_a_json_object(v, header):
    t = f"{b64url_encode(header)}.{b64url_encode(dumps_compact(access_claims()))}.c2ln"
    refused(v, t, MalformedToken)


@pytest.mark.parametrize("payload", [b"[]", b'"x"', b"1", b"null", b"", b"{", b"\xff"])
def test_payload_not_a_json_object(v, keys, payload):
    refused(v, resign(keys[0], {"alg": "RS256", "kid": "rsa-1"}, payload), MalformedToken)


def test_duplicate_member_names_are_refused(v, keys):
    """Our choice (docs/guard.md): refuse, never last-wins (RFC 7515 §4, RFC 8725 §3.1 spirit)."""
    header = b64url_encode(b'{"alg":"RS256","kid":"rsa-1","alg":"RS256"}')
    payload = b64url_encode(dumps_compact(access_claims()))
    refused(v, f"{header}.{payload}.c2ln", MalformedToken)
    body = dumps_compact(access_claims())[:-1] + b',"iss":"https://evil.example"}'
    refused(v, resign(keys[0], {"alg": "RS256", "kid": "rsa-1"}, body), MalformedToken)


def test_deeply_nested_json(v, keys):
    refused(v, resign(keys[0], {"alg": "RS256", "kid": "rsa-1"}, b'{"a":' + b"[" * 5000 + b"]" * 5000 + b"}"),
            TokenError)


# -- JWE and nested JWTs (RFC 8725 §2.7, §3.11) ----------------------------------------------------------------------------
def test_jwe_where_a_jws_is_expected(v):
    jwe = ".".join(b64url_encode(x) for x in (b'{"alg":"RSA-OAEP","enc":"A256GCM"}', b"k", b"iv", b"ct", b"tag"))
    refused(v, jwe, UnsupportedTokenFormat)


@pytest.mark.parametrize("cty", ["JWT", "jwt", "application/jwt"])
def test_nested_jwt(v, keys, cty):
    inner = token(keys[0])
    refused(v, resign(keys[0], {"alg": "RS256", "kid": "rsa-1", "cty": cty}, inner.encode()), UnsupportedTokenFormat)


# -- key ids -------------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kid", ["../../etc/passwd", "' OR 1=1 --", "", "x" * 1000, "rsa-1\x00"])
def test_hostile_kids(v, keys, kid):
    refused(v, resign(keys[0], {"alg": "RS256", "kid": kid}, access_claims()), KeyNotFound)


@pytest.mark.parametrize("kid", [1, None, ["rsa-1"], {"k": 1}])
def test_kid_not_a_string(v, keys, kid):
    refused(v, resign(keys[0], {"alg": "RS256", "kid": kid}, access_claims()), MalformedToken)


@pytest.mark.parametrize("value", [None, 42, b"\x00" * 10, ["a.b.c"], object()])
def test_not_a_string_at_all(v, value):
    refused(v, value, MalformedToken)


# -- properties -------------------------------------------------------------------------------------------------------------
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.one_of(st.binary(max_size=600), st.text(max_size=600),
                      st.lists(st.text(alphabet="ABCDEFGHabcdefgh0123456789-_=+/. ", max_size=80), max_size=6)
                      .map(".".join)))
def test_arbitrary_input_only_raises_token_errors(v, data):
    with pytest.raises(TokenError):
        v.verify(data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(which=st.integers(0, 2), ops=st.lists(st.tuples(st.sampled_from(["flip", "insert", "delete", "swap"]),
                                                         st.integers(0, 5000), st.characters(codec="ascii")),
                                               min_size=1, max_size=4))
def test_mutated_tokens_never_verify(v, keys, which, ops):
    original = token(keys[which], jti="fixed")
    t = list(original)
    for op, pos, ch in ops:
        pos %= max(len(t), 1)
        if op == "flip":
            t[pos] = ch
        elif op == "insert":
            t.insert(pos, ch)
        elif op == "delete" and t:
            del t[pos]
        elif op == "swap":
            parts = "".join(t).split(".")
            if len(parts) == 3:
                parts[0], parts[1] = parts[1], parts[0]
            t = list(".".join(parts))
    mutated = "".join(t)
    if mutated == original:
        assert v.verify(mutated)
    else:
        with pytest.raises(TokenError):
            v.verify(mutated)
