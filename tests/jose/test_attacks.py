"""Known attacks on JWT/JWS verifiers (RFC 8725 sections 2-3), each refused with a typed JoseError.

Every case goes through the public entry points (``parse_compact`` / ``verify_compact``) and asserts
the exact error class; ``refused`` also checks that it is a JoseError, never another exception.
"""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

from authpool.jose import (
    JWK,
    MAX_COMPACT_SIZE,
    AlgorithmMismatch,
    InvalidKey,
    InvalidSignature,
    JoseError,
    MalformedJWS,
    TokenTooLarge,
    UnknownCritical,
    UnsupportedAlgorithm,
    UnsupportedSerialization,
    UntrustedHeaderKey,
    b64url_decode,
    b64url_encode,
    parse_compact,
    sign_compact,
    verify_compact,
)

ALL = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"]
# the order n of each curve's base point (SEC 2 / FIPS 186-4 D.1.2)
CURVE_ORDER = {
    "ES256": int("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", 16),
    "ES384": int("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973", 16),
    "ES512": int("01FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFA51868783BF2F966B7FCC0148F709A5D03"
                 "BB5C9B8899C47AEBB6FB71E91386409", 16),
}
SIZE = {"ES256": 32, "ES384": 48, "ES512": 66}


def refused(error: type[JoseError], fn, *args, **kwargs) -> JoseError:
    with pytest.raises(JoseError) as info:
        fn(*args, **kwargs)
    assert isinstance(info.value, error), f"{type(info.value).__name__} raised, {error.__name__} expected"
    assert info.value.code  # a stable machine code
    return info.value


def b64json(value) -> str:
    return b64url_encode(json.dumps(value, separators=(",", ":")).encode())


@pytest.fixture(scope="module")
def keys() -> dict[str, JWK]:
    return {alg: JWK.generate(alg, kid=f"kid-{alg}") for alg in ("RS256", "ES256", "ES384", "ES512", "EdDSA")}


@pytest.fixture(scope="module")
def token(keys) -> str:
    return sign_compact({"iss": "https://issuer.example", "sub": "alice", "scope": "read"}, keys["RS256"])


# -- RFC 8725 3.1: alg "none" -------------------------------------------------------------------------------------
@pytest.mark.parametrize("alg", ["none", "None", "NONE", "nOnE", "NoNe"])
@pytest.mark.parametrize("signature", ["", "QUJD", "with-a-real-signature"])
def test_alg_none(keys, token, alg, signature):
    _head, body, real = token.split(".")
    sig = real if signature == "with-a-real-signature" else signature
    forged = f"{b64json({'kid': keys['RS256'].kid, 'alg': alg})}.{body}.{sig}"
    for algorithms in (["RS256"], ALL, ALL + [alg, "none"]):
        refused(UnsupportedAlgorithm, verify_compact, forged, keys["RS256"], algorithms=algorithms)
    refused(UnsupportedAlgorithm, parse_compact, forged)


# -- RFC 8725 2.1 / 3.1: algorithm confusion (HS256 keyed with the RSA public key) --------------------------------
@pytest.mark.parametrize("secret_form", ["pem", "der", "jwk-json", "n"])
def test_hs256_with_the_public_key_as_secret(keys, token, secret_form):
    public = keys["RS256"].public_key
    secret = {
        "pem": lambda: public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo),
        "der": lambda: public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo),
        "jwk-json": lambda: json.dumps(keys["RS256"].to_public_dict()).encode(),
        "n": lambda: b64url_decode(keys["RS256"].to_public_dict()["n"]),
    }[secret_form]()
    head = b64json({"kid": keys["RS256"].kid, "alg": "HS256"})
    body = token.split(".")[1]
    mac = hmac.new(secret, f"{head}.{body}".encode(), hashlib.sha256).digest()
    forged = f"{head}.{body}.{b64url_encode(mac)}"
    # HS256 is not allowed ...
    refused(UnsupportedAlgorithm, verify_compact, forged, keys["RS256"].public(), algorithms=["RS256"])
    # ... and even a careless caller who allows it gets nothing: HS256 does not fit an RSA key
    refused(AlgorithmMismatch, verify_compact, forged, keys["RS256"].public(), algorithms=["RS256", "HS256"])
    unpinned = JWK.from_key(public)  # no alg on the key: still only RSA algorithms fit
    refused(AlgorithmMismatch, verify_compact, forged, unpinned, algorithms=["HS256"])
    # nor can the secret be turned into a key
    refused(InvalidKey, JWK.from_dict, {"kty": "oct", "k": b64url_encode(secret)})


@pytest.mark.parametrize("alg", ["HS256", "HS384", "HS512"])
def test_hmac_against_every_key_type(keys, alg):
    forged = f"{b64json({'alg': alg})}.e30.{b64url_encode(b'x' * 32)}"
    for key in keys.values():
        refused(AlgorithmMismatch, verify_compact, forged, key.public(), algorithms=[alg])


@pytest.mark.parametrize("claimed", ["PS256", "RS512", "ES256", "EdDSA"])
def test_relabelled_algorithm(keys, token, claimed):
    """The same RS256 signature presented under another alg: the key pins RS256."""
    _head, body, sig = token.split(".")
    relabelled = f"{b64json({'kid': keys['RS256'].kid, 'alg': claimed})}.{body}.{sig}"
    refused(AlgorithmMismatch, verify_compact, relabelled, keys["RS256"].public(), algorithms=ALL)
    unpinned = JWK.from_key(keys["RS256"].public_key)
    error = InvalidSignature if claimed in unpinned.algorithms else AlgorithmMismatch
    refused(error, verify_compact, relabelled, unpinned, algorithms=ALL)


def test_ecdsa_curve_and_hash_confusion(keys):
    """ES256 on a P-384 key (or ES384 on P-256) never verifies: the curve fixes the algorithm."""
    es384_token = sign_compact({"a": 1}, keys["ES384"])
    _head, body, sig = es384_token.split(".")
    relabelled = f"{b64json({'alg': 'ES256'})}.{body}.{sig}"
    refused(AlgorithmMismatch, verify_compact, relabelled, JWK.from_key(keys["ES384"].public_key), algorithms=ALL)
    refused(AlgorithmMismatch, verify_compact, es384_token, JWK.from_key(keys["ES256"].public_key), algorithms=ALL)


# -- CVE-2022-21449 ("psychic signatures") and out-of-range ECDSA values ---------------------------------------------
def _es_token(key: JWK, alg: str, r: int, s: int) -> str:
    size = SIZE[alg]
    head, body, _ = sign_compact({"sub": "mallory"}, key).split(".")
    return f"{head}.{body}.{b64url_encode(r.to_bytes(size, 'big') + s.to_bytes(size, 'big'))}"


@pytest.mark.parametrize("alg", ["ES256", "ES384", "ES512"])
def test_psychic_signature_and_out_of_range_values(keys, alg):
    key, n = keys[alg], CURVE_ORDER[alg]
    assert key.public_key.curve.key_size == {"ES256": 256, "ES384": 384, "ES512": 521}[alg]
    # a genuine (r, s) over the very payload we reuse, to put a valid value next to a broken one
    head, body, _ = sign_compact({"sub": "mallory"}, key).split(".")
    r, s = decode_dss_signature(key.private_key.sign(f"{head}.{body}".encode(), ec.ECDSA(
        {"ES256": hashes.SHA256(), "ES384": hashes.SHA384(), "ES512": hashes.SHA512()}[alg])))
    size = SIZE[alg]
    good = f"{head}.{body}.{b64url_encode(r.to_bytes(size, 'big') + s.to_bytes(size, 'big'))}"
    verify_compact(good, key.public(), algorithms=[alg])  # the control
    top = 2 ** (8 * size) - 1
    for bad_r, bad_s in [(0, 0), (0, s), (r, 0), (n, n), (n, s), (r, n), (n + r, s), (r, n + s),
                         (top, top), (r, top), (1, 1), (n - 1, n - 1)]:
        if max(bad_r, bad_s) > top:  # r + n only fits in the fixed width where n is well below 2^(8*size)
            continue
        bad = f"{head}.{body}.{b64url_encode(bad_r.to_bytes(size, 'big') + bad_s.to_bytes(size, 'big'))}"
        refused(InvalidSignature, verify_compact, bad, key.public(), algorithms=[alg])


@pytest.mark.parametrize("alg", ["ES256", "ES384", "ES512"])
def test_ecdsa_signature_encoding_is_fixed_width(keys, alg):
    key = keys[alg]
    token = sign_compact({"a": 1}, key)
    head, body, sig = token.split(".")
    raw = b64url_decode(sig)
    r, s = int.from_bytes(raw[: SIZE[alg]], "big"), int.from_bytes(raw[SIZE[alg]:], "big")
    for wrong in (b"", raw[:-1], raw + b"\x00", b"\x00" + raw, raw[: SIZE[alg]], encode_dss_signature(r, s),
                  b"\x00" * (2 * SIZE[alg])):
        refused(InvalidSignature, verify_compact, f"{head}.{body}.{b64url_encode(wrong)}", key, algorithms=[alg])


def test_eddsa_degenerate_signatures(keys):
    key = keys["EdDSA"]
    head, body, sig = sign_compact({"a": 1}, key).split(".")
    raw = b64url_decode(sig)
    identity = bytes([1]) + bytes(31)
    l_order = (2**252 + 27742317777372353535851937790883648493).to_bytes(32, "little")
    for wrong in (b"", bytes(64), identity + bytes(32), raw[:32] + l_order, raw[:-1], raw + b"\x00", b"\xff" * 64):
        refused(InvalidSignature, verify_compact, f"{head}.{body}.{b64url_encode(wrong)}", key, algorithms=["EdDSA"])


# -- RFC 8725 3.10 / RFC 7515 10.x: keys named by the token itself ----------------------------------------------------
@pytest.mark.parametrize("name", ["jwk", "jku", "x5c", "x5u"])
def test_header_carried_keys(keys, name):
    attacker = JWK.generate("ES256", kid="attacker")
    value = {
        "jwk": attacker.to_public_dict(),
        "jku": "https://attacker.example/.well-known/jwks.json",
        "x5c": ["MIIBszCCAVmgAwIBAgIUQ"],
        "x5u": "https://attacker.example/cert.pem",
    }[name]
    forged = sign_compact({"sub": "admin"}, attacker, headers={name: value})
    looked_up = []

    def naive_lookup(jws):  # what a careless verifier does: trust the key the token brings
        looked_up.append(jws)
        return JWK.from_dict(jws.header["jwk"]) if name == "jwk" else attacker

    refused(UntrustedHeaderKey, verify_compact, forged, naive_lookup, algorithms=["ES256"])
    refused(UntrustedHeaderKey, verify_compact, forged, keys["ES256"], algorithms=["ES256"])
    assert looked_up == []  # refused before any key is selected


@pytest.mark.parametrize("crit", [["exp"], ["http://example.com/unknown"], ["b64"], [], "exp"])
def test_unknown_crit(keys, crit):
    forged = sign_compact({"a": 1}, keys["ES256"], headers={"crit": crit, "exp": 1, "b64": True})
    refused(UnknownCritical, verify_compact, forged, keys["ES256"], algorithms=["ES256"])


# -- RFC 8725 2.7 / 3.11: other serializations where a signed JWT is expected --------------------------------------------
def test_jwe_refused(keys):
    jwe = ".".join([b64json({"alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": keys["RS256"].kid}),
                    b64url_encode(b"k" * 256), b64url_encode(b"i" * 12), b64url_encode(b"ciphertext"),
                    b64url_encode(b"t" * 16)])
    refused(UnsupportedSerialization, verify_compact, jwe, keys["RS256"], algorithms=["RS256"])
    refused(UnsupportedSerialization, parse_compact, jwe)
    refused(UnsupportedSerialization, parse_compact, "a.b.c.d.e")  # refused on shape alone


@pytest.mark.parametrize("cty", ["JWT", "jwt", "application/jwt"])
def test_nested_jwt_refused(keys, token, cty):
    outer = sign_compact(token.encode(), keys["ES256"], headers={"cty": cty})  # a valid signature over a JWT
    refused(UnsupportedSerialization, verify_compact, outer, keys["ES256"], algorithms=["ES256"])


@pytest.mark.parametrize("parts", [1, 2, 4, 6, 7])
def test_wrong_part_count(keys, token, parts):
    pieces = token.split(".")
    candidate = ".".join((pieces * 3)[:parts])
    refused(MalformedJWS, verify_compact, candidate, keys["RS256"], algorithms=["RS256"])


def test_json_serialization_refused(keys, token):
    head, body, sig = token.split(".")
    flattened = json.dumps({"protected": head, "payload": body, "signature": sig})
    refused(MalformedJWS, verify_compact, flattened, keys["RS256"], algorithms=["RS256"])


# -- RFC 8725 3.1 (input bounds) and parsing hostile input -----------------------------------------------------------
@pytest.mark.parametrize("kind", ["str", "bytes", "bytearray"])
def test_oversize_input(keys, kind):
    huge = "A" * (MAX_COMPACT_SIZE + 1)
    value = {"str": huge, "bytes": huge.encode(), "bytearray": bytearray(huge.encode())}[kind]
    refused(TokenTooLarge, verify_compact, value, keys["RS256"], algorithms=["RS256"])
    big = sign_compact({"blob": "x" * MAX_COMPACT_SIZE}, keys["ES256"])  # well-formed and validly signed
    big = {"str": big, "bytes": big.encode(), "bytearray": bytearray(big.encode())}[kind]
    refused(TokenTooLarge, verify_compact, big, keys["ES256"], algorithms=["ES256"])
    refused(TokenTooLarge, parse_compact, "." * 10_000_000)


@pytest.mark.parametrize("part", [0, 1, 2])
@pytest.mark.parametrize("damage", ["padding", "plus", "slash", "space", "newline", "non-canonical", "non-ascii",
                                    "length", "percent"])
def test_bad_base64url_in_each_part(keys, part, damage):
    pieces = sign_compact({"sub": "x"}, keys["ES256"]).split(".")
    value = pieces[part]
    if damage == "non-canonical":  # flip an unused low bit of the last character (if the length leaves any)
        value = value if len(value) % 4 else value[:-2]
        last = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".index(value[-1])
        value = value[:-1] + "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[last | 1]
    else:
        value = {
            "padding": value + "=" * (-len(value) % 4 or 4),
            "plus": "+" + value[1:],
            "slash": value[:-1] + "/",
            "space": value[:3] + " " + value[3:],
            "newline": value + "\n",
            "non-ascii": value[:-1] + "\u00e9",
            "length": value + "A" * (5 - len(value) % 4 if len(value) % 4 != 1 else 4),
            "percent": value[:2] + "%3D" + value[2:],
        }[damage]
    pieces[part] = value
    refused(MalformedJWS, verify_compact, ".".join(pieces), keys["ES256"], algorithms=["ES256"])


@pytest.mark.parametrize("raw", [b'["alg","ES256"]', b'"{\\"alg\\":\\"ES256\\"}"', b"256", b"-1.5e3", b"null", b"true",
                                 b"[]", b'[{"alg":"ES256"}]'])
def test_header_json_but_not_an_object(keys, raw):
    forged = f"{b64url_encode(raw)}.e30.{b64url_encode(b'x' * 64)}"
    refused(MalformedJWS, verify_compact, forged, keys["ES256"], algorithms=["ES256"])


@pytest.mark.parametrize("raw", [b'{"alg":"ES256","x":"\xff"}', b'{"alg":"ES\xc3("}', b'\xfe\xff{"alg":"ES256"}',
                                 b'{"alg":"ES256","x":"\xed\xa0\x80"}', b'{"alg":"ES256","x":"\xc0\x80"}',
                                 '{"alg":"ES256"}'.encode("utf-16"), '{"alg":"ES256"}'.encode("utf-32")])
def test_header_invalid_utf8(keys, raw):
    forged = f"{b64url_encode(raw)}.e30.{b64url_encode(b'x' * 64)}"
    refused(MalformedJWS, verify_compact, forged, keys["ES256"], algorithms=["ES256"])


@pytest.mark.parametrize("raw", [b'{"alg":"ES256","alg":"none"}', b'{"alg":"none","alg":"ES256"}',
                                 b'{"alg":"ES256","kid":"a","kid":"b"}', b'{"alg":"ES256","jku":"x","jku":"x"}',
                                 b'{"alg":"ES256","\\u0061lg":"ES256"}'])
def test_header_duplicate_members(keys, raw):
    """Refused by design (jsonutil.py): two parsers picking different duplicates disagree about the token."""
    head = b64url_encode(raw)
    body = b64url_encode(b'{"sub":"x"}')
    sig = keys["ES256"].sign(f"{head}.{body}".encode(), "ES256")  # even validly signed
    refused(MalformedJWS, verify_compact, f"{head}.{body}.{b64url_encode(sig)}", keys["ES256"], algorithms=["ES256"])


def test_header_nesting_bomb(keys):
    raw = b'{"alg":"ES256","x":' + b"[" * 10_000 + b"]" * 10_000 + b"}"
    forged = f"{b64url_encode(raw)}.e30.QUJD"
    refused(MalformedJWS, verify_compact, forged, keys["ES256"], algorithms=["ES256"], max_size=len(forged))


def test_header_huge_integer(keys):
    raw = b'{"alg":"ES256","x":' + b"9" * 6000 + b"}"
    forged = f"{b64url_encode(raw)}.e30.QUJD"
    with pytest.raises(JoseError):  # MalformedJWS under Python's int digit limit, else a bad signature
        verify_compact(forged, keys["ES256"], algorithms=["ES256"])


@pytest.mark.parametrize("kid", [1, -1, 0.5, True, False, None, [], ["kid-ES256"], {"kid": "kid-ES256"}])
def test_non_string_kid(keys, kid):
    head = b64json({"alg": "ES256", "kid": kid})
    body = b64url_encode(b'{"sub":"x"}')
    sig = keys["ES256"].sign(f"{head}.{body}".encode(), "ES256")
    refused(MalformedJWS, verify_compact, f"{head}.{body}.{b64url_encode(sig)}", keys["ES256"], algorithms=["ES256"])


@pytest.mark.parametrize("separator", ["\uff0e", "\u3002", "\u2024", "%2E", ",", ":"])
def test_lookalike_separators(keys, token, separator):
    refused(MalformedJWS, verify_compact, token.replace(".", separator), keys["RS256"], algorithms=["RS256"])


@pytest.mark.parametrize("wrap", ["Bearer {}", " {}", "{} ", "{}\n", "\"{}\"", "{}\x00", "\ufeff{}"])
def test_token_must_be_exact(keys, token, wrap):
    refused(MalformedJWS, verify_compact, wrap.format(token), keys["RS256"], algorithms=["RS256"])


# -- signatures that are not the key's, or not over these bytes ------------------------------------------------------------
@pytest.mark.parametrize("alg", ["RS256", "ES256", "ES512", "EdDSA"])
def test_signature_from_another_key(keys, alg):
    impostor = JWK.generate(alg, kid=keys[alg].kid)  # same kid, same alg, another key
    forged = sign_compact({"sub": "admin"}, impostor)
    refused(InvalidSignature, verify_compact, forged, keys[alg].public(), algorithms=[alg])


@pytest.mark.parametrize("alg", ["RS256", "ES256", "EdDSA"])
def test_signature_over_modified_content(keys, alg):
    token = sign_compact({"sub": "alice", "scope": "read"}, keys[alg])
    head, body, sig = token.split(".")
    other_body = b64json({"sub": "alice", "scope": "admin"})
    other_head = b64json({"kid": keys[alg].kid, "alg": alg, "typ": "at+jwt"})
    for forged in (f"{head}.{other_body}.{sig}", f"{other_head}.{body}.{sig}", f"{head}.{body}.",
                   f"{head}.{body[:-4]}.{sig}", f"{head}.{sig}.{body}"):
        with pytest.raises(JoseError) as info:
            verify_compact(forged, keys[alg], algorithms=[alg])
        assert isinstance(info.value, (InvalidSignature, MalformedJWS))
    # swapping in another token's signature
    other = sign_compact({"sub": "mallory"}, keys[alg])
    refused(InvalidSignature, verify_compact, f"{head}.{body}.{other.split('.')[2]}", keys[alg], algorithms=[alg])


def test_payload_reencoding_is_not_the_same_token(keys):
    """JWS signs the base64url text, not the JSON value: re-serialised claims do not verify."""
    token = sign_compact({"a": 1, "b": 2}, keys["ES256"])
    head, body, sig = token.split(".")
    reencoded = b64url_encode(json.dumps(json.loads(b64url_decode(body)), indent=1).encode())
    refused(InvalidSignature, verify_compact, f"{head}.{reencoded}.{sig}", keys["ES256"], algorithms=["ES256"])
