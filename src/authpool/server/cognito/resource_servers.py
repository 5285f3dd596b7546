"""Resource servers: CreateResourceServer, DescribeResourceServer, UpdateResourceServer,
DeleteResourceServer, ListResourceServers (botocore service-2.json; COGNITO.md §3).
Identifier, name and scope rules are checked by ``ResourceServerService``."""

from __future__ import annotations

from typing import Any

from .params import NEXT_TOKEN, POOL_ID
from .shapes import resource_server_type


def _key(call) -> tuple[str, str]:
    return (call.params.str("UserPoolId", required=True, **POOL_ID),
            call.params.str("Identifier", required=True, max=256))


def create_resource_server(call) -> dict[str, Any]:
    pool_id, identifier = _key(call)
    server = call.ctx.resource_servers.create(pool_id, identifier, call.params.str("Name", required=True, max=256),
                                              scopes=call.params.obj_list("Scopes", max_items=100) or [])
    return {"ResourceServer": resource_server_type(server)}


def describe_resource_server(call) -> dict[str, Any]:
    return {"ResourceServer": resource_server_type(call.ctx.resource_servers.describe(*_key(call)))}


def update_resource_server(call) -> dict[str, Any]:
    pool_id, identifier = _key(call)
    server = call.ctx.resource_servers.update(pool_id, identifier, call.params.str("Name", required=True, max=256),
                                              scopes=call.params.obj_list("Scopes", max_items=100) or [])
    return {"ResourceServer": resource_server_type(server)}


def delete_resource_server(call) -> dict[str, Any]:
    call.ctx.resource_servers.delete(*_key(call))
    return {}


def list_resource_servers(call) -> dict[str, Any]:
    pool_id = call.params.str("UserPoolId", required=True, **POOL_ID)
    limit = call.params.int("MaxResults", min=1, max=50, default=50)
    page = call.ctx.resource_servers.list(pool_id, limit=limit,
                                          next_token=call.params.str("NextToken", **NEXT_TOKEN))
    out: dict[str, Any] = {"ResourceServers": [resource_server_type(s) for s in page.items]}
    if page.next_token:
        out["NextToken"] = page.next_token
    return out


OPERATIONS = {
    "CreateResourceServer": create_resource_server,
    "DescribeResourceServer": describe_resource_server,
    "UpdateResourceServer": update_resource_server,
    "DeleteResourceServer": delete_resource_server,
    "ListResourceServers": list_resource_servers,
}
