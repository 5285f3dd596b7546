"""``Profile``: who the signed-in user is, read from a validated ID token, for shaping a UI.

**Everything here is cosmetic.** ``profile.in_group("admin")`` may decide whether the app *shows* an
admin menu; it never decides whether the user *may* do anything. Anyone can edit the page or call the
API directly, so the API checks the access token on every request (scopes, groups), and that check is
the only one that counts (DESIGN.md, "the one rule"; docs/client.md).

Claim names follow OIDC Core §5.1 (standard claims) and Cognito (``cognito:username``,
``cognito:groups``, ``custom:*`` attributes, always strings).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from ..tokens.profiles import is_pii_claim

#: Claims about the token itself, not about the user; they are not attributes.
_TOKEN_CLAIMS = frozenset({
    "iss", "sub", "aud", "azp", "exp", "iat", "nbf", "auth_time", "nonce", "at_hash", "c_hash", "s_hash",
    "acr", "amr", "jti", "origin_jti", "event_id", "token_use", "cognito:groups", "cognito:roles",
    "cognito:preferred_role", "cognito:username", "sid",
})


def _string(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


@dataclass(frozen=True)
class Profile:
    """The user as the ID token describes them. For display and UI decisions only (see module doc)."""

    subject: str
    issuer: str
    client_id: str
    username: str | None
    name: str | None
    email: str | None
    email_verified: bool
    picture: str | None
    groups: tuple[str, ...]
    #: Every user attribute in the token (standard profile claims and ``custom:*``), by claim name.
    attributes: Mapping[str, Any]
    expires_at: int
    auth_time: int | None
    #: All claims of the validated token, read-only.
    claims: Mapping[str, Any] = field(repr=False)

    @classmethod
    def from_claims(cls, claims: Mapping[str, Any], *, client_id: str) -> Profile:
        groups = claims.get("cognito:groups")
        groups = tuple(g for g in groups if isinstance(g, str)) if isinstance(groups, list) else ()
        auth_time = claims.get("auth_time")
        return cls(
            subject=claims["sub"],
            issuer=claims["iss"],
            client_id=client_id,
            username=_string(claims.get("cognito:username")) or _string(claims.get("preferred_username")),
            name=_string(claims.get("name")),
            email=_string(claims.get("email")),
            email_verified=claims.get("email_verified") in (True, "true"),
            picture=_string(claims.get("picture")),
            groups=groups,
            attributes=MappingProxyType({k: v for k, v in claims.items() if k not in _TOKEN_CLAIMS}),
            expires_at=int(claims["exp"]),
            auth_time=auth_time if isinstance(auth_time, int) and not isinstance(auth_time, bool) else None,
            claims=MappingProxyType(dict(claims)),
        )

    @property
    def display_name(self) -> str:
        """A name to greet the user with: ``name``, else given + family name, else username, else email."""
        given = " ".join(p for p in (_string(self.attributes.get("given_name")),
                                     _string(self.attributes.get("family_name"))) if p)
        return self.name or given or self.username or self.email or self.subject

    def in_group(self, group: str) -> bool:
        """Is ``group`` in the token's ``cognito:groups``? For showing or hiding UI; the API decides."""
        return group in self.groups

    def attribute(self, name: str, default: Any = None) -> Any:
        """A user attribute by its claim name, e.g. ``attribute("custom:tier")``. Cosmetic use only."""
        return self.attributes.get(name, default)

    @property
    def pii_claims(self) -> tuple[str, ...]:
        """Names of the personal-data claims this token carries (why it must not travel to APIs)."""
        return tuple(sorted(n for n in self.claims if is_pii_claim(n)))

    def __repr__(self) -> str:  # no personal data in logs by accident
        return f"Profile(subject={self.subject!r}, groups={list(self.groups)!r}, client_id={self.client_id!r})"


__all__ = ["Profile"]
