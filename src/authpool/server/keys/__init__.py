"""Signing keys per pool: creation, publication in the JWKS, rotation and retirement."""

from .service import MAX_TOKEN_LIFETIME, SigningKeys

__all__ = ["MAX_TOKEN_LIFETIME", "SigningKeys"]
