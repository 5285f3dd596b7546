"""Resource servers and their custom scopes (Cognito CreateResourceServer and friends; COGNITO.md §3).

From botocore service-2.json: ``Identifier`` 1..256 characters of ``[\\x21\\x23-\\x5B\\x5D-\\x7E]``
(printable ASCII without space, ``"`` or ``\\``; a URL or a plain name), ``Name`` 1..256 of
``[\\w\\s+=,.@-]``, ``ScopeName`` 1..256 of ``[\\x21\\x23-\\x2E\\x30-\\x5B\\x5D-\\x7E]`` (also no ``/``),
``ScopeDescription`` 1..256, at most 100 scopes. Scopes are granted as ``<identifier>/<ScopeName>``.
Quota: 25 resource servers per pool (limits.md's default).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from ..errors import InvalidParameter, LimitExceeded
from ..store import Page, ResourceServerRecord, UnitOfWork
from ._service import Service, check_limit, check_name

MAX_SERVERS_PER_POOL = 25
MAX_SCOPES = 100
_IDENTIFIER = re.compile(r"^[\x21\x23-\x5B\x5D-\x7E]{1,256}$")
_SCOPE_NAME = re.compile(r"^[\x21\x23-\x2E\x30-\x5B\x5D-\x7E]{1,256}$")


def normalize_scopes(scopes: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for scope in scopes:
        name, description = scope.get("ScopeName"), scope.get("ScopeDescription")
        if not isinstance(name, str) or not _SCOPE_NAME.match(name):
            raise InvalidParameter(
                "ScopeName must be 1 to 256 printable characters without space, '/', '\"' or '\\'."
            )
        if not isinstance(description, str) or not 1 <= len(description) <= 256:
            raise InvalidParameter("ScopeDescription must be 1 to 256 characters.")
        if any(s["ScopeName"] == name for s in out):
            raise InvalidParameter(f"Duplicate scope {name}.")
        out.append({"ScopeName": name, "ScopeDescription": description})
    if len(out) > MAX_SCOPES:
        raise InvalidParameter(f"A resource server can have at most {MAX_SCOPES} scopes.")
    return out


def check_identifier(identifier: Any) -> str:
    if not isinstance(identifier, str) or not _IDENTIFIER.match(identifier):
        raise InvalidParameter(
            "Identifier must be 1 to 256 printable characters without space, '\"' or '\\'."
        )
    return identifier


class ResourceServerService(Service):
    def create(
        self,
        pool_id: str,
        identifier: str,
        name: str,
        *,
        scopes: Iterable[Mapping[str, Any]] = (),
        tx: UnitOfWork | None = None,
    ) -> ResourceServerRecord:
        """Raises AlreadyExists(resource_server), NotFound(pool), LimitExceeded."""
        check_identifier(identifier)
        check_name(name, "Name", max_length=256)
        normalized = normalize_scopes(scopes)
        with self._tx(tx) as t:
            t.pools.require(pool_id)
            if (
                len(t.resource_servers.list(pool_id, limit=MAX_SERVERS_PER_POOL).items)
                >= MAX_SERVERS_PER_POOL
            ):
                raise LimitExceeded(f"A user pool can have at most {MAX_SERVERS_PER_POOL} resource servers.")
            server = t.resource_servers.create(pool_id, identifier=identifier, name=name, scopes=normalized)
            self._audit(t, "resource_server.created", pool_id=pool_id, target=identifier)
        return server

    def describe(
        self, pool_id: str, identifier: str, *, tx: UnitOfWork | None = None
    ) -> ResourceServerRecord:
        with self._tx(tx, readonly=True) as t:
            return t.resource_servers.require(pool_id, identifier)

    def list(
        self, pool_id: str, *, limit: int = 50, next_token: str | None = None, tx: UnitOfWork | None = None
    ) -> Page[ResourceServerRecord]:
        with self._tx(tx, readonly=True) as t:
            t.pools.require(pool_id)
            return t.resource_servers.list(pool_id, limit=check_limit(limit, 50), next_token=next_token)

    def update(
        self,
        pool_id: str,
        identifier: str,
        name: str,
        *,
        scopes: Iterable[Mapping[str, Any]] = (),
        tx: UnitOfWork | None = None,
    ) -> ResourceServerRecord:
        """UpdateResourceServer: name and scopes are replaced (scopes left out are removed)."""
        check_name(name, "Name", max_length=256)
        normalized = normalize_scopes(scopes)
        with self._tx(tx) as t:
            server = t.resource_servers.update(pool_id, identifier, name=name, scopes=normalized)
            self._audit(t, "resource_server.updated", pool_id=pool_id, target=identifier)
        return server

    def delete(self, pool_id: str, identifier: str, *, tx: UnitOfWork | None = None) -> None:
        with self._tx(tx) as t:
            t.resource_servers.delete(pool_id, identifier)
            self._audit(t, "resource_server.deleted", pool_id=pool_id, target=identifier)
