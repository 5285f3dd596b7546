"""Compact JWS: signing, strict parsing and verification (RFC 7515 3.1, 5.1, 5.2, 7.1; RFC 8725).

The attack catalogue (RFC 8725 sections 2-3) is in test_attacks.py; this file checks the rules one by
one and the documented check order of ``parse_compact``.
"""

from __future__ import annotations

import json

import pytest

from authpool.jose import (
    JWK,
    MAX_COMPACT_SIZE,
    AlgorithmMismatch,
    CompactJWS,
    CompactSigner,
    InvalidKey,
    InvalidSignature,
    JoseError,
    JWKSet,
    MalformedJWS,
    TokenTooLarge,
    UnknownCritical,
    UnsupportedAlgorithm,
    UnsupportedSerialization,
    UntrustedHeaderKey,
    b64url_decode,
    b64url_encode,
    check_header,
    dumps_compact,
    loads_object,
    parse_compact,
    sign_compact,
    verify_compact,
)


@pytest.fixture(scope="module")
def keys() -> dict[str, JWK]:
    return {alg: JWK.generate(alg, kid=f"kid-{alg}") for alg in ("RS256", "PS256", "ES256", "ES384", "ES512", "EdDSA")}


def _b64json(value) -> str:
    return b64url_encode(json.dumps(value, separators=(",", ":")).encode())


def _token(header, payload=b'{"sub":"x"}', signature=b"sig") -> str:
    head = header if isinstance(header, str) else _b64json(header)
    return f"{head}.{b64url_encode(payload)}.{b64url_encode(signature)}"


# -- signing ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("alg", ["RS256", "PS256", "ES256", "ES384", "ES512", "EdDSA"])
def test_sign_and_verify(keys, alg):
    key = keys[alg]
    claims = {"iss": "https://issuer.example", "sub": "u-1", "n": 1, "name": "Zo\u00eb \u2603"}
    token = sign_compact(claims, key, typ="at+jwt")
    assert token.count(".") == 2 and "=" not in token
    jws = verify_compact(token, key.public(), algorithms=[alg])
    assert isinstance(jws, CompactJWS)
    assert jws.header == {"kid": key.kid, "alg": alg, "typ": "at+jwt"}
    assert list(jws.header) == ["kid", "alg", "typ"]  # Cognito's order
    assert jws.alg == alg and jws.kid == key.kid
    assert loads_object(jws.payload) == claims
    assert jws.signing_input == token.rsplit(".", 1)[0].encode("ascii")
    assert b64url_encode(jws.signature) == token.rsplit(".", 1)[1]


def test_signed_json_is_compact_utf8(keys):
    token = sign_compact({"a": [1, 2], "b": "\u00e9"}, keys["ES256"])
    head, body, _ = token.split(".")
    assert b64url_decode(head) == b'{"kid":"kid-ES256","alg":"ES256"}'
    assert b64url_decode(body) == '{"a":[1,2],"b":"\u00e9"}'.encode("utf-8")


def test_sign_bytes_payload_verbatim(keys):
    for payload in (b"", b"not json", bytes(range(256)), bytearray(b"ba")):
        jws = verify_compact(sign_compact(payload, keys["EdDSA"]), keys["EdDSA"], algorithms=["EdDSA"])
        assert jws.payload == bytes(payload)


def test_sign_extra_headers(keys):
    token = sign_compact({"a": 1}, keys["RS256"], typ="JWT", headers={"x-custom": "v", "kid": "override"})
    header = parse_compact(token).header
    assert header == {"kid": "override", "alg": "RS256", "typ": "JWT", "x-custom": "v"}
    # naming the same alg again is harmless; naming another is refused (the header must tell the truth)
    sign_compact({"a": 1}, keys["RS256"], headers={"alg": "RS256"})
    with pytest.raises(AlgorithmMismatch):
        sign_compact({"a": 1}, keys["RS256"], headers={"alg": "PS256"})
    with pytest.raises(AlgorithmMismatch):
        sign_compact({"a": 1}, keys["RS256"], headers={"alg": "none"})


def test_sign_with_public_key_refused(keys):
    with pytest.raises(InvalidKey):
        sign_compact({"a": 1}, keys["ES256"].public())


def test_compact_signer_matches_sign_compact(keys):
    for alg in ("RS256", "ES256", "EdDSA"):
        signer = CompactSigner(keys[alg], typ="at+jwt")
        token = signer.sign({"sub": "x"})
        jws = verify_compact(token, keys[alg].public(), algorithms=[alg])
        assert jws.header == parse_compact(sign_compact({"sub": "x"}, keys[alg], typ="at+jwt")).header
        assert jws.payload == b'{"sub":"x"}'
        assert verify_compact(signer.sign(b"raw"), keys[alg], algorithms=[alg]).payload == b"raw"
    with pytest.raises(JoseError):
        CompactSigner(keys["ES256"].public())
    with pytest.raises(AlgorithmMismatch):
        CompactSigner(keys["ES256"], alg="ES384")


# -- parsing: structure ------------------------------------------------------------------------------------------
def test_parse_does_not_verify(keys):
    token = _token({"alg": "ES256", "kid": "k"}, signature=b"\x00" * 64)
    jws = parse_compact(token, algorithms=["ES256"])
    assert jws.kid == "k" and jws.signature == b"\x00" * 64
    with pytest.raises(InvalidSignature):
        verify_compact(token, keys["ES256"], algorithms=["ES256"])


@pytest.mark.parametrize("kind", [str, bytes, bytearray])
def test_parse_accepts_str_and_bytes(keys, kind):
    token = sign_compact({"a": 1}, keys["ES256"])
    raw = token if kind is str else kind(token.encode())
    assert verify_compact(raw, keys["ES256"], algorithms=["ES256"]).payload == b'{"a":1}'


def test_parse_refuses_lone_surrogates():
    for token in ("\ud800.e30.QUJD", "e30.\udfff.QUJD", "\ud83d\ude00.e30.QUJD"):
        with pytest.raises(MalformedJWS):
            parse_compact(token)
        with pytest.raises(MalformedJWS):
            b64url_decode(token.replace(".", ""))


@pytest.mark.parametrize("token", [None, 1, 1.0, ["a.b.c"], memoryview(b"a.b.c"), object()])
def test_parse_refuses_other_types(token):
    with pytest.raises(MalformedJWS):
        parse_compact(token)


@pytest.mark.parametrize("dots", [0, 1, 3, 5, 6])
def test_part_count(dots):
    token = ".".join([_b64json({"alg": "ES256"})] + ["QUJD"] * dots)
    expected = UnsupportedSerialization if dots == 4 else MalformedJWS
    with pytest.raises(expected):
        parse_compact(token)


def test_five_parts_is_a_jwe():
    jwe = "eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.QUJD.QUJD.QUJD.QUJD"
    with pytest.raises(UnsupportedSerialization):
        parse_compact(jwe)


@pytest.mark.parametrize("token", ["", ".", "..", "...", "a..", "..c", "e30..", ".e30.", "e30.e30."])
def test_empty_parts(token):
    with pytest.raises(MalformedJWS):
        parse_compact(token)


def test_empty_payload_and_signature_parse():
    """An empty payload (RFC 7515 Appendix F, detached) and an empty signature are well-formed;
    the empty signature then fails verification, never passes it."""
    jws = parse_compact(_b64json({"alg": "EdDSA"}) + "..", algorithms=["EdDSA"])
    assert jws.payload == b"" and jws.signature == b""
    key = JWK.generate("EdDSA")
    with pytest.raises(InvalidSignature):
        verify_compact(_b64json({"alg": "EdDSA"}) + "..", key, algorithms=["EdDSA"])


# -- parsing: size bound ---------------------------------------------------------------------------------------
def test_size_bound_is_checked_first():
    for junk in ("\u00e9" * (MAX_COMPACT_SIZE + 1), "." * (MAX_COMPACT_SIZE + 1), b"\xff" * (MAX_COMPACT_SIZE + 1)):
        with pytest.raises(TokenTooLarge):
            parse_compact(junk)
    assert issubclass(TokenTooLarge, MalformedJWS)


def test_size_bound_boundary(keys):
    token = sign_compact(b"", keys["ES256"])
    filler = "x" * ((MAX_COMPACT_SIZE - len(token)) * 3 // 4 - 10)
    token = sign_compact({"f": filler}, keys["ES256"])
    assert len(token) <= MAX_COMPACT_SIZE
    verify_compact(token, keys["ES256"], algorithms=["ES256"])
    verify_compact(token, keys["ES256"], algorithms=["ES256"], max_size=len(token))
    for raw in (token, token.encode(), bytearray(token.encode())):
        with pytest.raises(TokenTooLarge):
            verify_compact(raw, keys["ES256"], algorithms=["ES256"], max_size=len(token) - 1)


# -- parsing: header -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("header", [{}, {"alg": ""}, {"alg": None}, {"alg": 256}, {"alg": ["ES256"]},
                                    {"alg": {"name": "ES256"}}, {"typ": "JWT"}, {"ALG": "ES256"}])
def test_alg_must_be_a_non_empty_string(header):
    with pytest.raises(MalformedJWS):
        parse_compact(_token(header))


@pytest.mark.parametrize("alg", ["none", "None", "NONE", "nOnE"])
def test_alg_none_refused_even_when_listed(alg):
    for algorithms in (None, [alg], ["none", "None", "NONE", "nOnE", "ES256"]):
        with pytest.raises(UnsupportedAlgorithm):
            parse_compact(_token({"alg": alg}, signature=b""), algorithms=algorithms)


@pytest.mark.parametrize("alg", ["RS256 ", " RS256", "rs256", "RS 256", "HS256", "ES256K", "Ed448", "RSA-OAEP"])
def test_allow_list_is_exact(alg):
    with pytest.raises(UnsupportedAlgorithm):
        parse_compact(_token({"alg": alg}), algorithms=["RS256", "ES256", "EdDSA"])


def test_allow_list_is_not_a_string():
    """``"RS" in "RS256"`` is True: a string where a list belongs must fail loudly, not match substrings."""
    for alg in ("RS256", "RS", "S2"):
        with pytest.raises(TypeError):
            parse_compact(_token({"alg": alg}), algorithms="RS256")
    with pytest.raises(TypeError):
        verify_compact(_token({"alg": "RS256"}), JWK.generate("EdDSA"), algorithms="RS256")


def test_allow_list_any_collection():
    token = _token({"alg": "ES256"})
    for algorithms in (["ES256"], ("ES256",), {"ES256"}, frozenset({"ES256"}), {"ES256": True}):
        assert parse_compact(token, algorithms=algorithms).alg == "ES256"
    with pytest.raises(UnsupportedAlgorithm):
        parse_compact(token, algorithms=[])


def test_verify_requires_an_explicit_allow_list(keys):
    token = sign_compact({"a": 1}, keys["ES256"])
    with pytest.raises(TypeError):
        verify_compact(token, keys["ES256"])  # no default allow-list
    # parse_compact without an allow-list still applies every other header rule
    with pytest.raises(UnsupportedAlgorithm):
        parse_compact(_token({"alg": "none"}))
    with pytest.raises(UntrustedHeaderKey):
        parse_compact(_token({"alg": "ES256", "jku": "https://evil.example/jwks"}))


@pytest.mark.parametrize("crit", [[], ["b64"], ["exp"], ["unknown"], "b64", None, 1])
def test_crit_always_refused(crit):
    header = {"alg": "ES256", "crit": crit}
    if crit == ["b64"]:
        header["b64"] = False  # RFC 7797 unencoded payload: not supported, so refused
    with pytest.raises(UnknownCritical):
        parse_compact(_token(header), algorithms=["ES256"])


@pytest.mark.parametrize("name", ["jwk", "jku", "x5c", "x5u"])
@pytest.mark.parametrize("value", [None, "", "https://attacker.example/k", {"kty": "EC"}, ["MIIB"]])
def test_header_keys_never_trusted(name, value):
    with pytest.raises(UntrustedHeaderKey):
        parse_compact(_token({"alg": "ES256", name: value}), algorithms=["ES256"])


@pytest.mark.parametrize("name", ["x5t", "x5t#S256", "typ", "cty", "kid", "iss", "b64", "zip", "enc", "p2s"])
def test_other_headers_do_not_trip_the_key_rule(name):
    value = "text/plain" if name == "cty" else "value"
    assert parse_compact(_token({"alg": "ES256", name: value}), algorithms=["ES256"]).header[name] == value


@pytest.mark.parametrize("cty", ["JWT", "jwt", "Jwt", "application/jwt", "APPLICATION/JWT", "application/JWT"])
def test_nested_jwt_refused(cty):
    with pytest.raises(UnsupportedSerialization):
        parse_compact(_token({"alg": "ES256", "cty": cty}), algorithms=["ES256"])


@pytest.mark.parametrize("cty", ["json", "application/json", "text/plain", "JWT+extra", "at+jwt"])
def test_other_content_types_pass(cty):
    assert parse_compact(_token({"alg": "ES256", "cty": cty}), algorithms=["ES256"]).alg == "ES256"


@pytest.mark.parametrize("kid", [1, 1.5, True, None, [], ["a"], {"a": 1}])
def test_kid_must_be_a_string(kid):
    header = {"alg": "ES256", "kid": kid}  # None is JSON null: present, and not a string
    with pytest.raises(MalformedJWS):
        parse_compact(_token(header), algorithms=["ES256"])


def test_kid_property():
    assert parse_compact(_token({"alg": "ES256"})).kid is None
    assert parse_compact(_token({"alg": "ES256", "kid": ""})).kid == ""
    assert parse_compact(_token({"alg": "ES256", "kid": "\u00e9"})).kid == "\u00e9"


def test_check_header_directly():
    check_header({"alg": "ES256"}, ["ES256"])
    check_header({"alg": "ES256"}, None)
    with pytest.raises(UnsupportedAlgorithm):
        check_header({"alg": "ES256"}, ["RS256"])


# -- the documented check order ----------------------------------------------------------------------------
ORDER = [
    # (header that breaks this rule and every later one, the error of the earliest rule)
    ({"alg": None, "crit": ["x"], "jwk": {}, "cty": "JWT", "kid": 1}, MalformedJWS),
    ({"alg": "none", "crit": ["x"], "jwk": {}, "cty": "JWT", "kid": 1}, UnsupportedAlgorithm),
    ({"alg": "HS256", "crit": ["x"], "jwk": {}, "cty": "JWT", "kid": 1}, UnsupportedAlgorithm),
    ({"alg": "ES256", "crit": ["x"], "jwk": {}, "cty": "JWT", "kid": 1}, UnknownCritical),
    ({"alg": "ES256", "jwk": {}, "cty": "JWT", "kid": 1}, UntrustedHeaderKey),
    ({"alg": "ES256", "cty": "JWT", "kid": 1}, UnsupportedSerialization),
    ({"alg": "ES256", "kid": 1}, MalformedJWS),
]


@pytest.mark.parametrize("header, error", ORDER, ids=lambda v: getattr(v, "__name__", None) or "")
def test_header_check_order(header, error):
    with pytest.raises(error) as info:
        parse_compact(_token(header), algorithms=["ES256"])
    assert type(info.value) is error


def test_structure_checked_before_header():
    bad_header = _b64json({"alg": "none"})
    with pytest.raises(TokenTooLarge):  # size first
        parse_compact(bad_header + "." + "A" * MAX_COMPACT_SIZE + ".x")
    with pytest.raises(UnsupportedSerialization):  # then the part count
        parse_compact(bad_header + ".a.b.c.d")
    with pytest.raises(MalformedJWS) as info:  # then the header's base64url, before its rules
        parse_compact("eyJhbGciOiJub25lIn0=.e30.")
    assert type(info.value) is MalformedJWS


def test_header_rules_before_payload_and_signature_decoding():
    with pytest.raises(UnsupportedAlgorithm):
        parse_compact(_b64json({"alg": "none"}) + ".!!!.!!!")
    with pytest.raises(MalformedJWS):
        parse_compact(_b64json({"alg": "ES256"}) + ".!!!.QUJD", algorithms=["ES256"])
    with pytest.raises(MalformedJWS):
        parse_compact(_b64json({"alg": "ES256"}) + ".QUJD.!!!", algorithms=["ES256"])


def test_key_decides_after_the_header(keys):
    """An allowed alg that does not fit the selected key: AlgorithmMismatch, before any signature math."""
    token = sign_compact({"a": 1}, keys["ES384"])
    with pytest.raises(AlgorithmMismatch):
        verify_compact(token, keys["ES256"], algorithms=["ES256", "ES384"])
    with pytest.raises(AlgorithmMismatch):
        verify_compact(token, keys["RS256"], algorithms=["ES384"])


# -- key selection -------------------------------------------------------------------------------------------------
def test_lookup_receives_the_parsed_token(keys):
    seen = []

    def lookup(jws: CompactJWS) -> JWK:
        seen.append(jws)
        return keys["EdDSA"]

    token = sign_compact({"a": 1}, keys["EdDSA"], typ="JWT")
    verify_compact(token, lookup, algorithms=["EdDSA"])
    assert len(seen) == 1 and seen[0].header["typ"] == "JWT" and seen[0].kid == keys["EdDSA"].kid


def test_lookup_not_called_for_a_refused_header(keys):
    called = []
    with pytest.raises(UnsupportedAlgorithm):
        verify_compact(_token({"alg": "none"}), lambda jws: called.append(jws), algorithms=["ES256"])
    assert called == []


def test_lookup_finding_nothing_is_a_jose_error(keys):
    jwks = JWKSet([keys["ES256"].public()])
    token = sign_compact({"a": 1}, keys["ES256"], headers={"kid": "unknown"})
    with pytest.raises(InvalidKey):
        verify_compact(token, lambda jws: jwks.get(jws.kid), algorithms=["ES256"])
    token = sign_compact({"a": 1}, keys["ES256"], headers={"kid": keys["ES256"].kid})
    assert verify_compact(token, lambda jws: jwks.get(jws.kid), algorithms=["ES256"])


def test_lookup_errors_propagate(keys):
    def lookup(jws):
        raise UntrustedHeaderKey("nope")

    with pytest.raises(UntrustedHeaderKey):
        verify_compact(sign_compact({"a": 1}, keys["ES256"]), lookup, algorithms=["ES256"])


# -- the header cache (jws._checked_header) ---------------------------------------------------------------------------
def test_header_cache_answers_like_a_fresh_parse(keys):
    token = sign_compact({"a": 1}, keys["ES256"], typ="at+jwt")
    for algorithms in (("ES256",), frozenset({"ES256"}), None):
        first, second = (parse_compact(token, algorithms=algorithms).header for _ in range(2))
        assert first == second == {"kid": keys["ES256"].kid, "alg": "ES256", "typ": "at+jwt"}
        first["alg"] = "none"  # each caller owns its copy
        assert parse_compact(token, algorithms=algorithms).header["alg"] == "ES256"
    # accepted under one allow-list says nothing about another
    for algorithms in (("RS256",), frozenset({"RS256"}), ()):
        with pytest.raises(UnsupportedAlgorithm):
            parse_compact(token, algorithms=algorithms)
    # a refused header is refused every time
    for _ in range(3):
        with pytest.raises(UnsupportedAlgorithm):
            parse_compact(_token({"alg": "none"}), algorithms=("ES256",))


def test_header_cache_is_not_poisoned_through_nested_values(keys):
    token = sign_compact({"a": 1}, keys["ES256"], headers={"x-list": ["one"], "x-obj": {"k": "v"}})
    header = parse_compact(token, algorithms=("ES256",)).header
    header["x-list"].append("injected")
    header["x-obj"]["k"] = "changed"
    again = parse_compact(token, algorithms=("ES256",)).header
    assert again["x-list"] == ["one"] and again["x-obj"] == {"k": "v"}


# -- JSON rules (jsonutil), on both backends: orjson (the server extra) and the standard library (core) -----------------
@pytest.fixture(params=["orjson", "stdlib"])
def json_backend(request, monkeypatch):
    from authpool.jose import jsonutil

    if request.param == "stdlib":
        monkeypatch.setattr(jsonutil, "_orjson", None)
    elif getattr(jsonutil, "_orjson", None) is None:  # pragma: no cover - orjson not installed
        pytest.skip("orjson is not installed")
    return request.param


@pytest.mark.parametrize(
    "raw",
    [b'{"alg":"ES256","alg":"ES256"}', b'{"alg":"ES256","alg":"none"}', b'{"alg":"ES256","x":{"a":1,"a":2}}',
     b'{"alg":"ES256","\\u0061lg":"none"}'],
)
def test_duplicate_member_names_refused(raw, json_backend):
    with pytest.raises(MalformedJWS, match="duplicate"):
        loads_object(raw)
    with pytest.raises(MalformedJWS):
        parse_compact(f"{b64url_encode(raw)}.e30.QUJD", algorithms=["ES256"])


@pytest.mark.parametrize(
    "raw",
    [b'{"a":1,"a":1}', b'{"":1,"":2}', b'{"a" :1,"a":2}', b'{"a":1, "a":2}', b'{"a":":","a":1}',
     b'{"a":[{"b":1,"b":2}]}', b'{"a":{"b":{"c":1,"c":1}}}', b'{"a":1,"b":{},"a":2}',
     rb'{"a\u0000":1,"a\u0000":2}', rb'{"\u00e9":1,"\u00c3\u00a9":2,"\u00e9":3}',
     '{"\\u00e9":1,"\u00e9":2}'.encode("utf-8")],
)
def test_duplicate_member_names_refused_in_every_spelling(raw, json_backend):
    with pytest.raises(MalformedJWS, match="duplicate"):
        loads_object(raw)


@pytest.mark.parametrize(
    "raw, value",
    [(b'{"a":":","b":":"}', {"a": ":", "b": ":"}), (b'{"a":{"a":1}}', {"a": {"a": 1}}),
     (b'{"a":[{"a":1},{"a":2}]}', {"a": [{"a": 1}, {"a": 2}]}), (rb'{"a\"":1,"a":2}', {'a"': 1, "a": 2}),
     (b'{"":1}', {"": 1}), (b"{}", {}), (rb'{"a":"\":"}', {"a": '":'}), (rb'{"\u0061":1,"b":2}', {"a": 1, "b": 2})],
)
def test_same_names_in_different_objects_are_fine(raw, value, json_backend):
    assert loads_object(raw) == value


@pytest.mark.parametrize("raw", [b'{"alg":"ES256","x":NaN}', b'{"alg":"ES256","x":Infinity}',
                                 b'{"alg":"ES256","x":-Infinity}', b'{"alg":"ES256","x":[NaN]}'])
def test_non_json_constants_refused(raw, json_backend):
    with pytest.raises(MalformedJWS):
        loads_object(raw)
    with pytest.raises(MalformedJWS):
        parse_compact(f"{b64url_encode(raw)}.e30.QUJD", algorithms=["ES256"])


@pytest.mark.parametrize("raw", [b"[]", b'["alg","ES256"]', b'"ES256"', b"256", b"1.5", b"true", b"null", b"",
                                 b" ", b"{", b'{"alg":"ES256"', b'{"alg":"ES256"}x', b'{"alg":"ES256"}{}',
                                 b"\xef\xbb\xbf{}", b'{"alg":"ES\xff256"}', b'{"alg":"\xc0\xafES256"}',
                                 b"{'alg':'ES256'}", b'{alg:"ES256"}', b'{"alg":"ES256",}',
                                 b'{"alg":"ES\x00256"}', b"[" * 20000 + b"]" * 20000])
def test_header_must_be_a_json_object(raw, json_backend):
    with pytest.raises(MalformedJWS):
        loads_object(raw)


def test_loads_object_accepts_json_whitespace_and_unicode():
    assert loads_object(b' \r\n\t{ "a" : "\\u00e9\xc3\xa9" } \n') == {"a": "\u00e9\u00e9"}


def test_dumps_compact_round_trip():
    value = {"a": [1, 2.5, None, True], "b": "\u00e9\u2603", "c": {"d": ""}}
    raw = dumps_compact(value)
    assert isinstance(raw, bytes) and b" " not in raw
    assert loads_object(raw) == value
