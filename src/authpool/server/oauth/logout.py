"""The logout endpoint, ``{issuer}/logout`` (Cognito ``logout-endpoint.md``, COGNITO.md §5).

Clears the hosted UI's session cookie, then, as Cognito does:

* ``client_id`` + ``logout_uri``: redirect to ``logout_uri`` if it is exactly one of the client's
  registered ``LogoutURLs``; otherwise an error page and no redirect, so the endpoint is no open
  redirector (RFC 9700 §4.11.2). OpenID Connect RP-Initiated Logout 1.0's
  ``post_logout_redirect_uri`` is accepted as the same thing, with its ``state`` echoed (§3);
* ``client_id`` + ``redirect_uri`` + ``response_type`` (+ ``state``, ``scope`` ...): "clears out the
  existing session and shows the login screen" — the parameters are validated like an
  authorization request and the browser goes to ``/login`` with them;
* ``client_id`` alone: a "signed out" page.

An invalid request changes nothing: the session is only cleared when the client is known and the
target (if any) is trusted. Tokens already issued stay valid until they expire or are revoked, as
in Cognito (the Cognito API's GlobalSignOut and ``/oauth2/revoke`` end them).
"""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from .authorize import error_redirect, guarded, redirect
from .authrequest import PageError, RedirectError, known_client, validate
from .errors import OAuthError
from .pages import error_page, render
from .params import query_params
from .redirect import registered_logout_uri, with_params
from .session import clear_cookie, is_https


def _target(ctx, pool_id: str, params: dict[str, str]) -> Response:
    with ctx.db.transaction(readonly=True) as tx:
        pool, client = known_client(tx, pool_id, params)
        logout_uri = params.get("logout_uri") or params.get("post_logout_redirect_uri")
        if logout_uri is not None:
            target = registered_logout_uri(client, logout_uri)
            if target is None:
                raise PageError("The logout_uri is not registered for this application.", "invalid_request")
            state = params.get("state") if "post_logout_redirect_uri" in params else None
            return redirect(with_params(target, {"state": state}) if state else target)
        if "redirect_uri" in params or "response_type" in params:
            validate(tx, pool_id, params)
            return redirect(f"/{pool_id}/login?{urlencode(params)}")
        return render("signed_out.html", pool_name=pool.name)


def _logout(ctx, pool_id: str, params: dict[str, str], secure: bool) -> Response:
    try:
        response = _target(ctx, pool_id, params)
    except PageError as exc:
        return error_page(exc.message, exc.code, status=exc.status)
    except RedirectError as exc:
        response = error_redirect(ctx, pool_id, exc)
    clear_cookie(response, pool_id, secure=secure)
    return response


async def logout(request: Request) -> Response:
    ctx = request.app.state.ctx
    pool_id = request.path_params["pool_id"]
    try:
        params = query_params(request)
    except OAuthError as exc:
        return error_page(exc.description, exc.error)
    secure = is_https(request, ctx.settings.public_base_url())
    return await guarded(ctx.run(_logout, ctx, pool_id, params, secure))
