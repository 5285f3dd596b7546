"""Per-pool discovery and JWKS documents.

* OpenID Connect Discovery 1.0 §3-§4: ``{issuer}/.well-known/openid-configuration``.
* RFC 8414 §3: ``/.well-known/oauth-authorization-server/{pool_id}`` (the well-known segment is
  inserted before the issuer's path), same metadata.
* RFC 7517 §5: ``{issuer}/.well-known/jwks.json``, the public keys only, with ``Cache-Control`` so
  verifiers can cache (aws-jwt-verify and our guard honour it).

Endpoints live under the issuer (``{issuer}/oauth2/...``) so one server can host many pools; every
client finds them here rather than guessing paths.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

SCOPES_SUPPORTED = ["openid", "email", "phone", "profile", "aws.cognito.signin.user.admin"]
CLAIMS_SUPPORTED = ["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "at_hash", "token_use", "jti",
                    "origin_jti", "event_id", "cognito:username", "cognito:groups", "email", "email_verified",
                    "name", "given_name", "family_name", "phone_number", "phone_number_verified", "picture"]


def metadata(issuer: str, signing_alg: str) -> dict[str, Any]:
    return {
        "issuer": issuer,
        "authorization_endpoint": f"{issuer}/oauth2/authorize",
        "token_endpoint": f"{issuer}/oauth2/token",
        "userinfo_endpoint": f"{issuer}/oauth2/userInfo",
        "revocation_endpoint": f"{issuer}/oauth2/revoke",
        "introspection_endpoint": f"{issuer}/oauth2/introspect",
        "end_session_endpoint": f"{issuer}/logout",
        "jwks_uri": f"{issuer}/.well-known/jwks.json",
        "scopes_supported": SCOPES_SUPPORTED,
        # "token" (implicit) is served only to clients that opt in, and is deliberately not advertised
        # (RFC 9700 §2.1.2): discovery-driven libraries should never pick it.
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": [signing_alg],
        # "none": public clients (no secret) send only client_id, with PKCE (RFC 8414 §2, RFC 7591 §2).
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
        "claims_supported": CLAIMS_SUPPORTED,
        "request_parameter_supported": False,
        "request_uri_parameter_supported": False,
        "claims_parameter_supported": False,
        "authorization_response_iss_parameter_supported": True,
        "access_token_signing_alg_values_supported": [signing_alg],
    }


def _cached_json(request: Request, body: dict[str, Any]) -> Response:
    max_age = request.app.state.ctx.settings.jwks_max_age
    return JSONResponse(body, headers={"Cache-Control": f"public, max-age={max_age}"})


def _find_pool(ctx, pool_id: str):
    if len(pool_id) > 55:  # Cognito's bound on a pool id
        return None
    with ctx.db.transaction(readonly=True) as tx:
        return tx.pools.get(pool_id)


_NOT_FOUND = {"error": "not_found", "error_description": "No such user pool."}


async def openid_configuration(request: Request) -> Response:
    ctx = request.app.state.ctx
    pool = await ctx.run(_find_pool, ctx, request.path_params["pool_id"])
    if pool is None:
        return JSONResponse(_NOT_FOUND, status_code=404)
    return _cached_json(request, metadata(ctx.settings.issuer_for(pool.id), ctx.keys.signing_alg(pool)))


async def jwks(request: Request) -> Response:
    ctx = request.app.state.ctx
    pool_id = request.path_params["pool_id"]
    document = await ctx.run(ctx.keys.jwks_document, pool_id) if len(pool_id) <= 55 else None
    if document is None:
        return JSONResponse(_NOT_FOUND, status_code=404)
    return _cached_json(request, document)
