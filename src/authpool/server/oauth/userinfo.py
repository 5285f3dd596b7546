"""The UserInfo endpoint, ``{issuer}/oauth2/userInfo`` (OIDC Core §5.3; RFC 6750).

* GET and POST (OIDC Core §5.3.1 "MUST support the use of the HTTP GET and HTTP POST methods");
  the access token as a Bearer header or, on POST, an ``access_token`` form field (RFC 6750 §2).
* Only a valid access token of this pool (:mod:`.bearer`): an ID token is refused with
  ``invalid_token`` "ID tokens are not accepted here"; expired or revoked tokens with
  ``invalid_token`` (401, RFC 6750 §3.1). A token without the ``openid`` scope is
  ``insufficient_scope`` (403): Cognito only answers tokens from its token endpoint with ``openid``
  (COGNITO.md §5). A client-credentials token has no user: ``invalid_token``.
* Claims (OIDC Core §5.4, Cognito's ``userinfo-endpoint``): ``sub`` and ``username`` always, then
  only attributes the client may read (``ReadAttributes``), selected by scope: ``profile`` the
  profile claims and the ``custom:`` attributes, ``email`` ``email``/``email_verified``, ``phone``
  ``phone_number``/``phone_number_verified``. A token with ``openid`` alone gets every readable
  attribute, as Cognito documents. ``*_verified`` are booleans (OIDC Core §5.1).
* The user must still exist and be enabled.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ...tokens.claims import attribute_claims
from .bearer import bearer_token, verify_access_token
from .errors import NO_STORE, InsufficientScope, InvalidToken, bearer_error
from .params import form_params

PROFILE = frozenset({"name", "family_name", "given_name", "middle_name", "nickname", "preferred_username",
                     "profile", "picture", "website", "gender", "birthdate", "zoneinfo", "locale", "updated_at",
                     "address"})
EMAIL = frozenset({"email", "email_verified"})
PHONE = frozenset({"phone_number", "phone_number_verified"})


def _visible(name: str, scopes: set[str]) -> bool:
    if not scopes & {"profile", "email", "phone"}:
        return True  # openid alone: every attribute the client can read (Cognito)
    return (("profile" in scopes and (name in PROFILE or name.startswith("custom:")))
            or ("email" in scopes and name in EMAIL) or ("phone" in scopes and name in PHONE))


def _claims(ctx, pool_id: str, token: str) -> dict[str, Any]:
    claims = verify_access_token(ctx, pool_id, token)
    scopes = set(str(claims.get("scope", "")).split())
    if "openid" not in scopes:
        raise InsufficientScope("The access token needs the openid scope.")
    with ctx.db.transaction(readonly=True) as tx:
        user = tx.users.get_by_sub(pool_id, str(claims.get("sub")))
        client = tx.clients.get(pool_id, str(claims.get("client_id")))
    if user is None or not user.enabled or client is None or claims.get("iat", 0) < user.tokens_valid_after:
        raise InvalidToken("Access token is expired, disabled, or deleted, or the user has globally signed out.")
    readable = client.settings.get("ReadAttributes")
    attributes = {k: v for k, v in user.attributes.items()
                  if k != "sub" and (not readable or k in readable) and _visible(k, scopes)}
    return {"sub": user.sub, **attribute_claims(attributes), "username": user.username}


async def userinfo(request: Request) -> Response:
    ctx = request.app.state.ctx
    try:
        form = await form_params(request) if request.method == "POST" and request.headers.get(
            "content-type", "").startswith("application/x-www-form-urlencoded") else None
        token = bearer_token(request.headers.get("authorization"), form)
        body = await ctx.run(_claims, ctx, request.path_params["pool_id"], token)
    except Exception as exc:  # noqa: BLE001 - one renderer for RFC 6750 errors
        return bearer_error(exc)
    return JSONResponse(body, headers=NO_STORE)
