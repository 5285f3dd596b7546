"""The introspection endpoint, ``{issuer}/oauth2/introspect`` (RFC 7662).

* POST, form-encoded, ``token`` required, ``token_type_hint`` optional (§2.1). The endpoint is
  protected (§2.1 "MUST also require some form of authorization"): only confidential clients of
  the pool, authenticated like at the token endpoint; anything else is ``invalid_client`` (§2.3).
* Access tokens (JWTs of this pool) are active while signature, issuer, type, expiry and
  revocation all check out (:mod:`.bearer`); the answer (§2.2) carries ``active``, ``scope``,
  ``client_id``, ``username``, ``token_type`` (``Bearer``), ``exp``, ``iat``, ``sub``, ``aud``,
  ``iss``, ``jti``.
* Refresh tokens are active only for the client they were issued to (they are bound to it), with
  ``client_id``, ``sub``, ``exp``, ``scope``.
* ID tokens are never active here (they are not credentials for anything, DESIGN.md), nor are
  expired, revoked, malformed or foreign tokens: ``{"active": false}`` and nothing else (§2.2: the
  server "SHOULD NOT include any additional information about an inactive token").
* Failed client authentication is 401 whatever the method (§2.3).
* ``Cache-Control: no-store`` on every answer.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .bearer import unverified_claims, verify_access_token
from .clientauth import authenticate
from .errors import NO_STORE, InvalidClient, InvalidRequest, InvalidToken, json_error
from .params import form_params

INACTIVE = {"active": False}
ACCESS_FIELDS = ("scope", "client_id", "username", "exp", "iat", "sub", "aud", "iss", "jti")


def _access(ctx, pool_id: str, token: str) -> dict[str, Any]:
    try:
        claims = verify_access_token(ctx, pool_id, token)
    except InvalidToken:
        return INACTIVE
    return {"active": True, "token_type": "Bearer", **{k: claims[k] for k in ACCESS_FIELDS if k in claims}}


def _refresh(ctx, client, token: str) -> dict[str, Any]:
    if len(token) > 512:
        return INACTIVE
    with ctx.db.transaction(readonly=True) as tx:
        result = tx.refresh_tokens.check(token, client_id=client.client_id, now=ctx.db.now())
    if not result.ok or result.family is None:
        return INACTIVE
    return {"active": True, "client_id": client.client_id, "sub": result.family.user_sub,
            "exp": result.token.expires_at, "iat": result.token.created_at, "scope": " ".join(result.family.scopes),
            "iss": ctx.settings.issuer_for(client.pool_id)}


def _introspect(ctx, pool_id: str, authorization: str | None, params: dict[str, str]) -> dict[str, Any]:
    auth = authenticate(ctx.clients.find, pool_id, authorization, params)
    if not auth.confidential:
        raise InvalidClient("Introspection needs a confidential client (one with a secret).")
    token = params.get("token")
    if token is None:
        raise InvalidRequest("token is required.")
    if unverified_claims(token) is not None:
        return _access(ctx, pool_id, token)
    return _refresh(ctx, auth.client, token)


async def introspect(request: Request) -> Response:
    ctx = request.app.state.ctx
    authorization = request.headers.get("authorization")
    try:
        params = await form_params(request)
        body = await ctx.run(_introspect, ctx, request.path_params["pool_id"], authorization, params)
    except Exception as exc:  # noqa: BLE001 - one renderer for RFC 6749 §5.2 errors
        return json_error(exc, basic_auth=True)  # §2.3: invalid client credentials are always 401
    return JSONResponse(body, headers=NO_STORE)
