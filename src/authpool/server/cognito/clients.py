"""App clients: CreateUserPoolClient, DescribeUserPoolClient, UpdateUserPoolClient,
DeleteUserPoolClient, ListUserPoolClients (botocore service-2.json; COGNITO.md §1.5, §3).

Settings pass through in Cognito's shape to ``ClientService``, which applies Cognito's defaults
(ExplicitAuthFlows without USER_PASSWORD_AUTH, 1 h / 1 h / 30 days, EnableTokenRevocation true,
PreventUserExistenceErrors LEGACY, RefreshTokenRotation DISABLED) and checks the rules. Like
Cognito, UpdateUserPoolClient replaces the settings. Secrets are generated (``GenerateSecret``);
authpool refuses a chosen ``ClientSecret``.
"""

from __future__ import annotations

from typing import Any

from .errors import invalid_parameter
from .params import CLIENT_ID, NEXT_TOKEN, POOL_ID, validation_error
from .shapes import client_description, client_type

#: CreateUserPoolClient / UpdateUserPoolClient members stored as client settings, with their JSON type.
SETTINGS: dict[str, type | tuple[type, ...]] = {
    "RefreshTokenValidity": int, "AccessTokenValidity": int, "IdTokenValidity": int, "TokenValidityUnits": dict,
    "ReadAttributes": list, "WriteAttributes": list, "ExplicitAuthFlows": list, "SupportedIdentityProviders": list,
    "CallbackURLs": list, "LogoutURLs": list, "DefaultRedirectURI": str, "AllowedOAuthFlows": list,
    "AllowedOAuthScopes": list, "AllowedOAuthFlowsUserPoolClient": bool, "AnalyticsConfiguration": dict,
    "PreventUserExistenceErrors": str, "EnableTokenRevocation": bool,
    "EnablePropagateAdditionalUserContextData": bool, "AuthSessionValidity": int, "RefreshTokenRotation": dict,
}  # fmt: skip


def _settings(call) -> dict[str, Any]:
    settings: dict[str, Any] = {}
    for key, kind in SETTINGS.items():
        value = call.params.data.get(key)
        if value is None:
            continue
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise validation_error(key, "Member has the wrong type")
        settings[key] = value
    if call.params.data.get("ClientSecret") is not None:
        raise invalid_parameter("authpool generates client secrets (GenerateSecret); ClientSecret cannot be chosen.")
    return settings


def _ids(call) -> tuple[str, str]:
    return (call.params.str("UserPoolId", required=True, **POOL_ID),
            call.params.str("ClientId", required=True, **CLIENT_ID))


def create_user_pool_client(call) -> dict[str, Any]:
    pool_id = call.params.str("UserPoolId", required=True, **POOL_ID)
    name = call.params.str("ClientName", required=True, max=128)
    client = call.ctx.clients.create(pool_id, name, generate_secret=bool(call.params.bool("GenerateSecret")),
                                     settings=_settings(call))
    return {"UserPoolClient": client_type(client)}


def describe_user_pool_client(call) -> dict[str, Any]:
    return {"UserPoolClient": client_type(call.ctx.clients.describe(*_ids(call)))}


def update_user_pool_client(call) -> dict[str, Any]:
    pool_id, client_id = _ids(call)
    client = call.ctx.clients.update(pool_id, client_id, name=call.params.str("ClientName", max=128),
                                     settings=_settings(call))
    return {"UserPoolClient": client_type(client)}


def delete_user_pool_client(call) -> dict[str, Any]:
    call.ctx.clients.delete(*_ids(call))
    return {}


def list_user_pool_clients(call) -> dict[str, Any]:
    pool_id = call.params.str("UserPoolId", required=True, **POOL_ID)
    limit = call.params.int("MaxResults", min=1, max=60, default=60)
    page = call.ctx.clients.list(pool_id, limit=limit, next_token=call.params.str("NextToken", **NEXT_TOKEN))
    out: dict[str, Any] = {"UserPoolClients": [client_description(c) for c in page.items]}
    if page.next_token:
        out["NextToken"] = page.next_token
    return out


OPERATIONS = {
    "CreateUserPoolClient": create_user_pool_client,
    "DescribeUserPoolClient": describe_user_pool_client,
    "UpdateUserPoolClient": update_user_pool_client,
    "DeleteUserPoolClient": delete_user_pool_client,
    "ListUserPoolClients": list_user_pool_clients,
}
