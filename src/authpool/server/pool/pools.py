"""User pools: create, describe, update, delete, and their attribute schema.

Settings are stored in Cognito's ``CreateUserPool`` / ``DescribeUserPool`` shape (PascalCase), so
the JSON API hands them through. Defaults follow Cognito (COGNITO.md §1.5, §4; botocore
service-2.json): password policy 8 characters with all four classes and 7-day temporary passwords,
MFA ``OFF``, no username or alias attributes, self sign-up allowed. authpool adds
``SigningAlgorithm`` (``RS256`` default, ``ES256`` or ``EdDSA``; DESIGN.md "Token profiles").
Like Cognito's UpdateUserPool, :meth:`PoolService.update` replaces the settings: members left out
return to their defaults (pass ``merge=True`` to change only the members given), except the sign-in
options ``UsernameAttributes`` and ``AliasAttributes``, which are fixed at creation as in Cognito.

``MfaConfiguration`` ``OFF`` / ``OPTIONAL`` / ``ON`` switches software-token (TOTP) MFA, authpool's only
factor (``mfa.py``): where Cognito needs SetUserPoolMfaConfig to turn TOTP on, a pool created or
updated with ``ON`` or ``OPTIONAL`` here has it.

authpool's limits, loud rather than silent: user names are case-insensitive (one account per
name in any case; ``UsernameConfiguration.CaseSensitive: true`` is refused). Settings members
authpool does not use yet (e.g. ``EmailConfiguration``) are kept as given.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any

from .. import cache
from ..errors import AlreadyExists, InvalidParameter, LimitExceeded
from ..store import Page, PoolRecord, UnitOfWork
from ..store.records import AttributeSchemaRecord
from . import ids
from ._service import Service, check_limit, check_name
from .attributes import MAX_CUSTOM_ATTRIBUTES, STANDARD_ATTRIBUTES, AttributeDef, custom_definition
from .mfa import MFA_CONFIGURATIONS
from .passwords import PasswordPolicy

SIGNING_ALGORITHMS = ("RS256", "ES256", "EdDSA")
DEFAULT_SIGNING_ALGORITHM = "RS256"


def default_settings() -> dict[str, Any]:
    return {
        "Policies": {"PasswordPolicy": PasswordPolicy().to_cognito()},
        "LambdaConfig": {},
        "MfaConfiguration": "OFF",
        "AutoVerifiedAttributes": [],
        "UsernameAttributes": [],
        "AliasAttributes": [],
        "UsernameConfiguration": {"CaseSensitive": False},
        "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": False},
        "SigningAlgorithm": DEFAULT_SIGNING_ALGORITHM,
    }


def _subset(settings: Mapping[str, Any], key: str, allowed: set[str]) -> list[str]:
    values = settings.get(key) or []
    if not isinstance(values, list) or not set(values) <= allowed:
        raise InvalidParameter(f"{key} may contain only {', '.join(sorted(allowed))}.")
    return list(dict.fromkeys(values))


#: Fixed when the pool is created, as in Cognito (UpdateUserPool has no such members): the store's
#: sign-in aliases (pool/sign_in_aliases.py) follow from them. An update keeps them.
CREATE_ONLY = ("UsernameAttributes", "AliasAttributes")


def normalize_settings(given: Mapping[str, Any] | None) -> dict[str, Any]:
    """Cognito defaults overlaid with ``given``, checked. Raises InvalidParameter."""
    settings = default_settings()
    settings.update(copy.deepcopy(dict(given or {})))
    policies = dict(settings.get("Policies") or {})
    policy = PasswordPolicy.from_cognito(policies.get("PasswordPolicy"))
    policy.validate()
    settings["Policies"] = {**policies, "PasswordPolicy": policy.to_cognito()}
    if settings["MfaConfiguration"] not in MFA_CONFIGURATIONS:
        raise InvalidParameter("MfaConfiguration must be OFF, ON or OPTIONAL.")
    settings["UsernameAttributes"] = _subset(settings, "UsernameAttributes", {"email", "phone_number"})
    settings["AliasAttributes"] = _subset(
        settings, "AliasAttributes", {"email", "phone_number", "preferred_username"}
    )
    settings["AutoVerifiedAttributes"] = _subset(
        settings, "AutoVerifiedAttributes", {"email", "phone_number"}
    )
    if settings["UsernameAttributes"] and settings["AliasAttributes"]:
        raise InvalidParameter("UsernameAttributes and AliasAttributes cannot be set together.")
    if (settings.get("UsernameConfiguration") or {}).get("CaseSensitive", False):
        raise InvalidParameter("authpool user names are case-insensitive: CaseSensitive must be false.")
    settings["UsernameConfiguration"] = {"CaseSensitive": False}
    if settings["SigningAlgorithm"] not in SIGNING_ALGORITHMS:
        raise InvalidParameter(f"SigningAlgorithm must be one of {', '.join(SIGNING_ALGORITHMS)}.")
    if not isinstance(settings["LambdaConfig"], dict):
        raise InvalidParameter("LambdaConfig must be an object.")
    if not isinstance(settings.get("AdminCreateUserConfig"), dict):
        raise InvalidParameter("AdminCreateUserConfig must be an object.")
    return settings


def password_policy(pool: PoolRecord) -> PasswordPolicy:
    return PasswordPolicy.from_cognito((pool.settings.get("Policies") or {}).get("PasswordPolicy"))


def _definitions(schema: Iterable[Mapping[str, Any]]) -> list[AttributeDef]:
    """Standard attributes (with ``Required``/``Mutable`` as given) followed by the custom ones."""
    standard = dict(STANDARD_ATTRIBUTES)
    custom: dict[str, AttributeDef] = {}
    for spec in schema:
        name = spec.get("Name")
        if name in standard and name != "sub":
            base = standard[name]
            standard[name] = AttributeDef(
                name=base.name,
                type=base.type,
                mutable=bool(spec.get("Mutable", base.mutable)),
                required=bool(spec.get("Required", base.required)),
                constraints=base.constraints,
            )
        elif name != "sub":
            d = custom_definition(spec)
            if d.name in custom:
                raise InvalidParameter(f"Duplicate attribute {d.name}.")
            custom[d.name] = d
    if len(custom) > MAX_CUSTOM_ATTRIBUTES:
        raise LimitExceeded(f"A user pool can have at most {MAX_CUSTOM_ATTRIBUTES} custom attributes.")
    return [*standard.values(), *custom.values()]


class PoolService(Service):
    def __init__(self, db, *, region: str = ids.DEFAULT_REGION) -> None:
        super().__init__(db)
        self.region = region

    def create(
        self,
        name: str,
        *,
        settings: Mapping[str, Any] | None = None,
        schema: Iterable[Mapping[str, Any]] = (),
        tx: UnitOfWork | None = None,
    ) -> PoolRecord:
        """CreateUserPool. ``schema`` is Cognito's ``Schema`` list (custom names with or without the
        ``custom:`` prefix; standard names set ``Required``/``Mutable``)."""
        check_name(name, "PoolName")
        normalized = normalize_settings(settings)
        definitions = _definitions(schema)
        with self._tx(tx) as t:
            for attempt in range(5):
                try:
                    pool = t.pools.create(id=ids.new_pool_id(self.region), name=name, settings=normalized)
                    break
                except AlreadyExists:  # a 53-bit id collided; draw again
                    if attempt == 4:
                        raise
            for d in definitions:
                t.pools.add_attribute(
                    pool.id,
                    name=d.name,
                    type=d.type,
                    mutable=d.mutable,
                    developer_only=d.developer_only,
                    required=d.required,
                    constraints=d.constraints,
                )
            self._audit(t, "pool.created", pool_id=pool.id, target=pool.id)
        return pool

    def describe(self, pool_id: str, *, tx: UnitOfWork | None = None) -> PoolRecord:
        with self._tx(tx, readonly=True) as t:
            return t.pools.require(pool_id)

    def list(
        self, *, limit: int = 60, next_token: str | None = None, tx: UnitOfWork | None = None
    ) -> Page[PoolRecord]:
        with self._tx(tx, readonly=True) as t:
            return t.pools.list(limit=check_limit(limit), next_token=next_token)

    def update(
        self,
        pool_id: str,
        *,
        name: str | None = None,
        settings: Mapping[str, Any] | None = None,
        merge: bool = False,
        tx: UnitOfWork | None = None,
    ) -> PoolRecord:
        if name is not None:
            check_name(name, "PoolName")
        with self._tx(tx) as t:
            current = t.pools.require(pool_id)
            new_settings = None
            if settings is not None:
                given = {**current.settings, **settings} if merge else dict(settings)
                for key in CREATE_ONLY:
                    if key in given and set(given[key] or []) != set(current.settings.get(key) or []):
                        raise InvalidParameter(f"{key} cannot be changed after the user pool is created.")
                    given[key] = current.settings.get(key) or []
                new_settings = normalize_settings(given)
            pool = t.pools.update(pool_id, name=name, settings=new_settings)
            self._audit(t, "pool.updated", pool_id=pool_id, target=pool_id)
        return pool

    def delete(self, pool_id: str, *, tx: UnitOfWork | None = None) -> None:
        with self._tx(tx) as t:
            t.pools.delete(pool_id)
            self._audit(t, "pool.deleted", pool_id=pool_id, target=pool_id)
            # Its clients and keys went with it (server/cache.py): forget them once this commits.
            t.after_commit(lambda: (cache.invalidate(cache.CLIENTS), cache.invalidate(cache.SIGNING_KEYS, pool_id)))

    def schema(self, pool_id: str, *, tx: UnitOfWork | None = None) -> list[AttributeSchemaRecord]:
        with self._tx(tx, readonly=True) as t:
            t.pools.require(pool_id)
            return t.pools.attributes(pool_id)

    def add_custom_attributes(
        self, pool_id: str, specs: Iterable[Mapping[str, Any]], *, tx: UnitOfWork | None = None
    ) -> list[AttributeSchemaRecord]:
        """AddCustomAttributes. Raises AlreadyExists(attribute) for a name already in the schema."""
        definitions = [custom_definition(s) for s in specs]
        with self._tx(tx) as t:
            t.pools.require(pool_id)
            existing = [a for a in t.pools.attributes(pool_id) if a.name.startswith("custom:")]
            if len(existing) + len(definitions) > MAX_CUSTOM_ATTRIBUTES:
                raise LimitExceeded(
                    f"A user pool can have at most {MAX_CUSTOM_ATTRIBUTES} custom attributes."
                )
            added = [
                t.pools.add_attribute(
                    pool_id,
                    name=d.name,
                    type=d.type,
                    mutable=d.mutable,
                    developer_only=d.developer_only,
                    constraints=d.constraints,
                )
                for d in definitions
            ]
            self._audit(
                t,
                "pool.attributes_added",
                pool_id=pool_id,
                target=pool_id,
                detail={"names": [d.name for d in definitions]},
            )
        return added
