"""User pools and their attribute schema."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete, select, update

from ..errors import Kind, NotFound
from ._base import Repository
from .models import AttributeSchema, UserPool
from .records import AttributeSchemaRecord, Page, PoolRecord


def _pool(row: UserPool) -> PoolRecord:
    return PoolRecord(
        id=row.id,
        name=row.name,
        settings=copy.deepcopy(row.settings),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _attr(row: AttributeSchema) -> AttributeSchemaRecord:
    return AttributeSchemaRecord(
        pool_id=row.pool_id,
        name=row.name,
        type=row.type,
        mutable=row.mutable,
        developer_only=row.developer_only,
        required=row.required,
        constraints=dict(row.constraints),
    )


class PoolRepository(Repository):
    def create(self, *, id: str, name: str, settings: Mapping[str, Any]) -> PoolRecord:
        """Raises AlreadyExists(pool) when the id is taken (callers retry with a fresh id)."""
        now = self._now()
        row = UserPool(id=id, name=name, settings=dict(settings), created_at=now, updated_at=now)
        self._add(row, kind=Kind.POOL)
        return _pool(row)

    def get(self, pool_id: str) -> PoolRecord | None:
        row = self._s.get(UserPool, pool_id)
        return _pool(row) if row else None

    def require(self, pool_id: str) -> PoolRecord:
        record = self.get(pool_id)
        if record is None:
            raise NotFound(Kind.POOL)
        return record

    def list(self, *, limit: int = 60, next_token: str | None = None) -> Page[PoolRecord]:
        """Pools by id; ``next_token`` continues after the last id of the previous page."""
        return self._page(select(UserPool), UserPool.id, _pool, limit=limit, next_token=next_token)

    def update(
        self, pool_id: str, *, name: str | None = None, settings: Mapping[str, Any] | None = None
    ) -> PoolRecord:
        """Replace the name and/or the whole settings document."""
        values: dict[str, Any] = {"updated_at": self._now()}
        if name is not None:
            values["name"] = name
        if settings is not None:
            values["settings"] = dict(settings)
        result = self._s.execute(update(UserPool).where(UserPool.id == pool_id).values(**values))
        if result.rowcount != 1:
            raise NotFound(Kind.POOL)
        return self.require(pool_id)

    def delete(self, pool_id: str) -> None:
        """Delete the pool and, by cascade, everything in it."""
        result = self._s.execute(
            delete(UserPool).where(UserPool.id == pool_id).execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            raise NotFound(Kind.POOL)
        self._s.expunge_all()

    # -- attribute schema -------------------------------------------------------------------

    def add_attribute(
        self,
        pool_id: str,
        *,
        name: str,
        type: str,
        mutable: bool = True,
        developer_only: bool = False,
        required: bool = False,
        constraints: Mapping[str, Any] | None = None,
    ) -> AttributeSchemaRecord:
        """Raises AlreadyExists(attribute) for a duplicate name, NotFound(pool) for an unknown pool."""
        row = AttributeSchema(
            pool_id=pool_id,
            name=name,
            type=type,
            mutable=mutable,
            developer_only=developer_only,
            required=required,
            constraints=dict(constraints or {}),
        )
        self._add(row, kind=Kind.ATTRIBUTE, parent=Kind.POOL)
        return _attr(row)

    def attributes(self, pool_id: str) -> list[AttributeSchemaRecord]:
        stmt = (
            select(AttributeSchema).where(AttributeSchema.pool_id == pool_id).order_by(AttributeSchema.name)
        )
        return [_attr(r) for r in self._s.scalars(stmt)]
