"""``grant_type=authorization_code`` (RFC 6749 §4.1.3; RFC 7636 §4.5; OIDC Core §3.1.3).

Steps, in this order:

1. the client must be allowed the ``code`` flow (Cognito ``unauthorized_client``);
2. ``code`` and ``redirect_uri`` are required (§4.1.3: ``redirect_uri`` is "REQUIRED, if the
   redirect_uri parameter was included in the authorization request", which it always is here);
3. the code is consumed, race-safe, for this client (the store's conditional update: of two
   concurrent exchanges exactly one wins). A code of another client stays untouched and is
   ``invalid_grant`` ("ensure that the authorization code was issued to the authenticated
   confidential client, or if the client is public, ensure that the code was issued to
   client_id"). A code already used is refused and **the tokens issued from it are revoked**
   (§4.1.2 "If an authorization code is used more than once, the authorization server MUST deny
   the request and SHOULD revoke (when possible) all tokens previously issued based on that
   authorization code"; §10.5; RFC 9700 §4.5);
4. ``redirect_uri`` must be identical to the authorization request's (§4.1.3);
5. PKCE (:mod:`..pkce`): the verifier must match the challenge; a verifier for a code issued
   without a challenge is refused (RFC 9700 §4.8.2, PKCE downgrade). The code is consumed before
   this check, so a wrong verifier burns it: a stolen code gets one guess;
6. tokens from ``TokenService.for_user`` (trigger ``TokenGeneration_HostedAuth``, the code's nonce,
   ``at_hash``, ``aud`` = the code's RFC 8707 resource), and the new token family is attached to
   the code so a later replay can revoke it.
"""

from __future__ import annotations

import logging
from typing import Any

from ...store import CodeState
from .. import pkce
from ..authorize import HOSTED_AUTH
from ..bearer import unverified_claims
from ..errors import InvalidGrant, InvalidRequest
from .common import client_metadata, require_oauth_flow, token_response

GRANT_TYPE = "authorization_code"
PARAMETERS = frozenset({"code", "redirect_uri", "code_verifier", "client_id", "aws_client_metadata"})
log = logging.getLogger("authpool.oauth")


def handle(ctx, auth, params: dict[str, str]) -> dict[str, Any]:
    client = auth.client
    require_oauth_flow(client, "code")
    metadata = client_metadata(params)  # checked before the code is consumed
    code, redirect_uri = params.get("code"), params.get("redirect_uri")
    if code is None or redirect_uri is None:
        raise InvalidRequest("code and redirect_uri are required.")
    if len(code) > 128:
        raise InvalidGrant("The authorization code is invalid or expired.")
    with ctx.db.transaction() as tx:
        result = tx.auth_codes.consume(code, client_id=client.client_id, now=ctx.db.now())
        if result.state is CodeState.CONSUMED and result.code.origin_jti:
            tx.token_families.revoke_family(result.code.origin_jti)
    if result.state is CodeState.CONSUMED:
        log.warning("authorization code replayed; the tokens issued from it are revoked",
                    extra={"client_id": client.client_id, "pool_id": client.pool_id})
        raise InvalidGrant("The authorization code was already used; the tokens issued from it are revoked.")
    if not result.ok:
        raise InvalidGrant("The authorization code is invalid or expired.")
    record = result.code
    if record.redirect_uri != redirect_uri:
        raise InvalidGrant("redirect_uri does not match the authorization request.")
    pkce.verify(record.code_challenge, params.get("code_verifier"))
    with ctx.db.transaction(readonly=True) as tx:
        user = tx.users.get_by_sub(client.pool_id, record.user_sub)
    if user is None:
        raise InvalidGrant("The user no longer exists.")
    issued = ctx.tokens.for_user(client=client, user=user, scopes=record.scopes, trigger_source=HOSTED_AUTH,
                                 nonce=record.nonce, with_at_hash=True, audience=record.resource,
                                 auth_time=record.auth_time, client_metadata=metadata)
    origin_jti = (unverified_claims(issued.access_token) or {}).get("origin_jti")
    if origin_jti:
        with ctx.db.transaction() as tx:
            tx.auth_codes.attach_family(code, origin_jti)
    return token_response(issued, with_id_token="openid" in record.scopes)
