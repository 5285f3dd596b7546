"""Groups: CreateGroup, GetGroup, UpdateGroup, ListGroups, DeleteGroup, AdminAddUserToGroup,
AdminRemoveUserFromGroup, AdminListGroupsForUser, ListUsersInGroup (botocore service-2.json;
COGNITO.md §4.2). Names, quotas and membership rules are ``GroupService``'s."""

from __future__ import annotations

from typing import Any

from ..store import Page
from ..store._base import decode_cursor, encode_cursor
from .params import GROUP_NAME, NEXT_TOKEN, POOL_ID, USERNAME, validation_error
from .shapes import group_type, user_type


def _pool(call) -> str:
    return call.params.str("UserPoolId", required=True, **POOL_ID)


def _group(call) -> str:
    return call.params.str("GroupName", required=True, **GROUP_NAME)


def _limit(call) -> int:
    return call.params.int("Limit", min=0, max=60, default=0) or 60  # Cognito: 0 / absent = the maximum


def _page(out: dict[str, Any], page: Page) -> dict[str, Any]:
    if page.next_token:
        out["NextToken"] = page.next_token
    return out


def create_group(call) -> dict[str, Any]:
    p = call.params
    group = call.ctx.groups.create(_pool(call), _group(call), description=p.str("Description", min=0, max=2048),
                                   precedence=p.int("Precedence", min=0), role_arn=p.str("RoleArn", max=2048))
    return {"Group": group_type(group)}


def get_group(call) -> dict[str, Any]:
    return {"Group": group_type(call.ctx.groups.get(_pool(call), _group(call)))}


def update_group(call) -> dict[str, Any]:
    p = call.params
    changes = {key: value for key, member, value in (
        ("description", "Description", p.str("Description", min=0, max=2048)),
        ("precedence", "Precedence", p.int("Precedence", min=0)),
        ("role_arn", "RoleArn", p.str("RoleArn", max=2048))) if member in p}
    return {"Group": group_type(call.ctx.groups.update(_pool(call), _group(call), **changes))}


def delete_group(call) -> dict[str, Any]:
    call.ctx.groups.delete(_pool(call), _group(call))
    return {}


def list_groups(call) -> dict[str, Any]:
    page = call.ctx.groups.list(_pool(call), limit=_limit(call), next_token=call.params.str("NextToken", **NEXT_TOKEN))
    return _page({"Groups": [group_type(g) for g in page.items]}, page)


def admin_add_user_to_group(call) -> dict[str, Any]:
    call.ctx.groups.add_user(_pool(call), _group(call), call.params.str("Username", required=True, **USERNAME))
    return {}


def admin_remove_user_from_group(call) -> dict[str, Any]:
    call.ctx.groups.remove_user(_pool(call), _group(call), call.params.str("Username", required=True, **USERNAME))
    return {}


def admin_list_groups_for_user(call) -> dict[str, Any]:
    groups = call.ctx.groups.groups_for_user(_pool(call), call.params.str("Username", required=True, **USERNAME))
    token = call.params.str("NextToken", **NEXT_TOKEN)
    start = decode_cursor(token, int)[0] if token else 0  # at most 100 groups per user: paged in memory
    if start < 0:
        raise validation_error("NextToken", "Member must be a token from a previous call")
    end = start + _limit(call)
    page = Page(groups[start:end], encode_cursor(end) if end < len(groups) else None)
    return _page({"Groups": [group_type(g) for g in page.items]}, page)


def list_users_in_group(call) -> dict[str, Any]:
    page = call.ctx.groups.users_in_group(_pool(call), _group(call), limit=_limit(call),
                                          next_token=call.params.str("NextToken", **NEXT_TOKEN))
    return _page({"Users": [user_type(u) for u in page.items]}, page)


OPERATIONS = {
    "CreateGroup": create_group,
    "GetGroup": get_group,
    "UpdateGroup": update_group,
    "DeleteGroup": delete_group,
    "ListGroups": list_groups,
    "AdminAddUserToGroup": admin_add_user_to_group,
    "AdminRemoveUserFromGroup": admin_remove_user_from_group,
    "AdminListGroupsForUser": admin_list_groups_for_user,
    "ListUsersInGroup": list_users_in_group,
}
