"""Groups (Cognito CreateGroup, GetGroup, ListGroups, UpdateGroup, DeleteGroup,
AdminAddUserToGroup, AdminRemoveUserFromGroup, AdminListGroupsForUser, ListUsersInGroup).

Rules from botocore service-2.json and the quotas in COGNITO.md §3: ``GroupName`` 1..128
characters without whitespace (``[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+``), ``Description`` up to 2048,
``Precedence`` a non-negative integer (lower wins when choosing ``cognito:preferred_role``),
``RoleArn`` an IAM role ARN; at most 10,000 groups per pool and 100 groups per user. Adding a
member twice is not an error (Cognito's AdminAddUserToGroup is idempotent).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from ..errors import InvalidParameter, LimitExceeded
from ..store import GroupRecord, Page, UnitOfWork, UserRecord
from ._service import Service, check_limit
from .user_lookup import require_user

MAX_GROUPS_PER_POOL = 10_000
MAX_GROUPS_PER_USER = 100
_ROLE_ARN = re.compile(  # botocore ArnType
    r"^arn:[\w+=/,.@-]+:[\w+=/,.@-]+:([\w+=/,.@-]*)?:[0-9]+:[\w+=/,.@-]+(:[\w+=/,.@-]+)?(:[\w+=/,.@-]+)?$"
)
_UNSET: Any = object()


def check_group_name(name: str) -> str:
    if (
        not isinstance(name, str)
        or not 1 <= len(name) <= 128
        or any(unicodedata.category(ch)[0] not in "LMSNP" for ch in name)
    ):
        raise InvalidParameter("GroupName must be 1 to 128 characters without spaces.")
    return name


def _check_fields(description: Any, precedence: Any, role_arn: Any) -> None:
    if description not in (None, _UNSET) and (not isinstance(description, str) or len(description) > 2048):
        raise InvalidParameter("Description must be at most 2048 characters.")
    if precedence not in (None, _UNSET) and (
        not isinstance(precedence, int) or isinstance(precedence, bool) or not 0 <= precedence <= 2**31 - 1
    ):
        raise InvalidParameter("Precedence must be a non-negative integer.")
    if role_arn not in (None, _UNSET) and (
        not isinstance(role_arn, str) or len(role_arn) > 2048 or not _ROLE_ARN.match(role_arn)
    ):
        raise InvalidParameter("RoleArn must be an IAM role ARN.")


class GroupService(Service):
    def create(
        self,
        pool_id: str,
        name: str,
        *,
        description: str | None = None,
        precedence: int | None = None,
        role_arn: str | None = None,
        tx: UnitOfWork | None = None,
    ) -> GroupRecord:
        """Raises AlreadyExists(group), NotFound(pool), LimitExceeded."""
        check_group_name(name)
        _check_fields(description, precedence, role_arn)
        with self._tx(tx) as t:
            t.pools.require(pool_id)
            if t.groups.count(pool_id) >= MAX_GROUPS_PER_POOL:
                raise LimitExceeded(f"A user pool can have at most {MAX_GROUPS_PER_POOL} groups.")
            group = t.groups.create(
                pool_id, name=name, description=description, precedence=precedence, role_arn=role_arn
            )
            self._audit(t, "group.created", pool_id=pool_id, target=name)
        return group

    def get(self, pool_id: str, name: str, *, tx: UnitOfWork | None = None) -> GroupRecord:
        with self._tx(tx, readonly=True) as t:
            return t.groups.require(pool_id, name)

    def list(
        self, pool_id: str, *, limit: int = 60, next_token: str | None = None, tx: UnitOfWork | None = None
    ) -> Page[GroupRecord]:
        with self._tx(tx, readonly=True) as t:
            t.pools.require(pool_id)
            return t.groups.list(pool_id, limit=check_limit(limit), next_token=next_token)

    def update(
        self,
        pool_id: str,
        name: str,
        *,
        description: str | None = _UNSET,
        precedence: int | None = _UNSET,
        role_arn: str | None = _UNSET,
        tx: UnitOfWork | None = None,
    ) -> GroupRecord:
        """UpdateGroup: change only the fields given (None clears one)."""
        _check_fields(description, precedence, role_arn)
        given = {"description": description, "precedence": precedence, "role_arn": role_arn}
        with self._tx(tx) as t:
            group = t.groups.update(pool_id, name, **{k: v for k, v in given.items() if v is not _UNSET})
            self._audit(t, "group.updated", pool_id=pool_id, target=name)
        return group

    def delete(self, pool_id: str, name: str, *, tx: UnitOfWork | None = None) -> None:
        with self._tx(tx) as t:
            t.groups.delete(pool_id, name)
            self._audit(t, "group.deleted", pool_id=pool_id, target=name)

    def add_user(self, pool_id: str, name: str, username: str, *, tx: UnitOfWork | None = None) -> None:
        """AdminAddUserToGroup. Raises NotFound(group / user), LimitExceeded."""
        with self._tx(tx) as t:
            user = require_user(t, pool_id, username)
            group = t.groups.require(pool_id, name)
            current = t.groups.groups_for_user(pool_id, user.sub)
            if len(current) >= MAX_GROUPS_PER_USER and all(g.name != group.name for g in current):
                raise LimitExceeded(f"A user can be in at most {MAX_GROUPS_PER_USER} groups.")
            if t.groups.add_member(pool_id, name, user.sub):
                self._audit(t, "group.member_added", pool_id=pool_id, target=user.sub, detail={"group": name})

    def remove_user(self, pool_id: str, name: str, username: str, *, tx: UnitOfWork | None = None) -> None:
        """AdminRemoveUserFromGroup (not an error when the user was not a member)."""
        with self._tx(tx) as t:
            user = require_user(t, pool_id, username)
            if t.groups.remove_member(pool_id, name, user.sub):
                self._audit(
                    t, "group.member_removed", pool_id=pool_id, target=user.sub, detail={"group": name}
                )

    def groups_for_user(
        self, pool_id: str, username: str, *, tx: UnitOfWork | None = None
    ) -> list[GroupRecord]:
        """AdminListGroupsForUser: lowest precedence first, then by name (the order of ``cognito:groups``)."""
        with self._tx(tx, readonly=True) as t:
            user = require_user(t, pool_id, username)
            return t.groups.groups_for_user(pool_id, user.sub)

    def users_in_group(
        self,
        pool_id: str,
        name: str,
        *,
        limit: int = 60,
        next_token: str | None = None,
        tx: UnitOfWork | None = None,
    ) -> Page[UserRecord]:
        """ListUsersInGroup."""
        with self._tx(tx, readonly=True) as t:
            page = t.groups.member_subs(pool_id, name, limit=check_limit(limit), next_token=next_token)
            users = [t.users.require_by_sub(pool_id, sub) for sub in page.items]
        return Page(users, page.next_token)


def iam_roles(groups: list[GroupRecord]) -> tuple[list[str], str | None]:
    """The IAM role ARNs of a user's groups (best precedence first) and the preferred role: the role
    of the best-precedence group that has one, none on a tie (Cognito developer guide, "Adding groups
    to a user pool"). Cognito puts them in the ID token as ``cognito:roles`` and
    ``cognito:preferred_role``."""
    roles = [g.role_arn for g in groups if g.role_arn]
    ranked = [g for g in groups if g.role_arn and g.precedence is not None]
    tie = len(ranked) > 1 and ranked[1].precedence == ranked[0].precedence
    return roles, (ranked[0].role_arn if ranked and not tie else None)
