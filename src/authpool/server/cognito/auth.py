"""Sign-in: InitiateAuth, AdminInitiateAuth, RespondToAuthChallenge, AdminRespondToAuthChallenge,
GetTokensFromRefreshToken (botocore service-2.json; COGNITO.md §1.4-§1.6, §4.2).

- Flows: ``USER_PASSWORD_AUTH`` (InitiateAuth) and ``ADMIN_USER_PASSWORD_AUTH`` / ``ADMIN_NO_SRP_AUTH``
  (AdminInitiateAuth), each only when the client's ``ExplicitAuthFlows`` enables it;
  ``REFRESH_TOKEN_AUTH`` / ``REFRESH_TOKEN`` (both) with ``ALLOW_REFRESH_TOKEN_AUTH``, returning new
  ID and access tokens and no refresh token; ``USER_SRP_AUTH`` (both, with ``ALLOW_USER_SRP_AUTH``)
  answers the ``PASSWORD_VERIFIER`` challenge (``srp_auth.py``, docs/srp.md). ``SECRET_HASH`` is
  required for clients with a secret.
- The password step is ``ctx.signin`` (``pool/signin.py``), shared with the hosted login page:
  throttling, PreventUserExistenceErrors, the ``NEW_PASSWORD_REQUIRED`` challenge for temporary
  passwords, answered with RespondToAuthChallenge (``USERNAME``, ``NEW_PASSWORD``,
  ``userAttributes.<name>``).
- MFA (``pool/mfa_signin.py``): after the password step (and after NEW_PASSWORD_REQUIRED), a user
  with TOTP enabled, or any user of a pool whose ``MfaConfiguration`` is ON, gets the
  ``SOFTWARE_TOKEN_MFA`` challenge (``ChallengeParameters`` ``FRIENDLY_DEVICE_NAME`` when the device has
  a name), answered with ``SOFTWARE_TOKEN_MFA_CODE``; an ON pool's user without a token gets
  ``MFA_SETUP`` (``MFAS_CAN_SETUP`` ``["SOFTWARE_TOKEN_MFA"]``), answered after AssociateSoftwareToken and
  VerifySoftwareToken (``mfa.py``) with VerifySoftwareToken's Session.
- Tokens come only from ``TokenService``, with the one scope API sign-in grants,
  ``aws.cognito.signin.user.admin``, and Cognito's trigger sources (``TokenGeneration_Authentication``,
  ``_NewPasswordChallenge``, ``_RefreshTokens``).
- GetTokensFromRefreshToken follows the client's ``RefreshTokenRotation``: with ``Feature: ENABLED``
  the old token is exchanged for a new one (``RetryGracePeriodSeconds`` lets a retry reuse it), a
  replay revokes the session and answers ``RefreshTokenReuseException``; REFRESH_TOKEN_AUTH is then
  refused, as in Cognito.
"""

from __future__ import annotations

import json
from typing import Any

from ...tokens.profiles import COGNITO_ADMIN_SCOPE
from ..pool.mfa import MFA_SETUP, SOFTWARE_TOKEN_MFA
from ..pool.signin import NEW_PASSWORD_REQUIRED, SignInOutcome
from ..store import ClientRecord, UserRecord
from .clientauth import check_client_secret, check_secret_hash, load_client, require_flow
from .errors import invalid_parameter
from .params import CLIENT_ID, CLIENT_SECRET, POOL_ID, SESSION, TOKEN, required_members
from .shapes import authentication_result
from .srp_auth import PASSWORD_VERIFIER
from .srp_auth import initiate as initiate_srp
from .srp_auth import respond as respond_srp

AUTH_FLOWS = ("USER_SRP_AUTH", "REFRESH_TOKEN_AUTH", "REFRESH_TOKEN", "CUSTOM_AUTH", "ADMIN_NO_SRP_AUTH",
              "USER_PASSWORD_AUTH", "ADMIN_USER_PASSWORD_AUTH", "USER_AUTH")
_HIDDEN_ATTRIBUTES = ("sub", "email_verified", "phone_number_verified")


def _tokens(call, client: ClientRecord, user: UserRecord, trigger: str) -> dict[str, Any]:
    result = call.ctx.tokens.for_user(client=client, user=user, scopes=[COGNITO_ADMIN_SCOPE], trigger_source=trigger,
                                      client_metadata=call.params.str_map("ClientMetadata"))
    return {"AuthenticationResult": authentication_result(result), "ChallengeParameters": {}}


def _new_password_challenge(call, user: UserRecord, session: str) -> dict[str, Any]:
    schema = call.ctx.pools.schema(user.pool_id)
    required = [f"userAttributes.{a.name}" for a in schema
                if a.required and a.name != "sub" and not user.attributes.get(a.name)]
    visible = {k: v for k, v in user.attributes.items() if k not in _HIDDEN_ATTRIBUTES}
    return {"ChallengeName": NEW_PASSWORD_REQUIRED, "Session": session,
            "ChallengeParameters": {"USER_ID_FOR_SRP": user.username, "requiredAttributes": json.dumps(required),
                                    "userAttributes": json.dumps(visible)}}


def _password(call, client: ClientRecord, params: dict[str, str], source_ip: str | None) -> dict[str, Any]:
    (username,) = required_members(params, "USERNAME")
    password = params.get("PASSWORD")
    if password is None:
        raise invalid_parameter("Missing required parameter PASSWORD")
    check_secret_hash(client, params.get("SECRET_HASH"), [username])
    outcome = call.ctx.signin.password(client.pool_id, username, password, client=client, source_ip=source_ip)
    return _signed_in(call, client, outcome)


def _signed_in(call, client: ClientRecord, outcome: SignInOutcome,
               trigger: str = "TokenGeneration_Authentication") -> dict[str, Any]:
    """Tokens, or the NEW_PASSWORD_REQUIRED / MFA challenge, after a proven password (plain or SRP)."""
    if outcome.challenge == NEW_PASSWORD_REQUIRED:
        return _new_password_challenge(call, outcome.user, outcome.session)
    if outcome.challenge == SOFTWARE_TOKEN_MFA:
        parameters = {"FRIENDLY_DEVICE_NAME": outcome.friendly_name} if outcome.friendly_name else {}
        return {"ChallengeName": SOFTWARE_TOKEN_MFA, "Session": outcome.session, "ChallengeParameters": parameters}
    if outcome.challenge == MFA_SETUP:
        return {"ChallengeName": MFA_SETUP, "Session": outcome.session,
                "ChallengeParameters": {"MFAS_CAN_SETUP": json.dumps([SOFTWARE_TOKEN_MFA])}}
    return _tokens(call, client, outcome.user, trigger)


def _rotation(client: ClientRecord) -> tuple[bool, int]:
    rotation = client.settings.get("RefreshTokenRotation") or {}
    return rotation.get("Feature") == "ENABLED", int(rotation.get("RetryGracePeriodSeconds") or 0)


def _refresh_names(call, client: ClientRecord, token: str, given: str | None) -> list[str]:
    """The names a SECRET_HASH on refresh may be computed from: the token's user name or sub."""
    with call.ctx.db.transaction(readonly=True) as tx:
        family = tx.refresh_tokens.check(token, client_id=client.client_id).family
        user = tx.users.get_by_sub(client.pool_id, family.user_sub) if family and family.user_sub else None
    names = [user.username, user.sub] if user else []
    return names + ([given] if given else [])


def _refresh(call, client: ClientRecord, params: dict[str, str]) -> dict[str, Any]:
    require_flow(client, "ALLOW_REFRESH_TOKEN_AUTH", "REFRESH_TOKEN_AUTH")
    if _rotation(client)[0]:
        raise invalid_parameter("Refresh token rotation is enabled for this app client: use GetTokensFromRefreshToken.")
    token = params.get("REFRESH_TOKEN")
    if not token or len(token) > TOKEN["max"]:
        raise invalid_parameter("Missing required parameter REFRESH_TOKEN")
    if client.has_secret:
        names = _refresh_names(call, client, token, params.get("USERNAME"))
        check_secret_hash(client, params.get("SECRET_HASH"), names)
    result = call.ctx.tokens.refresh(client=client, refresh_token=token, rotate=False,
                                     client_metadata=call.params.str_map("ClientMetadata"))
    return {"AuthenticationResult": authentication_result(result), "ChallengeParameters": {}}


def initiate_auth(call) -> dict[str, Any]:
    p = call.params
    client = load_client(call.ctx, p.str("ClientId", required=True, **CLIENT_ID))
    flow = p.str("AuthFlow", required=True, choices=AUTH_FLOWS)
    params = p.str_map("AuthParameters")
    if flow == "USER_SRP_AUTH":
        return initiate_srp(call, client, params, call.source_ip)
    if flow == "USER_PASSWORD_AUTH":
        require_flow(client, "ALLOW_USER_PASSWORD_AUTH", "USER_PASSWORD_AUTH")
        return _password(call, client, params, call.source_ip)
    if flow in ("REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"):
        return _refresh(call, client, params)
    if flow in ("ADMIN_NO_SRP_AUTH", "ADMIN_USER_PASSWORD_AUTH"):
        raise invalid_parameter("Initiate Auth method not supported.")
    raise invalid_parameter(f"{flow} is not supported by authpool.")


def admin_initiate_auth(call) -> dict[str, Any]:
    p = call.params
    pool_id = p.str("UserPoolId", required=True, **POOL_ID)
    client = load_client(call.ctx, p.str("ClientId", required=True, **CLIENT_ID), pool_id=pool_id)
    flow = p.str("AuthFlow", required=True, choices=AUTH_FLOWS)
    params = p.str_map("AuthParameters")
    if flow in ("ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"):
        require_flow(client, "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ADMIN_USER_PASSWORD_AUTH")
        return _password(call, client, params, _end_user_ip(call))
    if flow in ("REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"):
        return _refresh(call, client, params)
    if flow == "USER_SRP_AUTH":
        return initiate_srp(call, client, params, _end_user_ip(call))
    raise invalid_parameter("Initiate Auth method not supported.")


def _end_user_ip(call) -> str | None:
    """Admin* callers are back ends: throttle per end-user address only when they pass one on."""
    ip = (call.params.obj("ContextData") or {}).get("IpAddress")
    return ip if isinstance(ip, str) and len(ip) <= 64 else None


def _respond(call, client: ClientRecord, source_ip: str | None) -> dict[str, Any]:
    p = call.params
    name = p.str("ChallengeName", required=True, max=64)
    if name == PASSWORD_VERIFIER:
        return _signed_in(call, client, respond_srp(call, client, source_ip))
    if name in (SOFTWARE_TOKEN_MFA, MFA_SETUP):
        return _respond_mfa(call, client, name, source_ip)
    if name != NEW_PASSWORD_REQUIRED:
        raise invalid_parameter(f"The {name} challenge is not supported by authpool.")
    session = p.str("Session", required=True, **SESSION)
    responses = p.str_map("ChallengeResponses")
    username, new_password = required_members(responses, "USERNAME", "NEW_PASSWORD")
    check_secret_hash(client, responses.get("SECRET_HASH"), [username])
    prefix = "userAttributes."
    attributes = {k[len(prefix):]: v for k, v in responses.items() if k.startswith(prefix)}
    user = call.ctx.signin.complete_new_password(client.pool_id, session, new_password, client=client,
                                                 attributes=attributes, username=username)
    return _signed_in(call, client, call.ctx.signin.after_password(user, client), "TokenGeneration_NewPasswordChallenge")


def _respond_mfa(call, client: ClientRecord, name: str, source_ip: str | None) -> dict[str, Any]:
    """SOFTWARE_TOKEN_MFA (``SOFTWARE_TOKEN_MFA_CODE``) or MFA_SETUP (after VerifySoftwareToken)."""
    session = call.params.str("Session", required=True, **SESSION)
    responses = call.params.str_map("ChallengeResponses")
    (username,) = required_members(responses, "USERNAME")
    check_secret_hash(client, responses.get("SECRET_HASH"), [username])
    mfa = call.ctx.signin.mfa
    if name == SOFTWARE_TOKEN_MFA:
        (code,) = required_members(responses, "SOFTWARE_TOKEN_MFA_CODE")
        user = mfa.respond(session, code, client=client, source_ip=source_ip, username=username)
    else:
        user = mfa.complete_setup(session, client=client, source_ip=source_ip, username=username)
    return _tokens(call, client, user, "TokenGeneration_Authentication")


def respond_to_auth_challenge(call) -> dict[str, Any]:
    client = load_client(call.ctx, call.params.str("ClientId", required=True, **CLIENT_ID))
    return _respond(call, client, call.source_ip)


def admin_respond_to_auth_challenge(call) -> dict[str, Any]:
    pool_id = call.params.str("UserPoolId", required=True, **POOL_ID)
    client = load_client(call.ctx, call.params.str("ClientId", required=True, **CLIENT_ID), pool_id=pool_id)
    return _respond(call, client, _end_user_ip(call))


def get_tokens_from_refresh_token(call) -> dict[str, Any]:
    p = call.params
    token = p.str("RefreshToken", required=True, **TOKEN)
    client = load_client(call.ctx, p.str("ClientId", required=True, **CLIENT_ID))
    check_client_secret(client, p.str("ClientSecret", **CLIENT_SECRET))
    require_flow(client, "ALLOW_REFRESH_TOKEN_AUTH", "REFRESH_TOKEN_AUTH")
    rotate, grace = _rotation(client)
    result = call.ctx.tokens.refresh(client=client, refresh_token=token, rotate=rotate, grace_seconds=grace,
                                     client_metadata=p.str_map("ClientMetadata"))
    return {"AuthenticationResult": authentication_result(result)}


OPERATIONS = {
    "InitiateAuth": initiate_auth,
    "AdminInitiateAuth": admin_initiate_auth,
    "RespondToAuthChallenge": respond_to_auth_challenge,
    "AdminRespondToAuthChallenge": admin_respond_to_auth_challenge,
    "GetTokensFromRefreshToken": get_tokens_from_refresh_token,
}
