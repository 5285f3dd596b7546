"""Flask adapter: an extension with a route decorator, and optional policy enforcement for every request.

    guard = FlaskGuard(app, verifier)                        # or FlaskGuard(verifier=v).init_app(app)

    @app.get("/items")
    @guard.require(scopes=["items/read"])
    def items():
        claims = current_claims()                            # the verified AccessClaims

With ``policy=RoutePolicy(...)`` a ``before_request`` hook applies the policy to every request
(default-deny for routes not listed); decorated views then reuse the claims. Refusals are answered with
:func:`authpool.guard.rfc6750.render`. Flask views are synchronous, so ``verify`` is used.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from flask import Flask, Response, g, jsonify, request

from .claims import AccessClaims
from .errors import MissingToken, TokenError
from .gate import Gate, requirement_of
from .policy import Requirement, RoutePolicy
from .rfc6750 import render
from .verifier import AccessTokenVerifier

F = TypeVar("F", bound=Callable[..., Any])


def _route() -> str:
    rule = request.url_rule
    return f"{request.method} {rule.rule if rule is not None else request.path}"


class FlaskGuard:
    def __init__(self, app: Flask | None = None, verifier: AccessTokenVerifier | None = None, *,
                 policy: RoutePolicy | None = None, realm: str | None = None,
                 allow_query_token: bool = False) -> None:
        if verifier is None:
            raise TypeError("FlaskGuard needs verifier=AccessTokenVerifier(...)")
        self.gate = Gate(verifier, policy=policy, realm=realm, allow_query_token=allow_query_token)
        self.policy = policy
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask) -> FlaskGuard:
        app.extensions["authpool_guard"] = self
        app.register_error_handler(TokenError, self.error_response)  # e.g. claims.decrypt(...) in a view
        if self.policy is not None:
            app.before_request(self._enforce_policy)
        return self

    def error_response(self, error: TokenError) -> Response:
        status, headers, body = render(error, realm=self.gate.realm)
        response = jsonify(body)
        response.status_code = status
        response.headers.update(headers)
        return response

    def _credentials(self) -> tuple[list[str], list[str]]:
        return request.headers.getlist("Authorization"), request.args.getlist("access_token")

    def _enforce_policy(self) -> Response | None:
        try:
            requirement, route = self.gate.decide(request.method, request.path)
            if requirement is not None:
                g.access_claims = self.gate.authenticate(*self._credentials(), requirement, route)
        except TokenError as error:
            return self.error_response(error)
        return None

    def require(self, requirement: Requirement | None = None, *, scopes: Iterable[str] | None = None,
                any_scopes: Iterable[str] | None = None, groups: Iterable[str] | None = None,
                any_groups: Iterable[str] | None = None) -> Callable[[F], F]:
        """Decorate a view: it runs only with a valid access token that meets the requirement."""
        req = requirement_of(requirement, scopes=scopes, any_scopes=any_scopes, groups=groups,
                             any_groups=any_groups)
        gate = self.gate

        def decorate(view: F) -> F:
            @functools.wraps(view)
            def guarded(*args: Any, **kwargs: Any) -> Any:
                route = _route()
                try:
                    claims = g.get("access_claims")
                    if isinstance(claims, AccessClaims):
                        gate.check(claims, req, route)
                    else:
                        g.access_claims = gate.authenticate(*self._credentials(), req, route)
                except TokenError as error:
                    return self.error_response(error)
                return view(*args, **kwargs)

            return guarded  # type: ignore[return-value]

        return decorate


def current_claims() -> AccessClaims:
    """The verified claims of the current request."""
    claims = g.get("access_claims")
    if not isinstance(claims, AccessClaims):
        raise MissingToken("this view is not protected by FlaskGuard")
    return claims


__all__ = ["FlaskGuard", "current_claims"]
