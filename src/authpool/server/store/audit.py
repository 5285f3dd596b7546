"""Audit events: who did what to which object, and when.

Events name objects by id (a pool id, a user's ``sub``, a client id, a kid), never by personal
data, and never hold secrets. ``detail`` is checked: a key that looks like it carries a password,
secret, token, code or personal data is refused with ``ValueError`` (a programming error, loud on
purpose), at any depth.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from ._base import Repository
from .models import AuditEvent
from .records import AuditEventRecord, Page

_FORBIDDEN_KEY = re.compile(
    r"password|secret|token|private|credential|nonce|verifier|(^|_)code$|e-?mail|phone|address|birthdate|username",
    re.IGNORECASE,
)


def check_detail(detail: Any, path: str = "detail") -> None:
    if isinstance(detail, Mapping):
        for key, value in detail.items():
            if _FORBIDDEN_KEY.search(str(key)):
                raise ValueError(f"audit {path} must not carry secrets or personal data (key {key!r})")
            check_detail(value, f"{path}.{key}")
    elif isinstance(detail, list | tuple):
        for i, value in enumerate(detail):
            check_detail(value, f"{path}[{i}]")


def _record(row: AuditEvent) -> AuditEventRecord:
    return AuditEventRecord(
        id=row.id,
        pool_id=row.pool_id,
        at=row.at,
        type=row.type,
        actor=row.actor,
        target=row.target,
        detail=copy.deepcopy(row.detail),
    )


class AuditRepository(Repository):
    def record(
        self,
        type: str,
        *,
        pool_id: str | None = None,
        actor: str | None = None,
        target: str | None = None,
        detail: Mapping[str, Any] | None = None,
    ) -> AuditEventRecord:
        """Append an event (e.g. ``user.created``, target = the user's sub)."""
        detail = dict(detail or {})
        check_detail(detail)
        row = AuditEvent(
            pool_id=pool_id, at=self._now(), type=type, actor=actor, target=target, detail=detail
        )
        self._s.add(row)
        self._s.flush()
        return _record(row)

    def list(
        self,
        *,
        pool_id: str | None = None,
        type: str | None = None,
        target: str | None = None,
        limit: int = 100,
        next_token: str | None = None,
    ) -> Page[AuditEventRecord]:
        """Events oldest first, optionally of one pool, type or target."""
        stmt = select(AuditEvent)
        if pool_id is not None:
            stmt = stmt.where(AuditEvent.pool_id == pool_id)
        if type is not None:
            stmt = stmt.where(AuditEvent.type == type)
        if target is not None:
            stmt = stmt.where(AuditEvent.target == target)
        return self._page(stmt, AuditEvent.id, _record, limit=limit, next_token=next_token, key_type=int)
