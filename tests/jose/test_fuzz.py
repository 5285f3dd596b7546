"""Property tests: hostile input only ever raises a JoseError, and a damaged token never verifies.

Kept fast (a few hundred examples per property, no example database); run with
``--hypothesis-seed`` to reproduce a failure, and with ``AUTHPOOL_FUZZ_EXAMPLES=20000`` to search harder.
"""

from __future__ import annotations

import json
import os
import string
from unittest import mock

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from authpool.jose import (
    JWK,
    MAX_COMPACT_SIZE,
    InvalidKey,
    JoseError,
    JWKSet,
    MalformedJWS,
    b64url_decode,
    b64url_encode,
    jsonutil,
    loads_object,
    parse_compact,
    sign_compact,
    verify_compact,
)

EXAMPLES = int(os.environ.get("AUTHPOOL_FUZZ_EXAMPLES", "300"))
FAST = settings(max_examples=EXAMPLES, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
MANY = settings(FAST, max_examples=EXAMPLES * 5 // 3)

ALGS = ["RS256", "ES256", "ES512", "EdDSA"]
KEYS = {alg: JWK.generate(alg, kid=f"kid-{alg}") for alg in ALGS}
TOKENS = {alg: sign_compact({"iss": "https://issuer.example", "sub": "alice", "scope": "read"}, key, typ="at+jwt")
          for alg, key in KEYS.items()}
B64 = string.ascii_letters + string.digits + "-_"

alg_names = st.sampled_from(ALGS + ["none", "None", "HS256", "PS256", "ES384", "Ed25519", "", "RS256 "])
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
header_names = st.sampled_from(["alg", "kid", "typ", "cty", "crit", "jwk", "jku", "x5c", "x5u", "x5t", "b64",
                                "enc", "zip", "x"])
headers = st.dictionaries(header_names, json_values | alg_names, max_size=6) | st.builds(
    lambda alg, extra: {"alg": alg, **extra}, alg_names, st.dictionaries(header_names, json_values, max_size=4))
b64_text = st.text(alphabet=B64, max_size=120)


def _only_jose_errors(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except JoseError as exc:
        assert exc.code and isinstance(str(exc), str)
        return None


# -- arbitrary input -------------------------------------------------------------------------------------------------
@MANY
@given(st.binary(max_size=600))
def test_arbitrary_bytes(data):
    _only_jose_errors(parse_compact, data)
    _only_jose_errors(parse_compact, data, algorithms=ALGS)
    assert _only_jose_errors(verify_compact, data, KEYS["ES256"], algorithms=ALGS) is None


@MANY
@given(st.text(max_size=400))
def test_arbitrary_text(text):
    _only_jose_errors(parse_compact, text, algorithms=ALGS)
    assert _only_jose_errors(verify_compact, text, KEYS["EdDSA"], algorithms=ALGS) is None


@MANY
@given(st.lists(st.text(alphabet=B64 + ".=+/ \n", max_size=60), min_size=1, max_size=7).map(".".join))
def test_token_shaped_text(text):
    _only_jose_errors(parse_compact, text)
    for alg, key in KEYS.items():
        assert _only_jose_errors(verify_compact, text, key, algorithms=[alg]) is None


@FAST
@given(headers, st.binary(max_size=60), st.binary(max_size=140))
def test_arbitrary_headers(header, payload, signature):
    """Any JSON header with any payload and signature bytes: a JoseError, or a header that obeys the rules."""
    token = ".".join([b64url_encode(json.dumps(header).encode()), b64url_encode(payload), b64url_encode(signature)])
    jws = _only_jose_errors(parse_compact, token, algorithms=ALGS)
    if jws is not None:
        assert jws.alg in ALGS and isinstance(jws.header.get("kid", ""), str)
        assert not {"crit", "jwk", "jku", "x5c", "x5u"} & set(jws.header)
        assert jws.payload == payload and jws.signature == signature
    for alg, key in KEYS.items():  # random signature bytes never verify
        assert _only_jose_errors(verify_compact, token, key, algorithms=ALGS) is None, alg


@FAST
@given(st.binary(max_size=200), st.binary(max_size=40), st.binary(max_size=140))
def test_arbitrary_part_bytes(header, payload, signature):
    token = ".".join(b64url_encode(p) for p in (header, payload, signature))
    _only_jose_errors(parse_compact, token)
    assert _only_jose_errors(verify_compact, token, KEYS["RS256"], algorithms=ALGS) is None


@FAST
@given(st.integers(min_value=MAX_COMPACT_SIZE + 1, max_value=MAX_COMPACT_SIZE + 5000), st.sampled_from(["str", "bytes"]))
def test_oversize_is_refused_cheaply(size, kind):
    token = TOKENS["ES256"] + "A" * (size - len(TOKENS["ES256"]))
    assert _only_jose_errors(parse_compact, token if kind == "str" else token.encode()) is None


# -- damaged valid tokens never verify -------------------------------------------------------------------------------
def _verifies(token, alg) -> bool:
    return _only_jose_errors(verify_compact, token, KEYS[alg].public(), algorithms=ALGS) is not None


@MANY
@given(st.sampled_from(ALGS), st.data())
def test_one_character_changed(alg, data):
    token = TOKENS[alg]
    index = data.draw(st.integers(0, len(token) - 1))
    char = data.draw(st.sampled_from(B64 + ".=+/ \x00\u00e9"))
    mutated = token[:index] + char + token[index + 1:]
    assume(mutated != token)
    assert not _verifies(mutated, alg)


@MANY
@given(st.sampled_from(ALGS), st.data())
def test_one_bit_flipped_in_the_bytes(alg, data):
    raw = bytearray(TOKENS[alg].encode())
    index = data.draw(st.integers(0, len(raw) - 1))
    raw[index] ^= 1 << data.draw(st.integers(0, 7))
    assert _only_jose_errors(verify_compact, bytes(raw), KEYS[alg], algorithms=ALGS) is None


@FAST
@given(st.sampled_from(ALGS), st.data())
def test_truncated_or_extended(alg, data):
    token = TOKENS[alg]
    cut = data.draw(st.integers(0, len(token) - 1))
    assert not _verifies(token[:cut], alg)
    assert not _verifies(token[cut:], alg) or cut == 0
    extra = data.draw(st.text(alphabet=B64 + ".", min_size=1, max_size=8))
    assert not _verifies(token + extra, alg)
    assert not _verifies(extra + token, alg)


@FAST
@given(st.sampled_from(ALGS), st.data())
def test_dot_inserted_or_removed(alg, data):
    token = TOKENS[alg]
    index = data.draw(st.integers(0, len(token)))
    assert not _verifies(token[:index] + "." + token[index:], alg)
    dots = [i for i, c in enumerate(token) if c == "."]
    i = data.draw(st.sampled_from(dots))
    assert not _verifies(token[:i] + token[i + 1:], alg)


@FAST
@given(st.sampled_from(ALGS), st.permutations([0, 1, 2]), st.sampled_from(ALGS))
def test_parts_swapped_or_spliced(alg, order, other_alg):
    parts = TOKENS[alg].split(".")
    if list(order) != [0, 1, 2]:
        assert not _verifies(".".join(parts[i] for i in order), alg)
    other = TOKENS[other_alg].split(".")
    for i in range(3):
        spliced = parts.copy()
        spliced[i] = other[i]
        if spliced != parts:
            assert not _verifies(".".join(spliced), alg)


@FAST
@given(st.sampled_from(ALGS), st.integers(0, 2), st.binary(min_size=1, max_size=8))
def test_part_bytes_extended(alg, part, extra):
    parts = TOKENS[alg].split(".")
    parts[part] = b64url_encode(b64url_decode(parts[part]) + extra)
    assert not _verifies(".".join(parts), alg)


# -- JSON (jsonutil) against a plain reference -------------------------------------------------------------------------
class _Duplicate(ValueError):
    pass


def _reference_loads(data: bytes):
    """The rule as the standard library states it: UTF-8, JSON, an object, no repeated name, no NaN."""
    def pairs(items):
        if len({k for k, _ in items}) != len(items):
            raise _Duplicate
        return dict(items)

    def constant(name):
        raise ValueError(name)

    try:
        value = json.loads(data.decode("utf-8"), object_pairs_hook=pairs, parse_constant=constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    return value if type(value) is dict else None


# member names and values as raw JSON text: several spellings of one name ("a", "\u0061"; "é", "\u00e9")
raw_names = st.sampled_from(["a", "b", "alg", "kid", "", ":", "a:", r"\u0061", r"\"", r"\u00e9", "\u00e9", r"a\u0000"])
text_names = st.builds(lambda text, ascii_only: json.dumps(text, ensure_ascii=ascii_only), st.text(max_size=4),
                       st.booleans())
raw_values = st.sampled_from(["1", "-0.5e3", "true", "null", '""', '":"', r'"x\\"', "NaN", "Infinity", "[]", "{}",
                              r'"\u0022"', '"tab\there"', "[1,{}]", '{"a":1}'])


@st.composite
def json_object_texts(draw, depth=0):
    """JSON object text written by hand, so that duplicates, spacing and escapes can all occur."""
    members = []
    for _ in range(draw(st.integers(0, 4))):
        key = draw(raw_names.map(lambda raw: f'"{raw}"') | text_names)
        value = draw(json_object_texts(depth + 1)) if depth < 2 and draw(st.booleans()) else draw(raw_values)
        members.append(key + draw(st.sampled_from([":", " :", ": ", "\n:\t"])) + value)
    return "{" + draw(st.sampled_from([",", ", ", " ,"])).join(members) + "}"


@MANY
@given(json_object_texts(), st.sampled_from(["", " ", "\n"]))
def test_loads_object_matches_the_reference(text, pad):
    """On both backends: orjson (the server extra) and the standard library (a core install)."""
    data = (text + pad).encode("utf-8")
    expected = _reference_loads(data)
    for backend in {jsonutil._orjson, None}:
        with mock.patch.object(jsonutil, "_orjson", backend):
            try:
                got = loads_object(data)
            except MalformedJWS:
                got = None
        assert got == expected, (text, backend)


# -- keys ---------------------------------------------------------------------------------------------------------------
jwk_members = st.sampled_from(["kty", "crv", "x", "y", "d", "n", "e", "p", "q", "dp", "dq", "qi", "k", "kid", "alg",
                               "use", "key_ops"])
jwk_values = (st.sampled_from(["RSA", "EC", "OKP", "oct", "P-256", "P-384", "P-521", "Ed25519", "X25519", "AQAB",
                               "RS256", "ES256", "EdDSA", "sig", "enc"])
              | b64_text | st.binary(max_size=70).map(b64url_encode) | json_values)


@FAST
@given(st.dictionaries(jwk_members, jwk_values, max_size=8))
def test_arbitrary_jwk_dicts(data):
    try:
        key = JWK.from_dict(data)
    except InvalidKey:
        return
    assert key.kty in ("RSA", "EC", "OKP")


@FAST
@given(st.sampled_from(ALGS), st.sampled_from(["x", "y", "n", "e", "d", "crv", "kty", "alg"]), jwk_values)
def test_real_jwk_with_one_member_replaced(alg, member, value):
    data = KEYS[alg].to_private_dict()
    assume(member in data and data[member] != value)
    data[member] = value
    try:
        key = JWK.from_dict(data)
    except InvalidKey:
        return
    # whatever was accepted still signs and verifies consistently
    token = sign_compact({"a": 1}, key, alg=key.alg or min(key.algorithms))
    verify_compact(token, key.public(), algorithms=sorted(key.algorithms))


@FAST
@given(st.one_of(json_values, st.dictionaries(st.just("keys"), st.lists(
    st.dictionaries(jwk_members, jwk_values, max_size=6) | json_values, max_size=5))))
def test_arbitrary_jwk_sets(data):
    try:
        jwks = JWKSet.from_dict(data)
    except InvalidKey:
        return
    assert all(k.kty in ("RSA", "EC", "OKP") for k in jwks)


# -- base64url ------------------------------------------------------------------------------------------------------------
@MANY
@given(st.binary(max_size=300))
def test_b64_round_trip(data):
    assert b64url_decode(b64url_encode(data)) == data
    assert b64url_decode(b64url_encode(data).encode("ascii")) == data


@MANY
@given(st.text(alphabet=B64, max_size=80))
def test_b64_one_encoding_per_value(text):
    """Whatever decodes re-encodes to exactly the input: no two strings decode to the same octets."""
    decoded = _only_jose_errors(b64url_decode, text)
    if decoded is not None:
        assert b64url_encode(decoded) == text


@FAST
@given(st.text(max_size=40))
def test_b64_arbitrary_text(text):
    decoded = _only_jose_errors(b64url_decode, text)
    if decoded is not None:
        assert b64url_encode(decoded) == text
