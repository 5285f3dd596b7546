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

from starlette.types import Receive, Scope, Send

from ...jose.jsonutil import dumps_compact
from ..cache import WouldBlock, non_blocking
from ..middleware import DirectAnswer, RequestBodyTooLarge
from .clientauth import AuthenticatedClient, authenticate, uses_basic
from .errors import InvalidRequest, UnsupportedGrantType, json_error
from .grants import GRANTS
from .params import ClientGone, asgi_form_params

#: Response headers of a success: JSON, and RFC 6749 §5.1's no-cache pair.
_OK_HEADERS = [(b"content-type", b"application/json"), (b"cache-control", b"no-store"), (b"pragma", b"no-cache")]


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


class TokenEndpoint:
    """The endpoint as a plain ASGI app, which the route passes requests to as they are: no Request or
    Response objects on the path every token takes. Errors go through the one renderer. ServerMiddleware
    calls :meth:`serve_direct`, without wrapping receive and send (middleware.DirectAnswer)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await _token(scope, receive, send, None)

    async def serve_direct(self, scope: Scope, receive: Receive, send: Send, answer: DirectAnswer) -> None:
        await _token(scope, receive, send, answer)


async def _token(scope: Scope, receive: Receive, send: Send, answer: DirectAnswer | None) -> None:
    ctx = scope["app"].state.ctx
    authorization = content_type = None
    for name, value in scope["headers"]:  # the first of each, in one pass
        if name == b"authorization":
            if authorization is None:
                authorization = value.decode("latin-1")
        elif name == b"content-type" and content_type is None:
            content_type = value
    pool_id = scope["path_params"]["pool_id"]
    try:
        params = await asgi_form_params(scope, receive, max_bytes=ctx.settings.max_body_bytes,
                                        content_type=content_type or b"",
                                        too_large_at=None if answer is None else answer.max_body_bytes)
        result = _issue_in_memory(ctx, pool_id, authorization, params)
        if result is None:
            result = await ctx.run(_issue, ctx, pool_id, authorization, params)
    except ClientGone:
        return
    except RequestBodyTooLarge:
        raise  # the middleware answers 413
    except Exception as exc:  # noqa: BLE001 - rendered by the one error renderer (unknown -> server_error)
        response = json_error(exc, basic_auth=uses_basic(authorization))
        if answer is not None:
            response.raw_headers += answer.headers
            answer.status = response.status_code
        await response(scope, receive, send)
        return
    body = dumps_compact(result)
    headers = [(b"content-length", b"%d" % len(body)), *_OK_HEADERS]
    if answer is not None:
        headers += answer.headers
        answer.status = 200
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


token = TokenEndpoint()
