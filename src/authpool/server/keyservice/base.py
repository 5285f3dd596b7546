"""The one interface every key-service backend implements (STYLE.md: one small protocol per concern).

A backend turns a claim's plaintext into the compact JWE for one resource server, bound to a
:class:`~authpool.tokens.encrypted.ClaimContext`. Three exist: ``resource-key`` (resource_key.py),
``local`` (local.py) and ``aws-kms`` (kms.py); :class:`~.service.KeyService` picks one per
resource server from its settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ...tokens.encrypted import AUD_HEADER, BINDING_HEADER, ClaimContext
from .settings import EncryptionSettings


@dataclass(frozen=True, slots=True)
class Encrypted:
    """One encrypted claim and what the audit records about it (never the plaintext)."""

    token: str
    backend: str
    key: str  # a kid, a local key id, a KMS key id
    version: int | None = None


class KeyBackend(Protocol):
    name: str

    def encrypt(self, settings: EncryptionSettings, context: ClaimContext, plaintext: bytes) -> Encrypted:
        """Encrypt for ``settings.audience``; raise ClaimEncryptionError (or KeyServiceUnavailable)."""
        ...


def binding_headers(context: ClaimContext) -> dict[str, str]:
    """The protected-header members every backend adds (tokens/encrypted.py, "Binding")."""
    return {AUD_HEADER: context.audience, BINDING_HEADER: context.binding()}
