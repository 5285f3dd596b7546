"""Strict JOSE over pyca/cryptography: compact JWS and JWE, JWK and JWK Sets. No application logic.

Public API::

    JWK.generate("RS256") / JWK.from_dict(d) / key.to_public_dict() / key.thumbprint()
    JWKSet.from_dict({"keys": [...]}).get(kid)
    sign_compact(claims, key, typ="at+jwt") -> str
    parse_compact(token, algorithms=[...]) -> CompactJWS   (header checked, signature not verified)
    verify_compact(token, key_or_lookup, algorithms=[...]) -> CompactJWS
    encrypt_compact_jwe(plaintext, key, alg=..., enc=...) -> str           (jwe.py, ecdh.py)
    decrypt_compact_jwe(token, key_or_lookup, algorithms=[...], encryptions=[...]) -> (header, plaintext)
"""

from .algorithms import ALGORITHMS, SIGNING_ALGORITHMS
from .b64 import b64url_decode, b64url_encode
from .ecdh import ECDHKey
from .errors import (
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
)
from .jsonutil import dumps_compact, loads_object
from .jwe import (
    CompactJWE,
    DecryptionFailed,
    MalformedJWE,
    decrypt_compact_jwe,
    encrypt_compact_jwe,
    parse_compact_jwe,
)
from .jwk import JWK, JWKSet
from .jws import MAX_COMPACT_SIZE, CompactJWS, check_header, parse_compact, sign_compact, verify_compact
from .signer import CompactSigner

__all__ = [
    "ALGORITHMS",
    "JWK",
    "MAX_COMPACT_SIZE",
    "SIGNING_ALGORITHMS",
    "AlgorithmMismatch",
    "CompactJWE",
    "CompactJWS",
    "CompactSigner",
    "DecryptionFailed",
    "ECDHKey",
    "InvalidKey",
    "InvalidSignature",
    "JWKSet",
    "JoseError",
    "MalformedJWE",
    "MalformedJWS",
    "TokenTooLarge",
    "UnknownCritical",
    "UnsupportedAlgorithm",
    "UnsupportedSerialization",
    "UntrustedHeaderKey",
    "b64url_decode",
    "b64url_encode",
    "check_header",
    "decrypt_compact_jwe",
    "dumps_compact",
    "encrypt_compact_jwe",
    "loads_object",
    "parse_compact",
    "parse_compact_jwe",
    "sign_compact",
    "verify_compact",
]
