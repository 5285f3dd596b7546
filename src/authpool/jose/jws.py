"""Compact JWS signing and strict parsing and verification (RFC 7515 §3.1, §5; RFC 8725).

The order of checks in :func:`parse_compact` is fixed: size bound before any decoding, exactly three
parts (five would be a JWE, refused), strict base64url, a JSON object header without duplicate names,
then the header rules of RFC 8725: ``alg`` present and not ``none`` and in the caller's allow-list,
no ``crit`` we don't understand (we understand none), no key carried in or pointed to by the header,
no nested JWT. :func:`verify_compact` then lets the *key* decide whether the algorithm fits.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any, NamedTuple

from .b64 import b64url_decode, b64url_decode_screened, b64url_encode, has_non_url_symbols
from .errors import (
    AlgorithmMismatch,
    InvalidKey,
    InvalidSignature,
    MalformedJWS,
    TokenTooLarge,
    UnknownCritical,
    UnsupportedAlgorithm,
    UnsupportedSerialization,
    UntrustedHeaderKey,
)
from .jsonutil import dumps_compact, loads_object
from .jwk import JWK

#: Default bound on a compact token, checked before anything is decoded. Cognito's tokens are ~1-2 KB;
#: 16 KiB leaves room for many encrypted claims while keeping a hostile input cheap to refuse.
MAX_COMPACT_SIZE = 16 * 1024
_KEY_HEADERS = ("jwk", "jku", "x5c", "x5u")
_new_tuple = tuple.__new__


class CompactJWS(NamedTuple):
    """A parsed (not yet verified) compact JWS."""

    header: dict[str, Any]
    payload: bytes
    signing_input: bytes
    signature: bytes

    @property
    def alg(self) -> str:
        return self.header["alg"]

    @property
    def kid(self) -> str | None:
        kid = self.header.get("kid")
        return kid if isinstance(kid, str) else None


def parse_compact(token: str | bytes, *, algorithms: Collection[str] | None = None,
                  max_size: int = MAX_COMPACT_SIZE) -> CompactJWS:
    """Split and decode a compact JWS and check its header; the signature is *not* verified."""
    if type(token) is not bytes:
        if isinstance(token, str):
            if len(token) > max_size:
                raise TokenTooLarge(f"token is larger than {max_size} bytes")
            try:
                token = token.encode("ascii")  # one byte per character: the bound above holds for the bytes
            except UnicodeEncodeError:
                raise MalformedJWS("token has non-ASCII characters") from None
        elif isinstance(token, bytes | bytearray):
            token = bytes(token)  # a bytes subclass or a bytearray: plain bytes, which cannot change under us
        else:
            raise MalformedJWS("token must be a string")
    if len(token) > max_size:
        raise TokenTooLarge(f"token is larger than {max_size} bytes")
    # Three parts, found with find() and sliced (a quarter of the cost of split(), bench/bench_verify.py).
    dot1 = token.find(46)  # "."
    dot2 = token.find(46, dot1 + 1) if dot1 >= 0 else -1
    if dot2 < 0 or token.find(46, dot2 + 1) >= 0:
        if token.count(b".") == 4:
            raise UnsupportedSerialization("a JWE was presented where a signed JWT (JWS) is expected")
        raise MalformedJWS("token is not a compact JWS (three dot-separated parts)")
    raw_header, raw_payload, raw_signature = token[:dot1], token[dot1 + 1 : dot2], token[dot2 + 1 :]
    # Only an allow-list that cannot change after the check keys the header cache.
    cacheable = algorithms is None or type(algorithms) in _IMMUTABLE
    header = _HEADER_CACHE.get((raw_header, algorithms)) if cacheable else None
    header = _checked_header(raw_header, algorithms, cacheable) if header is None else dict(header)
    # One scan of the whole token for the symbols base64url never uses, rather than one per part.
    if has_non_url_symbols(token):
        payload, signature = b64url_decode(raw_payload), b64url_decode(raw_signature)
    else:
        payload, signature = b64url_decode_screened(raw_payload), b64url_decode_screened(raw_signature)
    signing_input = token[:dot2]
    return _new_tuple(CompactJWS, (header, payload, signing_input, signature))  # CompactJWS(...), minus a call


#: Headers that passed decoding and :func:`check_header`, keyed by (encoded header, allow-list). An
#: issuer signs every token with the same few headers, so a verifier sees each one many times; a hit
#: skips work whose outcome is already known (bench/bench_verify.py). Failures are never stored, and
#: each caller gets its own copy. Bounded: cleared when full, so hostile variety costs only misses.
_HEADER_CACHE: dict[tuple[Any, Any], dict[str, Any]] = {}
_HEADER_CACHE_MAX = 256
_SCALARS = frozenset({str, int, float, bool, type(None)})
_IMMUTABLE = (frozenset, tuple)


def _checked_header(raw_header: bytes, algorithms: Collection[str] | None, cacheable: bool) -> dict[str, Any]:
    """Decode and check a header that is not in the cache (parse_compact looks there first), and keep
    it there when ``cacheable`` (an immutable allow-list)."""
    header = loads_object(b64url_decode(raw_header), "JWS header")
    check_header(header, algorithms)
    # Only flat headers: a copy of the dict would still share a nested list or object, and a caller
    # that changed it would change the header every later parse of these bytes returns.
    if cacheable and all(type(v) in _SCALARS for v in header.values()):
        if len(_HEADER_CACHE) >= _HEADER_CACHE_MAX:
            _HEADER_CACHE.clear()
        _HEADER_CACHE[(raw_header, algorithms)] = dict(header)
    return header


def check_header(header: Mapping[str, Any], algorithms: Collection[str] | None) -> None:
    """Header rules of RFC 8725 §3.1-§3.11 and RFC 7515 §4.1.11."""
    if isinstance(algorithms, str):  # "RS" in "RS256" is True: a string is not an allow-list
        raise TypeError("algorithms must be a collection of algorithm names, not a string")
    alg = header.get("alg")
    if not isinstance(alg, str) or not alg:
        raise MalformedJWS("JWS header has no 'alg'")
    if alg.lower() == "none":
        raise UnsupportedAlgorithm("unsigned tokens (alg 'none') are never accepted")
    if algorithms is not None and alg not in algorithms:
        raise UnsupportedAlgorithm(f"algorithm {alg!r} is not allowed")
    if "crit" in header:
        raise UnknownCritical("the 'crit' header names extensions this verifier does not understand")
    for name in _KEY_HEADERS:
        if name in header:
            raise UntrustedHeaderKey(f"the '{name}' header is never trusted; keys come from the issuer's JWKS")
    cty = header.get("cty")
    if isinstance(cty, str) and cty.upper() in ("JWT", "APPLICATION/JWT"):
        raise UnsupportedSerialization("nested JWTs are not accepted")
    if "kid" in header and not isinstance(header["kid"], str):  # RFC 7515 §4.1.4; JSON null is no string
        raise MalformedJWS("JWS header 'kid' must be a string")


KeyLookup = JWK | Callable[[CompactJWS], JWK]


def verify_compact(token: str | bytes, key: KeyLookup, *, algorithms: Collection[str],
                   max_size: int = MAX_COMPACT_SIZE) -> CompactJWS:
    """Parse, select the key (a JWK, or a callable given the parsed token), and verify the signature.

    ``algorithms`` is required: there is no default allow-list (authlib/joserfc's habit).
    """
    jws = parse_compact(token, algorithms=algorithms, max_size=max_size)
    jwk = key(jws) if callable(key) else key
    if jwk is None:  # e.g. ``lambda jws: jwks.get(jws.kid)`` for an unknown kid
        raise InvalidKey("no key was found for this token")
    if not jwk.verify(jws.signature, jws.signing_input, jws.header["alg"]):
        raise InvalidSignature("signature verification failed")
    return jws


def sign_compact(payload: bytes | Mapping[str, Any], key: JWK, *, alg: str | None = None,
                 typ: str | None = None, headers: Mapping[str, Any] | None = None) -> str:
    """Sign ``payload`` (bytes, or a mapping serialised as compact JSON) with ``key``.

    The header carries ``alg`` and ``kid`` (and ``typ`` when given), in that order, like Cognito's.
    """
    alg = alg or key.alg
    if alg is None:
        raise UnsupportedAlgorithm("the key has no 'alg'; name one")
    key.algorithm_for(alg)
    header: dict[str, Any] = {"kid": key.kid, "alg": alg}
    if typ is not None:
        header["typ"] = typ
    if headers:
        if headers.get("alg", alg) != alg:  # the header must name the algorithm that signs
            raise AlgorithmMismatch("'alg' in headers differs from the signing algorithm")
        header.update(headers)
    body = payload if isinstance(payload, bytes | bytearray) else dumps_compact(payload)
    signing_input = f"{b64url_encode(dumps_compact(header))}.{b64url_encode(bytes(body))}"
    return f"{signing_input}.{b64url_encode(key.sign(signing_input.encode('ascii'), alg))}"
