"""OAuth wire errors, rendered in one place.

Three renderings, one per place an error can surface:

* the token, revocation and introspection endpoints answer JSON per RFC 6749 §5.2
  (``{"error", "error_description"}``, status 400; ``invalid_client`` is 401 with
  ``WWW-Authenticate`` when the client tried HTTP Basic, "the authorization server MUST respond
  with an HTTP 401 (Unauthorized) status code and include the WWW-Authenticate response header");
* the UserInfo endpoint answers per RFC 6750 §3 / §3.1: ``WWW-Authenticate: Bearer error=...``
  with 400 ``invalid_request``, 401 ``invalid_token`` or 403 ``insufficient_scope``;
* the authorization endpoint redirects the error to the client (RFC 6749 §4.1.2.1) once the
  client and redirect URI are trusted, else shows an error page (see ``authorize.py``).

Each error carries its wire code, status and a description that is safe to send (RFC 6749 §5.2
limits ``error_description`` to %x20-21 / %x23-5B / %x5D-7E, enforced by :func:`_safe`). The
developer ``hint`` is logged, never sent. Any exception that is not an :class:`OAuthError` becomes
``server_error`` with a fixed message (STYLE.md habit 3; ory/fosite's rule), and its type is logged.
"""

from __future__ import annotations

import logging
import re
from typing import ClassVar

from starlette.responses import JSONResponse, Response

from ..errors import AuthpoolError, InvalidParameter, NotAuthorized, NotFound, TooManyRequests
from ..hooks.errors import HookError, HookRejected
from ..middleware import RequestBodyTooLarge

log = logging.getLogger("authpool.oauth")
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
_UNSAFE = re.compile(r'[^\x20-\x21\x23-\x5b\x5d-\x7e]')


def _safe(text: str) -> str:
    """RFC 6749 §5.2: error_description uses only printable ASCII without '"' and '\\'."""
    return _UNSAFE.sub("?", text)[:300]


class OAuthError(Exception):
    error: ClassVar[str] = "invalid_request"
    status: ClassVar[int] = 400
    default_description: ClassVar[str] = "The request is invalid."

    def __init__(self, description: str | None = None, *, hint: str | None = None) -> None:
        self.description = _safe(description or self.default_description)
        self.hint = hint  # for the log only
        super().__init__(self.description)

    def body(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}


class InvalidRequest(OAuthError):
    error = "invalid_request"


class InvalidClient(OAuthError):
    error, status = "invalid_client", 401
    default_description = "Client authentication failed."


class InvalidGrant(OAuthError):
    error = "invalid_grant"
    default_description = "The grant is invalid, expired, revoked or was issued to another client."


class UnauthorizedClient(OAuthError):
    error = "unauthorized_client"
    default_description = "The client is not allowed to use this grant type or response type."


class UnsupportedGrantType(OAuthError):
    error = "unsupported_grant_type"
    default_description = "Unsupported grant_type."


class UnsupportedResponseType(OAuthError):
    error = "unsupported_response_type"
    default_description = "Unsupported response_type."


class InvalidScope(OAuthError):
    error = "invalid_scope"
    default_description = "The requested scope is invalid, unknown or malformed."


class InvalidTarget(OAuthError):
    """RFC 8707 §2: the ``resource`` is invalid, unknown or not allowed for this client."""

    error = "invalid_target"
    default_description = "The requested resource is invalid or unknown."


class AccessDenied(OAuthError):
    error = "access_denied"
    default_description = "The request was denied."


class LoginRequired(OAuthError):
    """OIDC Core §3.1.2.6: ``prompt=none`` and the user is not signed in."""

    error = "login_required"
    default_description = "The user is not signed in."


class UnsupportedTokenType(OAuthError):
    """RFC 7009 §2.2.1."""

    error = "unsupported_token_type"
    default_description = "This type of token cannot be revoked."


class InvalidToken(OAuthError):
    """RFC 6750 §3.1: expired, revoked, malformed or otherwise invalid access token."""

    error, status = "invalid_token", 401
    default_description = "The access token is invalid, expired or revoked."


class NoToken(OAuthError):
    """RFC 6750 §3.1: a request with no token at all gets a bare 401 challenge, no error code."""

    error, status = "invalid_request", 401
    default_description = "An access token is required."


class InsufficientScope(OAuthError):
    error, status = "insufficient_scope", 403
    default_description = "The access token does not have the required scope."


class ServerError(OAuthError):
    error, status = "server_error", 500
    default_description = "Internal error."


class BodyTooLarge(OAuthError):
    """The request body passed the server's bound while the endpoint read it (a chunked body, which
    the middleware cannot refuse up front): 413, as the middleware answers a declared one."""

    error, status = "invalid_request", 413
    default_description = "Request body too large."


class TemporarilyUnavailable(OAuthError):
    error, status = "temporarily_unavailable", 503
    default_description = "The server is busy; try again later."


def as_oauth_error(exc: BaseException) -> OAuthError:
    """Any exception as a wire error. Domain errors keep their safe meaning; anything else is
    ``server_error`` with a fixed message, and only its type is logged."""
    if isinstance(exc, OAuthError):
        if exc.hint:
            log.info("oauth error", extra={"error": exc.error, "hint": exc.hint})
        return exc
    if isinstance(exc, RequestBodyTooLarge):
        return BodyTooLarge()
    if isinstance(exc, TooManyRequests):
        return TemporarilyUnavailable()
    if isinstance(exc, HookRejected):  # the pool's pre-token hook refused: the handler's own message
        log.info("pre-token hook refused", extra={"code": exc.code, "invoker": exc.invoker})
        return AccessDenied(exc.message)
    if isinstance(exc, HookError):  # the hook failed (timeout, bad answer): the sign-in fails closed
        log.warning("pre-token hook failed", extra={"code": exc.code, "invoker": exc.invoker})
        return ServerError("The sign-in could not be completed: the pool's pre-token hook failed.")
    if isinstance(exc, NotAuthorized | NotFound):
        return InvalidGrant()
    if isinstance(exc, InvalidParameter):
        return InvalidRequest(exc.message)
    if isinstance(exc, AuthpoolError):
        log.warning("unmapped domain error", extra={"error_type": type(exc).__name__, "code": exc.code})
        return ServerError()
    log.error("unexpected error in an OAuth endpoint", exc_info=exc)
    return ServerError()


def json_error(exc: BaseException, *, basic_auth: bool = False) -> Response:
    """RFC 6749 §5.2 error response (token, revocation, introspection endpoints)."""
    err = as_oauth_error(exc)
    headers = dict(NO_STORE)
    status = err.status
    if isinstance(err, InvalidClient):
        if basic_auth:
            headers["WWW-Authenticate"] = 'Basic realm="authpool", charset="UTF-8"'
        else:  # §5.2: 401 is only a MAY without Basic; Cognito answers 400 (COGNITO.md §5)
            status = 400
    return JSONResponse(err.body(), status_code=status, headers=headers)


def bearer_error(exc: BaseException) -> Response:
    """RFC 6750 §3: ``WWW-Authenticate: Bearer`` with the error code and description. A request
    without any token gets the bare challenge (§3.1: "the resource server SHOULD NOT include an
    error code")."""
    err = as_oauth_error(exc)
    if isinstance(err, TemporarilyUnavailable | ServerError | BodyTooLarge):
        return JSONResponse(err.body(), status_code=err.status, headers=NO_STORE)
    challenge = 'Bearer realm="authpool"'
    if not isinstance(err, NoToken):
        challenge += f', error="{err.error}", error_description="{err.description}"'
    headers = {**NO_STORE, "WWW-Authenticate": challenge}
    return JSONResponse(err.body(), status_code=err.status, headers=headers)
