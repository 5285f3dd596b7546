"""``grant_type=refresh_token`` (RFC 6749 §6; RFC 9700 §4.14).

* The client must be allowed to refresh (``ALLOW_REFRESH_TOKEN_AUTH`` in ``ExplicitAuthFlows``,
  Cognito's ``unauthorized_client`` otherwise). The token must have been issued to this client
  (§6: "bind the refresh token to the client"; the store looks it up per client).
* Rotation follows the client's ``RefreshTokenRotation`` (Cognito): ``ENABLED`` returns a new
  refresh token and consumes the old one; presenting an already-rotated token (outside
  ``RetryGracePeriodSeconds``) revokes the whole family (RFC 9700 §4.14.2, "refresh token
  rotation"). ``DISABLED`` (Cognito's default) returns no refresh token and the old one stays.
* ``scope`` (§6): "MUST NOT include any scope not originally granted"; a subset is accepted and
  the originally granted scope is issued (authpool does not narrow refreshed tokens; the response
  names the scope granted).
* Every refusal is ``invalid_grant`` with one description, so nothing tells a revoked token from
  an unknown one.
"""

from __future__ import annotations

import logging
from typing import Any

from ...issuance import InvalidRefreshToken, RefreshTokenReused, UserDisabled
from .. import scopes as scope_rules
from ..errors import InvalidGrant, InvalidRequest, InvalidScope, UnauthorizedClient
from .common import REFRESH_FLOWS, token_response

GRANT_TYPE = "refresh_token"
PARAMETERS = frozenset({"refresh_token", "scope", "client_id"})
INVALID = "The refresh token is invalid, expired or revoked."
log = logging.getLogger("authpool.oauth")


def handle(ctx, auth, params: dict[str, str]) -> dict[str, Any]:
    client = auth.client
    if not set(client.settings.get("ExplicitAuthFlows") or []) & REFRESH_FLOWS:
        raise UnauthorizedClient("This client may not refresh tokens (ALLOW_REFRESH_TOKEN_AUTH is off).")
    token = params.get("refresh_token")
    if token is None:
        raise InvalidRequest("refresh_token is required.")
    if len(token) > 512:
        raise InvalidGrant(INVALID)
    requested = scope_rules.parse(params.get("scope"))
    if requested is not None:
        with ctx.db.transaction(readonly=True) as tx:
            family = tx.refresh_tokens.check(token, client_id=client.client_id).family
        if family is not None and not set(requested) <= set(family.scopes):
            raise InvalidScope("The requested scope exceeds the scope originally granted.")
    rotation = client.settings.get("RefreshTokenRotation") or {}
    try:
        issued = ctx.tokens.refresh(client=client, refresh_token=token, rotate=rotation.get("Feature") == "ENABLED",
                                    grace_seconds=int(rotation.get("RetryGracePeriodSeconds") or 0))
    except RefreshTokenReused:
        log.warning("rotated refresh token replayed; its family is revoked",
                    extra={"client_id": client.client_id, "pool_id": client.pool_id})
        raise InvalidGrant(INVALID) from None
    except (InvalidRefreshToken, UserDisabled):
        raise InvalidGrant(INVALID) from None
    return token_response(issued, with_id_token="openid" in issued.scopes)
