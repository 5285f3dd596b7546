"""Keep ``email`` (and ``email_verified``) out of the ID token for one app client.

Works with every event version: V1_0 answers in ``claimsOverrideDetails``, V2_0/V3_0 in
``claimsAndScopeOverrideDetails.idTokenGeneration``. The client ids come from the
``NO_EMAIL_CLIENT_IDS`` environment variable (comma or space separated), e.g. a partner app that must
not see users' addresses. Other clients get their tokens unchanged.
"""

from __future__ import annotations

import os

CLIENTS_ENV = "NO_EMAIL_CLIENT_IDS"
SUPPRESS = ["email", "email_verified"]


def handler(event, context):
    clients = set(os.environ.get(CLIENTS_ENV, "").replace(",", " ").split())
    if event["callerContext"]["clientId"] not in clients:
        return event
    if event["version"] == "1":
        event["response"]["claimsOverrideDetails"] = {"claimsToSuppress": SUPPRESS}
    else:
        event["response"]["claimsAndScopeOverrideDetails"] = {"idTokenGeneration": {"claimsToSuppress": SUPPRESS}}
    return event
