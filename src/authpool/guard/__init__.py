"""authpool.guard: the resource-server SDK. Verifies access tokens, refuses ID tokens, enforces scopes.

Public API (docs/guard.md has the check order, error table and adapter usage)::

    verifier = AccessTokenVerifier(issuer=..., client_ids=[...] | audience=..., jwks_uri=... | jwks=...,
                                   algorithms=[...], leeway=0, token_type="auto")
    claims = verifier.verify(token)          # -> AccessClaims, or raises a TokenError subclass
    claims = await verifier.averify(token)

    AccessTokenVerifier.for_issuers([Issuer(...), Issuer(...)])   # several pools / IdPs
    AccessTokenVerifier(..., decryptor=ClaimDecryptor(audience=..., resource_keys=ResourceKeys([...])))
    claims.decrypt("custom:national_id") / await claims.adecrypt(...)  # encrypted claims (decrypt.py)
    RoutePolicy().crud("items", "/items").public("GET", "/health")
    rfc6750.render(error) -> (status, headers, body)

Framework adapters are separate modules that import their framework only when imported themselves:
``authpool.guard.fastapi``, ``authpool.guard.starlette``, ``authpool.guard.flask``. Importing this
package loads only the standard library, pyca/cryptography and ``authpool.jose`` (httpx is imported
on the first JWKS fetch).
"""

from . import rfc6750
from .cache import VerifiedTokenCache
from .claims import AccessClaims
from .decrypt import ClaimDecryptor
from .errors import (
    AlgorithmMismatch,
    AlgorithmNotAllowed,
    CustomCheckFailed,
    DecryptionError,
    DecryptionKeyUnavailable,
    DecryptionNotAllowed,
    EncryptedClaimMissing,
    EncryptedClaimTampered,
    EncryptedClaimWrongAudience,
    InsufficientGroup,
    InsufficientScope,
    InvalidAudience,
    InvalidClaim,
    InvalidClient,
    InvalidHeader,
    InvalidIssuer,
    InvalidRequest,
    InvalidSignature,
    IssuedInFuture,
    JwksUnavailable,
    KeyNotFound,
    MalformedClaim,
    MalformedEncryptedClaim,
    MalformedToken,
    MissingToken,
    RouteNotAllowed,
    TokenError,
    TokenExpired,
    TokenNotYetValid,
    TokenTooLarge,
    UnsupportedTokenFormat,
    WrongTokenType,
)
from .gate import Gate
from .jwks import RemoteJwks, StaticJwks
from .keysources import AuthpoolKeyService, AwsKms, ResourceKeys
from .policy import Requirement, RoutePolicy
from .signals import GuardSignals
from .verifier import AccessTokenVerifier, Issuer

__all__ = [
    "AccessClaims",
    "AccessTokenVerifier",
    "AlgorithmMismatch",
    "AlgorithmNotAllowed",
    "AuthpoolKeyService",
    "AwsKms",
    "ClaimDecryptor",
    "CustomCheckFailed",
    "DecryptionError",
    "DecryptionKeyUnavailable",
    "DecryptionNotAllowed",
    "EncryptedClaimMissing",
    "EncryptedClaimTampered",
    "EncryptedClaimWrongAudience",
    "Gate",
    "GuardSignals",
    "InsufficientGroup",
    "InsufficientScope",
    "InvalidAudience",
    "InvalidClaim",
    "InvalidClient",
    "InvalidHeader",
    "InvalidIssuer",
    "InvalidRequest",
    "InvalidSignature",
    "IssuedInFuture",
    "Issuer",
    "JwksUnavailable",
    "KeyNotFound",
    "MalformedClaim",
    "MalformedEncryptedClaim",
    "MalformedToken",
    "MissingToken",
    "RemoteJwks",
    "Requirement",
    "ResourceKeys",
    "RouteNotAllowed",
    "RoutePolicy",
    "StaticJwks",
    "TokenError",
    "TokenExpired",
    "TokenNotYetValid",
    "TokenTooLarge",
    "UnsupportedTokenFormat",
    "VerifiedTokenCache",
    "WrongTokenType",
    "rfc6750",
]
