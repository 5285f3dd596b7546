"""The framework-free core the adapters share: route policy -> bearer token -> verify -> requirement.

An adapter only translates its request into ``(method, path, authorization values, query tokens)``
and a :class:`TokenError` into a response with :func:`authpool.guard.rfc6750.render`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .claims import AccessClaims
from .errors import RouteNotAllowed, TokenError
from .policy import NO_REQUIREMENT, Requirement, RoutePolicy
from .rfc6750 import bearer_token
from .verifier import AccessTokenVerifier

#: What :meth:`Gate.decide` returns for a public route.
PUBLIC = None


def requirement_of(requirement: Requirement | None = None, *, scopes: Iterable[str] | None = None,
                   any_scopes: Iterable[str] | None = None, groups: Iterable[str] | None = None,
                   any_groups: Iterable[str] | None = None) -> Requirement:
    if requirement is not None:
        if any((scopes, any_scopes, groups, any_groups)):
            raise TypeError("pass a Requirement or scopes/groups keywords, not both")
        return requirement
    if not any((scopes, any_scopes, groups, any_groups)):
        return NO_REQUIREMENT
    return Requirement(scopes=scopes, any_scopes=any_scopes, groups=groups, any_groups=any_groups)


class Gate:
    """Decides and checks one request. ``policy=None`` means every request needs a valid token."""

    def __init__(self, verifier: AccessTokenVerifier, *, policy: RoutePolicy | None = None,
                 realm: str | None = None, allow_query_token: bool = False) -> None:
        if not isinstance(verifier, AccessTokenVerifier):
            raise TypeError("verifier must be an AccessTokenVerifier")
        self.verifier, self.policy, self.realm = verifier, policy, realm
        self.allow_query_token = allow_query_token

    def decide(self, method: str, path: str) -> tuple[Requirement | None, str]:
        """``(requirement, route label)``; requirement None means public. Raises RouteNotAllowed."""
        if self.policy is None:
            return NO_REQUIREMENT, f"{method} {path}"
        rule = self.policy.match(method, path)
        if rule is None:
            if self.policy.default == "deny":
                error = RouteNotAllowed(f"no policy rule for {method} {path}")
                self.verifier.signals.rejected(error, f"{method} {path}")
                raise error
            return NO_REQUIREMENT, f"{method} {path}"
        return rule.requirement, f"{method} {rule.template}"

    def _token(self, authorization: Sequence[str], query_tokens: Sequence[str], route: str) -> str:
        try:
            return bearer_token(authorization, query_tokens, allow_query=self.allow_query_token)
        except TokenError as error:
            self.verifier.signals.rejected(error, route)
            raise

    def check(self, claims: AccessClaims, requirement: Requirement, route: str) -> AccessClaims:
        if requirement:
            try:
                requirement.check(claims)
            except TokenError as error:
                error.issuer, error.client = claims.issuer, claims.client_id
                self.verifier.signals.rejected(error, route)
                raise
        return claims

    def authenticate(self, authorization: Sequence[str], query_tokens: Sequence[str], requirement: Requirement,
                     route: str) -> AccessClaims:
        token = self._token(authorization, query_tokens, route)
        return self.check(self.verifier.verify(token, route=route), requirement, route)

    async def aauthenticate(self, authorization: Sequence[str], query_tokens: Sequence[str],
                            requirement: Requirement, route: str) -> AccessClaims:
        token = self._token(authorization, query_tokens, route)
        return self.check(await self.verifier.averify(token, route=route), requirement, route)
