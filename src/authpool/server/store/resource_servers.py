"""Resource servers and their scopes (Cognito CreateResourceServer; COGNITO.md §3)."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import delete, select, update

from ..errors import Kind, NotFound
from ._base import Repository
from .models import ResourceServer
from .records import Page, ResourceServerRecord


def _record(row: ResourceServer) -> ResourceServerRecord:
    return ResourceServerRecord(
        pool_id=row.pool_id,
        identifier=row.identifier,
        name=row.name,
        scopes=copy.deepcopy(row.scopes),
        settings=copy.deepcopy(row.settings),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class ResourceServerRepository(Repository):
    def create(
        self,
        pool_id: str,
        *,
        identifier: str,
        name: str,
        scopes: Iterable[Mapping[str, str]] = (),
        settings: Mapping[str, Any] | None = None,
    ) -> ResourceServerRecord:
        """Raises AlreadyExists(resource_server), NotFound(pool)."""
        now = self._now()
        row = ResourceServer(
            pool_id=pool_id,
            identifier=identifier,
            name=name,
            scopes=[dict(s) for s in scopes],
            settings=dict(settings or {}),
            created_at=now,
            updated_at=now,
        )
        self._add(row, kind=Kind.RESOURCE_SERVER, parent=Kind.POOL)
        return _record(row)

    def get(self, pool_id: str, identifier: str) -> ResourceServerRecord | None:
        row = self._s.get(ResourceServer, (pool_id, identifier))
        return _record(row) if row else None

    def require(self, pool_id: str, identifier: str) -> ResourceServerRecord:
        record = self.get(pool_id, identifier)
        if record is None:
            raise NotFound(Kind.RESOURCE_SERVER)
        return record

    def list(
        self, pool_id: str, *, limit: int = 50, next_token: str | None = None
    ) -> Page[ResourceServerRecord]:
        stmt = select(ResourceServer).where(ResourceServer.pool_id == pool_id)
        return self._page(stmt, ResourceServer.identifier, _record, limit=limit, next_token=next_token)

    def all_scopes(self, pool_id: str) -> set[str]:
        """Every ``<identifier>/<ScopeName>`` the pool defines."""
        stmt = select(ResourceServer.identifier, ResourceServer.scopes).where(
            ResourceServer.pool_id == pool_id
        )
        return {f"{ident}/{s['ScopeName']}" for ident, scopes in self._s.execute(stmt) for s in scopes}

    def update(
        self,
        pool_id: str,
        identifier: str,
        *,
        name: str | None = None,
        scopes: Iterable[Mapping[str, str]] | None = None,
        settings: Mapping[str, Any] | None = None,
    ) -> ResourceServerRecord:
        values: dict[str, Any] = {"updated_at": self._now()}
        if name is not None:
            values["name"] = name
        if scopes is not None:
            values["scopes"] = [dict(s) for s in scopes]
        if settings is not None:
            values["settings"] = dict(settings)
        result = self._s.execute(
            update(ResourceServer)
            .where(ResourceServer.pool_id == pool_id, ResourceServer.identifier == identifier)
            .values(**values)
            .execution_options(synchronize_session="fetch")
        )
        if result.rowcount != 1:
            raise NotFound(Kind.RESOURCE_SERVER)
        return self.require(pool_id, identifier)

    def delete(self, pool_id: str, identifier: str) -> None:
        result = self._s.execute(
            delete(ResourceServer)
            .where(ResourceServer.pool_id == pool_id, ResourceServer.identifier == identifier)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            raise NotFound(Kind.RESOURCE_SERVER)
        self._s.expunge_all()
