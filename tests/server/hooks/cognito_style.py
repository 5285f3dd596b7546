"""Handlers written exactly as Cognito's documentation writes them (ported line by line from its
Node.js examples to Python, as a Lambda Python handler): the event dict in, the same dict out.

Sources: Cognito developer guide, "Pre token generation Lambda trigger" (awsdocs
amazon-cognito-developer-guide ``doc_source/user-pool-lambda-pre-token-generation.md``: "Add a new
claim and suppress an existing claim", "Modify the user's group membership"); AWS Knowledge Center
"How can I get custom scopes in the access token when I make an InitiateAuth or AdminInitiateAuth
API call?" (V2 ``scopesToAdd``).
"""


def add_claim_and_suppress(event, context):
    event["response"] = {
        "claimsOverrideDetails": {
            "claimsToAddOrOverride": {
                "attribute_key2": "attribute_value2",
                "attribute_key": "attribute_value",
            },
            "claimsToSuppress": ["email"],
        }
    }
    # Return to Amazon Cognito
    return event


def modify_group_membership(event, context):
    event["response"] = {
        "claimsOverrideDetails": {
            "claimsToAddOrOverride": {
                "attribute_key2": "attribute_value2",
                "attribute_key": "attribute_value",
            },
            "claimsToSuppress": ["email"],
            "groupOverrideDetails": {
                "groupsToOverride": ["group-A", "group-B", "group-C"],
                "iamRolesToOverride": ["arn:aws:iam::XXXXXXXXXXXX:role/sns_callerA",
                                       "arn:aws:iam::XXXXXXXXX:role/sns_callerB",
                                       "arn:aws:iam::XXXXXXXXXX:role/sns_callerC"],
                "preferredRole": "arn:aws:iam::XXXXXXXXXXX:role/sns_caller",
            },
        }
    }
    # Return to Amazon Cognito
    return event


def custom_scopes(event, context):
    event["response"] = {
        "claimsAndScopeOverrideDetails": {
            "accessTokenGeneration": {
                "scopesToAdd": ["com.example.photos/read", "com.example.photos/write"],
            }
        },
    }
    return event


def lambda_handler(event, context):
    """A V2 handler in the style of AWS's access-token-customization post: read the request, fill in
    every part of the response, return the event."""
    groups = event["request"]["groupConfiguration"]["groupsToOverride"]
    event["response"]["claimsAndScopeOverrideDetails"] = {
        "idTokenGeneration": {
            "claimsToAddOrOverride": {"department": "engineering"},
            "claimsToSuppress": ["email"],
        },
        "accessTokenGeneration": {
            "claimsToAddOrOverride": {"department": "engineering", "is_admin": "admin" in groups},
            "claimsToSuppress": [],
            "scopesToAdd": ["my-api/read"],
            "scopesToSuppress": ["aws.cognito.signin.user.admin"],
        },
        "groupOverrideDetails": {
            "groupsToOverride": groups + ["engineering"],
            "iamRolesToOverride": event["request"]["groupConfiguration"]["iamRolesToOverride"],
            "preferredRole": event["request"]["groupConfiguration"]["preferredRole"],
        },
    }
    return event
