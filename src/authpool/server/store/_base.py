"""What every repository shares: the session of its unit of work, the clock, the master key, and the
translation of database constraint violations into domain errors."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import InstrumentedAttribute, Session

from ..errors import AlreadyExists, ConfigurationError, InvalidParameter, Kind, NotFound
from ..secrets import MasterKey
from .records import Page

_UNIQUE_SQLSTATE = "23505"
_FK_SQLSTATE = "23503"
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class StoreContext:
    """Handed by the unit of work to each repository it creates."""

    session: Session
    clock: Callable[[], int]
    master_key: MasterKey | None


def violation_kind(exc: IntegrityError) -> str:
    """``"unique"``, ``"foreign_key"`` or ``"other"`` for a constraint error from SQLite or psycopg."""
    orig = exc.orig
    sqlstate = getattr(orig, "sqlstate", None)
    if sqlstate == _UNIQUE_SQLSTATE:
        return "unique"
    if sqlstate == _FK_SQLSTATE:
        return "foreign_key"
    name = getattr(orig, "sqlite_errorname", "") or ""
    if name in ("SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY"):
        return "unique"
    if name == "SQLITE_CONSTRAINT_FOREIGNKEY":
        return "foreign_key"
    return "other"


def hash_secret_value(value: str) -> str:
    """Hex SHA-256 of an opaque high-entropy value (refresh token, authorization code).

    Unsalted on purpose: the values are 256-bit random, so a lookup by hash is safe and fast.
    """
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def encode_cursor(*parts: Any) -> str:
    """An opaque pagination token (no PII goes in: callers pass ids and times only)."""
    return (
        base64.urlsafe_b64encode(json.dumps(list(parts), separators=(",", ":")).encode()).decode().rstrip("=")
    )


def decode_cursor(token: str, *types: type) -> list[Any]:
    """The parts of a token made by :func:`encode_cursor`, checked against ``types``.

    Raises InvalidParameter for anything else (a forged or foreign token).
    """
    try:
        parts = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (ValueError, TypeError):
        parts = None
    if (
        not isinstance(parts, list)
        or len(parts) != len(types)
        or not all(isinstance(p, t) and not isinstance(p, bool) for p, t in zip(parts, types, strict=True))
    ):
        raise InvalidParameter("Invalid pagination token.")
    return parts


class Repository:
    def __init__(self, ctx: StoreContext) -> None:
        self._s = ctx.session
        self._clock = ctx.clock
        self._master_key = ctx.master_key

    def _now(self, now: int | None = None) -> int:
        return int(self._clock()) if now is None else int(now)

    def _key(self) -> MasterKey:
        if self._master_key is None:
            raise ConfigurationError("No master key is configured for encrypting stored secrets.")
        return self._master_key

    def _page(
        self,
        stmt: Select[Any],
        key: InstrumentedAttribute[Any],
        record: Callable[[Any], T],
        *,
        limit: int,
        next_token: str | None,
        key_type: type = str,
    ) -> Page[T]:
        """One page of the rows ``stmt`` selects, in the order of ``key`` (a column unique among them):
        the first ``limit`` after the key ``next_token`` names, and a token naming the page's last key
        when more follow (one row more is read to know)."""
        if next_token:
            stmt = stmt.where(key > decode_cursor(next_token, key_type)[0])
        rows = list(self._s.scalars(stmt.order_by(key).limit(limit + 1)))
        more = len(rows) > limit
        rows = rows[:limit]
        return Page([record(r) for r in rows], encode_cursor(getattr(rows[-1], key.key)) if more else None)

    def _add(self, obj: Any, *, kind: Kind, parent: Kind | None = None) -> None:
        """Insert ``obj`` inside a savepoint so a constraint violation leaves the transaction usable.

        A duplicate key raises :class:`AlreadyExists` of ``kind``; a missing parent row raises
        :class:`NotFound` of ``parent``.
        """
        try:
            with self._s.begin_nested():
                self._s.add(obj)
                self._s.flush()
        except IntegrityError as exc:
            what = violation_kind(exc)
            if what == "unique":
                raise AlreadyExists(kind) from None
            if what == "foreign_key" and parent is not None:
                raise NotFound(parent) from None
            raise
