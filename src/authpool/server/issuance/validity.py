"""Token lifetimes from an app client's Cognito settings (COGNITO.md §1.5).

``AccessTokenValidity`` / ``IdTokenValidity`` (default 1, unit hours; allowed 5 minutes to 1 day) and
``RefreshTokenValidity`` (default 30, unit days; allowed 60 minutes to 10 years; 0 means the
default), each read in the unit ``TokenValidityUnits`` gives.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import InvalidParameter

UNIT_SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}
#: (settings key, units key, default value, default unit, min seconds, max seconds)
_RULES = {
    "access": ("AccessTokenValidity", "AccessToken", 1, "hours", 300, 86400),
    "id": ("IdTokenValidity", "IdToken", 1, "hours", 300, 86400),
    "refresh": ("RefreshTokenValidity", "RefreshToken", 30, "days", 3600, 315_360_000),
}


@dataclass(frozen=True, slots=True)
class Validities:
    access: int
    id: int
    refresh: int


def _seconds(settings: Mapping[str, Any], kind: str) -> int:
    key, unit_key, default, default_unit, low, high = _RULES[kind]
    value = settings.get(key) or default  # Cognito: 0 / absent means the default
    unit = (settings.get("TokenValidityUnits") or {}).get(unit_key) or default_unit
    if unit not in UNIT_SECONDS or not isinstance(value, int) or isinstance(value, bool):
        raise InvalidParameter(f"Invalid {key} or its unit.")
    seconds = value * UNIT_SECONDS[unit]
    if not low <= seconds <= high:
        raise InvalidParameter(f"{key} must be between {low} and {high} seconds.")
    return seconds


def validities(settings: Mapping[str, Any]) -> Validities:
    """The client's token lifetimes in seconds; raises InvalidParameter outside Cognito's ranges."""
    result = Validities(access=_seconds(settings, "access"), id=_seconds(settings, "id"),
                        refresh=_seconds(settings, "refresh"))
    if max(result.access, result.id) > result.refresh:
        raise InvalidParameter("Access and ID token validity must not exceed the refresh token validity.")
    return result
