"""Strict base64url (RFC 7515 section 2 and Appendix C): one value, exactly one encoding."""

from __future__ import annotations

import base64
import binascii as _binascii
import itertools
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from authpool.jose import JoseError, MalformedJWS, b64url_decode, b64url_encode
from authpool.jose import b64 as _b64

ALPHABET = string.ascii_uppercase + string.ascii_lowercase + string.digits + "-_"


@pytest.mark.parametrize("n", range(70))
def test_round_trip_every_length(n):
    data = bytes((i * 37 + n) & 0xFF for i in range(n))
    encoded = b64url_encode(data)
    assert "=" not in encoded and "+" not in encoded and "/" not in encoded
    assert encoded == base64.urlsafe_b64encode(data).decode().rstrip("=")
    assert b64url_decode(encoded) == data
    assert b64url_decode(encoded.encode("ascii")) == data


def test_rfc7515_appendix_c_example():
    # RFC 7515 Appendix C: the octets [3, 236, 255, 224, 193] encode as "A-z_4ME"
    assert b64url_encode(bytes([3, 236, 255, 224, 193])) == "A-z_4ME"
    assert b64url_decode("A-z_4ME") == bytes([3, 236, 255, 224, 193])


@pytest.mark.parametrize("value", ["QQ==", "QUI=", "QQ=", "QQ===", "=", "==", "A-z_4ME="])
def test_padding_refused(value):
    with pytest.raises(MalformedJWS):
        b64url_decode(value)


@pytest.mark.parametrize("value", ["A+z/4ME", "ab+c", "ab/c", "+++", "///"])
def test_standard_alphabet_refused(value):
    with pytest.raises(MalformedJWS):
        b64url_decode(value)


@pytest.mark.parametrize(
    "value", [" QUJD", "QUJD ", "QU JD", "QUJD\n", "\nQUJD", "QU\r\nJD", "QUJD\t", "QU\x00JD", "QUJD\x0b"]
)
def test_whitespace_and_controls_refused(value):
    with pytest.raises(MalformedJWS):
        b64url_decode(value)
    with pytest.raises(MalformedJWS):
        b64url_decode(value.encode("ascii"))


@pytest.mark.parametrize("value", ["QUJD\u00e9", "\u0410QUJ", "QUJD\u2028", "QUJ\uff24", "\U0001f600"])
def test_non_ascii_refused(value):
    with pytest.raises(MalformedJWS):
        b64url_decode(value)
    with pytest.raises(MalformedJWS):
        b64url_decode(value.encode("utf-8"))


@pytest.mark.parametrize("value", ["A", "AAAAA", "QUJDR", "a.b", "."])
def test_impossible_length_or_dot_refused(value):
    with pytest.raises(MalformedJWS):
        b64url_decode(value)


@pytest.mark.parametrize(
    "value, canonical",
    [("QR", "QQ"), ("QB", "QA"), ("Qf", "QQ"), ("QUJ", "QUI"), ("QUL", "QUI"), ("A-z_4MF", "A-z_4ME"),
     ("AB", "AA"), ("AAB", "AAA"), ("__", "_w"), ("___", "__8")],
)
def test_non_canonical_trailing_bits_refused(value, canonical):
    """Unused low bits of the last character must be zero (RFC 4648 section 3.5)."""
    with pytest.raises(MalformedJWS):
        b64url_decode(value)
    # the lenient standard-library decoder maps both to the same octets: that is the ambiguity refused
    lenient = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    assert lenient == b64url_decode(canonical)


def test_every_two_and_three_character_tail_decodes_iff_canonical():
    """Exhaustive over the final group: decoding succeeds exactly when re-encoding gives the input."""
    tails = ["".join(p) for p in itertools.product(ALPHABET, repeat=2)]
    tails += ["A" + a + b for a, b in itertools.product(ALPHABET, repeat=2)]
    for tail in tails:
        lenient = base64.urlsafe_b64decode(tail + "=" * (-len(tail) % 4))
        canonical = b64url_encode(lenient) == tail
        try:
            decoded = b64url_decode(tail)
        except MalformedJWS:
            assert not canonical, tail
        else:
            assert canonical and decoded == lenient, tail


@pytest.mark.parametrize("value", [None, 1, 1.5, ["QQ"], memoryview(b"QQ")])
def test_wrong_types_are_not_silently_accepted(value):
    with pytest.raises((JoseError, TypeError)):
        b64url_decode(value)


def test_bytearray_input_is_not_mutated():
    data = bytearray(b"QUI")
    assert b64url_decode(data) == b"AB"
    assert data == bytearray(b"QUI")
    data = bytearray(b"QQ")
    assert b64url_decode(data) == b"A"
    assert data == bytearray(b"QQ")


def test_errors_are_jose_errors_with_a_code():
    with pytest.raises(JoseError) as info:
        b64url_decode("QQ==")
    assert isinstance(info.value, MalformedJWS) and info.value.code == "malformed"


# -- both fast paths accept exactly what the checked path accepts ------------------------------------------
_FAST_PATHS = [_b64._fast_stdlib]
try:
    import pybase64  # noqa: F401

    _FAST_PATHS.append(_b64._fast_pybase64)
except ImportError:  # pragma: no cover
    pass


def _checked(data: bytes):
    try:
        return _b64._decode_checked(data)
    except Exception as exc:  # noqa: BLE001 - compared, not swallowed
        return type(exc)


@pytest.mark.parametrize("fast", _FAST_PATHS, ids=lambda f: f.__name__)
@settings(max_examples=400, deadline=None)
@given(st.one_of(st.binary(max_size=40).map(lambda b: _b64.b64url_encode_bytes(b)),
                 st.text(alphabet="AQgwEIMUYckos048Zz19-_+/= \n.", max_size=24).map(str.encode)))
def test_fast_path_never_accepts_more_than_the_checked_path(fast, data):
    rest = len(data) & 3
    try:
        got = fast(data, rest)
    except (_binascii.Error, ValueError):
        return  # refused: the checked path then decides, with its message
    if rest == 1 or (rest and data[-1] not in _b64._CANONICAL_LAST[rest]):
        return  # b64url_decode never calls the fast path for these
    assert got == _checked(data)


@pytest.mark.parametrize("fast", _FAST_PATHS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("bad", [b"ab+d", b"ab/d", b"ab==", b"abc=", b"a bc", b"ab\nd"])
def test_fast_paths_refuse_the_standard_alphabet_padding_and_space(fast, bad):
    with pytest.raises((_binascii.Error, ValueError)):
        fast(bad, len(bad) & 3)


# -- the screened decoder (a token scanned once for "+", "/", "=") agrees with b64url_decode -------------
def _outcome(fn, data: bytes):
    try:
        return fn(data)
    except MalformedJWS as exc:
        return ("refused", str(exc))


@settings(max_examples=600, deadline=None)
@given(st.one_of(st.binary(max_size=60).map(lambda b: _b64.b64url_encode_bytes(b)),
                 st.text(alphabet="AQgwEIMUYckos048Zz19-_ \n.\x00", max_size=24).map(str.encode)))
def test_screened_decoder_gives_the_same_result_or_error(data):
    assert not _b64.has_non_url_symbols(data)
    assert _outcome(_b64.b64url_decode_screened, data) == _outcome(b64url_decode, data)


@pytest.mark.parametrize("data,found", [(b"abcd", False), (b"ab+d", True), (b"ab/d", True), (b"abc=", True),
                                        (b"a-b_", False), (b"", False)])
def test_has_non_url_symbols(data, found):
    assert _b64.has_non_url_symbols(data) is found


def test_screened_decoder_without_pybase64(monkeypatch):
    """The stdlib branch of the screened decoder (taken where pybase64 is not installed)."""
    monkeypatch.setattr(_b64, "_pyb64decode", None)
    for n in range(40):
        data = bytes(range(n))
        assert _b64.b64url_decode_screened(_b64.b64url_encode_bytes(data)) == data
    with pytest.raises(MalformedJWS):
        _b64.b64url_decode_screened(b"QR")  # not canonical
