"""Cognito's pre-token-generation event, built per version and trigger source, and its response
applied to the claim sets (COGNITO.md §2.3-§2.6; docs/hooks.md has the shapes with their sources).

Which version runs when (Cognito developer guide, "Pre token generation Lambda trigger"): V1_0 and
V2_0 run for user token issuance only; V3_0 runs for those and for client credentials
(``TokenGeneration_ClientCredentials``). V1_0 customizes the ID token (plus ``cognito:groups`` in
both tokens); V2_0/V3_0 customize both tokens and the access token's scopes.
"""

from __future__ import annotations

from typing import Any

from ..issuance.customize import ClaimSets, IssueContext
from ..pool.groups import iam_roles
from ..pool.ids import region_of
from .apply import Ignored, apply_overrides
from .response import parse_response

CLIENT_CREDENTIALS = "TokenGeneration_ClientCredentials"
#: The ``version`` field real events carry for each LambdaVersion (captured V2/V3 events show "2"/"3").
EVENT_VERSION = {"V1_0": "1", "V2_0": "2", "V3_0": "3"}
#: Cognito reports the caller's SDK here; authpool does not know it and says so as Cognito does.
UNKNOWN_SDK = "aws-sdk-unknown-unknown"


def runs_for(version: str, trigger_source: str) -> bool:
    """V1/V2 hooks are not invoked for client credentials; V3 hooks are (as in Cognito)."""
    return trigger_source != CLIENT_CREDENTIALS or version == "V3_0"


def group_configuration(groups: list[Any]) -> dict[str, Any]:
    """``groupConfiguration`` from the user's groups (GroupRecords, lowest precedence first):
    their names, their IAM role ARNs, and the role of the best-precedence group that has one."""
    roles, preferred = iam_roles(groups)
    return {"groupsToOverride": [g.name for g in groups], "iamRolesToOverride": roles, "preferredRole": preferred}


def user_attributes(user: Any) -> dict[str, str]:
    """Every attribute of the user as a string, plus ``sub`` and ``cognito:user_status`` (all
    attributes, not only those the client may read: the trigger runs on the server side)."""
    attributes = {name: str(value) for name, value in user.attributes.items()}
    attributes["sub"] = user.sub
    attributes["cognito:user_status"] = str(user.status)
    return attributes


def build_event(version: str, context: IssueContext, claims: ClaimSets, *, groups: list[Any]) -> dict[str, Any]:
    """The event Cognito would send for this issuance.

    For client credentials (V3_0 only) there is no user: ``userName`` is left out (optional in the
    Powertools V2/V3 schema), ``userAttributes`` is empty and ``groupConfiguration`` lists no groups.
    """
    request: dict[str, Any] = {}
    if context.user is not None:
        request["userAttributes"] = user_attributes(context.user)
        request["groupConfiguration"] = group_configuration(groups)
    else:
        request["userAttributes"] = {}
        request["groupConfiguration"] = {"groupsToOverride": [], "iamRolesToOverride": [], "preferredRole": None}
    if version != "V1_0":
        request["scopes"] = list(claims.scopes)
    if context.client_metadata:
        request["clientMetadata"] = dict(context.client_metadata)
    event: dict[str, Any] = {
        "version": EVENT_VERSION[version],
        "triggerSource": context.trigger_source,
        "region": region_of(context.pool_id),
        "userPoolId": context.pool_id,
    }
    if context.user is not None:
        event["userName"] = context.user.username
    event["callerContext"] = {"awsSdkVersion": UNKNOWN_SDK, "clientId": context.client_id}
    event["request"] = request
    key = "claimsOverrideDetails" if version == "V1_0" else "claimsAndScopeOverrideDetails"
    event["response"] = {key: None}
    return event


def apply_response(version: str, returned: Any, claims: ClaimSets, *, strict: bool = False,
                   invoker: str | None = None) -> tuple[ClaimSets, list[Ignored]]:
    """Check the handler's answer (the event with ``response`` filled in) and apply it to copies of
    the claim sets. Returns the new claim sets and the reserved-claim changes that were ignored."""
    overrides = parse_response(version, returned, invoker=invoker)
    return apply_overrides(version, overrides, claims, strict=strict, invoker=invoker)
