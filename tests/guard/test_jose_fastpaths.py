"""The jose fast paths the guard's speed relies on give exactly the reference paths' answers.

(They live in authpool.jose: b64.py, jsonutil.py, jws.py; these differential tests sit with the guard,
whose benchmark motivated them.)
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from authpool.jose import JWK, MalformedJWS, b64url_encode, jsonutil, parse_compact, sign_compact
from authpool.jose.b64 import _decode_checked, b64url_decode

B64_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/= \n.\x00\xe9"


def outcome(fn, *args):
    try:
        return ("ok", repr(fn(*args)))
    except MalformedJWS:
        return ("refused",)


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(alphabet=B64_CHARS, max_size=20), st.binary(max_size=20).map(b64url_encode),
                 st.binary(max_size=20).map(lambda b: b64url_encode(b) + "=")))
def test_base64url_fast_path_matches_the_checked_path(text):
    data = text.encode("utf-8")
    assert outcome(b64url_decode, data) == outcome(_decode_checked, data)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70) | st.floats(allow_nan=False)
    | st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=8),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=3), children, max_size=3),
    max_leaves=8)


def texts_of(value) -> list[bytes]:
    return [json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode(),
            json.dumps(value, ensure_ascii=True).encode(), json.dumps(value, indent=1).encode()]


@pytest.mark.parametrize("accelerated", [True, False], ids=["orjson", "stdlib"])
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(members=st.lists(st.tuples(st.sampled_from(["a", "b", "c:d", ":", "é", "{", "\\"]), json_values), max_size=5),
       junk=st.sampled_from([b"", b" ", b"x", b"}", b'"', b"\\", b"\xff", b"NaN", b"{"]),
       cut=st.integers(0, 400))
def test_json_fast_paths_match_the_reference(monkeypatch, accelerated, members, junk, cut):
    if not accelerated:
        monkeypatch.setattr(jsonutil, "_orjson", None)
    # Objects written member by member, so names may repeat; then damaged copies.
    body = ",".join(f"{json.dumps(k)}:{json.dumps(v, separators=(',', ':'))}" for k, v in members)
    candidates = [("{" + body + "}").encode()]
    candidates += texts_of(dict(members))
    candidates += [c[:cut] + junk + c[cut:] for c in list(candidates)]
    for data in candidates:
        assert outcome(jsonutil.loads_object, data, "x") == outcome(jsonutil._loads_checked, data, "x"), data


@pytest.mark.parametrize("accelerated", [True, False], ids=["orjson", "stdlib"])
def test_json_known_corner_cases(monkeypatch, accelerated):
    if not accelerated:
        monkeypatch.setattr(jsonutil, "_orjson", None)
    cases = [b'{"a":1,"a":1}', b'{"a":{"b":1,"b":2}}', b'{"a":18446744073709551616}', b'{"a":-0}', b'{"a":1E2}',
             b'{"a":NaN}', b'{"a":1e400}', b' {"a":1}', b'{"a":1} ', b'{"\\u0061":1,"a":2}', b'{"a":"\xed\xa0\x80"}',
             b'{"a":[' + b"[" * 400 + b"]" * 400 + b"]}", b"[]", b'{"a":"{"}', b'{"a":"\\""}', b"{}"]
    for data in cases:
        assert outcome(jsonutil.loads_object, data, "x") == outcome(jsonutil._loads_checked, data, "x"), data


def test_header_cache_hands_out_copies(rsa_key):
    token = sign_compact({"sub": "x"}, rsa_key, typ="at+jwt")
    algorithms = frozenset({"RS256"})
    first = parse_compact(token, algorithms=algorithms).header
    first["alg"] = "none"
    first["jwk"] = {}
    again = parse_compact(token, algorithms=algorithms).header
    assert again == {"kid": rsa_key.kid, "alg": "RS256", "typ": "at+jwt"}


def test_header_cache_respects_the_allow_list(rsa_key):
    from authpool.jose import UnsupportedAlgorithm
    token = sign_compact({"sub": "x"}, rsa_key)
    parse_compact(token, algorithms=frozenset({"RS256"}))
    with pytest.raises(UnsupportedAlgorithm):
        parse_compact(token, algorithms=frozenset({"ES256"}))
    with pytest.raises(UnsupportedAlgorithm):
        parse_compact(token, algorithms=["ES256"])


def test_header_cache_is_bounded():
    from authpool.jose import jws
    key = JWK.generate("EdDSA")
    for i in range(jws._HEADER_CACHE_MAX + 10):
        parse_compact(sign_compact({}, key, headers={"n": i}), algorithms=("EdDSA",))
    assert len(jws._HEADER_CACHE) <= jws._HEADER_CACHE_MAX
