"""What the grants share: the token response body and the client's permission checks."""

from __future__ import annotations

import json
from typing import Any

from ...issuance import AuthenticationResult
from ...store import ClientRecord
from ..errors import InvalidRequest, UnauthorizedClient

MAX_CLIENT_METADATA_CHARS = 4096

#: ExplicitAuthFlows values that allow refreshing (the legacy values always did, COGNITO.md §3).
REFRESH_FLOWS = frozenset({"ALLOW_REFRESH_TOKEN_AUTH", "ADMIN_NO_SRP_AUTH", "CUSTOM_AUTH_FLOW_ONLY",
                           "USER_PASSWORD_AUTH"})


def allows_oauth_flow(client: ClientRecord, flow: str) -> bool:
    """Cognito: the client is enabled for OAuth (``AllowedOAuthFlowsUserPoolClient``) with ``flow``
    among its ``AllowedOAuthFlows``."""
    settings = client.settings
    return bool(settings.get("AllowedOAuthFlowsUserPoolClient")) and flow in (settings.get("AllowedOAuthFlows") or [])


def require_oauth_flow(client: ClientRecord, flow: str) -> None:
    """:func:`allows_oauth_flow`, otherwise ``unauthorized_client`` (RFC 6749 §5.2)."""
    if not allows_oauth_flow(client, flow):
        raise UnauthorizedClient(f"This client may not use the {flow} flow.")


def token_response(result: AuthenticationResult, *, with_id_token: bool) -> dict[str, Any]:
    """RFC 6749 §5.1 / OIDC Core §3.1.3.3. ``scope`` is always included (§5.1 requires it when it
    differs from the request; sending it always is allowed). The ID token only when ``openid`` was
    granted (Cognito: "An ID token is only returned if openid scope is requested")."""
    body: dict[str, Any] = {"access_token": result.access_token}
    if with_id_token and result.id_token:
        body["id_token"] = result.id_token
    if result.refresh_token:
        body["refresh_token"] = result.refresh_token
    body.update({"token_type": "Bearer", "expires_in": result.expires_in, "scope": " ".join(result.scopes)})
    return body


def client_metadata(params: dict[str, str]) -> dict[str, str]:
    """Cognito's ``aws_client_metadata`` token-request parameter: a JSON object of strings handed to
    the pre-token hook as ``clientMetadata`` (Cognito token endpoint docs). Bounded before parsing."""
    raw = params.get("aws_client_metadata")
    if raw is None:
        return {}
    if len(raw) > MAX_CLIENT_METADATA_CHARS:
        raise InvalidRequest("aws_client_metadata is too large.")
    try:
        value = json.loads(raw)
    except ValueError:
        raise InvalidRequest("aws_client_metadata must be a JSON object of strings.") from None
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise InvalidRequest("aws_client_metadata must be a JSON object of strings.")
    return value
