"""``grant_type=client_credentials`` (RFC 6749 §4.4; Cognito ``token-endpoint.md``, COGNITO.md §3).

* Only a confidential client (one with a secret, authenticated by Basic or post) whose
  ``AllowedOAuthFlows`` is ``client_credentials`` (§4.4.2 "MUST only be used by confidential
  clients"; Cognito: "the only allowed flow" on a client with a secret), else
  ``unauthorized_client``.
* Scopes: custom resource-server scopes only; an omitted ``scope`` gets every custom scope the
  client is allowed; scopes the client isn't allowed are ignored; nothing left is
  ``invalid_scope`` (:func:`..scopes.for_client_credentials`).
* RFC 8707 §2.2: ``resource`` names one of the pool's resource servers and becomes ``aud``.
* The response has an access token only: no ID token (no user), no refresh token (§4.4.3 "A
  refresh token SHOULD NOT be included").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

from ...cache import PerRecord
from ...store import ClientRecord
from .. import scopes as scope_rules
from ..errors import UnauthorizedClient
from .common import allows_oauth_flow, client_metadata, require_oauth_flow

GRANT_TYPE = "client_credentials"
PARAMETERS = frozenset({"scope", "resource", "client_id", "aws_client_metadata"})
#: Distinct ``scope`` parameters remembered per client (a client sends one or a few), and the longest.
MAX_REMEMBERED_SCOPES = 32
MAX_REMEMBERED_SCOPE_CHARS = 1024


def handle(ctx, auth, params: dict[str, str]) -> dict[str, Any]:
    client = auth.client
    if not auth.confidential:
        raise UnauthorizedClient("client_credentials needs a confidential client (one with a secret).")
    plan = _plans(client)
    if not plan.flow_allowed:
        require_oauth_flow(client, GRANT_TYPE)
    metadata = client_metadata(params)
    granted = _granted(client, plan, params.get("scope"))
    resource = params.get("resource")
    if resource is not None:
        with ctx.db.transaction(readonly=True) as tx:
            known = len(resource) <= 256 and tx.resource_servers.get(client.pool_id, resource) is not None
        resource = scope_rules.resolve_resource(resource, {resource} if known else ())
    issued = ctx.tokens.for_client(client=client, scopes=granted, audience=resource,
                                   client_metadata=metadata)
    return {"access_token": issued.access_token, "token_type": "Bearer", "expires_in": issued.expires_in,
            "scope": " ".join(issued.scopes)}


@dataclass(slots=True)
class _Plan:
    """What this grant decides from the client's settings alone, kept with the cached client record
    (:class:`..cache.PerRecord`): whether the flow is allowed, and the scopes granted for each
    ``scope`` parameter already seen (successes only; a refusal is worked out again)."""

    flow_allowed: bool
    granted: dict[str | None, tuple[str, ...]] = field(default_factory=dict)


_plans: PerRecord[ClientRecord, _Plan] = PerRecord(lambda client: _Plan(allows_oauth_flow(client, GRANT_TYPE)),
                                                   key=attrgetter("client_id"))


def _granted(client: ClientRecord, plan: _Plan, scope: str | None) -> tuple[str, ...]:
    granted = plan.granted.get(scope)
    if granted is None:
        granted = tuple(scope_rules.for_client_credentials(client, scope_rules.parse(scope)))
        if len(plan.granted) < MAX_REMEMBERED_SCOPES and (scope is None or len(scope) <= MAX_REMEMBERED_SCOPE_CHARS):
            plan.granted[scope] = granted
    return granted
