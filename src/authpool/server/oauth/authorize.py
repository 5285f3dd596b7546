"""The authorization endpoint, ``{issuer}/oauth2/authorize`` (RFC 6749 §3.1, §4.1; OIDC Core §3.1.2).

GET and POST (OIDC Core §3.1.2.1: "Authorization Servers MUST support the use of the HTTP GET and
POST methods"). After :mod:`.authrequest` has validated the request:

* a valid single sign-on session (:mod:`.session`) answers at once, unless ``prompt=login`` or
  ``max_age`` asks for a fresh sign-in (OIDC Core §3.1.2.1);
* ``prompt=none`` without one is ``login_required`` (OIDC Core §3.1.2.6);
* otherwise the browser goes to the hosted login page with the same parameters (``/login`` takes
  the authorize parameters, as Cognito's does).

The response (:func:`complete`) is a redirect to the registered URI with ``code``, ``state`` and
``iss`` (RFC 9207 §2, mix-up defence, RFC 9700 §4.4.2.1). Codes are 256 random bits, stored only
as a hash, single use, bound to client, redirect URI, PKCE challenge, nonce and resource, and live
five minutes (Cognito: "a one time use code that is valid for five minutes"; RFC 6749 §4.1.2
"maximum authorization code lifetime of 10 minutes is RECOMMENDED").

``response_type=token`` (the implicit grant) only for a client whose ``AllowedOAuthFlows`` holds
``implicit``, and with a warning in the log each time: RFC 9700 §2.1.2 says clients "SHOULD NOT
use the implicit grant". Its tokens go in the fragment (RFC 6749 §4.2.2), never a refresh token.
"""

from __future__ import annotations

import logging
import secrets
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ..store import UserRecord
from .authrequest import AuthorizationRequest, PageError, RedirectError, validate
from .errors import LoginRequired, OAuthError, as_oauth_error
from .pages import error_page
from .params import form_params, query_params
from .redirect import with_params
from .session import SsoSession, read, still_valid

log = logging.getLogger("authpool.oauth")
CODE_SECONDS = 300
HOSTED_AUTH = "TokenGeneration_HostedAuth"


def redirect(location: str, status: int = 302) -> Response:
    """A redirect carrying no cache and no Referer (RFC 9700 §4.2.4, §4.3.1). After a form POST
    the status is 303, never 307, which would re-post the credentials (RFC 9700 §4.12)."""
    return RedirectResponse(location, status_code=status,
                            headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"})


def error_redirect(ctx, pool_id: str, err: RedirectError, status: int = 302) -> Response:
    """RFC 6749 §4.1.2.1 / §4.2.2.1: the error, its description, ``state`` and ``iss``."""
    params = {"error": err.error.error, "error_description": err.error.description, "state": err.state,
              "iss": ctx.settings.issuer_for(pool_id)}
    return redirect(with_params(err.redirect_uri, params, fragment=err.fragment), status)


def complete(ctx, req: AuthorizationRequest, user: UserRecord, auth_time: int, *, status: int = 302) -> Response:
    """The successful authorization response for a signed-in user."""
    issuer = ctx.settings.issuer_for(req.pool.id)
    try:
        if req.response_type == "code":
            params = {"code": _new_code(ctx, req, user, auth_time), "state": req.state, "iss": issuer}
        else:
            params = {**_implicit_tokens(ctx, req, user), "state": req.state, "iss": issuer}
    except Exception as exc:  # noqa: BLE001 - Cognito: server_error goes to the client, not a 500 page
        failure = RedirectError(as_oauth_error(exc), req.redirect_uri, req.state, req.fragment)
        return error_redirect(ctx, req.pool.id, failure, status)
    return redirect(with_params(req.redirect_uri, params, fragment=req.fragment), status)


def _new_code(ctx, req: AuthorizationRequest, user: UserRecord, auth_time: int) -> str:
    code = secrets.token_urlsafe(32)
    with ctx.db.transaction() as tx:
        tx.auth_codes.add(code, pool_id=req.pool.id, client_id=req.client.client_id, user_sub=user.sub,
                          redirect_uri=req.redirect_uri, scopes=req.scopes, auth_time=auth_time,
                          expires_at=ctx.db.now() + CODE_SECONDS, nonce=req.nonce,
                          code_challenge=req.code_challenge,
                          code_challenge_method="S256" if req.code_challenge else None, resource=req.resource)
    return code


def _implicit_tokens(ctx, req: AuthorizationRequest, user: UserRecord) -> dict[str, str | None]:
    log.warning("implicit grant used; RFC 9700 §2.1.2 advises the code flow with PKCE",
                extra={"client_id": req.client.client_id, "pool_id": req.pool.id})
    result = ctx.tokens.for_user(client=req.client, user=user, scopes=req.scopes, trigger_source=HOSTED_AUTH,
                                 nonce=req.nonce, with_at_hash=True, audience=req.resource,
                                 with_refresh_token=False)
    return {"access_token": result.access_token, "token_type": "Bearer", "expires_in": str(result.expires_in),
            "id_token": result.id_token if "openid" in req.scopes else None}


def _decide(ctx, pool_id: str, params: dict[str, str], sso: SsoSession | None, status: int) -> Response:
    try:
        with ctx.db.transaction(readonly=True) as tx:
            req = validate(tx, pool_id, params)
            user = tx.users.get_by_sub(pool_id, sso.sub) if sso else None
    except PageError as exc:
        return error_page(exc.message, exc.code, status=exc.status)
    except RedirectError as exc:
        return error_redirect(ctx, pool_id, exc, status)
    fresh = (sso is not None and still_valid(sso, user) and "login" not in req.prompt
             and (req.max_age is None or ctx.db.now() - sso.auth_time <= req.max_age))
    if fresh:
        return complete(ctx, req, user, sso.auth_time, status=status)
    if "none" in req.prompt:
        failure = RedirectError(LoginRequired(), req.redirect_uri, req.state, req.fragment)
        return error_redirect(ctx, pool_id, failure, status)
    return redirect(f"/{pool_id}/login?{urlencode(params)}", status)


async def authorize(request: Request) -> Response:
    ctx = request.app.state.ctx
    pool_id = request.path_params["pool_id"]
    try:
        params = query_params(request) if request.method == "GET" else await form_params(request)
    except OAuthError as exc:  # nothing is trusted yet: show, don't redirect
        return error_page(exc.description, exc.error)
    sso = read(request, ctx.master_key, pool_id, now=ctx.db.now())
    status = 302 if request.method == "GET" else 303
    return await guarded(ctx.run(_decide, ctx, pool_id, params, sso, status))


async def guarded(work) -> Response:
    """The last line for browser-facing endpoints: an unexpected failure is a fixed-message page
    (the type is logged, nothing else), never a stack trace."""
    try:
        return await work
    except Exception:
        log.exception("unexpected error in a browser-facing OAuth endpoint")
        return error_page("Something went wrong on our side. Please try again later.", "server_error", status=500)
