"""Token profiles and minting: what ID and access tokens contain (DESIGN.md "Token profiles")."""

from .claims import Session, access_token_claims, attribute_claims, id_token_claims, token_hash
from .inspect import Inspection, classify, inspect_token
from .mint import IssuedTokens, TokenMinter, new_jti, new_refresh_token
from .profiles import (
    ACCESS_TOKEN_TYP,
    COGNITO_ADMIN_SCOPE,
    ID_TOKEN_ONLY_CLAIMS,
    PII_CLAIMS,
    RESERVED_CLAIMS,
    is_pii_claim,
)

__all__ = [
    "ACCESS_TOKEN_TYP",
    "COGNITO_ADMIN_SCOPE",
    "ID_TOKEN_ONLY_CLAIMS",
    "PII_CLAIMS",
    "RESERVED_CLAIMS",
    "Inspection",
    "IssuedTokens",
    "Session",
    "TokenMinter",
    "access_token_claims",
    "attribute_claims",
    "classify",
    "id_token_claims",
    "inspect_token",
    "is_pii_claim",
    "new_jti",
    "new_refresh_token",
    "token_hash",
]
