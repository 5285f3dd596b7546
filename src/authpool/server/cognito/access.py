"""Access tokens presented to the Cognito API (GetUser, UpdateUserAttributes, ChangePassword,
DeleteUser, GlobalSignOut).

Cognito accepts only an access token carrying the scope ``aws.cognito.signin.user.admin``
(COGNITO.md §1.4, §1.6; botocore: "an access token with the aws.cognito.signin.user.admin scope").
Checks, in this order, each failure a ``NotAuthorizedException``:

1. the token is a compact JWS whose ``iss`` is one of this server's pools (``{base_url}/{pool id}``);
2. the signature verifies with one of that pool's *access-token* keys (ID tokens are signed with other
   keys, COGNITO.md §1.1) and an algorithm the server signs with;
3. ``token_use`` is ``access`` — an ID token is refused, with a message that says so;
4. ``exp`` is in the future; the scope includes ``aws.cognito.signin.user.admin``;
5. not revoked: the token's session (``origin_jti``) is not revoked (TokenService.is_revoked:
   RevokeToken, GlobalSignOut, disabling the user) and it was issued after the user's
   ``tokens_valid_after``; the user exists and is enabled.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Any

from ...jose import JWK, JoseError, b64url_decode, verify_compact
from ...jose.algorithms import SIGNING_ALGORITHMS
from ...tokens.profiles import COGNITO_ADMIN_SCOPE
from ..errors import NotAuthorized
from ..store import KeyPurpose, KeyState, UserRecord

INVALID = "Invalid Access Token"
ID_TOKEN = "Invalid Access Token: this is an ID token (token_use id); send the access token."
_keys: dict[str, JWK] = {}
_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class AccessGrant:
    pool_id: str
    client_id: str
    user: UserRecord
    claims: dict[str, Any]


def _unverified_claims(token: str) -> dict[str, Any]:
    """The payload before any check: used only to pick the pool's keys and to word a refusal."""
    try:
        claims = json.loads(b64url_decode(token.split(".")[1]))
    except Exception:  # noqa: BLE001 - any malformed token is simply invalid
        raise NotAuthorized(INVALID) from None
    if not isinstance(claims, dict):
        raise NotAuthorized(INVALID)
    return claims


def _pool_of(ctx, claims: dict[str, Any]) -> str:
    iss = claims.get("iss")
    base = ctx.settings.public_base_url() + "/"
    if not isinstance(iss, str) or not iss.startswith(base) or "/" in iss[len(base):]:
        raise NotAuthorized(INVALID)
    return iss[len(base):]


def _key_lookup(ctx, pool_id: str):
    now = ctx.db.now()
    with ctx.db.transaction(readonly=True) as tx:
        records = [r for r in tx.signing_keys.list(pool_id, purpose=KeyPurpose.ACCESS)
                   if r.state is not KeyState.RETIRED or (r.remove_after or 0) > now]
    by_kid = {r.kid: r for r in records}

    def lookup(jws) -> JWK | None:
        record = by_kid.get(jws.kid or "")
        if record is None:
            return None
        with _lock:
            key = _keys.get(record.kid)
            if key is None:
                key = _keys[record.kid] = JWK.from_dict(record.public_jwk, allow_private=False)
        return key

    return lookup


def authorize(ctx, token: str) -> AccessGrant:
    """The user an access token stands for, or NotAuthorized."""
    if not isinstance(token, str) or token.count(".") != 2:
        raise NotAuthorized(INVALID)
    unverified = _unverified_claims(token)
    if unverified.get("token_use") == "id":  # refused whatever its signature; say why
        raise NotAuthorized(ID_TOKEN)
    pool_id = _pool_of(ctx, unverified)
    try:
        jws = verify_compact(token, _key_lookup(ctx, pool_id), algorithms=SIGNING_ALGORITHMS)
        claims = json.loads(jws.payload)
    except (JoseError, ValueError):
        raise NotAuthorized(INVALID) from None
    if not isinstance(claims, dict) or claims.get("iss") != ctx.settings.issuer_for(pool_id):
        raise NotAuthorized(INVALID)
    if claims.get("token_use") != "access":
        raise NotAuthorized(ID_TOKEN)
    exp, iat = claims.get("exp"), claims.get("iat")
    if not isinstance(exp, int) or not isinstance(iat, int) or exp <= ctx.db.now():
        raise NotAuthorized("Access Token has expired")
    if COGNITO_ADMIN_SCOPE not in str(claims.get("scope", "")).split():
        raise NotAuthorized("Access Token does not have required scopes")
    if ctx.tokens.is_revoked(claims):
        raise NotAuthorized("Access Token has been revoked")
    with ctx.db.transaction(readonly=True) as tx:
        user = tx.users.get_by_sub(pool_id, str(claims.get("sub")))
    if user is None or iat < user.tokens_valid_after:
        raise NotAuthorized("Access Token has been revoked")
    if not user.enabled:
        raise NotAuthorized("User is disabled.")
    return AccessGrant(pool_id, str(claims.get("client_id")), user, claims)
