"""User pools: CreateUserPool, DescribeUserPool, UpdateUserPool, DeleteUserPool, ListUserPools,
AddCustomAttributes (botocore service-2.json; COGNITO.md §2.1, §4.2).

Settings pass through in Cognito's shape to ``PoolService``, which applies Cognito's defaults and
checks. UpdateUserPool *replaces* the settings as Cognito does (members left out return to their
defaults, COGNITO.md §2.1's footgun), except authpool's own pool settings, which no Cognito client
can send and which are therefore kept: ``SigningAlgorithm``, ``AutoConfirmSignUp`` and the hook
options ``AuthpoolHooks`` (webhook secret, timeout; ``hooks/config.py``). The sign-in options
``UsernameAttributes`` / ``AliasAttributes`` are fixed at creation (``PoolService.update`` keeps them).
``DeletionProtection: ACTIVE`` refuses DeleteUserPool.
"""

from __future__ import annotations

from typing import Any

from ..hooks.config import OPTIONS_KEY, validate_lambda_config
from .errors import invalid_parameter
from .params import NEXT_TOKEN, POOL_ID, validation_error
from .shapes import pool_description, pool_type

#: CreateUserPool / UpdateUserPool members stored as pool settings, with their JSON type.
SETTINGS: dict[str, type] = {
    "Policies": dict, "DeletionProtection": str, "LambdaConfig": dict, "AutoVerifiedAttributes": list,
    "AliasAttributes": list, "UsernameAttributes": list, "SmsVerificationMessage": str,
    "EmailVerificationMessage": str, "EmailVerificationSubject": str, "VerificationMessageTemplate": dict,
    "SmsAuthenticationMessage": str, "MfaConfiguration": str, "UserAttributeUpdateSettings": dict,
    "DeviceConfiguration": dict, "EmailConfiguration": dict, "SmsConfiguration": dict, "UserPoolTags": dict,
    "AdminCreateUserConfig": dict, "UserPoolAddOns": dict, "UsernameConfiguration": dict,
    "AccountRecoverySetting": dict, "UserPoolTier": str,
}  # fmt: skip
#: authpool's pool settings (no Cognito client sends them; kept across UpdateUserPool).
EXTENSIONS = ("SigningAlgorithm", "AutoConfirmSignUp", OPTIONS_KEY)


def check_lambda_config(config: dict[str, Any]) -> None:
    """``LambdaConfigType``: trigger ARNs are strings; the pre-token part must be runnable (both
    members of ``PreTokenGenerationConfig``, a legacy ``PreTokenGeneration`` equal to its ARN, an
    ARN, webhook URL or python reference authpool can invoke; ``hooks/config.py``, COGNITO.md §2.1)."""
    for key, value in config.items():
        if not isinstance(value, dict) and (not isinstance(value, str) or not 1 <= len(value) <= 2048):
            raise validation_error(f"lambdaConfig.{key}", "Member must be an ARN of at most 2048 characters")
    validate_lambda_config(config)


def _settings(call) -> dict[str, Any]:
    settings: dict[str, Any] = {}
    for key, kind in SETTINGS.items():
        value = call.params.data.get(key)
        if value is None:
            continue
        if not isinstance(value, kind):
            raise validation_error(key, f"Member must be a {'structure' if kind is dict else kind.__name__}")
        settings[key] = value
    check_lambda_config(settings.get("LambdaConfig") or {})
    return settings


def _describe(ctx, pool_id: str) -> dict[str, Any]:
    with ctx.db.transaction(readonly=True) as tx:
        pool = tx.pools.require(pool_id)
        return pool_type(pool, tx.pools.attributes(pool_id), tx.users.count(pool_id))


def create_user_pool(call) -> dict[str, Any]:
    name = call.params.str("PoolName", required=True, max=128)
    schema = call.params.obj_list("Schema", max_items=50) or []
    pool = call.ctx.pools.create(name, settings=_settings(call), schema=schema)
    return {"UserPool": _describe(call.ctx, pool.id)}


def describe_user_pool(call) -> dict[str, Any]:
    return {"UserPool": _describe(call.ctx, call.params.str("UserPoolId", required=True, **POOL_ID))}


def update_user_pool(call) -> dict[str, Any]:
    pool_id = call.params.str("UserPoolId", required=True, **POOL_ID)
    name = call.params.str("PoolName", max=128)
    current = call.ctx.pools.describe(pool_id)
    settings = _settings(call)
    settings.update({k: current.settings[k] for k in EXTENSIONS if k in current.settings})
    call.ctx.pools.update(pool_id, name=name, settings=settings)
    return {}


def delete_user_pool(call) -> dict[str, Any]:
    pool_id = call.params.str("UserPoolId", required=True, **POOL_ID)
    if call.ctx.pools.describe(pool_id).settings.get("DeletionProtection") == "ACTIVE":
        raise invalid_parameter("The user pool cannot be deleted because deletion protection is activated.")
    call.ctx.pools.delete(pool_id)
    return {}


def list_user_pools(call) -> dict[str, Any]:
    limit = call.params.int("MaxResults", required=True, min=1, max=60)
    page = call.ctx.pools.list(limit=limit, next_token=call.params.str("NextToken", **NEXT_TOKEN))
    out: dict[str, Any] = {"UserPools": [pool_description(p) for p in page.items]}
    if page.next_token:
        out["NextToken"] = page.next_token
    return out


def add_custom_attributes(call) -> dict[str, Any]:
    pool_id = call.params.str("UserPoolId", required=True, **POOL_ID)
    specs = call.params.obj_list("CustomAttributes", required=True, max_items=25)
    if not specs:
        raise validation_error("CustomAttributes", "Member must have length greater than or equal to 1")
    call.ctx.pools.add_custom_attributes(pool_id, specs)
    return {}


OPERATIONS = {
    "CreateUserPool": create_user_pool,
    "DescribeUserPool": describe_user_pool,
    "UpdateUserPool": update_user_pool,
    "DeleteUserPool": delete_user_pool,
    "ListUserPools": list_user_pools,
    "AddCustomAttributes": add_custom_attributes,
}
