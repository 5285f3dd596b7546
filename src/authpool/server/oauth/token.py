"""The token endpoint, ``{issuer}/oauth2/token`` (RFC 6749 §3.2, §4.1.3, §4.4.2, §6).

It reads like the protocol (node-oidc-provider's list of steps), one function per step:

1. no cache: every answer, success or error, carries ``Cache-Control: no-store`` and
   ``Pragma: no-cache`` (§5.1 "MUST include");
2. parse: a bounded ``application/x-www-form-urlencoded`` POST body (§3.2);
3. reject duplicate parameters (§3.1 "MUST NOT be included more than once"), done while parsing;
4. client authentication (:mod:`.clientauth`: Basic or post, constant time; public clients by
   ``client_id``);
5. grant lookup in :data:`.grants.GRANTS` (``unsupported_grant_type`` otherwise, §5.2);
6. the grant's handler, which mints only through ``TokenService``.

Errors are JSON per §5.2 from one renderer (:func:`.errors.json_error`); ``invalid_client`` after a
Basic attempt is 401 with ``WWW-Authenticate``.

Where it runs: steps 4-6 go to a worker thread (``ctx.run``) because they may wait on the store or a
pre-token hook, except for ``client_credentials`` when everything it needs is already in memory (the
client and the pool's signing keys cached, no hook to run, no ``resource`` to look up): then they run
on the event loop, which saves the hand-off to a thread and back (server/cache.py, ``non_blocking``;
bench/bench_token_endpoint.py). A cache miss there starts the request over in the thread.
"""

from __future__ import annotations

from types import ModuleType

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..cache import WouldBlock, non_blocking
from .clientauth import AuthenticatedClient, authenticate, uses_basic
from .errors import NO_STORE, InvalidRequest, UnsupportedGrantType, json_error
from .grants import GRANTS
from .params import form_params


def _grant(params: dict[str, str]) -> ModuleType:
    grant_type = params.get("grant_type")
    if grant_type is None:
        raise InvalidRequest("grant_type is required.")
    grant = GRANTS.get(grant_type)
    if grant is None:
        raise UnsupportedGrantType("grant_type must be authorization_code, refresh_token or client_credentials.")
    return grant


def _client(ctx, pool_id: str, authorization: str | None, params: dict[str, str]) -> AuthenticatedClient:
    return authenticate(ctx.clients.find, pool_id, authorization, params)


def _issue(ctx, pool_id: str, authorization: str | None, params: dict[str, str]) -> dict:
    client = _client(ctx, pool_id, authorization, params)
    grant = _grant(params)
    return grant.handle(ctx, client, params)


def _issue_in_memory(ctx, pool_id: str, authorization: str | None, params: dict[str, str]) -> dict | None:
    """:func:`_issue` on the event loop for client credentials, or None when it would wait."""
    if params.get("grant_type") != "client_credentials":
        return None
    try:
        with non_blocking():
            return _issue(ctx, pool_id, authorization, params)
    except WouldBlock:
        return None


async def token(request: Request) -> Response:
    ctx = request.app.state.ctx
    authorization = request.headers.get("authorization")
    pool_id = request.path_params["pool_id"]
    try:
        params = await form_params(request, max_bytes=ctx.settings.max_body_bytes)
        body = _issue_in_memory(ctx, pool_id, authorization, params)
        if body is None:
            body = await ctx.run(_issue, ctx, pool_id, authorization, params)
    except Exception as exc:  # noqa: BLE001 - rendered by the one error renderer (unknown -> server_error)
        return json_error(exc, basic_auth=uses_basic(authorization))
    return JSONResponse(body, headers=NO_STORE)
