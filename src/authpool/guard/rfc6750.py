"""Bearer tokens on the wire (RFC 6750): reading the token from a request, and rendering guard errors.

This is the one place where a :class:`TokenError` becomes an HTTP answer; every framework adapter
calls :func:`render`. The wire carries the error's fixed ``description`` only, never the token, never
claim values.

Reading (§2): the ``Authorization`` header, scheme ``Bearer`` compared case-insensitively (RFC 9110
§11.1), then one or more spaces and exactly one ``b64token``; two ``Authorization`` headers, or a token
both in the header and in the query, are ``invalid_request`` ("Clients MUST NOT use more than one
method to transmit the token in each request", §2). The ``access_token`` query parameter (§2.3) is
refused with ``invalid_request`` unless the caller enables it; the form-body method (§2.2) is not
supported.

Rendering (§3): 401 ``invalid_token``, 403 ``insufficient_scope`` with ``scope``, 400
``invalid_request``, and 401 without an ``error`` attribute when the request had no credentials
(§3.1: "the resource server SHOULD NOT include an error code"). An unavailable JWKS is 503 with
``Retry-After``: the token may be fine, we just cannot check it yet.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from .errors import InsufficientScope, InvalidRequest, MissingToken, TokenError

#: RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
_B64TOKEN = re.compile(r"[A-Za-z0-9\-._~+/]+=*")
_ATTR_UNSAFE = re.compile(r"[^\x20\x21\x23-\x5b\x5d-\x7e]")


def bearer_token(authorization: Sequence[str], query_tokens: Sequence[str] = (), *,
                 allow_query: bool = False) -> str:
    """The token from the request's ``Authorization`` header values (and ``access_token`` query values).

    Raises :class:`MissingToken` (no bearer credentials) or :class:`InvalidRequest`.
    """
    if len(authorization) > 1:
        raise InvalidRequest("more than one Authorization header")
    if authorization:
        scheme, _, rest = authorization[0].strip().partition(" ")
        if scheme.lower() != "bearer":
            if query_tokens:
                return _query_token(query_tokens, allow_query)
            raise MissingToken("the Authorization header does not use the Bearer scheme")
        token = rest.lstrip(" ")
        if not token:
            raise InvalidRequest("the Authorization header has the Bearer scheme but no token")
        if _B64TOKEN.fullmatch(token) is None:
            raise InvalidRequest("the bearer token is not one b64token (RFC 6750 §2.1)",
                                 description="the Authorization header must be 'Bearer <one token>'")
        if query_tokens:
            raise InvalidRequest("a token in the Authorization header and another in the query string",
                                 description="send the access token in one place only")
        return token
    if query_tokens:
        return _query_token(query_tokens, allow_query)
    raise MissingToken()


def _query_token(values: Sequence[str], allow: bool) -> str:
    if not allow:
        raise InvalidRequest("access_token in the query string is not accepted here",
                             description="send the access token in the Authorization header, "
                                         "not the query string")
    if len(values) != 1 or _B64TOKEN.fullmatch(values[0]) is None:
        raise InvalidRequest("the access_token query parameter must appear once, with one token")
    return values[0]


def _quoted(value: str) -> str:
    return '"' + _ATTR_UNSAFE.sub("?", value) + '"'


def challenge(error: TokenError, *, realm: str | None = None) -> str:
    """The ``WWW-Authenticate`` value for ``error`` (RFC 6750 §3)."""
    params = []
    if realm is not None:
        params.append(f"realm={_quoted(realm)}")
    if error.error is not None:
        params.append(f"error={_quoted(error.error)}")
        params.append(f"error_description={_quoted(error.description)}")
        if isinstance(error, InsufficientScope) and error.required_scope:
            params.append(f"scope={_quoted(error.required_scope)}")
    return "Bearer " + ", ".join(params) if params else "Bearer"


def render(error: TokenError, *, realm: str | None = None) -> tuple[int, dict[str, str], dict[str, Any]]:
    """``(status, headers, json_body)`` for ``error``; adapters write exactly this."""
    headers = {"WWW-Authenticate": challenge(error, realm=realm), "Cache-Control": "no-store"}
    if error.status == 503:
        headers["Retry-After"] = "10"
    body: dict[str, Any] = {}
    if error.error is not None:
        body["error"] = error.error
    body["error_description"] = error.description
    if isinstance(error, InsufficientScope) and error.required_scope:
        body["scope"] = error.required_scope
    return error.status, headers, body
