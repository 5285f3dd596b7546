"""Checking the access tokens presented to the UserInfo, revocation and introspection endpoints.

Fixed order (STYLE.md, after aws-jwt-verify): size and JWS structure; signature with the pool's
own JWKS through ``authpool.jose`` (the key pins the algorithm); ``token_use`` (an ID token is
refused by name: DESIGN.md's one rule, "the userinfo endpoint refuses an ID token"); ``typ``
``at+jwt`` (RFC 9068 §4: "verify that the typ header value is at+jwt or application/at+jwt");
``iss`` (RFC 9068 §4);
``exp`` (RFC 7519 §4.1.4); revocation of the token's session (``TokenService.is_revoked``, so
RevokeToken, ``/oauth2/revoke``, global sign-out and a replayed code all take effect here).

Getting the token (RFC 6750 §2): the ``Authorization: Bearer`` header (§2.1) or, in a form POST,
an ``access_token`` body parameter (§2.2); "Clients MUST NOT use more than one method".
"""

from __future__ import annotations

from typing import Any

from ...jose import JoseError, JWKSet, loads_object, parse_compact, verify_compact
from ...jose.algorithms import SIGNING_ALGORITHMS
from ...tokens.profiles import ACCESS_TOKEN_TYP
from .errors import InvalidRequest, InvalidToken, NoToken

ID_TOKEN_REFUSED = "ID tokens are not accepted here; send the access token."
MAX_TOKEN = 16 * 1024
_ACCESS_TYPES = (ACCESS_TOKEN_TYP, f"application/{ACCESS_TOKEN_TYP}")


def bearer_token(authorization: str | None, form: dict[str, str] | None = None) -> str:
    """The one access token of the request, or NoToken / InvalidRequest."""
    header_token = None
    if authorization:
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() != "bearer" or not value.strip() or " " in value.strip():
            raise InvalidRequest("The Authorization header must be 'Bearer <access token>'.")
        header_token = value.strip()
    body_token = (form or {}).get("access_token")
    if header_token and body_token:
        raise InvalidRequest("Send the access token in one place only.")
    token = header_token or body_token
    if not token:
        raise NoToken()
    if len(token) > MAX_TOKEN:
        raise InvalidToken("The access token is too large.")
    return token


def unverified_claims(token: str) -> dict[str, Any] | None:
    """Claims of a well-formed JWS without checking anything (only to classify a token)."""
    try:
        return loads_object(parse_compact(token, algorithms=SIGNING_ALGORITHMS).payload)
    except (JoseError, ValueError):
        return None


def verify_signed(ctx, pool_id: str, token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(header, claims)`` of a token signed by one of the pool's keys; InvalidToken otherwise."""
    document = ctx.keys.jwks_document(pool_id)
    if document is None:
        raise InvalidToken()
    jwks = JWKSet.from_dict(document)
    try:
        jws = verify_compact(token, lambda parsed: jwks.get(parsed.kid), algorithms=SIGNING_ALGORITHMS)
        claims = loads_object(jws.payload)
    except (JoseError, ValueError):
        raise InvalidToken("The access token is malformed or its signature is invalid.") from None
    if claims.get("iss") != ctx.settings.issuer_for(pool_id):
        raise InvalidToken("The token was issued by another issuer.")
    return jws.header, claims


def verify_access_token(ctx, pool_id: str, token: str, *, check_revocation: bool = True) -> dict[str, Any]:
    """The claims of a valid, unexpired, unrevoked access token of this pool; InvalidToken otherwise."""
    header, claims = verify_signed(ctx, pool_id, token)
    if claims.get("token_use") == "id":
        raise InvalidToken(ID_TOKEN_REFUSED)
    if claims.get("token_use") != "access" or header.get("typ") not in _ACCESS_TYPES:
        raise InvalidToken("This is not an access token.")
    exp = claims.get("exp")
    if not isinstance(exp, int) or isinstance(exp, bool) or exp <= ctx.db.now():
        raise InvalidToken("The access token has expired.")
    if check_revocation and ctx.tokens.is_revoked(claims):
        raise InvalidToken("The access token has been revoked.")
    return claims
