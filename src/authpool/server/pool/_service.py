"""What the pool services share: how they join or open a transaction, and how they audit."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from ..errors import InvalidParameter
from ..store import Database, UnitOfWork

# Cognito's name patterns (botocore service-2.json).
NAME_RE = re.compile(r"^[\w\s+=,.@-]+$")  # UserPoolNameType, ClientNameType, ResourceServerNameType
MAX_LIST_LIMIT = 60


class Service:
    """Every public method takes an optional ``tx``: pass a unit of work to make the call part of a
    larger transaction (commit and rollback are then the caller's); leave it out and the method
    runs in a transaction of its own."""

    def __init__(self, db: Database) -> None:
        self.db = db

    @contextmanager
    def _tx(self, tx: UnitOfWork | None, *, readonly: bool = False) -> Iterator[UnitOfWork]:
        if tx is not None:
            yield tx
        else:
            with self.db.transaction(readonly=readonly) as own:
                yield own

    @staticmethod
    def _audit(
        tx: UnitOfWork,
        type: str,
        *,
        pool_id: str | None,
        target: str | None,
        detail: Mapping[str, Any] | None = None,
    ) -> None:
        tx.audit.record(type, pool_id=pool_id, actor=tx.actor, target=target, detail=detail)


def check_name(value: Any, what: str, *, max_length: int = 128) -> str:
    if not isinstance(value, str) or not 1 <= len(value) <= max_length or not NAME_RE.match(value):
        raise InvalidParameter(
            f"{what} must be 1 to {max_length} letters, digits, spaces or +=,.@-_ characters."
        )
    return value


def check_limit(limit: int, maximum: int = MAX_LIST_LIMIT) -> int:
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= maximum:
        raise InvalidParameter(f"Limit must be between 1 and {maximum}.")
    return limit
