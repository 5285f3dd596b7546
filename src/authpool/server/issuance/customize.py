"""The seam where pre-token-generation hooks change claims before signing (issue: hooks).

A :class:`ClaimsCustomizer` receives what is being issued and the claim sets, and returns the claim
sets (and scopes) to sign. The default changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass
class IssueContext:
    """What the hook sees: who, for which client, why (Cognito ``triggerSource``), with which scopes."""

    pool_id: str
    client_id: str
    trigger_source: str  # TokenGeneration_Authentication, _HostedAuth, _RefreshTokens, _ClientCredentials, ...
    user: Any | None  # UserRecord, None for client credentials
    groups: list[str]
    scopes: list[str]
    client_metadata: dict[str, str] = field(default_factory=dict)


@dataclass
class ClaimSets:
    access: dict[str, Any]
    id: dict[str, Any] | None
    scopes: list[str]


class ClaimsCustomizer(Protocol):
    def customize(self, context: IssueContext, claims: ClaimSets) -> ClaimSets: ...


class NoCustomization:
    def customize(self, context: IssueContext, claims: ClaimSets) -> ClaimSets:
        return claims


class CustomizerChain:
    """Several customizers in order, each given the claim sets the previous one returned (the server
    runs: declared encrypted claims, the pre-token hook, then the encryption of every placeholder;
    keyservice/customizer.py)."""

    def __init__(self, *steps: ClaimsCustomizer) -> None:
        self.steps = steps

    def customize(self, context: IssueContext, claims: ClaimSets) -> ClaimSets:
        for step in self.steps:
            claims = step.customize(context, claims)
        return claims
