"""Strict JSON for JOSE headers and JWT claim sets (RFC 7515 §4, RFC 7519 §7.2 step 10).

Duplicate member names are *refused* (RFC 7515 §4 allows either refusing or last-wins; RFC 8725
§3.1 asks for the safe choice, since two parsers that pick different duplicates disagree about what
a token says). The top level must be an object; ``NaN`` and ``Infinity``, which Python's json reads by
default, are refused (RFC 8259 §6).
"""

from __future__ import annotations

import json
from typing import Any

from .errors import MalformedJWS

try:  # orjson is ~4-10x faster than json on a claim set; it is optional (the server extra has it)
    import orjson as _orjson
except ImportError:  # pragma: no cover - exercised where orjson is absent
    _orjson = None


class _DuplicateMember(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        raise _DuplicateMember("duplicate member name")
    return obj


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")  # RFC 8259 §6: NaN and Infinity are not permitted


_decoder = json.JSONDecoder(object_pairs_hook=_no_duplicates, parse_constant=_no_constants)
# Objects as lists of (name, value) pairs, built in C: ``list`` as the hook costs no Python frame.
_scan_pairs = json.JSONDecoder(object_pairs_hook=list, parse_constant=_no_constants).scan_once


def loads_object(data: bytes, what: str = "JSON") -> dict[str, Any]:
    """Parse ``data`` as a UTF-8 JSON object; raise :class:`MalformedJWS` otherwise.

    Two fast paths for the usual claim set (bench/bench_verify.py), each returning exactly what the
    reference path below would return, and deferring to it for anything else (which then gives the
    same result or raises the precise error):

    * with orjson: parse, and accept only if serialising the result gives back ``data`` byte for
      byte. Same bytes, same parse: a text that survives the round trip has no repeated name (the
      dict would have lost one), no escape or spacing orjson would write otherwise, and no number
      orjson reads differently from ``json`` (integers beyond 64 bits come back as floats, so they
      don't survive). Compact tokens from authpool, and most issuers, do survive.
    * without: when ``data`` starts with ``{`` and holds no other ``{`` byte, the text has exactly one
      object, so the C scanner with ``list`` as its pairs hook returns that object's members, names
      repeated or not; it is free of duplicates exactly when ``dict(pairs)`` keeps them all.
    """
    if type(data) is not bytes:  # bytearray, memoryview, ...: the reference path decides
        pass
    elif _orjson is not None:
        try:
            value = _orjson.loads(data)
            if type(value) is dict and _orjson.dumps(value) == data:
                return value
        except (TypeError, ValueError):  # orjson's decode and encode errors
            pass
    elif data[:1] == b"{" and data.count(b"{") == 1:
        try:
            text = data.decode("utf-8")
            pairs, end = _scan_pairs(text, 0)
        except (UnicodeDecodeError, ValueError, StopIteration, RecursionError):
            pass
        else:
            if end == len(text):
                value = dict(pairs)
                if len(value) == len(pairs):
                    return value
    return _loads_checked(data, what)


def _loads_checked(data: bytes, what: str) -> dict[str, Any]:
    try:
        value = _decoder.decode(data.decode("utf-8"))
    except _DuplicateMember:
        raise MalformedJWS(f"{what} has a duplicate member name") from None
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise MalformedJWS(f"{what} is not valid UTF-8 JSON") from None
    if type(value) is not dict:
        raise MalformedJWS(f"{what} is not a JSON object")
    return value


def loads_strict(text: str) -> Any:
    """Any JSON value (not only an object) by this module's rules: duplicate member names, ``NaN`` and
    ``Infinity`` refused with ValueError (encrypted claims' plaintexts, ``tokens/encrypted.py``)."""
    return _decoder.decode(text)


def dumps_compact(value: Any) -> bytes:
    """Serialise as compact UTF-8 JSON (no whitespace), as tokens are written."""
    if _orjson is not None:
        return _orjson.dumps(value)
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
