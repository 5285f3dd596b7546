"""JOSE errors: one family, kept apart from OAuth wire errors and guard errors (STYLE.md, habit 3).

Every error has a stable machine ``code``. Messages never contain token bytes or key material.
"""

from __future__ import annotations


class JoseError(Exception):
    """Base of every JOSE-level failure."""

    code = "jose_error"


class MalformedJWS(JoseError):
    """Not a compact JWS: wrong number of parts, bad base64url, bad or non-object JSON (RFC 7515 §7.1)."""

    code = "malformed"


class TokenTooLarge(MalformedJWS):
    """The input exceeds the size bound checked before any decoding (RFC 8725 §3.1 spirit)."""

    code = "too_large"


class UnsupportedAlgorithm(JoseError):
    """``alg`` is ``none``, unknown, or not in the caller's allow-list (RFC 8725 §3.1, §2.1)."""

    code = "unsupported_algorithm"


class AlgorithmMismatch(JoseError):
    """The header's ``alg`` does not fit the key: the key pins the algorithm (RFC 8725 §3.1)."""

    code = "algorithm_mismatch"


class UnknownCritical(JoseError):
    """A ``crit`` header names an extension we do not understand (RFC 7515 §4.1.11)."""

    code = "unknown_crit"


class UntrustedHeaderKey(JoseError):
    """The header embeds or points to a key (``jwk``, ``jku``, ``x5c``, ``x5u``); never trusted (RFC 8725 §3.10)."""

    code = "untrusted_header_key"


class UnsupportedSerialization(JoseError):
    """A JWE or a nested JWT where a plain compact JWS was expected (RFC 8725 §2.7, §3.11)."""

    code = "unsupported_serialization"


class InvalidSignature(JoseError):
    """The signature does not verify under the selected key."""

    code = "invalid_signature"


class InvalidKey(JoseError):
    """A JWK that cannot be used: malformed, unsupported type or curve, or too weak."""

    code = "invalid_key"
