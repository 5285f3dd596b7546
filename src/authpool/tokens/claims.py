"""Claim sets for ID and access tokens, built from plain values (no store, no clock of their own).

Every builder takes ``now`` (epoch seconds) so time is injected, never read here (STYLE.md habit 5).
Sources: OIDC Core §2 (ID token), RFC 9068 §2.2 (JWT access token), COGNITO.md §1.3-§1.4 (Cognito's
claim names: ``cognito:username`` vs ``username``, ``client_id``, ``origin_jti``, ``event_id``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..jose.b64 import b64url_encode
from .profiles import BOOLEAN_ATTRIBUTES

_HASH_FOR_ALG = {"RS256": hashlib.sha256, "ES256": hashlib.sha256, "PS256": hashlib.sha256,
                 "RS384": hashlib.sha384, "ES384": hashlib.sha384, "PS384": hashlib.sha384,
                 "RS512": hashlib.sha512, "ES512": hashlib.sha512, "PS512": hashlib.sha512,
                 "EdDSA": hashlib.sha512, "Ed25519": hashlib.sha512}


def token_hash(value: str, alg: str) -> str:
    """``at_hash`` / ``c_hash`` (OIDC Core §3.1.3.6, §3.3.2.11): the left half of the hash of the ASCII
    value, with the hash of the ID token's ``alg`` (SHA-512 for Ed25519, per OIDC Core errata)."""
    digest = _HASH_FOR_ALG[alg](value.encode("ascii")).digest()
    return b64url_encode(digest[: len(digest) // 2])


def attribute_claims(attributes: Mapping[str, str]) -> dict[str, Any]:
    """User attributes as ID-token claims: ``*_verified`` become booleans, everything else stays a
    string (Cognito: custom attributes are always strings in tokens). ``sub`` is never taken from here."""
    claims: dict[str, Any] = {}
    for name, value in attributes.items():
        if name == "sub":
            continue
        if name in BOOLEAN_ATTRIBUTES:
            claims[name] = str(value).lower() == "true"
        else:
            claims[name] = str(value)
    return claims


@dataclass(frozen=True, slots=True)
class Session:
    """The sign-in a token family descends from. ``auth_time`` and ``origin_jti`` survive refresh."""

    issuer: str
    sub: str
    client_id: str
    auth_time: int
    origin_jti: str
    username: str | None = None  # None for client credentials
    groups: tuple[str, ...] = ()
    scopes: tuple[str, ...] = ()
    audience: str | tuple[str, ...] | None = None  # access-token aud (RFC 8707 resource)
    attributes: Mapping[str, str] = field(default_factory=dict)


def id_token_claims(session: Session, *, now: int, ttl: int, jti: str, event_id: str,
                    nonce: str | None = None, access_token: str | None = None, alg: str = "RS256",
                    extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """ID token claims in Cognito's order: identity first, then the standard JWT claims."""
    claims: dict[str, Any] = {"sub": session.sub}
    if session.groups:
        claims["cognito:groups"] = list(session.groups)
    claims.update(attribute_claims(session.attributes))
    claims.update({
        "iss": session.issuer,
        "cognito:username": session.username,
        "origin_jti": session.origin_jti,
        "aud": session.client_id,
        "event_id": event_id,
        "token_use": "id",
        "auth_time": session.auth_time,
        "exp": now + ttl,
        "iat": now,
        "jti": jti,
    })
    if nonce is not None:
        claims["nonce"] = nonce
    if access_token is not None:
        claims["at_hash"] = token_hash(access_token, alg)
    if extra:
        claims.update(extra)
    return claims


def access_token_claims(session: Session, *, now: int, ttl: int, jti: str, event_id: str,
                        scopes: Iterable[str] | None = None,
                        extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Access token claims: Cognito's shape plus RFC 9068's ``aud`` when a resource is named."""
    claims: dict[str, Any] = {"sub": session.sub}
    if session.groups:
        claims["cognito:groups"] = list(session.groups)
    claims["iss"] = session.issuer
    claims["client_id"] = session.client_id
    claims["origin_jti"] = session.origin_jti
    if session.audience is not None:
        claims["aud"] = session.audience if isinstance(session.audience, str) else list(session.audience)
    claims["event_id"] = event_id
    claims["token_use"] = "access"
    claims["scope"] = " ".join(session.scopes if scopes is None else scopes)
    claims["auth_time"] = session.auth_time
    claims["exp"] = now + ttl
    claims["iat"] = now
    claims["jti"] = jti
    if session.username is not None:
        claims["username"] = session.username
    claims["version"] = 2
    if extra:
        claims.update(extra)
    return claims


def client_access_token_claims(*, issuer: str, client_id: str, scopes: Iterable[str], audience: str | None,
                               now: int, ttl: int, jti: str, event_id: str) -> dict[str, Any]:
    """The access token of ``client_credentials``: :func:`access_token_claims` of a session whose subject
    is the client, with no user, groups or ``origin_jti`` (no session is stored; Cognito's have none).
    Built directly, without a Session: every machine-to-machine token is made here
    (bench/bench_token_endpoint.py); tests/tokens keep the two in step."""
    claims: dict[str, Any] = {"sub": client_id, "iss": issuer, "client_id": client_id}
    if audience is not None:
        claims["aud"] = audience
    claims["event_id"] = event_id
    claims["token_use"] = "access"
    claims["scope"] = " ".join(scopes)
    claims["auth_time"] = now
    claims["exp"] = now + ttl
    claims["iat"] = now
    claims["jti"] = jti
    claims["version"] = 2
    return claims
