"""What software-token MFA stores: one row per user who has started TOTP set-up (``user_software_tokens``).

- ``secret``: the verified TOTP secret, the one sign-in checks codes against; ``pending_secret``: the
  one AssociateSoftwareToken handed out last, waiting for VerifySoftwareToken. Cognito keeps using the
  old token until the new one is verified ("Amazon Cognito disassociates an existing software token
  when you verify the new token", AssociateSoftwareToken reference), so the two are kept apart.
  Both are secrets at rest like the SRP verifiers (store/srp.py): AES-256-GCM under the master key,
  context ``totp-secret:<pool_id>:<sub>`` (``totp-pending:...`` for the pending one), so a blob copied
  into another row does not decrypt.
- ``enabled`` / ``preferred``: the user's MFA preference (SetUserMFAPreference), meaningful only with a
  verified secret.
- ``last_step``: the RFC 6238 time step of the last code accepted. :meth:`use_step` moves it forward
  with one conditional UPDATE, so a code (or an older one) is accepted at most once across every
  server process.

The row cascades with its user and pool.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import BigInteger, Boolean, ForeignKey, LargeBinary, String, delete, or_, select, update
from sqlalchemy.orm import Mapped, mapped_column

from ..errors import Kind
from ._base import Repository
from .models import Base


class UserSoftwareToken(Base):
    __tablename__ = "user_software_tokens"

    user_sub: Mapped[str] = mapped_column(ForeignKey("users.sub", ondelete="CASCADE"), primary_key=True)
    pool_id: Mapped[str] = mapped_column(ForeignKey("user_pools.id", ondelete="CASCADE"))
    secret: Mapped[bytes | None] = mapped_column(LargeBinary)  # AES-GCM, "totp-secret:<pool_id>:<sub>"
    pending_secret: Mapped[bytes | None] = mapped_column(LargeBinary)  # AES-GCM, "totp-pending:<pool_id>:<sub>"
    friendly_name: Mapped[str | None] = mapped_column(String(128))
    enabled: Mapped[bool] = mapped_column(Boolean)
    preferred: Mapped[bool] = mapped_column(Boolean)
    last_step: Mapped[int | None] = mapped_column(BigInteger)
    updated_at: Mapped[int] = mapped_column(BigInteger)


@dataclass(frozen=True, slots=True)
class SoftwareTokenRecord:
    pool_id: str
    user_sub: str
    enabled: bool
    preferred: bool
    friendly_name: str | None
    last_step: int | None
    secret: bytes | None = field(default=None, repr=False)  # decrypted; None until verified
    pending_secret: bytes | None = field(default=None, repr=False)

    @property
    def verified(self) -> bool:
        return self.secret is not None


def _context(kind: str, pool_id: str, sub: str) -> str:
    return f"totp-{kind}:{pool_id}:{sub}"


class SoftwareTokenRepository(Repository):
    def _row(self, pool_id: str, user_sub: str) -> UserSoftwareToken | None:
        return self._s.scalars(select(UserSoftwareToken).where(
            UserSoftwareToken.user_sub == user_sub, UserSoftwareToken.pool_id == pool_id)).first()

    def get(self, pool_id: str, user_sub: str) -> SoftwareTokenRecord | None:
        row = self._row(pool_id, user_sub)
        if row is None:
            return None
        key = self._key()
        secret = key.decrypt(row.secret, _context("secret", pool_id, user_sub)) if row.secret else None
        pending = (key.decrypt(row.pending_secret, _context("pending", pool_id, user_sub))
                   if row.pending_secret else None)
        return SoftwareTokenRecord(pool_id=pool_id, user_sub=user_sub, enabled=row.enabled, preferred=row.preferred,
                                   friendly_name=row.friendly_name, last_step=row.last_step, secret=secret,
                                   pending_secret=pending)

    def set_pending(self, pool_id: str, user_sub: str, secret: bytes) -> None:
        """AssociateSoftwareToken: the new secret waits for verification; a verified one stays in use."""
        blob = self._key().encrypt(secret, _context("pending", pool_id, user_sub))
        row = self._row(pool_id, user_sub)
        if row is None:
            self._add(UserSoftwareToken(user_sub=user_sub, pool_id=pool_id, secret=None, pending_secret=blob,
                                        friendly_name=None, enabled=False, preferred=False, last_step=None,
                                        updated_at=self._now()), kind=Kind.USER, parent=Kind.USER)
            return
        row.pending_secret, row.updated_at = blob, self._now()
        self._s.flush()

    def activate(self, pool_id: str, user_sub: str, *, secret: bytes, step: int, friendly_name: str | None,
                 enable: bool) -> None:
        """VerifySoftwareToken succeeded: the pending secret becomes the secret, ``step`` the last used
        (``enable`` also turns TOTP on and preferred: the MFA_SETUP challenge)."""
        row = self._row(pool_id, user_sub)
        if row is None:
            return
        row.secret = self._key().encrypt(secret, _context("secret", pool_id, user_sub))
        row.pending_secret, row.last_step, row.friendly_name = None, step, friendly_name
        if enable:
            row.enabled = row.preferred = True
        row.updated_at = self._now()
        self._s.flush()

    def set_preference(self, pool_id: str, user_sub: str, *, enabled: bool, preferred: bool) -> None:
        self._s.execute(update(UserSoftwareToken).where(
            UserSoftwareToken.user_sub == user_sub, UserSoftwareToken.pool_id == pool_id)
            .values(enabled=enabled, preferred=preferred, updated_at=self._now())
            .execution_options(synchronize_session=False))

    def use_step(self, pool_id: str, user_sub: str, step: int) -> bool:
        """Record ``step`` as used: True when it is later than every step used before, False for a replay
        (or an older code). One conditional UPDATE, so two racing requests cannot both win."""
        result = self._s.execute(update(UserSoftwareToken).where(
            UserSoftwareToken.user_sub == user_sub, UserSoftwareToken.pool_id == pool_id,
            or_(UserSoftwareToken.last_step.is_(None), UserSoftwareToken.last_step < step))
            .values(last_step=step).execution_options(synchronize_session=False))
        return result.rowcount == 1

    def delete(self, pool_id: str, user_sub: str) -> bool:
        """Forget the user's software token altogether (an administrator's MFA reset)."""
        result = self._s.execute(delete(UserSoftwareToken).where(
            UserSoftwareToken.user_sub == user_sub, UserSoftwareToken.pool_id == pool_id)
            .execution_options(synchronize_session=False))
        return result.rowcount > 0
