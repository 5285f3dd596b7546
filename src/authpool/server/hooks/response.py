"""Reading a handler's answer: the event with ``response`` filled in, checked field by field.

Shapes (COGNITO.md §2.5-§2.6; aws-lambda-go ``events/cognito.go``; @types/aws-lambda
``pre-token-generation-v2.d.ts``/``-v3.d.ts``):

* V1_0 ``response.claimsOverrideDetails``: ``claimsToAddOrOverride`` (string values),
  ``claimsToSuppress``, ``groupOverrideDetails``.
* V2_0/V3_0 ``response.claimsAndScopeOverrideDetails``: ``idTokenGeneration`` {``claimsToAddOrOverride``,
  ``claimsToSuppress``}, ``accessTokenGeneration`` {the same, ``scopesToAdd``, ``scopesToSuppress``},
  ``groupOverrideDetails``.

Value types (Cognito developer guide, "Event versions"): V1 claim values are strings (numbers and
booleans are turned into strings); V2/V3 values may be strings, numbers, booleans, arrays of those,
or JSON objects, except that in the ID token ``phone_number_verified``, ``email_verified``,
``updated_at`` and ``address`` take no array or object. Anything else is an invalid response.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import InvalidHookResponse

MAX_ITEMS = 1000  # entries per claim map or list: a bound on work, well above any real use
MAX_NAME = 256  # characters in a claim name
MAX_SCOPE = 512  # characters in a scope (a resource-server identifier plus a scope name)
MAX_DEPTH = 16  # nesting of a JSON-object claim value
SIMPLE_ONLY_IN_ID_TOKEN = frozenset({"phone_number_verified", "email_verified", "updated_at", "address"})
_INT64 = 2**63


@dataclass(frozen=True, slots=True)
class TokenChanges:
    add: dict[str, Any] = field(default_factory=dict)
    suppress: tuple[str, ...] = ()
    scopes_add: tuple[str, ...] = ()
    scopes_suppress: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class GroupOverride:
    """``groupOverrideDetails`` as given: it *replaces* the group configuration (empty = no groups)."""

    groups: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    preferred_role: str | None = None


@dataclass(frozen=True, slots=True)
class Overrides:
    id: TokenChanges = field(default_factory=TokenChanges)
    access: TokenChanges = field(default_factory=TokenChanges)
    groups: GroupOverride | None = None  # None: leave the groups as they are


class _Reader:
    def __init__(self, invoker: str | None) -> None:
        self.invoker = invoker

    def fail(self, where: str) -> InvalidHookResponse:
        return InvalidHookResponse(f"Unrecognizable lambda output: {where} is malformed.", invoker=self.invoker)

    def mapping(self, value: Any, where: str) -> Mapping[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, Mapping) or len(value) > MAX_ITEMS or not all(isinstance(k, str) for k in value):
            raise self.fail(where)
        return value

    def strings(self, value: Any, where: str, *, limit: int = MAX_NAME) -> tuple[str, ...]:
        if value is None:
            return ()
        if not isinstance(value, list | tuple) or len(value) > MAX_ITEMS:
            raise self.fail(where)
        if not all(isinstance(v, str) and 0 < len(v) <= limit for v in value):
            raise self.fail(where)
        return tuple(value)

    def scopes(self, value: Any, where: str) -> tuple[str, ...]:
        """RFC 6749 §3.3: a scope token is 1*( %x21 / %x23-5B / %x5D-7E ) (no space, quote or backslash)."""
        scopes = self.strings(value, where, limit=MAX_SCOPE)
        if any(not all(0x21 <= ord(c) <= 0x7E and c not in '"\\' for c in s) for s in scopes):
            raise self.fail(where)
        return scopes

    def scalar(self, value: Any) -> bool:
        if isinstance(value, bool | str):
            return True
        if isinstance(value, int):
            return -_INT64 <= value < _INT64
        return isinstance(value, float) and math.isfinite(value)

    def json_value(self, value: Any, depth: int) -> bool:
        if value is None or self.scalar(value):
            return True
        if depth >= MAX_DEPTH:
            return False
        if isinstance(value, list | tuple):
            return len(value) <= MAX_ITEMS and all(self.json_value(v, depth + 1) for v in value)
        if isinstance(value, Mapping):
            return len(value) <= MAX_ITEMS and all(
                isinstance(k, str) and self.json_value(v, depth + 1) for k, v in value.items())
        return False

    def claims(self, value: Any, where: str, *, version: str, id_token: bool) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, claim in self.mapping(value, where).items():
            if not 0 < len(name) <= MAX_NAME:
                raise self.fail(where)
            if version == "V1_0":
                out[name] = self.v1_value(claim, where)
                continue
            if self.scalar(claim):
                out[name] = claim
            elif id_token and name in SIMPLE_ONLY_IN_ID_TOKEN:
                raise self.fail(f"{where}.{name}")
            elif isinstance(claim, list | tuple) and len(claim) <= MAX_ITEMS and all(self.scalar(v) for v in claim):
                out[name] = list(claim)
            elif isinstance(claim, Mapping) and self.json_value(claim, 1):
                out[name] = _plain(claim)
            else:
                raise self.fail(f"{where}.{name}")
        return out

    def v1_value(self, value: Any, where: str) -> str:
        if isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        if self.scalar(value):
            return str(value)
        raise self.fail(where)

    def group_override(self, value: Any, where: str) -> GroupOverride:
        details = self.mapping(value, where)  # null or {} -> no groups (Cognito: "the groups are suppressed")
        preferred = details.get("preferredRole")
        if preferred is not None and not isinstance(preferred, str):
            raise self.fail(f"{where}.preferredRole")
        return GroupOverride(groups=self.strings(details.get("groupsToOverride"), f"{where}.groupsToOverride"),
                             roles=self.strings(details.get("iamRolesToOverride"), f"{where}.iamRolesToOverride",
                                                limit=2048),
                             preferred_role=preferred or None)


def _plain(value: Any) -> Any:
    """A detached copy made of dicts and lists only (the handler keeps no reference into a token)."""
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def parse_response(version: str, returned: Any, *, invoker: str | None = None) -> Overrides:
    """The overrides in a handler's answer. Raises InvalidHookResponse for a malformed one; a null or
    empty details object means "no changes" (the event as Cognito sent it)."""
    r = _Reader(invoker)
    if not isinstance(returned, Mapping) or not isinstance(returned.get("response", None), Mapping):
        raise r.fail("the returned event or its response")
    response = returned["response"]
    key = "claimsOverrideDetails" if version == "V1_0" else "claimsAndScopeOverrideDetails"
    details = r.mapping(response.get(key), key)
    groups = (r.group_override(details["groupOverrideDetails"], f"{key}.groupOverrideDetails")
              if "groupOverrideDetails" in details else None)
    if version == "V1_0":
        changes = TokenChanges(add=r.claims(details.get("claimsToAddOrOverride"), f"{key}.claimsToAddOrOverride",
                                            version=version, id_token=True),
                               suppress=r.strings(details.get("claimsToSuppress"), f"{key}.claimsToSuppress"))
        return Overrides(id=changes, groups=groups)
    tokens = {}
    for kind, name in (("id", "idTokenGeneration"), ("access", "accessTokenGeneration")):
        where = f"{key}.{name}"
        block = r.mapping(details.get(name), where)
        scopes = {}
        if kind == "access":
            scopes = {"scopes_add": r.scopes(block.get("scopesToAdd"), f"{where}.scopesToAdd"),
                      "scopes_suppress": r.scopes(block.get("scopesToSuppress"), f"{where}.scopesToSuppress")}
        tokens[kind] = TokenChanges(
            add=r.claims(block.get("claimsToAddOrOverride"), f"{where}.claimsToAddOrOverride",
                         version=version, id_token=kind == "id"),
            suppress=r.strings(block.get("claimsToSuppress"), f"{where}.claimsToSuppress"), **scopes)
    return Overrides(id=tokens["id"], access=tokens["access"], groups=groups)
