"""The revocation endpoint, ``{issuer}/oauth2/revoke`` (RFC 7009; Cognito ``/oauth2/revoke``).

* POST, form-encoded, ``token`` required, ``token_type_hint`` optional (§2.1: the server "MAY
  ignore" the hint and MUST extend its search if it is wrong). Client authentication as at the
  token endpoint; public clients send ``client_id`` (Cognito).
* A refresh token revokes its whole family: the refresh token and every access and ID token
  issued from the same sign-in (§2.1 "the authorization server SHOULD also invalidate all access
  tokens based on the same authorization grant"; Cognito RevokeToken). An access token of a user
  session revokes its family too (§2.1: "If the token passed to the request is an access token,
  the server MAY revoke the respective refresh token as well").
* §2.2: "The authorization server responds with HTTP status code 200 if the token has been
  revoked successfully or if the client submitted an invalid token" — unknown, expired, already
  revoked and other clients' tokens all get an empty 200 and change nothing.
* ``unsupported_token_type`` (§2.2.1) for tokens that cannot be revoked: ID tokens and
  client-credentials access tokens (no session behind them; they expire).
* A client with ``EnableTokenRevocation`` false gets ``unauthorized_client`` (Cognito refuses
  revocation for such clients).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from .bearer import unverified_claims, verify_signed
from .clientauth import authenticate, uses_basic
from .errors import (
    NO_STORE,
    InvalidRequest,
    InvalidToken,
    UnauthorizedClient,
    UnsupportedTokenType,
    json_error,
)
from .params import form_params


def _revoke(ctx, pool_id: str, authorization: str | None, params: dict[str, str]) -> None:
    client = authenticate(ctx.clients.find, pool_id, authorization, params).client
    token = params.get("token")
    if token is None:
        raise InvalidRequest("token is required.")
    if not client.settings.get("EnableTokenRevocation", True):
        raise UnauthorizedClient("Token revocation is not enabled for this client.")
    if len(token) > 16 * 1024:
        return
    if unverified_claims(token) is None:  # opaque: a refresh token (or nothing we know)
        ctx.tokens.revoke_refresh_token(client=client, refresh_token=token)
        return
    try:
        _, claims = verify_signed(ctx, pool_id, token)
    except InvalidToken:
        return  # §2.2: an invalid token is not an error
    if claims.get("token_use") == "id":
        raise UnsupportedTokenType("ID tokens cannot be revoked; revoke the refresh token.")
    origin_jti = claims.get("origin_jti")
    if claims.get("client_id") != client.client_id:
        return
    if not isinstance(origin_jti, str) or not origin_jti:
        raise UnsupportedTokenType("Client-credentials access tokens cannot be revoked; they expire.")
    with ctx.db.transaction() as tx:
        tx.token_families.revoke_family(origin_jti)


async def revoke(request: Request) -> Response:
    ctx = request.app.state.ctx
    authorization = request.headers.get("authorization")
    try:
        params = await form_params(request)
        await ctx.run(_revoke, ctx, request.path_params["pool_id"], authorization, params)
    except Exception as exc:  # noqa: BLE001 - one renderer for RFC 6749 §5.2 errors
        return json_error(exc, basic_auth=uses_basic(authorization))
    return Response(status_code=200, headers=NO_STORE)
