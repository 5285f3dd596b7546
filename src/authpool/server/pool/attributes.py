"""User attributes: the standard set, custom attribute definitions, and value checks.

Standard attributes are the OpenID Connect Core 1.0 §5.1 claims Cognito keeps in every pool's
schema (Cognito developer guide "Working with user attributes"; ``DescribeUserPool``'s
``SchemaAttributes``). ``sub`` is set by the server and never written by anyone.

Custom attributes (botocore ``SchemaAttributeType``; COGNITO.md §3 quotas): named ``custom:<name>``
with 1..20 characters after the prefix, at most 50 per pool, type String | Number | Boolean |
DateTime, optional ``StringAttributeConstraints`` {MinLength, MaxLength} or
``NumberAttributeConstraints`` {MinValue, MaxValue} (numbers as strings, as on the wire), never
required. Every value is a string of at most 2048 characters (``AttributeValueType``); custom
values appear in ID tokens as strings whatever their type (COGNITO.md §1.3). Error messages name
the attribute, never its value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..errors import InvalidParameter
from ..store.records import AttributeSchemaRecord

CUSTOM_PREFIX = "custom:"
MAX_CUSTOM_ATTRIBUTES = 50
MAX_VALUE_LENGTH = 2048
TYPES = ("String", "Number", "Boolean", "DateTime")
_CUSTOM_NAME = re.compile(r"^[\w.\-]{1,20}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+[0-9]{4,15}$")  # E.164
_INTEGER = re.compile(r"^-?[0-9]{1,19}$")


@dataclass(frozen=True, slots=True)
class AttributeDef:
    name: str
    type: str = "String"
    mutable: bool = True
    developer_only: bool = False
    required: bool = False
    constraints: dict[str, Any] = field(default_factory=dict)


_STRING = {"MinLength": "0", "MaxLength": "2048"}
STANDARD_ATTRIBUTES: dict[str, AttributeDef] = {
    d.name: d
    for d in [
        AttributeDef("sub", mutable=False, required=True, constraints={"MinLength": "1", "MaxLength": "2048"}),
        *(
            AttributeDef(n, constraints=dict(_STRING))
            for n in (
                "name", "given_name", "family_name", "middle_name", "nickname", "preferred_username",
                "profile", "picture", "website", "email", "gender", "zoneinfo", "locale",
                "phone_number", "address",
            )
        ),
        AttributeDef("birthdate", constraints={"MinLength": "10", "MaxLength": "10"}),
        AttributeDef("email_verified", type="Boolean"),
        AttributeDef("phone_number_verified", type="Boolean"),
        AttributeDef("updated_at", type="Number", constraints={"MinValue": "0"}),
    ]
}  # fmt: skip


def custom_definition(spec: Mapping[str, Any]) -> AttributeDef:
    """Parse a Cognito ``SchemaAttributeType`` for a custom attribute (``Name`` with or without the
    ``custom:`` prefix)."""
    raw = str(spec.get("Name", ""))
    short = raw.removeprefix(CUSTOM_PREFIX)
    if not _CUSTOM_NAME.match(short):
        raise InvalidParameter("Custom attribute names must be 1 to 20 letters, digits, '_', '.' or '-'.")
    kind = spec.get("AttributeDataType", "String")
    if kind not in TYPES:
        raise InvalidParameter(f"Invalid AttributeDataType for custom:{short}.")
    if spec.get("Required", False):
        raise InvalidParameter("Required custom attributes are not supported currently.")
    constraints: dict[str, Any] = {}
    if kind == "String":
        constraints = {k: str(v) for k, v in (spec.get("StringAttributeConstraints") or {}).items()}
        _check_bounds(constraints, "MinLength", "MaxLength", 0, MAX_VALUE_LENGTH, short)
    elif kind == "Number":
        constraints = {k: str(v) for k, v in (spec.get("NumberAttributeConstraints") or {}).items()}
        _check_bounds(constraints, "MinValue", "MaxValue", None, None, short)
    return AttributeDef(
        name=CUSTOM_PREFIX + short,
        type=kind,
        mutable=bool(spec.get("Mutable", True)),
        developer_only=bool(spec.get("DeveloperOnlyAttribute", False)),
        constraints=constraints,
    )


def _check_bounds(
    c: dict[str, Any], lo: str, hi: str, floor: int | None, ceil: int | None, name: str
) -> None:
    unknown = set(c) - {lo, hi}
    if unknown:
        raise InvalidParameter(f"Unknown constraint for custom:{name}.")
    try:
        low = int(c[lo]) if lo in c else None
        high = int(c[hi]) if hi in c else None
    except ValueError:
        raise InvalidParameter(f"Constraints of custom:{name} must be integers.") from None
    for v in (low, high):
        if v is not None and ((floor is not None and v < floor) or (ceil is not None and v > ceil)):
            raise InvalidParameter(f"Constraints of custom:{name} are out of range.")
    if low is not None and high is not None and low > high:
        raise InvalidParameter(f"Constraints of custom:{name}: minimum is above maximum.")


def _schema_error(name: str, reason: str) -> InvalidParameter:
    return InvalidParameter(f"Attributes did not conform to the schema: {name}: {reason}")


def check_value(attr: AttributeSchemaRecord | AttributeDef, value: str) -> None:
    """Raise InvalidParameter unless ``value`` fits the attribute's type and constraints."""
    name, c = attr.name, attr.constraints
    if not isinstance(value, str):
        raise _schema_error(name, "Attribute values must be strings.")
    if len(value) > MAX_VALUE_LENGTH:
        raise _schema_error(name, "Attribute value is too long.")
    if attr.type == "String":
        if "MinLength" in c and len(value) < int(c["MinLength"]):
            raise _schema_error(name, "Attribute value is too short.")
        if "MaxLength" in c and len(value) > int(c["MaxLength"]):
            raise _schema_error(name, "Attribute value is too long.")
    elif attr.type == "Number":
        if not _INTEGER.match(value):
            raise _schema_error(name, "Attribute value must be an integer.")
        if ("MinValue" in c and int(value) < int(c["MinValue"])) or (
            "MaxValue" in c and int(value) > int(c["MaxValue"])
        ):
            raise _schema_error(name, "Attribute value is out of range.")
    elif attr.type == "Boolean":
        if value not in ("true", "false"):
            raise _schema_error(name, 'Attribute value must be "true" or "false".')
    elif attr.type == "DateTime":
        try:
            datetime.fromisoformat(value)
        except ValueError:
            raise _schema_error(name, "Attribute value must be an ISO 8601 date-time.") from None
    if name == "email" and value and not _EMAIL.match(value):
        raise InvalidParameter("Invalid email address format.")
    if name == "phone_number" and value and not _PHONE.match(value):
        raise InvalidParameter("Invalid phone number format.")


def looks_like(name: str, value: str) -> bool:
    """Whether ``value`` has the shape of an ``email`` or ``phone_number``."""
    return bool((_EMAIL if name == "email" else _PHONE).match(value))


def validate_attributes(
    schema: Iterable[AttributeSchemaRecord],
    attributes: Mapping[str, str],
    *,
    creating: bool,
    as_admin: bool,
) -> None:
    """Check names, writability and values against the pool's schema.

    ``creating``: immutable attributes may be set only now, and required ones must be present.
    ``as_admin``: developer-only attributes may be written only through admin operations.
    """
    by_name = {a.name: a for a in schema}
    for name, value in attributes.items():
        if name == "sub":
            raise InvalidParameter(
                "Attributes did not conform to the schema: sub: The attribute cannot be set."
            )
        attr = by_name.get(name)
        if attr is None:
            raise _schema_error(name, "Attribute does not exist in the schema.")
        if not attr.mutable and not creating:
            raise InvalidParameter(f"Cannot modify the non-mutable attribute {name}")
        if attr.developer_only and not as_admin:
            raise InvalidParameter(f"Cannot modify the developer-only attribute {name}")
        check_value(attr, value)
    if creating:
        for attr in by_name.values():
            if attr.required and attr.name != "sub" and not attributes.get(attr.name):
                raise _schema_error(attr.name, "The attribute is required")
