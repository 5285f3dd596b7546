"""The key service for encrypted claims (docs/encrypted-claims.md).

PII that a resource server truly needs travels in the access token encrypted, per claim, so that only
the resource servers a policy names can read it. One interface (:class:`KeyService`, base.py's
:class:`KeyBackend`), three backends:

* ``resource-key`` (resource_key.py, the default): ECDH-ES+A256KW to the resource server's registered
  public key; its guard decrypts locally, nobody is called;
* ``local`` (local.py, endpoint.py): KEKs in the store under the master key, versioned; the resource
  server gets content keys from ``POST /{pool_id}/keys/decrypt`` as a confidential client the key
  policy names; audited and rate-limited;
* ``aws-kms`` (kms.py): KMS data keys with an encryption context (``pip install 'authpool[aws]'``).

At issuance: the declarative ``Encryption.Attributes`` of a resource server, and
:func:`encrypt_claim` in pre-token hooks (customizer.py). At the resource server:
``claims.decrypt(name)`` in :mod:`authpool.guard`.
"""

from ...tokens.encrypted import ClaimContext, encrypt_claim
from .admin import configure, describe, rotate_local
from .audit import decrypt_summary
from .base import Encrypted, KeyBackend
from .customizer import DeclaredClaims, EncryptClaims
from .errors import (
    ClaimEncryptionError,
    DecryptDenied,
    DecryptRefused,
    DecryptThrottled,
    InvalidCiphertext,
    KeyServiceUnavailable,
)
from .kms import KmsBackend, KmsClients
from .local import LocalKeyBackend
from .ratelimit import TokenBucket
from .resource_key import ResourceKeyBackend
from .service import KeyService
from .settings import BACKENDS, DEFAULT_BACKEND, EncryptionSettings, parse_settings, settings_of

__all__ = [
    "BACKENDS",
    "DEFAULT_BACKEND",
    "ClaimContext",
    "ClaimEncryptionError",
    "DeclaredClaims",
    "DecryptDenied",
    "DecryptRefused",
    "DecryptThrottled",
    "EncryptClaims",
    "Encrypted",
    "EncryptionSettings",
    "InvalidCiphertext",
    "KeyBackend",
    "KeyService",
    "KeyServiceUnavailable",
    "KmsBackend",
    "KmsClients",
    "LocalKeyBackend",
    "ResourceKeyBackend",
    "TokenBucket",
    "configure",
    "decrypt_summary",
    "describe",
    "encrypt_claim",
    "parse_settings",
    "rotate_local",
    "settings_of",
]
