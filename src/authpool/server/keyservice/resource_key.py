"""``resource-key``: ECDH-ES+A256KW to the resource server's registered public key (RFC 7518 §4.6).

The resource server registers a public JWK (X25519, or EC P-256/P-384/P-521) on its record; each claim
gets a fresh ephemeral key, so authpool holds nothing that can decrypt what it issued, and the guard
decrypts with its private key without calling anyone. The JWE's ``kid`` is the registered key's
``kid`` (its RFC 7638 thumbprint when it has none), so a resource server that rotates its key can
keep the previous private key until the last token encrypted to it expires.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from ...jose import ECDHKey, InvalidKey, encrypt_compact_jwe
from ...tokens.encrypted import ALG_BY_BACKEND, CLAIM_ENC, ClaimContext
from .base import Encrypted, binding_headers
from .errors import ClaimEncryptionError
from .settings import EncryptionSettings

NAME = "resource-key"


class ResourceKeyBackend:
    name = NAME

    def __init__(self) -> None:
        self._keys: dict[tuple[tuple[str, Any], ...], ECDHKey] = {}
        self._lock = threading.Lock()

    def _key(self, jwk: Mapping[str, Any]) -> ECDHKey:
        cache_key = tuple(sorted(jwk.items()))
        key = self._keys.get(cache_key)
        if key is None:
            try:
                key = ECDHKey.from_dict(jwk, allow_private=False)
            except InvalidKey as exc:
                raise ClaimEncryptionError(f"the registered public key is unusable: {exc}") from None
            with self._lock:
                if len(self._keys) > 1024:
                    self._keys.clear()
                self._keys[cache_key] = key
        return key

    def encrypt(self, settings: EncryptionSettings, context: ClaimContext, plaintext: bytes) -> Encrypted:
        if settings.public_jwk is None:
            raise ClaimEncryptionError(f"resource server {settings.audience!r} has no registered public key")
        key = self._key(settings.public_jwk)
        token = encrypt_compact_jwe(plaintext, key, alg=ALG_BY_BACKEND[NAME], enc=CLAIM_ENC, kid=key.kid,
                                    headers=binding_headers(context))
        return Encrypted(token, NAME, key.kid)
