"""App-client checks shared by the unsigned operations: the client exists, SECRET_HASH / ClientSecret
match, and the auth flow is enabled.

- ``SECRET_HASH = Base64(HMAC-SHA256(key=client secret, message=username + client id))``, required
  for a client with a secret and compared in constant time (Cognito developer guide, "Computing
  secret hash values"; COGNITO.md §4.2). On refresh, Cognito accepts the hash of the user's name or
  of their ``sub`` (the name used at sign-in in pools that sign in with e-mail).
- ``ExplicitAuthFlows`` (COGNITO.md §3): ``ALLOW_USER_PASSWORD_AUTH``, ``ALLOW_ADMIN_USER_PASSWORD_AUTH``,
  ``ALLOW_REFRESH_TOKEN_AUTH``; the legacy values ``USER_PASSWORD_AUTH`` / ``ADMIN_NO_SRP_AUTH``
  enable the matching flow, and with legacy values refresh is always allowed (botocore
  ``ExplicitAuthFlowsType`` documentation), and so is ``USER_SRP_AUTH`` unless
  ``CUSTOM_AUTH_FLOW_ONLY`` is set (the legacy values added flows to SRP, which was always on).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable

from ..errors import NotAuthorized
from ..pool import check_secret
from ..store import ClientRecord
from .errors import CognitoError, invalid_parameter

_LEGACY = {"ALLOW_USER_PASSWORD_AUTH": "USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH": "ADMIN_NO_SRP_AUTH"}


def secret_hash(client_secret: str, username: str, client_id: str) -> str:
    mac = hmac.new(client_secret.encode(), (username + client_id).encode(), hashlib.sha256).digest()
    return base64.b64encode(mac).decode()


def client_not_found(client_id: str) -> CognitoError:
    return CognitoError("ResourceNotFoundException", f"User pool client {client_id} does not exist.")


def load_client(ctx, client_id: str, *, pool_id: str | None = None) -> ClientRecord:
    """The client by id (and in ``pool_id`` when given), or ResourceNotFoundException."""
    client = ctx.clients.find(client_id)
    if client is None or (pool_id is not None and client.pool_id != pool_id):
        raise client_not_found(client_id)
    return client


def check_secret_hash(client: ClientRecord, given: str | None, usernames: Iterable[str]) -> None:
    """Raise NotAuthorized unless ``given`` is the SECRET_HASH of one of ``usernames`` (only for
    clients with a secret; public clients need none)."""
    if not client.has_secret:
        return
    if not given:
        raise NotAuthorized(f"Client {client.client_id} is configured for secret but secret was not received")
    ok = False
    for name in usernames:
        expected = secret_hash(client.client_secret, name, client.client_id)
        ok |= hmac.compare_digest(expected.encode(), given.encode())
    if not ok:
        raise NotAuthorized(f"Unable to verify secret hash for client {client.client_id}")


def check_client_secret(client: ClientRecord, given: str | None) -> None:
    """GetTokensFromRefreshToken / RevokeToken send the secret itself."""
    if client.has_secret and not check_secret(client, given):
        raise NotAuthorized(f"Unable to verify secret for client {client.client_id}")


def flow_enabled(client: ClientRecord, flow: str) -> bool:
    flows = set(client.settings.get("ExplicitAuthFlows") or [])
    legacy = bool(flows & set(_LEGACY.values()) | {"CUSTOM_AUTH_FLOW_ONLY"} & flows)
    if flow == "ALLOW_REFRESH_TOKEN_AUTH" and legacy:
        return True
    if flow == "ALLOW_USER_SRP_AUTH" and legacy and "CUSTOM_AUTH_FLOW_ONLY" not in flows:
        return True  # the legacy values only added flows to SRP, which was always on [inference]
    return flow in flows or _LEGACY.get(flow) in flows


def require_flow(client: ClientRecord, flow: str, name: str) -> None:
    if not flow_enabled(client, flow):
        raise invalid_parameter(f"{name} flow not enabled for this client")
