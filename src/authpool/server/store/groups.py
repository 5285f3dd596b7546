"""Groups and group membership (Cognito CreateGroup, AdminAddUserToGroup and friends)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select, update

from ..errors import AlreadyExists, Kind, NotFound
from ._base import Repository
from .models import Group, GroupMember, User
from .records import GroupRecord, Page

_UNSET: Any = object()


def _member_sub(row: GroupMember) -> str:
    return row.user_sub


def _record(row: Group) -> GroupRecord:
    return GroupRecord(
        pool_id=row.pool_id,
        name=row.name,
        description=row.description,
        precedence=row.precedence,
        role_arn=row.role_arn,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class GroupRepository(Repository):
    def create(
        self,
        pool_id: str,
        *,
        name: str,
        description: str | None = None,
        precedence: int | None = None,
        role_arn: str | None = None,
    ) -> GroupRecord:
        """Raises AlreadyExists(group), NotFound(pool)."""
        now = self._now()
        row = Group(
            pool_id=pool_id,
            name=name,
            description=description,
            precedence=precedence,
            role_arn=role_arn,
            created_at=now,
            updated_at=now,
        )
        self._add(row, kind=Kind.GROUP, parent=Kind.POOL)
        return _record(row)

    def get(self, pool_id: str, name: str) -> GroupRecord | None:
        row = self._row(pool_id, name)
        return _record(row) if row else None

    def require(self, pool_id: str, name: str) -> GroupRecord:
        return _record(self._required_row(pool_id, name))

    def list(self, pool_id: str, *, limit: int = 60, next_token: str | None = None) -> Page[GroupRecord]:
        """Groups by name."""
        stmt = select(Group).where(Group.pool_id == pool_id)
        return self._page(stmt, Group.name, _record, limit=limit, next_token=next_token)

    def count(self, pool_id: str) -> int:
        return self._s.scalar(select(func.count()).select_from(Group).where(Group.pool_id == pool_id)) or 0

    def update(
        self,
        pool_id: str,
        name: str,
        *,
        description: str | None = _UNSET,
        precedence: int | None = _UNSET,
        role_arn: str | None = _UNSET,
    ) -> GroupRecord:
        given = {"description": description, "precedence": precedence, "role_arn": role_arn}
        values = {k: v for k, v in given.items() if v is not _UNSET}
        result = self._s.execute(
            update(Group)
            .where(Group.pool_id == pool_id, Group.name == name)
            .values(updated_at=self._now(), **values)
            .execution_options(synchronize_session="fetch")
        )
        if result.rowcount != 1:
            raise NotFound(Kind.GROUP)
        return self.require(pool_id, name)

    def delete(self, pool_id: str, name: str) -> None:
        result = self._s.execute(
            delete(Group)
            .where(Group.pool_id == pool_id, Group.name == name)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            raise NotFound(Kind.GROUP)
        self._s.expunge_all()

    # -- membership ---------------------------------------------------------------------------

    def add_member(self, pool_id: str, name: str, user_sub: str) -> bool:
        """Add the user; False if already a member. Raises NotFound(group) / NotFound(user)."""
        group = self._required_row(pool_id, name)
        self._require_user(pool_id, user_sub)
        try:
            self._add(GroupMember(group_id=group.id, user_sub=user_sub), kind=Kind.GROUP)
        except AlreadyExists:
            return False
        return True

    def remove_member(self, pool_id: str, name: str, user_sub: str) -> bool:
        """Remove the user; False if they were not a member. Raises NotFound(group)."""
        group = self._required_row(pool_id, name)
        result = self._s.execute(
            delete(GroupMember)
            .where(GroupMember.group_id == group.id, GroupMember.user_sub == user_sub)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1

    def groups_for_user(self, pool_id: str, user_sub: str) -> list[GroupRecord]:
        """All groups of a user (Cognito allows at most 100), lowest precedence first, then by name."""
        stmt = (
            select(Group)
            .join(GroupMember, GroupMember.group_id == Group.id)
            .where(Group.pool_id == pool_id, GroupMember.user_sub == user_sub)
            .order_by(Group.precedence.is_(None), Group.precedence, Group.name)
        )
        return [_record(r) for r in self._s.scalars(stmt)]

    def member_subs(
        self, pool_id: str, name: str, *, limit: int = 60, next_token: str | None = None
    ) -> Page[str]:
        """The ``sub`` of each member, in sub order. Raises NotFound(group)."""
        group = self._required_row(pool_id, name)
        stmt = select(GroupMember).where(GroupMember.group_id == group.id)
        return self._page(stmt, GroupMember.user_sub, _member_sub, limit=limit, next_token=next_token)

    # -- helpers ------------------------------------------------------------------------------

    def _row(self, pool_id: str, name: str) -> Group | None:
        return self._s.scalars(select(Group).where(Group.pool_id == pool_id, Group.name == name)).first()

    def _required_row(self, pool_id: str, name: str) -> Group:
        row = self._row(pool_id, name)
        if row is None:
            raise NotFound(Kind.GROUP)
        return row

    def _require_user(self, pool_id: str, user_sub: str) -> None:
        found = self._s.scalar(select(User.sub).where(User.pool_id == pool_id, User.sub == user_sub))
        if found is None:
            raise NotFound(Kind.USER)
