"""Strict base64url without padding (RFC 7515 §2, Appendix C).

Padding, the standard alphabet, whitespace and non-canonical final characters are refused, so one
value has exactly one encoding.

Speed (bench/bench_verify.py): the common case is one ``bytes.translate`` and one strict
``binascii.a2b_base64`` (both C). The translation maps the URL-safe ``-``/``_`` to ``+``/``/`` and maps
``+``, ``/`` and ``=`` to ``!``, which strict mode refuses like any other non-alphabet byte, so exactly the
alphabet ``[A-Za-z0-9_-]`` gets through. Anything the fast path refuses goes through the original checks,
which raise the precise error.
"""

from __future__ import annotations

import base64
import binascii
import re

from .errors import MalformedJWS

_ALPHABET = re.compile(rb"[A-Za-z0-9_-]*")
# For a final group of 2 (3) characters the last character carries 4 (2) unused bits that must be 0.
_CANONICAL_LAST_OF_2 = frozenset(b"AQgw")
_CANONICAL_LAST_OF_3 = frozenset(b"AEIMQUYcgkosw048")
_CANONICAL_LAST = (None, None, _CANONICAL_LAST_OF_2, _CANONICAL_LAST_OF_3)
_TO_STANDARD = bytes.maketrans(b"-_+/=", b"+/!!!")
_PADDING = (b"", b"", b"==", b"=")
_a2b = binascii.a2b_base64


_TO_URLSAFE = bytes.maketrans(b"+/", b"-_")
_b2a = binascii.b2a_base64


def b64url_encode(data: bytes) -> str:
    """Encode without padding."""
    return _b2a(data, newline=False).translate(_TO_URLSAFE).rstrip(b"=").decode("ascii")


def b64url_encode_bytes(data: bytes) -> bytes:
    """Encode without padding, to ASCII bytes (for building signing inputs without decoding)."""
    return _b2a(data, newline=False).translate(_TO_URLSAFE).rstrip(b"=")


def _fast_stdlib(data: bytes, rest: int) -> bytes:
    return _a2b(data.translate(_TO_STANDARD) + _PADDING[rest], strict_mode=True)


def _fast_pybase64(data: bytes, rest: int) -> bytes:
    # pybase64 with altchars "-_" still accepts "+" and "/", and accepts padding: refuse those first
    # (three C-level scans), so exactly [A-Za-z0-9_-] gets through, as on the stdlib path.
    if 43 in data or 47 in data or 61 in data:  # "+", "/", "=": an int operand is one memchr each
        raise binascii.Error
    return _pyb64decode(data + _PADDING[rest], b"-_", True)  # altchars, validate: positional is 2x cheaper


try:  # pybase64 (SIMD) decodes ~4x faster than binascii; optional, in the `speedups` extra.
    from pybase64 import b64decode as _pyb64decode

    _fast = _fast_pybase64
except ImportError:  # pragma: no cover - exercised where pybase64 is absent
    _pyb64decode = None
    _fast = _fast_stdlib


def has_non_url_symbols(data: bytes) -> bool:
    """Whether ``data`` holds ``+``, ``/`` or ``=``: base64 symbols that base64url never uses.

    A caller decoding several parts of one token scans the whole token once with this and, when it
    is clean, decodes each part with :func:`b64url_decode_screened` (bench/bench_verify.py: the
    three scans cost a third of a part's decoding).
    """
    return 43 in data or 47 in data or 61 in data  # an int operand is a bare memchr, 4x cheaper than b"+"


def b64url_decode(data: str | bytes) -> bytes:
    """Decode strictly; raise :class:`MalformedJWS` on anything but canonical unpadded base64url.

    The fast path (pybase64 when installed, else ``translate`` + strict ``a2b_base64``) only ever
    accepts what the checked path accepts; anything it refuses goes through the checked path, which
    raises the precise error (tests/jose/test_b64.py runs both).
    """
    if type(data) is not bytes:
        if isinstance(data, str):
            try:
                data = data.encode("ascii")
            except UnicodeEncodeError:
                raise MalformedJWS("base64url value has non-ASCII characters") from None
        elif isinstance(data, bytearray):
            data = bytes(data)
        else:
            raise TypeError("base64url value must be str, bytes or bytearray")
    rest = len(data) & 3
    if rest == 0 or (rest != 1 and data[-1] in _CANONICAL_LAST[rest]):
        try:
            return _fast(data, rest)
        except (binascii.Error, ValueError):
            pass
    return _decode_checked(data)


def b64url_decode_screened(data: bytes) -> bytes:
    """:func:`b64url_decode` for ``bytes`` in which :func:`has_non_url_symbols` found nothing.

    Same results and errors as :func:`b64url_decode` for such input (tests/jose/test_b64.py); only
    the scan for ``+``, ``/`` and ``=`` is left to the caller.
    """
    rest = len(data) & 3
    if rest == 0 or (rest != 1 and data[-1] in _CANONICAL_LAST[rest]):
        try:
            if _pyb64decode is not None:  # called here, not through _fast_screened: one frame less
                return _pyb64decode(data + _PADDING[rest], b"-_", True)
            return _fast_stdlib(data, rest)
        except (binascii.Error, ValueError):
            pass
    return _decode_checked(data)


def _decode_checked(data: bytes) -> bytes:
    """The reference path: each rule checked in turn, with its own message."""
    if _ALPHABET.fullmatch(data) is None:
        raise MalformedJWS("base64url value has characters outside the alphabet or padding")
    rest = len(data) % 4
    if rest == 1:
        raise MalformedJWS("base64url value has an impossible length")
    if rest == 2:
        if data[-1] not in _CANONICAL_LAST_OF_2:
            raise MalformedJWS("base64url value is not canonical")
        data = data + b"=="  # not +=: that would extend a caller's bytearray in place
    elif rest == 3:
        if data[-1] not in _CANONICAL_LAST_OF_3:
            raise MalformedJWS("base64url value is not canonical")
        data = data + b"="
    try:
        return base64.urlsafe_b64decode(data)
    except binascii.Error:  # pragma: no cover - excluded by the checks above
        raise MalformedJWS("base64url value does not decode") from None
