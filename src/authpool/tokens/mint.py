"""Minting: signs ID and access tokens with their own keys and makes opaque refresh tokens.

ID and access tokens are signed with different keys (different ``kid``s), as in Cognito (COGNITO.md
§1.1). Access tokens carry ``typ: at+jwt`` (RFC 9068 §2.1). Refresh tokens are 256 random bits,
opaque; the store keeps only their SHA-256 (``server.store._base.hash_secret_value``).
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from typing import Any

from ..jose.jwk import JWK
from ..jose.signer import CompactSigner
from .claims import Session, access_token_claims, id_token_claims
from .profiles import ACCESS_TOKEN_TYP

REFRESH_TOKEN_BYTES = 32


def new_jtis(count: int) -> list[str]:
    """``count`` random (version 4) UUID strings, as Cognito uses for ``jti``, ``origin_jti`` and
    ``event_id``, from one ``os.urandom`` call.

    Formatted directly: two ``str(uuid.uuid4())`` cost 2.5 us, 7% of an ES256 mint, against 1.6 us
    here (bench/bench_mint.py). RFC 9562 §5.4: version nibble 4, variant bits 10.
    """
    h = os.urandom(16 * count).hex()
    out = []
    for i in range(0, 32 * count, 32):
        variant = "89ab"[int(h[i + 16], 16) & 3]
        out.append(f"{h[i:i + 8]}-{h[i + 8:i + 12]}-4{h[i + 13:i + 16]}-{variant}{h[i + 17:i + 20]}-{h[i + 20:i + 32]}")
    return out


def new_jti() -> str:
    return new_jtis(1)[0]


def new_refresh_token() -> str:
    """A fresh opaque refresh token: 256 bits from the OS CSPRNG, base64url."""
    return secrets.token_urlsafe(REFRESH_TOKEN_BYTES)



@dataclass(frozen=True, slots=True)
class IssuedTokens:
    access_token: str
    id_token: str | None
    expires_in: int
    event_id: str


class TokenMinter:
    """Signs tokens for one issuer with its current ID-token and access-token keys."""

    __slots__ = ("_access_signer", "_id_signer", "issuer")

    def __init__(self, issuer: str, *, id_key: JWK, access_key: JWK) -> None:
        self.issuer = issuer
        self._id_signer = CompactSigner(id_key)
        self._access_signer = CompactSigner(access_key, typ=ACCESS_TOKEN_TYP)

    @property
    def id_alg(self) -> str:
        return self._id_signer.alg

    def sign_id_token(self, claims: dict[str, Any]) -> str:
        return self._id_signer.sign(claims)

    def sign_access_token(self, claims: dict[str, Any]) -> str:
        return self._access_signer.sign(claims)

    def mint_access_token(self, session: Session, *, now: int, ttl: int, event_id: str | None = None,
                          jti: str | None = None, extra: dict[str, Any] | None = None) -> str:
        if jti is None or event_id is None:
            fresh_jti, fresh_event = new_jtis(2)
            jti, event_id = jti or fresh_jti, event_id or fresh_event
        claims = access_token_claims(session, now=now, ttl=ttl, jti=jti, event_id=event_id, extra=extra)
        return self._access_signer.sign(claims)

    def mint(self, session: Session, *, now: int, access_ttl: int, id_ttl: int | None,
             nonce: str | None = None, with_at_hash: bool = False,
             access_extra: dict[str, Any] | None = None, id_extra: dict[str, Any] | None = None) -> IssuedTokens:
        """An access token and, unless ``id_ttl`` is None (client credentials), an ID token from the
        same sign-in event (shared ``event_id``, as Cognito does)."""
        event_id, access_jti, id_jti = new_jtis(3)
        access = self.mint_access_token(session, now=now, ttl=access_ttl, event_id=event_id, jti=access_jti,
                                        extra=access_extra)
        id_token = None
        if id_ttl is not None:
            claims = id_token_claims(session, now=now, ttl=id_ttl, jti=id_jti, event_id=event_id, nonce=nonce,
                                     access_token=access if with_at_hash else None, alg=self.id_alg,
                                     extra=id_extra)
            id_token = self._id_signer.sign(claims)
        return IssuedTokens(access_token=access, id_token=id_token, expires_in=access_ttl, event_id=event_id)
