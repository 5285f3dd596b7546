"""Software-token (TOTP) multi-factor authentication: the pool's MFA setting and each user's token.

Cognito's rules (API reference: AssociateSoftwareToken, VerifySoftwareToken, SetUserMFAPreference,
SetUserPoolMfaConfig; developer guide "Adding MFA to a user pool"):

- The pool's ``MfaConfiguration``: ``OFF`` (never asked), ``OPTIONAL`` (asked of users who have a factor
  enabled), ``ON`` (asked of everyone; a user without a factor must set one up, the ``MFA_SETUP``
  challenge). TOTP is authpool's only factor, so TOTP is on in a pool exactly when MFA is not OFF.
- :meth:`MfaService.associate` draws a new secret (``totp.py``) and keeps it *pending*; a verified
  token stays in use until :meth:`MfaService.verify` accepts a code of the new one ("Amazon Cognito
  disassociates an existing software token when you verify the new token"). A wrong code is
  ``EnableSoftwareTokenMfaFailed`` (Cognito: EnableSoftwareTokenMFAException).
- A verified token is used at sign-in when the user enabled it (SetUserMFAPreference) in an OPTIONAL
  pool, and always in an ON pool. Verifying during the MFA_SETUP challenge also enables it.
- A code is accepted once: its time step must be later than the last one accepted (RFC 6238 §5.2).

The secret leaves this module once, in AssociateSoftwareToken's answer; it is never logged.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import AuthpoolError, InvalidParameter
from ..store import PoolRecord, UnitOfWork, UserRecord
from ..store.mfa import SoftwareTokenRecord
from . import totp
from ._service import Service
from .codes import CodeMismatch

OFF, ON, OPTIONAL = "OFF", "ON", "OPTIONAL"
MFA_CONFIGURATIONS = (OFF, ON, OPTIONAL)
SOFTWARE_TOKEN_MFA = "SOFTWARE_TOKEN_MFA"
MFA_SETUP = "MFA_SETUP"
MAX_FRIENDLY_NAME = 128


class SoftwareTokenMfaNotFound(AuthpoolError):
    """TOTP MFA is not turned on in the user pool (Cognito: SoftwareTokenMFANotFoundException)."""

    code = "software_token_mfa_not_found"
    default_message = "Software token MFA is not enabled for the user pool."


class EnableSoftwareTokenMfaFailed(AuthpoolError):
    """VerifySoftwareToken got a wrong code (Cognito: EnableSoftwareTokenMFAException)."""

    code = "enable_software_token_mfa_failed"
    default_message = "Code mismatch and fail enable Software Token MFA"


class MfaCodeMismatch(CodeMismatch):
    """A wrong or already used code at sign-in (Cognito: CodeMismatchException)."""

    default_message = "Invalid code received for user"


def mfa_configuration(pool: PoolRecord) -> str:
    value = pool.settings.get("MfaConfiguration") or OFF
    return value if value in MFA_CONFIGURATIONS else OFF


def totp_enabled(pool: PoolRecord) -> bool:
    return mfa_configuration(pool) != OFF


@dataclass(frozen=True, slots=True)
class MfaSettings:
    """A user's MFA as AdminGetUser / GetUser report it."""

    enabled: tuple[str, ...] = ()  # UserMFASettingList
    preferred: str | None = None  # PreferredMfaSetting

    def to_cognito(self) -> dict[str, object]:
        out: dict[str, object] = {}
        if self.enabled:
            out["UserMFASettingList"] = list(self.enabled)
        if self.preferred:
            out["PreferredMfaSetting"] = self.preferred
        return out


@dataclass(frozen=True, slots=True)
class Challenge:
    """What a proven password leads to in this pool: ``name`` SOFTWARE_TOKEN_MFA or MFA_SETUP."""

    name: str
    friendly_name: str | None = None


class MfaService(Service):
    # -- set-up ---------------------------------------------------------------------------------
    def associate(self, pool_id: str, sub: str, *, tx: UnitOfWork | None = None) -> str:
        """AssociateSoftwareToken: a new pending secret, returned once as base32 (``SecretCode``)."""
        with self._tx(tx) as t:
            self._require_totp(t, pool_id)
            secret = totp.new_secret()
            t.software_tokens.set_pending(pool_id, sub, secret)
            self._audit(t, "user.mfa_token_associated", pool_id=pool_id, target=sub)
        return totp.to_base32(secret)

    def verify(self, pool_id: str, sub: str, code: str, *, friendly_name: str | None = None, enable: bool = False,
               tx: UnitOfWork | None = None) -> None:
        """VerifySoftwareToken: a code of the pending secret makes it the user's token (and, with
        ``enable``, the enabled and preferred factor). Raises EnableSoftwareTokenMfaFailed,
        InvalidParameter (nothing associated), SoftwareTokenMfaNotFound."""
        if friendly_name is not None and len(friendly_name) > MAX_FRIENDLY_NAME:
            raise InvalidParameter(f"FriendlyDeviceName must be at most {MAX_FRIENDLY_NAME} characters.")
        with self._tx(tx) as t:
            self._require_totp(t, pool_id)
            record = t.software_tokens.get(pool_id, sub)
            if record is None or record.pending_secret is None:
                raise InvalidParameter("No software token is associated with the user: call AssociateSoftwareToken.")
            step = totp.matching_step(record.pending_secret, code, t.now())
            if step is None:
                raise EnableSoftwareTokenMfaFailed()
            t.software_tokens.activate(pool_id, sub, secret=record.pending_secret, step=step,
                                       friendly_name=friendly_name or None, enable=enable)
            self._audit(t, "user.mfa_token_verified", pool_id=pool_id, target=sub)

    # -- preference -----------------------------------------------------------------------------
    def set_preference(self, pool_id: str, sub: str, *, enabled: bool | None, preferred: bool | None,
                       tx: UnitOfWork | None = None) -> None:
        """SetUserMFAPreference / AdminSetUserMFAPreference ``SoftwareTokenMfaSettings``. A member left
        out keeps its value; disabling also clears preferred. Raises InvalidParameter (enabling a
        token that was never verified, preferring a disabled one)."""
        with self._tx(tx) as t:
            t.pools.require(pool_id)
            record = t.software_tokens.get(pool_id, sub)
            now_enabled = (record.enabled if record else False) if enabled is None else enabled
            now_preferred = (record.preferred if record else False) if preferred is None else preferred
            if preferred and not now_enabled:
                raise InvalidParameter("A preferred MFA method must be enabled.")
            if now_enabled and (record is None or not record.verified):
                raise InvalidParameter("User has not verified software token mfa")
            if record is None:
                return  # disabling what was never set up: nothing to do
            t.software_tokens.set_preference(pool_id, sub, enabled=now_enabled, preferred=now_enabled and now_preferred)
            self._audit(t, "user.mfa_preference_set", pool_id=pool_id, target=sub,
                        detail={"totp_enabled": now_enabled})

    def settings(self, pool_id: str, sub: str, *, tx: UnitOfWork | None = None) -> MfaSettings:
        with self._tx(tx, readonly=True) as t:
            record = t.software_tokens.get(pool_id, sub)
        if record is None or not record.verified or not record.enabled:
            return MfaSettings()
        return MfaSettings((SOFTWARE_TOKEN_MFA,), SOFTWARE_TOKEN_MFA if record.preferred else None)

    def reset(self, pool_id: str, user: UserRecord, *, tx: UnitOfWork | None = None) -> bool:
        """Forget the user's software token (an administrator's reset): True when there was one."""
        with self._tx(tx) as t:
            removed = t.software_tokens.delete(pool_id, user.sub)
            if removed:
                self._audit(t, "user.mfa_reset", pool_id=pool_id, target=user.sub)
        return removed

    # -- sign-in --------------------------------------------------------------------------------
    def challenge(self, pool: PoolRecord, user: UserRecord, *, tx: UnitOfWork | None = None) -> Challenge | None:
        """The MFA challenge a proven password leads to, or None (signed in)."""
        configuration = mfa_configuration(pool)
        if configuration == OFF:
            return None
        with self._tx(tx, readonly=True) as t:
            record = t.software_tokens.get(pool.id, user.sub)
        if record is not None and record.verified and (record.enabled or configuration == ON):
            return Challenge(SOFTWARE_TOKEN_MFA, record.friendly_name)
        return Challenge(MFA_SETUP) if configuration == ON else None

    def check_code(self, pool_id: str, sub: str, code: str, *, tx: UnitOfWork | None = None) -> None:
        """A sign-in code of the user's verified token, not used before. Raises MfaCodeMismatch."""
        with self._tx(tx) as t:
            record = t.software_tokens.get(pool_id, sub)
            step = _step(record, code, t.now())
            if step is None:
                raise MfaCodeMismatch()
            if not t.software_tokens.use_step(pool_id, sub, step):
                raise MfaCodeMismatch("Your software token has already been used once.")

    @staticmethod
    def _require_totp(t: UnitOfWork, pool_id: str) -> PoolRecord:
        pool = t.pools.require(pool_id)
        if not totp_enabled(pool):
            raise SoftwareTokenMfaNotFound()
        return pool


def _step(record: SoftwareTokenRecord | None, code: str, now: int) -> int | None:
    if record is None or record.secret is None:
        return None
    return totp.matching_step(record.secret, code, now)
