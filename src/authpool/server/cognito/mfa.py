"""Software-token (TOTP) MFA: AssociateSoftwareToken, VerifySoftwareToken, SetUserMFAPreference,
AdminSetUserMFAPreference, SetUserPoolMfaConfig, GetUserPoolMfaConfig (botocore service-2.json;
Cognito API reference). The rules live in ``pool/mfa.py`` and ``pool/mfa_signin.py``; the challenges
themselves (SOFTWARE_TOKEN_MFA, MFA_SETUP) are answered in ``auth.py``.

- AssociateSoftwareToken and VerifySoftwareToken take an ``AccessToken`` (``access.py``: the user's own,
  with ``aws.cognito.signin.user.admin``) **or** the ``Session`` of an MFA_SETUP challenge, not both.
  With a Session they answer a new Session for the next step. ``SecretCode`` is the base32 secret,
  returned once; authpool keeps it encrypted and never returns it again.
- SetUserMFAPreference / AdminSetUserMFAPreference: ``SoftwareTokenMfaSettings {Enabled, PreferredMfa}``.
  ``SMSMfaSettings`` / ``EmailMfaSettings`` enabling SMS or e-mail MFA are InvalidParameterException:
  authpool sends no text messages or e-mail, so it does not pretend to offer those factors.
- SetUserPoolMfaConfig: ``MfaConfiguration`` OFF | ON | OPTIONAL with ``SoftwareTokenMfaConfiguration``;
  ``SmsMfaConfiguration``, ``EmailMfaConfiguration`` and ``WebAuthnConfiguration`` are refused
  (InvalidParameterException, not supported). TOTP is on exactly when MFA is not OFF: enabling TOTP
  with MFA OFF, or MFA ON/OPTIONAL with TOTP disabled, is InvalidParameterException, as in Cognito.
"""

from __future__ import annotations

from typing import Any

from ..pool.mfa import MFA_CONFIGURATIONS, OFF, MfaSettings, mfa_configuration
from ..pool.mfa_signin import MfaSignIn
from .access import authorize
from .errors import invalid_parameter
from .params import POOL_ID, SESSION, TOKEN, USERNAME, validation_error


def _mfa(call) -> MfaSignIn:
    return call.ctx.signin.mfa


def _token_or_session(call) -> tuple[str | None, str | None]:
    token = call.params.str("AccessToken", **TOKEN)
    session = call.params.str("Session", **SESSION)
    if (token is None) == (session is None):
        raise invalid_parameter("Exactly one of AccessToken and Session is required.")
    return token, session


def associate_software_token(call) -> dict[str, Any]:
    token, session = _token_or_session(call)
    if session is not None:
        secret, next_session = _mfa(call).associate(session)
        return {"SecretCode": secret, "Session": next_session}
    grant = authorize(call.ctx, token)
    return {"SecretCode": _mfa(call).service.associate(grant.pool_id, grant.user.sub)}


def verify_software_token(call) -> dict[str, Any]:
    token, session = _token_or_session(call)
    code = call.params.str("UserCode", required=True, min=6, max=6)
    name = call.params.str("FriendlyDeviceName", min=0, max=131072)
    if session is not None:
        return {"Status": "SUCCESS", "Session": _mfa(call).verify(session, code, friendly_name=name)}
    grant = authorize(call.ctx, token)
    _mfa(call).service.verify(grant.pool_id, grant.user.sub, code, friendly_name=name)
    return {"Status": "SUCCESS"}


def _refuse_other_factors(call, *members: str) -> None:
    for member in members:
        value = call.params.obj(member)
        if value and (value.get("Enabled") or value.get("PreferredMfa")):
            raise invalid_parameter(f"{member}: SMS and e-mail MFA are not supported by authpool; use "
                                    "SoftwareTokenMfaSettings (TOTP).")


def _set_preference(call, pool_id: str, sub: str) -> dict[str, Any]:
    _refuse_other_factors(call, "SMSMfaSettings", "EmailMfaSettings")
    settings = call.params.obj("SoftwareTokenMfaSettings") or {}
    enabled, preferred = settings.get("Enabled"), settings.get("PreferredMfa")
    for member, value in (("Enabled", enabled), ("PreferredMfa", preferred)):
        if value is not None and not isinstance(value, bool):
            raise validation_error(f"softwareTokenMfaSettings.{member}", "Member must be a boolean")
    if settings:
        _mfa(call).service.set_preference(pool_id, sub, enabled=enabled, preferred=preferred)
    return {}


def set_user_mfa_preference(call) -> dict[str, Any]:
    grant = authorize(call.ctx, call.params.str("AccessToken", required=True, **TOKEN))
    return _set_preference(call, grant.pool_id, grant.user.sub)


def admin_set_user_mfa_preference(call) -> dict[str, Any]:
    pool_id = call.params.str("UserPoolId", required=True, **POOL_ID)
    user = call.ctx.users.get(pool_id, call.params.str("Username", required=True, **USERNAME))
    return _set_preference(call, pool_id, user.sub)


def _pool_config(pool) -> dict[str, Any]:
    configuration = mfa_configuration(pool)
    return {"MfaConfiguration": configuration, "SoftwareTokenMfaConfiguration": {"Enabled": configuration != OFF}}


def get_user_pool_mfa_config(call) -> dict[str, Any]:
    return _pool_config(call.ctx.pools.describe(call.params.str("UserPoolId", required=True, **POOL_ID)))


def set_user_pool_mfa_config(call) -> dict[str, Any]:
    pool_id = call.params.str("UserPoolId", required=True, **POOL_ID)
    for member in ("SmsMfaConfiguration", "EmailMfaConfiguration", "WebAuthnConfiguration"):
        if call.params.obj(member):
            raise invalid_parameter(f"{member} is not supported by authpool: software token (TOTP) MFA is the "
                                    "only factor.")
    current = mfa_configuration(call.ctx.pools.describe(pool_id))
    configuration = call.params.str("MfaConfiguration", choices=MFA_CONFIGURATIONS) or current
    software = call.params.obj("SoftwareTokenMfaConfiguration")
    enabled = software.get("Enabled") if software else None
    if enabled is not None and not isinstance(enabled, bool):
        raise validation_error("softwareTokenMfaConfiguration.enabled", "Member must be a boolean")
    if enabled is None:
        enabled = configuration != OFF
    if configuration == OFF and enabled:
        raise invalid_parameter("Invalid MFA configuration given, can't turn off MFA and enable MFA type at "
                                "the same time.")
    if configuration != OFF and not enabled:
        raise invalid_parameter("At least one MFA type must be enabled when MfaConfiguration is ON or OPTIONAL.")
    pool = call.ctx.pools.update(pool_id, settings={"MfaConfiguration": configuration}, merge=True)
    return _pool_config(pool)


def user_mfa(call, pool_id: str, sub: str) -> MfaSettings:
    """UserMFASettingList / PreferredMfaSetting for AdminGetUser and GetUser."""
    return _mfa(call).service.settings(pool_id, sub)


OPERATIONS = {
    "AssociateSoftwareToken": associate_software_token,
    "VerifySoftwareToken": verify_software_token,
    "SetUserMFAPreference": set_user_mfa_preference,
    "AdminSetUserMFAPreference": admin_set_user_mfa_preference,
    "GetUserPoolMfaConfig": get_user_pool_mfa_config,
    "SetUserPoolMfaConfig": set_user_pool_mfa_config,
}
