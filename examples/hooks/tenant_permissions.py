"""Add ``tenant_id`` and fine-grained ``permissions`` to the access token, from a table.

A V2_0 or V3_0 pre-token-generation handler in Cognito's style. Resource servers then authorize on
claims (``tenant_id``, ``permissions``) without looking the user up, and no personal data travels in
the access token. With V3_0 the same table also serves app clients using client credentials.

The table is an SQLite file named by the ``TENANT_TABLE`` environment variable (any store works the
same way: keep the lookup fast, the hook has 5 seconds in total)::

    principals (principal TEXT PRIMARY KEY, tenant_id TEXT NOT NULL)      -- a user's sub, or a client id
    permissions (principal TEXT NOT NULL, permission TEXT NOT NULL)

Configure it with ``authpool hooks set --pool <id> --version V3_0 --arn python:examples.hooks.tenant_permissions:handler``
(the module must be importable by the server), or deploy the same function to AWS Lambda for Cognito.
"""

from __future__ import annotations

import os
import sqlite3

TABLE_ENV = "TENANT_TABLE"

SCHEMA = """
CREATE TABLE IF NOT EXISTS principals (principal TEXT PRIMARY KEY, tenant_id TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS permissions (principal TEXT NOT NULL, permission TEXT NOT NULL,
                                        PRIMARY KEY (principal, permission));
"""


def lookup(principal: str) -> tuple[str | None, list[str]]:
    """(tenant id, permissions) of a user's sub or a client id; (None, []) when unknown."""
    with sqlite3.connect(f"file:{os.environ[TABLE_ENV]}?mode=ro", uri=True, timeout=1.0) as conn:
        row = conn.execute("SELECT tenant_id FROM principals WHERE principal = ?", (principal,)).fetchone()
        if row is None:
            return None, []
        granted = conn.execute("SELECT permission FROM permissions WHERE principal = ? ORDER BY permission",
                               (principal,)).fetchall()
    return row[0], [p for (p,) in granted]


def handler(event, context):
    if event["triggerSource"] == "TokenGeneration_ClientCredentials":
        principal = event["callerContext"]["clientId"]
    else:
        principal = event["request"]["userAttributes"]["sub"]
    tenant_id, permissions = lookup(principal)
    if tenant_id is None:
        return event  # nobody we know: tokens as usual (raise an exception instead to refuse the sign-in)
    event["response"]["claimsAndScopeOverrideDetails"] = {
        "accessTokenGeneration": {
            "claimsToAddOrOverride": {"tenant_id": tenant_id, "permissions": permissions},
        }
    }
    return event
