"""Encrypted claims: what the issuer and the guard agree on (docs/encrypted-claims.md).

An encrypted claim is a compact JWE (RFC 7516) in the access token, in place of the claim's value.
Its plaintext is the value as compact JSON; its content encryption is always ``A256GCM``; its key
management depends on the key service of the resource server it is for:

=================  ====================  =========================================================
backend            ``alg``               key
=================  ====================  =========================================================
``resource-key``   ``ECDH-ES+A256KW``    the resource server's registered public key (``kid``)
``local``          ``A256KW``            a key derived from authpool's KEK ``<key id>.<version>``
                                         and the binding below; unwrapped by authpool's decrypt
                                         endpoint for clients the key policy names
``aws-kms``        ``dir``               a KMS data key; its KMS ciphertext in the ``edk`` header
=================  ====================  =========================================================

**Binding.** The protected header, which AES-GCM authenticates (it is the JWE's AAD, RFC 7516 §5.1
step 14), carries ``aud`` (the resource server's identifier, a replicated claim as RFC 7519 §5.3
allows) and ``ctx``: the first 16 bytes of SHA-256 over the issuer, the subject, the claim name and
the audience, each length-prefixed, base64url. The guard recomputes ``ctx`` from the verified token
and the name it reads, so a ciphertext moved into another user's token, under another claim name, or
from another issuer fails before any key is touched; editing ``ctx`` breaks the tag. The local and
KMS key services also bind the same four values to the key (KEK derivation info / KMS encryption
context), so their audit trail records what was decrypted, and for whom.

**In a pre-token hook**, :func:`encrypt_claim` returns a placeholder that authpool replaces with the
JWE at issuance, after the hook ran: the hook needs no key and no issuer or subject, and it cannot get
the binding wrong; placeholders are plain JSON, so webhooks and Lambda functions can return them too.
"""

from __future__ import annotations

import hashlib
import json
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..jose.b64 import b64url_encode
from ..jose.jsonutil import loads_strict

#: Content encryption of every encrypted claim.
CLAIM_ENC = "A256GCM"
ALG_BY_BACKEND = {"resource-key": "ECDH-ES+A256KW", "local": "A256KW", "aws-kms": "dir"}
BACKEND_BY_ALG = {alg: backend for backend, alg in ALG_BY_BACKEND.items()}
#: Protected-header members authpool adds (besides alg, enc, kid, epk).
AUD_HEADER, BINDING_HEADER, EDK_HEADER = "aud", "ctx", "edk"
#: The one key of a placeholder object (a ':' makes it impossible as a Cognito claim name to collide with).
PLACEHOLDER = "authpool:encrypt"
MAX_NAME = 256
MAX_AUDIENCE = 256
MAX_VALUE_BYTES = 4096
_BINDING_LABEL = b"authpool/encrypted-claim/1"


@dataclass(frozen=True, slots=True)
class ClaimContext:
    """Who and what an encrypted claim is bound to (the encryption context)."""

    issuer: str
    subject: str
    claim: str
    audience: str

    def as_dict(self) -> dict[str, str]:
        """The form sent to key services and written to the audit (never with the value)."""
        return {"iss": self.issuer, "sub": self.subject, "claim": self.claim, "aud": self.audience}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ClaimContext:
        values = [data.get(k) for k in ("iss", "sub", "claim", "aud")]
        if len(data) != 4 or not all(isinstance(v, str) and 0 < len(v) <= 1024 for v in values):
            raise ValueError("an encryption context has exactly iss, sub, claim and aud, as strings")
        return cls(*values)

    def encoded(self) -> bytes:
        """Each field as a 32-bit length and its UTF-8 bytes: one encoding per context, no separators."""
        out = bytearray(_BINDING_LABEL)
        for value in (self.issuer, self.subject, self.claim, self.audience):
            data = value.encode("utf-8")
            out += struct.pack(">I", len(data)) + data
        return bytes(out)

    def binding(self) -> str:
        """The ``ctx`` header value."""
        return b64url_encode(hashlib.sha256(self.encoded()).digest()[:16])


def aws_error_code(exc: Exception) -> str:
    """The AWS error code of a failed KMS call (``AccessDeniedException``...), or the exception's type:
    safe to log and to put in an error, never a message that could echo request data. Shared by the
    aws-kms backend's two sides (server/keyservice/kms.py encrypts, guard/keysources.py decrypts)."""
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        code = response.get("Error", {}).get("Code")
        if isinstance(code, str):
            return code[:64]
    return type(exc).__name__


def encode_value(value: Any) -> bytes:
    """A claim value as the JWE plaintext: compact JSON, at most :data:`MAX_VALUE_BYTES`."""
    data = json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")
    if len(data) > MAX_VALUE_BYTES:
        raise ValueError(f"an encrypted claim's value is limited to {MAX_VALUE_BYTES} bytes of JSON")
    return data


def decode_value(data: bytes) -> Any:
    """The claim value from a decrypted plaintext; ValueError if it is not strict JSON."""
    if len(data) > MAX_VALUE_BYTES:
        raise ValueError("plaintext too large")
    return loads_strict(data.decode("utf-8"))


# -- placeholders (pre-token hooks) ------------------------------------------------------------------------
def encrypt_claim(name: str, value: Any, *, audience: str) -> dict[str, Any]:
    """For a pre-token hook: put the result under ``name`` in ``accessTokenGeneration.claimsToAddOrOverride``
    and authpool stores ``value`` there encrypted for the resource server ``audience``::

        claims[name] = encrypt_claim(name, attrs["custom:national_id"], audience="https://kyc.example.com")

    The issuer, subject and key are filled in at issuance (see the module docstring); ``value`` must be
    JSON (usually the attribute's string) of at most 4 KiB.
    """
    if not isinstance(name, str) or not 0 < len(name) <= MAX_NAME:
        raise ValueError("name must be the claim name, 1 to 256 characters")
    if not isinstance(audience, str) or not 0 < len(audience) <= MAX_AUDIENCE:
        raise ValueError("audience must be a resource server identifier, 1 to 256 characters")
    encode_value(value)  # JSON and within bounds, or ValueError now rather than at issuance
    return {PLACEHOLDER: {"claim": name, "aud": audience, "value": value}}


@dataclass(frozen=True, slots=True)
class Placeholder:
    claim: str
    audience: str
    value: Any


# Claim values of these exact types hold no placeholder: answered without the (slower) ABC checks,
# since every issuance looks at every claim (bench/bench_token_endpoint.py).
SCALAR_TYPES = frozenset({str, int, float, bool, type(None)})


def placeholder_of(value: Any) -> Placeholder | None:
    """The placeholder in a claim value, or None if ``value`` is not one. Raises ValueError for an
    object that has the placeholder key but not its exact shape (fail closed: never issue it as is)."""
    if type(value) in SCALAR_TYPES or not isinstance(value, Mapping) or PLACEHOLDER not in value:
        return None
    body = value[PLACEHOLDER]
    if len(value) != 1 or not isinstance(body, Mapping) or set(body) != {"claim", "aud", "value"}:
        raise ValueError("malformed encrypted-claim placeholder")
    claim, audience = body["claim"], body["aud"]
    if not isinstance(claim, str) or not 0 < len(claim) <= MAX_NAME:
        raise ValueError("malformed encrypted-claim placeholder")
    if not isinstance(audience, str) or not 0 < len(audience) <= MAX_AUDIENCE:
        raise ValueError("malformed encrypted-claim placeholder")
    return Placeholder(claim, audience, body["value"])


def contains_placeholder(value: Any, depth: int = 0) -> bool:
    """True if a placeholder appears anywhere in ``value`` (nested ones are never resolved: refused)."""
    if depth > 32:
        return True  # deeper than any claim may nest: treat as suspicious
    if type(value) in SCALAR_TYPES:
        return False
    if isinstance(value, Mapping):
        return PLACEHOLDER in value or any(contains_placeholder(v, depth + 1) for v in value.values())
    if isinstance(value, list | tuple):
        return any(contains_placeholder(v, depth + 1) for v in value)
    return False


__all__ = [
    "ALG_BY_BACKEND",
    "AUD_HEADER",
    "BACKEND_BY_ALG",
    "BINDING_HEADER",
    "CLAIM_ENC",
    "EDK_HEADER",
    "PLACEHOLDER",
    "ClaimContext",
    "Placeholder",
    "aws_error_code",
    "contains_placeholder",
    "decode_value",
    "encode_value",
    "encrypt_claim",
    "placeholder_of",
]
