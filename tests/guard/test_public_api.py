"""The public names of authpool.guard never drift by accident (httpx's habit)."""

from __future__ import annotations

from authpool import guard

EXPECTED = {
    "AccessTokenVerifier", "Issuer", "AccessClaims", "VerifiedTokenCache", "RemoteJwks", "StaticJwks",
    "Requirement", "RoutePolicy", "Gate", "GuardSignals", "rfc6750",
    "TokenError", "MissingToken", "InvalidRequest", "MalformedToken", "TokenTooLarge", "UnsupportedTokenFormat",
    "InvalidHeader", "AlgorithmNotAllowed", "KeyNotFound", "AlgorithmMismatch", "JwksUnavailable",
    "InvalidSignature", "InvalidClaim", "MalformedClaim", "InvalidIssuer", "TokenExpired", "TokenNotYetValid",
    "IssuedInFuture", "WrongTokenType", "InvalidClient", "InvalidAudience", "InsufficientScope",
    "InsufficientGroup", "CustomCheckFailed", "RouteNotAllowed",
    # encrypted claims (decrypt.py, keysources.py)
    "ClaimDecryptor", "ResourceKeys", "AuthpoolKeyService", "AwsKms", "DecryptionError", "EncryptedClaimMissing",
    "EncryptedClaimWrongAudience", "EncryptedClaimTampered", "MalformedEncryptedClaim", "DecryptionNotAllowed",
    "DecryptionKeyUnavailable",
}


def test_exported_names():
    assert set(guard.__all__) == EXPECTED
    for name in guard.__all__:
        assert getattr(guard, name) is not None


def test_every_error_is_a_token_error():
    for name in EXPECTED:
        obj = getattr(guard, name)
        if isinstance(obj, type) and issubclass(obj, Exception):
            assert issubclass(obj, guard.TokenError), name


def test_contract_signature():
    """DESIGN.md: AccessTokenVerifier(issuer=..., client_ids=[...] | audience=..., jwks_uri=... | jwks=...,
    algorithms=..., leeway=...), .verify(token) -> AccessClaims, async .averify(token)."""
    import inspect
    params = inspect.signature(guard.AccessTokenVerifier).parameters
    for name in ("issuer", "client_ids", "audience", "jwks_uri", "jwks", "algorithms", "leeway"):
        assert params[name].kind is inspect.Parameter.KEYWORD_ONLY, name
    assert inspect.iscoroutinefunction(guard.AccessTokenVerifier.averify)
    assert inspect.signature(guard.AccessTokenVerifier.verify).return_annotation in ("AccessClaims", guard.AccessClaims)
