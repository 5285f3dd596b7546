"""Users and their attributes.

A user is found by ``(pool_id, username)`` through the lower-cased ``username_key`` (one account per
name regardless of case), or by ``(pool_id, sub)``. Every lookup is scoped to a pool, so an id from
one pool never reaches a user of another. Attribute values are strings, as in Cognito's
``AttributeType``; the ``sub`` attribute is derived from the row and never stored twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import delete, exists, func, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite

from ..errors import Kind, NotFound
from ._base import Repository, decode_cursor, encode_cursor
from .models import User, UserAttribute
from .records import Page, UserRecord, UserStatus
from .userfilter import UserFilter

_UNSET: Any = object()


def username_key(username: str) -> str:
    return username.lower()


def _record(row: User, attributes: Mapping[str, str]) -> UserRecord:
    return UserRecord(
        sub=row.sub,
        pool_id=row.pool_id,
        username=row.username,
        status=UserStatus(row.status),
        enabled=row.enabled,
        attributes={"sub": row.sub, **{k: attributes[k] for k in sorted(attributes)}},
        temporary_password_expires_at=row.temporary_password_expires_at,
        tokens_valid_after=row.tokens_valid_after,
        created_at=row.created_at,
        updated_at=row.updated_at,
        password_hash=row.password_hash,
    )


def _matches(column: Any, f: UserFilter) -> Any:
    if f.prefix:
        return func.substr(column, 1, len(f.value)) == f.value
    return column == f.value


class UserRepository(Repository):
    def create(
        self,
        pool_id: str,
        *,
        username: str,
        sub: str | None = None,
        password_hash: str | None = None,
        status: UserStatus = UserStatus.UNCONFIRMED,
        enabled: bool = True,
        temporary_password_expires_at: int | None = None,
        attributes: Mapping[str, str] | None = None,
    ) -> UserRecord:
        """Raises AlreadyExists(user) if the name is taken in the pool (any case), NotFound(pool)."""
        now = self._now()
        row = User(
            sub=sub or str(uuid.uuid4()),
            pool_id=pool_id,
            username=username,
            username_key=username_key(username),
            password_hash=password_hash,
            status=UserStatus(status).value,
            enabled=enabled,
            temporary_password_expires_at=temporary_password_expires_at,
            tokens_valid_after=0,
            created_at=now,
            updated_at=now,
        )
        self._add(row, kind=Kind.USER, parent=Kind.POOL)
        attrs = {k: v for k, v in (attributes or {}).items() if k != "sub"}
        if attrs:
            self._s.add_all(UserAttribute(user_sub=row.sub, name=k, value=v) for k, v in attrs.items())
            self._s.flush()
        return _record(row, attrs)

    def get(self, pool_id: str, username: str) -> UserRecord | None:
        stmt = select(User).where(User.pool_id == pool_id, User.username_key == username_key(username))
        return self._one(stmt)

    def get_by_sub(self, pool_id: str, sub: str) -> UserRecord | None:
        return self._one(select(User).where(User.pool_id == pool_id, User.sub == sub))

    def require(self, pool_id: str, username: str) -> UserRecord:
        return self._required(self.get(pool_id, username))

    def require_by_sub(self, pool_id: str, sub: str) -> UserRecord:
        return self._required(self.get_by_sub(pool_id, sub))

    def find_by_attribute(self, pool_id: str, name: str, value: str) -> list[UserRecord]:
        """Users whose attribute ``name`` equals ``value`` exactly (e.g. an e-mail alias)."""
        stmt = (
            select(User)
            .join(UserAttribute, UserAttribute.user_sub == User.sub)
            .where(User.pool_id == pool_id, UserAttribute.name == name, UserAttribute.value == value)
            .order_by(User.created_at, User.sub)
        )
        return self._many(list(self._s.scalars(stmt)))

    def update(
        self,
        pool_id: str,
        sub: str,
        *,
        password_hash: str | None = _UNSET,
        status: UserStatus = _UNSET,
        enabled: bool = _UNSET,
        temporary_password_expires_at: int | None = _UNSET,
        tokens_valid_after: int = _UNSET,
    ) -> UserRecord:
        """Change the given fields only. Raises NotFound(user)."""
        given = {
            "password_hash": password_hash,
            "status": UserStatus(status).value if status is not _UNSET else _UNSET,
            "enabled": enabled,
            "temporary_password_expires_at": temporary_password_expires_at,
            "tokens_valid_after": tokens_valid_after,
        }
        values = {k: v for k, v in given.items() if v is not _UNSET}
        self._touch(pool_id, sub, **values)
        return self.require_by_sub(pool_id, sub)

    def set_attributes(self, pool_id: str, sub: str, attributes: Mapping[str, str]) -> UserRecord:
        """Insert or replace the given attributes (an upsert, safe against concurrent writers)."""
        self._touch(pool_id, sub)
        attrs = {k: v for k, v in attributes.items() if k != "sub"}
        if attrs:
            dialect = postgresql if self._s.get_bind().dialect.name == "postgresql" else sqlite
            stmt = dialect.insert(UserAttribute).values(
                [{"user_sub": sub, "name": k, "value": v} for k, v in attrs.items()]
            )
            stmt = stmt.on_conflict_do_update(
                index_elements=[UserAttribute.user_sub, UserAttribute.name],
                set_={"value": stmt.excluded.value},
            )
            self._s.execute(stmt)
            self._s.expire_all()
        return self.require_by_sub(pool_id, sub)

    def delete_attributes(self, pool_id: str, sub: str, names: Iterable[str]) -> UserRecord:
        self._touch(pool_id, sub)
        names = [n for n in names if n != "sub"]
        if names:
            self._s.execute(
                delete(UserAttribute)
                .where(UserAttribute.user_sub == sub, UserAttribute.name.in_(names))
                .execution_options(synchronize_session="fetch")
            )
        return self.require_by_sub(pool_id, sub)

    def delete(self, pool_id: str, sub: str) -> None:
        """Delete the user; attributes, memberships, token families and codes go with it."""
        result = self._s.execute(
            delete(User)
            .where(User.pool_id == pool_id, User.sub == sub)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            raise NotFound(Kind.USER)
        self._s.expunge_all()

    def count(self, pool_id: str) -> int:
        return self._s.scalar(select(func.count()).select_from(User).where(User.pool_id == pool_id)) or 0

    def list(
        self,
        pool_id: str,
        *,
        filter: UserFilter | None = None,
        limit: int = 60,
        next_token: str | None = None,
    ) -> Page[UserRecord]:
        """Users in creation order, ``limit`` per page; ``next_token`` is opaque (time and sub only)."""
        stmt = select(User).where(User.pool_id == pool_id)
        if filter is not None:
            stmt = stmt.where(self._condition(filter))
        if next_token:
            parts = decode_cursor(next_token, int, str)
            stmt = stmt.where(tuple_(User.created_at, User.sub) > tuple_(int(parts[0]), str(parts[1])))
        rows = list(self._s.scalars(stmt.order_by(User.created_at, User.sub).limit(limit + 1)))
        more = len(rows) > limit
        rows = rows[:limit]
        token = encode_cursor(rows[-1].created_at, rows[-1].sub) if more else None
        return Page(self._many(rows), token)

    # -- helpers ------------------------------------------------------------------------------

    @staticmethod
    def _condition(f: UserFilter) -> Any:
        if f.attribute == "username":
            return _matches(User.username, f)
        if f.attribute == "sub":
            return _matches(User.sub, f)
        if f.attribute == "status":  # "Enabled" / "Disabled", case-sensitive
            if f.prefix:
                wanted = [v for v in ("Enabled", "Disabled") if v.startswith(f.value)]
            else:
                wanted = [f.value] if f.value in ("Enabled", "Disabled") else []
            return User.enabled.in_([v == "Enabled" for v in wanted])
        if f.attribute == "cognito:user_status":  # case-insensitive
            upper = UserFilter(f.attribute, f.value.upper(), f.prefix)
            return _matches(User.status, upper)
        return exists().where(
            UserAttribute.user_sub == User.sub,
            UserAttribute.name == f.attribute,
            _matches(UserAttribute.value, f),
        )

    def _touch(self, pool_id: str, sub: str, **values: Any) -> None:
        result = self._s.execute(
            update(User)
            .where(User.pool_id == pool_id, User.sub == sub)
            .values(updated_at=self._now(), **values)
            .execution_options(synchronize_session="fetch")
        )
        if result.rowcount != 1:
            raise NotFound(Kind.USER)

    @staticmethod
    def _required(record: UserRecord | None) -> UserRecord:
        if record is None:
            raise NotFound(Kind.USER)
        return record

    def _one(self, stmt: Any) -> UserRecord | None:
        row = self._s.scalars(stmt).first()
        return self._many([row])[0] if row is not None else None

    def _many(self, rows: list[User]) -> list[UserRecord]:
        if not rows:
            return []
        attrs: dict[str, dict[str, str]] = {r.sub: {} for r in rows}
        stmt = select(UserAttribute.user_sub, UserAttribute.name, UserAttribute.value).where(
            UserAttribute.user_sub.in_(list(attrs))
        )
        for user_sub, name, value in self._s.execute(stmt):
            attrs[user_sub][name] = value
        return [_record(r, attrs[r.sub]) for r in rows]
