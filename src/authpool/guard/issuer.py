"""The settings for one trusted issuer, validated once (aws-jwt-verify's rule: security-relevant options
are given, or switched off with an explicit ``None``; never a silent default)."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ..jose import ALGORITHMS, JWK, JWKSet
from .claims import AccessClaims
from .decrypt import ClaimDecryptor
from .jwks import RemoteJwks, StaticJwks
from .policy import Requirement
from .tokentype import PROFILES

CustomCheck = Callable[[AccessClaims], "bool | None"]


class _Unset:
    def __repr__(self) -> str:
        return "<unset>"


_UNSET: Any = _Unset()


def _names(value: Any, what: str) -> frozenset[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return frozenset((value,))
    names = frozenset(value)
    if not names or not all(isinstance(v, str) and v for v in names):
        raise ValueError(f"{what} must be non-empty strings (or None to skip the check on purpose)")
    return names


class Issuer:
    """Everything the verifier needs to trust one issuer. Same keywords as :class:`AccessTokenVerifier`."""

    __slots__ = (
        "algorithms",
        "audience",
        "client_ids",
        "custom_check",
        "decryptor",
        "has_requirement",
        "iss",
        "keys",
        "leeway",
        "profile",
        "requirement",
    )

    def __init__(self, issuer: str, *, algorithms: Iterable[str], client_ids: Iterable[str] | None = _UNSET,
                 audience: str | Iterable[str] | None = _UNSET, jwks_uri: str | RemoteJwks | None = None,
                 jwks: Mapping[str, Any] | JWKSet | Iterable[JWK] | None = None, discovery: bool = False,
                 leeway: float = 0, token_type: str = "auto", scopes: Iterable[str] | None = None,
                 any_scopes: Iterable[str] | None = None, groups: Iterable[str] | None = None,
                 any_groups: Iterable[str] | None = None, custom_check: CustomCheck | None = None,
                 allow_http: bool = False, jwks_options: Mapping[str, Any] | None = None,
                 decryptor: ClaimDecryptor | None = None) -> None:
        if not isinstance(issuer, str) or not issuer:
            raise TypeError("issuer must be the exact issuer string (the tokens' 'iss')")
        self.iss = issuer
        if client_ids is _UNSET and audience is _UNSET:
            raise TypeError("pass client_ids=[...] and/or audience=...; to accept tokens of any client on "
                            "purpose, pass client_ids=None explicitly")
        if isinstance(client_ids, str):
            raise TypeError(f"client_ids must be a list (did you mean [{client_ids!r}]?)")
        self.client_ids = _names(None if client_ids is _UNSET else client_ids, "client_ids")
        self.audience = _names(None if audience is _UNSET else audience, "audience")
        if isinstance(algorithms, str):
            raise TypeError(f"algorithms must be a list (did you mean [{algorithms!r}]?)")
        self.algorithms = frozenset(algorithms)
        unknown = self.algorithms - ALGORITHMS.keys()
        if not self.algorithms or unknown:
            raise ValueError(f"algorithms must name supported JWS algorithms; unknown: {sorted(unknown)}")
        if not isinstance(leeway, int | float) or isinstance(leeway, bool) or not 0 <= leeway < math.inf:
            raise ValueError("leeway must be a non-negative number of seconds")
        self.leeway = leeway
        if token_type not in PROFILES:
            raise ValueError(f"token_type must be one of {PROFILES}")
        self.profile = token_type
        self.requirement = Requirement(scopes=scopes, any_scopes=any_scopes, groups=groups, any_groups=any_groups)
        self.has_requirement = bool(self.requirement)
        if custom_check is not None and not callable(custom_check):
            raise TypeError("custom_check must be callable")
        self.custom_check = custom_check
        if decryptor is not None and not isinstance(decryptor, ClaimDecryptor):
            raise TypeError("decryptor must be a ClaimDecryptor")
        self.decryptor = decryptor  # encrypted claims of this issuer's tokens (decrypt.py)
        given = sum((jwks_uri is not None, jwks is not None, bool(discovery)))
        if given != 1:
            raise TypeError("give exactly one of jwks_uri=..., jwks=... or discovery=True")
        if isinstance(jwks_uri, RemoteJwks):
            self.keys: RemoteJwks | StaticJwks = jwks_uri
        elif jwks_uri is not None or discovery:
            self.keys = RemoteJwks(jwks_uri, issuer=issuer, allow_http=allow_http, **dict(jwks_options or {}))
        else:
            self.keys = StaticJwks(jwks)  # type: ignore[arg-type]

    def __repr__(self) -> str:
        return (f"Issuer({self.iss!r}, token_type={self.profile!r}, client_ids={self.client_ids}, "
                f"audience={self.audience}, algorithms={sorted(self.algorithms)}, keys={self.keys!r})")


