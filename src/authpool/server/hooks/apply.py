"""Applying a hook's overrides to the claim sets, with Cognito's rules (COGNITO.md §2.5, §7.7).

* "If your function both suppresses and replaces a claim value, then Amazon Cognito suppresses the
  claim" — suppress wins over add, for claims and for scopes.
* ``groupOverrideDetails`` replaces the group configuration and "replaces the ``cognito:groups``
  claim in access tokens and ID tokens" (in V1_0 too); an empty or null object removes the groups.
  Its roles become ``cognito:roles`` / ``cognito:preferred_role`` in the ID token.
* Reserved claims (:data:`authpool.tokens.RESERVED_CLAIMS`: Cognito's list ``acr amr aud at_hash
  auth_time azp cognito:username exp iat identities iss jti nbf nonce origin_jti sub token_use`` plus
  ``client_id scope username event_id version``) and ``device_key`` can be neither added, overridden
  nor suppressed; nor can any other ``cognito:`` claim be added (group claims go through
  ``groupOverrideDetails``; suppressing ``cognito:groups``/``cognito:roles``/
  ``cognito:preferred_role`` is allowed). Cognito ignores such changes silently; authpool ignores
  them too and reports them, or, in strict mode, fails the issuance.
* V1_0 changes only the ID token's claims; V2_0/V3_0 change both tokens and the access token's scopes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...tokens.profiles import RESERVED_CLAIMS
from ..issuance.customize import ClaimSets
from .errors import ForbiddenClaim
from .response import GroupOverride, Overrides, TokenChanges

RESERVED = RESERVED_CLAIMS | {"device_key"}
GROUP_CLAIMS = frozenset({"cognito:groups", "cognito:roles", "cognito:preferred_role"})


@dataclass(frozen=True, slots=True)
class Ignored:
    """A change to a reserved claim that was not made: ``action`` add|suppress, ``kind`` id|access."""

    claim: str
    action: str
    kind: str


def is_reserved(name: str, action: str) -> bool:
    if name in RESERVED:
        return True
    if name.startswith("cognito:"):
        return not (action == "suppress" and name in GROUP_CLAIMS)
    return False


def _edit(target: dict[str, Any], changes: TokenChanges, kind: str, ignored: list[Ignored]) -> None:
    suppressed = set(changes.suppress)
    for name, value in changes.add.items():
        if name in suppressed:
            continue  # suppress wins; a reserved name is reported once, below
        if is_reserved(name, "add"):
            ignored.append(Ignored(name, "add", kind))
        else:
            target[name] = value
    for name in dict.fromkeys(changes.suppress):
        if is_reserved(name, "suppress"):
            ignored.append(Ignored(name, "suppress", kind))
        else:
            target.pop(name, None)


def _set_or_drop(target: dict[str, Any], name: str, value: Any) -> None:
    if value:
        target[name] = value
    else:
        target.pop(name, None)


def _groups(access: dict[str, Any], id_claims: dict[str, Any] | None, override: GroupOverride) -> None:
    for target in (access, id_claims):
        if target is not None:
            _set_or_drop(target, "cognito:groups", list(override.groups))
    if id_claims is not None:
        _set_or_drop(id_claims, "cognito:roles", list(override.roles))
        _set_or_drop(id_claims, "cognito:preferred_role", override.preferred_role)


def _scopes(scopes: list[str], changes: TokenChanges) -> list[str]:
    suppressed = set(changes.scopes_suppress)
    result = [s for s in scopes if s not in suppressed]
    for scope in changes.scopes_add:
        if scope not in suppressed and scope not in result:
            result.append(scope)
    return result


def apply_overrides(version: str, overrides: Overrides, claims: ClaimSets, *, strict: bool = False,
                    invoker: str | None = None) -> tuple[ClaimSets, list[Ignored]]:
    """New claim sets with the overrides applied (the inputs are not changed), and the ignored changes.
    In strict mode the first ignored change raises :class:`ForbiddenClaim` instead."""
    access = dict(claims.access)
    id_claims = dict(claims.id) if claims.id is not None else None
    scopes = list(claims.scopes)
    ignored: list[Ignored] = []
    if overrides.groups is not None:
        _groups(access, id_claims, overrides.groups)
    if id_claims is not None:
        _edit(id_claims, overrides.id, "id", ignored)
    if version != "V1_0":
        _edit(access, overrides.access, "access", ignored)
        scopes = _scopes(scopes, overrides.access)
    if strict and ignored:
        raise ForbiddenClaim(ignored[0].claim, invoker=invoker)
    return ClaimSets(access=access, id=id_claims, scopes=scopes), ignored
