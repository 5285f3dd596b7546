"""Typed, bounded access to a Cognito request body.

Every member is read through :class:`Params`, which checks its type, length and pattern against the
bounds of botocore's service model (``service-2.json``, e.g. ``UserPoolIdType`` 1..55,
``UsernameType`` 1..128, ``PasswordType`` <= 256, ``AttributeValueType`` <= 2048) before any
service sees it. A bad value raises ``InvalidParameterException`` with AWS's validation wording
("1 validation error detected: Value at 'userPoolId' failed to satisfy constraint: ..."); the
message names the member, never its value (which may be a password or personal data).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .errors import CognitoError, invalid_parameter

# botocore service-2.json patterns and bounds.
POOL_ID = {"max": 55, "pattern": re.compile(r"[\w-]+_[0-9a-zA-Z]+")}
CLIENT_ID = {"max": 128, "pattern": re.compile(r"[\w+]+")}
USERNAME = {"max": 128}
PASSWORD = {"min": 0, "max": 256}
GROUP_NAME = {"max": 128}
TOKEN = {"max": 16 * 1024, "pattern": re.compile(r"[A-Za-z0-9\-_=.]+")}  # TokenModelType (bounded here)
SECRET_HASH = {"max": 128, "pattern": re.compile(r"[\w+=/]+")}
CLIENT_SECRET = {"max": 64, "pattern": re.compile(r"[\w+]+")}
SESSION = {"min": 20, "max": 4096}
CODE = {"max": 2048, "pattern": re.compile(r"[\S]+")}
NEXT_TOKEN = {"max": 4096}
MAX_LIST_ITEMS = 200
MAX_MAP_ITEMS = 100


def _member(name: str) -> str:
    return name[:1].lower() + name[1:]


def validation_error(name: str, constraint: str) -> CognitoError:
    return invalid_parameter(
        f"1 validation error detected: Value at '{_member(name)}' failed to satisfy constraint: {constraint}"
    )


def required_members(values: Mapping[str, str], *names: str) -> list[str]:
    """The values of the AuthParameters / ChallengeResponses members a flow cannot do without, in the
    order named; the first one missing or empty is InvalidParameterException "Missing required parameter
    NAME" (Cognito's wording)."""
    for name in names:
        if not values.get(name):
            raise invalid_parameter(f"Missing required parameter {name}")
    return [values[name] for name in names]


class Params:
    """The request body (a JSON object) with checked getters. ``required=True`` refuses a missing
    or null member; otherwise a missing member reads as ``default``."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data

    def __contains__(self, name: str) -> bool:
        return self.data.get(name) is not None

    def _get(self, name: str, required: bool) -> Any:
        value = self.data.get(name)
        if value is None and required:
            raise validation_error(name, "Member must not be null")
        return value

    def str(self, name: str, *, required: bool = False, min: int = 1, max: int = 2048,
            pattern: re.Pattern[str] | None = None, choices: tuple[str, ...] | None = None,
            default: str | None = None) -> str | None:
        value = self._get(name, required)
        if value is None:
            return default
        if not isinstance(value, str):
            raise validation_error(name, "Member must be a string")
        if not min <= len(value) <= max:
            raise validation_error(name, f"Member must have length between {min} and {max}")
        if pattern is not None and not pattern.fullmatch(value):
            raise validation_error(name, f"Member must satisfy regular expression pattern: {pattern.pattern}")
        if choices is not None and value not in choices:
            raise validation_error(name, f"Member must satisfy enum value set: [{', '.join(choices)}]")
        return value

    def int(self, name: str, *, required: bool = False, min: int | None = None, max: int | None = None,
            default: int | None = None) -> int | None:
        value = self._get(name, required)
        if value is None:
            return default
        if not isinstance(value, int) or isinstance(value, bool):
            raise validation_error(name, "Member must be an integer")
        if (min is not None and value < min) or (max is not None and value > max):
            raise validation_error(name, f"Member must have value between {min} and {max}")
        return value

    def bool(self, name: str, *, default: bool | None = None) -> bool | None:
        value = self._get(name, False)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise validation_error(name, "Member must be a boolean")
        return value

    def str_list(self, name: str, *, required: bool = False, max_items: int = MAX_LIST_ITEMS,
                 item_max: int = 2048) -> list[str] | None:
        value = self._get(name, required)
        if value is None:
            return None
        if (not isinstance(value, list) or len(value) > max_items
                or not all(isinstance(v, str) and len(v) <= item_max for v in value)):
            raise validation_error(name, f"Member must be a list of at most {max_items} strings")
        return list(value)

    def str_map(self, name: str, *, max_items: int = MAX_MAP_ITEMS, key_max: int = 256,
                value_max: int = 4096) -> dict[str, str]:
        value = self._get(name, False)
        if value is None:
            return {}
        if (not isinstance(value, dict) or len(value) > max_items
                or not all(isinstance(k, str) and len(k) <= key_max and isinstance(v, str) and len(v) <= value_max
                           for k, v in value.items())):
            raise validation_error(name, f"Member must be a map of at most {max_items} strings")
        return dict(value)

    def obj(self, name: str, *, required: bool = False) -> dict[str, Any] | None:
        value = self._get(name, required)
        if value is not None and not isinstance(value, dict):
            raise validation_error(name, "Member must be a structure")
        return value

    def obj_list(self, name: str, *, required: bool = False, max_items: int = MAX_LIST_ITEMS) -> list[dict] | None:
        value = self._get(name, required)
        if value is None:
            return None
        if not isinstance(value, list) or len(value) > max_items or not all(isinstance(v, dict) for v in value):
            raise validation_error(name, f"Member must be a list of at most {max_items} structures")
        return value

    def attributes(self, name: str, *, required: bool = False) -> dict[str, str] | None:
        """Cognito's ``AttributeListType``: ``[{"Name": .., "Value": ..}]`` -> a dict (later wins)."""
        items = self.obj_list(name, required=required, max_items=100)
        if items is None:
            return None
        out: dict[str, str] = {}
        for item in items:
            attr, value = item.get("Name"), item.get("Value", "")
            if not isinstance(attr, str) or not 1 <= len(attr) <= 32:
                raise validation_error(name, "Member must have a Name of 1 to 32 characters")
            if not isinstance(value, str) or len(value) > 2048:
                raise validation_error(name, "Member must have a Value of at most 2048 characters")
            out[attr] = value
        return out
