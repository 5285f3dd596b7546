"""App clients. The client secret is encrypted under the master key with the context
``client-secret:<client_id>`` and decrypted only into the returned record."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete, select, update

from ..errors import Kind, NotFound
from ._base import Repository
from .models import AppClient
from .records import ClientRecord, Page

_UNSET: Any = object()


def secret_context(client_id: str) -> str:
    return f"client-secret:{client_id}"


class ClientRepository(Repository):
    def create(
        self,
        pool_id: str,
        *,
        client_id: str,
        name: str,
        client_secret: str | None,
        settings: Mapping[str, Any],
    ) -> ClientRecord:
        """Raises AlreadyExists(client) for a taken id, NotFound(pool)."""
        now = self._now()
        row = AppClient(
            client_id=client_id,
            pool_id=pool_id,
            name=name,
            client_secret=self._seal(client_id, client_secret),
            settings=dict(settings),
            created_at=now,
            updated_at=now,
        )
        self._add(row, kind=Kind.CLIENT, parent=Kind.POOL)
        return self._record(row)

    def get(self, pool_id: str, client_id: str) -> ClientRecord | None:
        row = self._s.get(AppClient, client_id)
        return self._record(row) if row is not None and row.pool_id == pool_id else None

    def find(self, client_id: str) -> ClientRecord | None:
        """By client id alone, for the operations that name no pool (InitiateAuth, /oauth2/token)."""
        row = self._s.get(AppClient, client_id)
        return self._record(row) if row is not None else None

    def require(self, pool_id: str, client_id: str) -> ClientRecord:
        record = self.get(pool_id, client_id)
        if record is None:
            raise NotFound(Kind.CLIENT)
        return record

    def list(self, pool_id: str, *, limit: int = 60, next_token: str | None = None) -> Page[ClientRecord]:
        """Clients by client id."""
        stmt = select(AppClient).where(AppClient.pool_id == pool_id)
        return self._page(stmt, AppClient.client_id, self._record, limit=limit, next_token=next_token)

    def update(
        self,
        pool_id: str,
        client_id: str,
        *,
        name: str | None = None,
        settings: Mapping[str, Any] | None = None,
        client_secret: str | None = _UNSET,
    ) -> ClientRecord:
        """Replace name, the whole settings document and/or the secret (None removes it)."""
        values: dict[str, Any] = {"updated_at": self._now()}
        if name is not None:
            values["name"] = name
        if settings is not None:
            values["settings"] = dict(settings)
        if client_secret is not _UNSET:
            values["client_secret"] = self._seal(client_id, client_secret)
        result = self._s.execute(
            update(AppClient)
            .where(AppClient.pool_id == pool_id, AppClient.client_id == client_id)
            .values(**values)
            .execution_options(synchronize_session="fetch")
        )
        if result.rowcount != 1:
            raise NotFound(Kind.CLIENT)
        return self.require(pool_id, client_id)

    def delete(self, pool_id: str, client_id: str) -> None:
        """Delete the client; its token families, refresh tokens and codes go with it."""
        result = self._s.execute(
            delete(AppClient)
            .where(AppClient.pool_id == pool_id, AppClient.client_id == client_id)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            raise NotFound(Kind.CLIENT)
        self._s.expunge_all()

    # -- helpers ------------------------------------------------------------------------------

    def _seal(self, client_id: str, secret: str | None) -> bytes | None:
        if secret is None:
            return None
        return self._key().encrypt(secret.encode("utf-8"), secret_context(client_id))

    def _record(self, row: AppClient) -> ClientRecord:
        secret = None
        if row.client_secret is not None:
            secret = self._key().decrypt(row.client_secret, secret_context(row.client_id)).decode("utf-8")
        return ClientRecord(
            client_id=row.client_id,
            pool_id=row.pool_id,
            name=row.name,
            settings=copy.deepcopy(row.settings),
            created_at=row.created_at,
            updated_at=row.updated_at,
            client_secret=secret,
        )
