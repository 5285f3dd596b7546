"""FastAPI adapter: ``Depends(guard.require(scopes=[...]))`` verifies the bearer token and returns the claims.

    guard = Guard(verifier, app=app)              # installs the RFC 6750 error renderer

    @app.get("/items")
    async def items(claims: AccessClaims = Depends(guard.require(scopes=["items/read"]))): ...

The module-level :func:`require` finds the guard installed on ``app.state``. Errors are raised as
:class:`BearerError` (an ``HTTPException``) and rendered by :func:`authpool.guard.rfc6750.render`:
status, ``WWW-Authenticate`` and an ``{"error", "error_description"[, "scope"]}`` body. Without
``install`` FastAPI's default handler still sends the right status and headers, with the body under
``detail``. When :class:`authpool.guard.starlette.GuardMiddleware` already verified the token, the
dependency reuses those claims and only checks its requirement.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPBearer

from .claims import AccessClaims
from .errors import TokenError
from .gate import Gate, requirement_of
from .policy import Requirement
from .rfc6750 import render
from .verifier import AccessTokenVerifier

# Declares the bearer scheme in the OpenAPI document; the token itself is read by the guard (RFC 6750 §2.1).
_openapi_scheme = HTTPBearer(auto_error=False)
_Declared = Annotated[Any, Depends(_openapi_scheme)]


class BearerError(HTTPException):
    """A guard error on its way out as an RFC 6750 response."""

    def __init__(self, error: TokenError, realm: str | None = None) -> None:
        status, headers, body = render(error, realm=realm)
        super().__init__(status_code=status, detail=body, headers=headers)
        self.error, self.body = error, body


async def bearer_error_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, BearerError)
    return JSONResponse(exc.body, status_code=exc.status_code, headers=exc.headers)


def _route(request: Request) -> str:
    route = request.scope.get("route")
    return f"{request.method} {getattr(route, 'path', None) or request.url.path}"


class Guard:
    """Holds the verifier and makes dependencies."""

    def __init__(self, verifier: AccessTokenVerifier, *, realm: str | None = None,
                 allow_query_token: bool = False, app: FastAPI | None = None) -> None:
        self.gate = Gate(verifier, realm=realm, allow_query_token=allow_query_token)
        if app is not None:
            self.install(app)

    def install(self, app: FastAPI) -> None:
        app.add_exception_handler(BearerError, bearer_error_handler)
        # A guard error raised inside a route (claims.decrypt(...)) is answered the same way.
        realm = self.gate.realm

        async def token_error_handler(request: Request, exc: Exception) -> JSONResponse:
            assert isinstance(exc, TokenError)
            status, headers, body = render(exc, realm=realm)
            return JSONResponse(body, status_code=status, headers=headers)

        app.add_exception_handler(TokenError, token_error_handler)
        app.state.authpool_guard = self

    def require(self, requirement: Requirement | None = None, *, scopes: Iterable[str] | None = None,
                any_scopes: Iterable[str] | None = None, groups: Iterable[str] | None = None,
                any_groups: Iterable[str] | None = None) -> Callable[..., Awaitable[AccessClaims]]:
        """A dependency returning the verified :class:`AccessClaims`, after checking the requirement."""
        req = requirement_of(requirement, scopes=scopes, any_scopes=any_scopes, groups=groups,
                             any_groups=any_groups)
        gate = self.gate

        async def access_claims(request: Request, _bearer: _Declared = None) -> AccessClaims:
            return await _authenticate(gate, req, request)

        return access_claims


async def _authenticate(gate: Gate, req: Requirement, request: Request) -> AccessClaims:
    route = _route(request)
    try:
        claims = getattr(request.state, "access_claims", None)
        if isinstance(claims, AccessClaims):
            return gate.check(claims, req, route)
        claims = await gate.aauthenticate(request.headers.getlist("authorization"),
                                          request.query_params.getlist("access_token"), req, route)
    except TokenError as error:
        raise BearerError(error, gate.realm) from None
    request.state.access_claims = claims
    return claims


def require(requirement: Requirement | None = None, *, scopes: Iterable[str] | None = None,
            any_scopes: Iterable[str] | None = None, groups: Iterable[str] | None = None,
            any_groups: Iterable[str] | None = None) -> Callable[..., Awaitable[AccessClaims]]:
    """Like :meth:`Guard.require`, using the :class:`Guard` installed on the app."""
    req = requirement_of(requirement, scopes=scopes, any_scopes=any_scopes, groups=groups, any_groups=any_groups)

    async def access_claims(request: Request, _bearer: _Declared = None) -> AccessClaims:
        guard = getattr(request.app.state, "authpool_guard", None)
        if not isinstance(guard, Guard):
            msg = "no authpool Guard installed on this app: Guard(verifier, app=app)"
            raise RuntimeError(msg)  # noqa: TRY004 - a setup mistake, not a bad argument
        return await _authenticate(guard.gate, req, request)

    return access_claims


__all__ = ["BearerError", "Guard", "bearer_error_handler", "require"]
