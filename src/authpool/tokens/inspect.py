"""Tell what a token is and where it may go, without trusting it (for ``authpool token inspect``).

The classification rule, first match wins:

1. header ``typ`` is ``at+jwt`` / ``application/at+jwt`` -> access token (RFC 9068 §2.1), unless it
   also carries ID-token-only claims (then it is flagged as an ID token in disguise);
2. ``token_use`` is ``id`` or ``access`` -> that kind (Cognito's marker, COGNITO.md §1.3-§1.4);
3. ``nonce``, ``at_hash``, ``c_hash`` or ``cognito:username`` present -> ID token (OIDC Core §2);
4. ``scope`` or ``client_id`` present -> access token;
5. otherwise unknown.

Only an access token may be sent to an API. Decoding here verifies nothing; verification against the
issuer's JWKS is a separate, explicit step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..jose.jsonutil import loads_object
from ..jose.jws import parse_compact
from .profiles import ID_TOKEN_ONLY_CLAIMS, is_pii_claim

_AT_TYPS = ("at+jwt", "application/at+jwt")


@dataclass
class Inspection:
    header: dict[str, Any]
    claims: dict[str, Any]
    kind: str  # "id" | "access" | "unknown"
    reasons: list[str] = field(default_factory=list)
    audience: str = ""
    pii_claims: list[str] = field(default_factory=list)  # personal data in clear
    encrypted_claims: list[str] = field(default_factory=list)  # compact JWEs (docs/encrypted-claims.md)
    scopes: list[str] = field(default_factory=list)
    api_allowed: bool = False
    api_verdict: str = ""
    expired: bool = False


def classify(header: dict[str, Any], claims: dict[str, Any]) -> tuple[str, list[str]]:
    """Return ``(kind, reasons)`` by the rule in this module's docstring."""
    id_markers = sorted(ID_TOKEN_ONLY_CLAIMS & claims.keys())
    typ = header.get("typ")
    if isinstance(typ, str) and typ.lower() in _AT_TYPS:
        if id_markers:
            return "id", [f"header typ is {typ!r} but it carries ID-token claims {id_markers}"]
        return "access", [f"header typ is {typ!r} (RFC 9068 JWT access token)"]
    token_use = claims.get("token_use")
    if token_use in ("id", "access"):
        reasons = [f"token_use is {token_use!r}"]
        if token_use == "access" and id_markers:
            return "id", reasons + [f"but it carries ID-token claims {id_markers}"]
        return str(token_use), reasons
    if id_markers:
        return "id", [f"it carries ID-token claims {id_markers}"]
    if "scope" in claims or "client_id" in claims:
        return "access", ["it carries 'scope' or 'client_id' and no ID-token claims"]
    return "unknown", ["no typ at+jwt, no token_use, no ID-token or access-token claims"]


def _describe_audience(kind: str, claims: dict[str, Any]) -> str:
    aud = claims.get("aud")
    if kind == "id":
        return f"the client app {aud!r} (an ID token's audience is the client, never an API)"
    if aud is not None:
        return f"resource server(s) {aud!r}"
    if "client_id" in claims:
        return f"any resource server that accepts client {claims['client_id']!r} (no aud; Cognito style)"
    return "not stated"


def _is_encrypted(value: Any) -> bool:
    """A compact JWE (five base64url parts), or a list of them (one per audience)."""
    values = value if isinstance(value, list) and value else [value]
    return all(isinstance(v, str) and v.count(".") == 4 and v.startswith("eyJ") for v in values)


def inspect_token(token: str, *, now: int) -> Inspection:
    """Decode (without verifying) and explain ``token``. Raises ``JoseError`` on malformed input."""
    jws = parse_compact(token.strip())
    claims = loads_object(jws.payload, "JWT claims")
    kind, reasons = classify(jws.header, claims)
    scope = claims.get("scope")
    scopes = scope.split() if isinstance(scope, str) else list(scope) if isinstance(scope, list) else []
    encrypted = sorted(name for name, value in claims.items() if _is_encrypted(value))
    pii = sorted(name for name in claims if is_pii_claim(name) and name not in encrypted)
    exp = claims.get("exp")
    result = Inspection(header=jws.header, claims=claims, kind=kind, reasons=reasons, scopes=scopes,
                        pii_claims=pii, encrypted_claims=encrypted, audience=_describe_audience(kind, claims),
                        expired=isinstance(exp, int | float) and exp <= now)
    if kind == "id":
        result.api_verdict = ("NO: this is an ID token. ID tokens are for the client's UI; send the access "
                              "token to APIs. A resource server must refuse it.")
    elif kind == "access":
        result.api_allowed = True
        result.api_verdict = "yes: an access token is what an API expects"
        if pii:
            result.api_verdict += f" (warning: it carries PII in clear: {', '.join(pii)})"
        if encrypted:
            result.api_verdict += f" (encrypted claims, readable only by their API: {', '.join(encrypted)})"
    else:
        result.api_verdict = "NO: not recognisable as an access token"
    if result.expired:
        result.api_verdict += "; it has expired"
    return result
