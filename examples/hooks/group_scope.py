"""Add a scope to the access token for members of a group (V2_0 or V3_0).

Members of ``admin`` get ``orders/admin``. The hook runs again on every refresh, from the scopes the
user was originally granted, so the scope disappears from refreshed tokens once the user leaves the
group. Cognito's API sign-in (InitiateAuth) grants only ``aws.cognito.signin.user.admin``; a hook like
this one is how custom scopes get into those tokens (COGNITO.md §1.4).
"""

from __future__ import annotations

GROUP_SCOPES = {"admin": ["orders/admin"]}


def handler(event, context):
    groups = event["request"]["groupConfiguration"]["groupsToOverride"]
    extra = sorted({scope for group in groups for scope in GROUP_SCOPES.get(group, ())})
    if extra:
        event["response"]["claimsAndScopeOverrideDetails"] = {"accessTokenGeneration": {"scopesToAdd": extra}}
    return event
