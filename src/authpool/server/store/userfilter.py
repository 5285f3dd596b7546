"""The ``Filter`` of Cognito's ListUsers: ``AttributeName Filter-Type "AttributeValue"``.

From the ListUsers API reference (botocore service-2.json ``ListUsersRequest.Filter``):
- one attribute per filter; ``=`` is an exact match, ``^=`` a prefix ("starts with") match;
- quotation marks inside the value are escaped with a backslash: ``family_name = "Reddy"``;
- an empty filter returns every user;
- searchable: ``username`` (case-sensitive), ``email``, ``phone_number``, ``name``, ``given_name``,
  ``family_name``, ``preferred_username``, ``cognito:user_status`` (case-insensitive), ``status``
  (``Enabled``/``Disabled``, case-sensitive), ``sub``. Custom attributes are not searchable.
The filter string is at most 256 characters.

authpool matches attribute values case-sensitively, on both databases alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import InvalidParameter

MAX_FILTER_LENGTH = 256
SEARCHABLE_ATTRIBUTES = frozenset(
    {"email", "phone_number", "name", "given_name", "family_name", "preferred_username"}
)
SPECIAL_FIELDS = frozenset({"username", "cognito:user_status", "status", "sub"})

_FILTER = re.compile(r'^\s*(?P<name>[\w:]+)\s*(?P<op>\^?=)\s*"(?P<value>(?:[^"\\]|\\.)*)"\s*$', re.DOTALL)


@dataclass(frozen=True, slots=True)
class UserFilter:
    """A parsed filter. ``prefix`` is True for ``^=``."""

    attribute: str
    value: str
    prefix: bool = False


def parse_user_filter(text: str | None) -> UserFilter | None:
    """Parse a Cognito ListUsers filter; None for an empty one. Raises InvalidParameter."""
    if text is None or not text.strip():
        return None
    if len(text) > MAX_FILTER_LENGTH:
        raise InvalidParameter("Filter must have length less than or equal to 256.")
    m = _FILTER.match(text)
    if m is None:
        raise InvalidParameter("Error while parsing filter.")
    name = m["name"]
    if name not in SEARCHABLE_ATTRIBUTES and name not in SPECIAL_FIELDS:
        raise InvalidParameter(f"Invalid search attribute: {name}")
    value = re.sub(r"\\(.)", r"\1", m["value"], flags=re.DOTALL)
    return UserFilter(attribute=name, value=value, prefix=m["op"] == "^=")
