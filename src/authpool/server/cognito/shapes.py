"""Records rendered in Cognito's response shapes (botocore service-2.json ``UserPoolType``,
``UserPoolClientType``, ``UserType``, ``GroupType``, ``ResourceServerType``,
``AuthenticationResultType``). Timestamps are epoch seconds, which botocore's JSON protocol parses
into datetimes. Members authpool keeps but Cognito does not define are left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..issuance import AuthenticationResult
from ..pool import ids
from ..store import ClientRecord, GroupRecord, PoolRecord, ResourceServerRecord, UserRecord
from ..store.records import AttributeSchemaRecord

POOL_MEMBERS = (
    "Policies", "DeletionProtection", "LambdaConfig", "AutoVerifiedAttributes", "AliasAttributes",
    "UsernameAttributes", "SmsVerificationMessage", "EmailVerificationMessage", "EmailVerificationSubject",
    "VerificationMessageTemplate", "SmsAuthenticationMessage", "UserAttributeUpdateSettings", "MfaConfiguration",
    "DeviceConfiguration", "EmailConfiguration", "SmsConfiguration", "UserPoolTags", "AdminCreateUserConfig",
    "UserPoolAddOns", "UsernameConfiguration", "AccountRecoverySetting", "UserPoolTier",
)  # fmt: skip
CLIENT_MEMBERS = (
    "RefreshTokenValidity", "AccessTokenValidity", "IdTokenValidity", "TokenValidityUnits", "ReadAttributes",
    "WriteAttributes", "ExplicitAuthFlows", "SupportedIdentityProviders", "CallbackURLs", "LogoutURLs",
    "DefaultRedirectURI", "AllowedOAuthFlows", "AllowedOAuthScopes", "AllowedOAuthFlowsUserPoolClient",
    "AnalyticsConfiguration", "PreventUserExistenceErrors", "EnableTokenRevocation",
    "EnablePropagateAdditionalUserContextData", "AuthSessionValidity", "RefreshTokenRotation",
)  # fmt: skip


def pool_arn(pool_id: str) -> str:
    return f"arn:aws:cognito-idp:{ids.region_of(pool_id)}:000000000000:userpool/{pool_id}"


def attribute_list(attributes: Mapping[str, str], only: Iterable[str] | None = None) -> list[dict[str, str]]:
    wanted = None if only is None else set(only)
    return [{"Name": k, "Value": v} for k, v in attributes.items() if wanted is None or k in wanted]


def user_type(user: UserRecord, *, only: Iterable[str] | None = None) -> dict[str, Any]:
    """``UserType`` (ListUsers, AdminCreateUser, ListUsersInGroup)."""
    return {"Username": user.username, "Attributes": attribute_list(user.attributes, only),
            "UserCreateDate": user.created_at, "UserLastModifiedDate": user.updated_at,
            "Enabled": user.enabled, "UserStatus": user.status.value}


def admin_get_user(user: UserRecord, mfa: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """AdminGetUser; ``mfa``: ``UserMFASettingList`` / ``PreferredMfaSetting`` when the user has them."""
    return {"Username": user.username, "UserAttributes": attribute_list(user.attributes),
            "UserCreateDate": user.created_at, "UserLastModifiedDate": user.updated_at,
            "Enabled": user.enabled, "UserStatus": user.status.value, "MFAOptions": [], **(mfa or {})}


def schema_attribute(attr: AttributeSchemaRecord) -> dict[str, Any]:
    out: dict[str, Any] = {"Name": attr.name, "AttributeDataType": attr.type,
                           "DeveloperOnlyAttribute": attr.developer_only, "Mutable": attr.mutable,
                           "Required": attr.required}
    if attr.constraints:
        key = "NumberAttributeConstraints" if attr.type == "Number" else "StringAttributeConstraints"
        out[key] = dict(attr.constraints)
    return out


def pool_type(pool: PoolRecord, schema: list[AttributeSchemaRecord], users: int) -> dict[str, Any]:
    out: dict[str, Any] = {"Id": pool.id, "Name": pool.name, "Arn": pool_arn(pool.id), "Status": "Enabled",
                           "CreationDate": pool.created_at, "LastModifiedDate": pool.updated_at,
                           "SchemaAttributes": [schema_attribute(a) for a in schema],
                           "EstimatedNumberOfUsers": users}
    out.update({k: pool.settings[k] for k in POOL_MEMBERS if pool.settings.get(k) is not None})
    return out


def pool_description(pool: PoolRecord) -> dict[str, Any]:
    return {"Id": pool.id, "Name": pool.name, "LambdaConfig": pool.settings.get("LambdaConfig") or {},
            "Status": "Enabled", "CreationDate": pool.created_at, "LastModifiedDate": pool.updated_at}


def client_type(client: ClientRecord) -> dict[str, Any]:
    out: dict[str, Any] = {"UserPoolId": client.pool_id, "ClientName": client.name, "ClientId": client.client_id,
                           "CreationDate": client.created_at, "LastModifiedDate": client.updated_at}
    if client.client_secret is not None:
        out["ClientSecret"] = client.client_secret
    out.update({k: client.settings[k] for k in CLIENT_MEMBERS if client.settings.get(k) is not None})
    return out


def client_description(client: ClientRecord) -> dict[str, str]:
    return {"ClientId": client.client_id, "UserPoolId": client.pool_id, "ClientName": client.name}


def group_type(group: GroupRecord) -> dict[str, Any]:
    out: dict[str, Any] = {"GroupName": group.name, "UserPoolId": group.pool_id,
                           "LastModifiedDate": group.updated_at, "CreationDate": group.created_at}
    for key, value in (("Description", group.description), ("RoleArn", group.role_arn),
                       ("Precedence", group.precedence)):
        if value is not None:
            out[key] = value
    return out


def resource_server_type(server: ResourceServerRecord) -> dict[str, Any]:
    return {"UserPoolId": server.pool_id, "Identifier": server.identifier, "Name": server.name,
            "Scopes": [dict(s) for s in server.scopes]}


def authentication_result(result: AuthenticationResult) -> dict[str, Any]:
    """``AuthenticationResultType``: a RefreshToken only when one was issued (sign-in, rotation)."""
    out: dict[str, Any] = {"AccessToken": result.access_token, "ExpiresIn": result.expires_in,
                           "TokenType": result.token_type}
    if result.id_token is not None:
        out["IdToken"] = result.id_token
    if result.refresh_token is not None:
        out["RefreshToken"] = result.refresh_token
    return out
