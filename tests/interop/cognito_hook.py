"""A V2_0 pre-token-generation hook for the boto3 suite, configured through UpdateUserPool's
LambdaConfig as ``python:tests.interop.cognito_hook:handler``."""

from __future__ import annotations


def handler(event, context):
    if event["request"]["userAttributes"].get("custom:tenant") == "blocked":
        raise ValueError("tenant is blocked")
    event["response"]["claimsAndScopeOverrideDetails"] = {
        "accessTokenGeneration": {"claimsToAddOrOverride": {"tenant": event["request"]["userAttributes"]
                                                            .get("custom:tenant", "none")},
                                  "scopesToAdd": ["orders/read"]},
        "idTokenGeneration": {"claimsToSuppress": ["email"]},
    }
    return event
