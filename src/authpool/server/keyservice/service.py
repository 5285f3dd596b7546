"""``KeyService``: the key service behind one interface, whatever the backend.

Issuance asks it to encrypt a value for a resource server (:meth:`KeyService.encrypt`); it reads the
resource server's settings (settings.py), picks the backend they name and returns the JWE. Each
backend (resource_key.py, local.py, kms.py) implements :class:`~.base.KeyBackend`; tests and
deployments may pass their own.

Resource servers' settings are read once per pool and kept for ``ttl`` seconds (1 s by default; a
server with a cross-process invalidation channel keeps them longer). Every change to them is seen at
once here and, through the channel, in the other processes (``cache.py`` in this package).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ...tokens.encrypted import ClaimContext, encode_value
from .. import cache as shared_cache
from ..hooks.config import DEFAULT_MAX_TOKEN_BYTES, MAX_MAX_TOKEN_BYTES, MIN_MAX_TOKEN_BYTES, OPTIONS_KEY
from . import cache
from .base import Encrypted, KeyBackend
from .errors import ClaimEncryptionError
from .kms import KmsBackend, KmsClients
from .local import LocalKeyBackend
from .resource_key import ResourceKeyBackend
from .settings import EncryptionSettings, ready, settings_of

DEFAULT_TTL = 1.0


@dataclass(frozen=True, slots=True)
class PoolEncryption:
    """What issuance needs to know about one pool: its resource servers' settings and the token size limit."""

    servers: Mapping[str, EncryptionSettings]
    max_token_bytes: int


class KeyService:
    def __init__(self, db, *, backends: Mapping[str, KeyBackend] | None = None, kms: KmsClients | None = None,
                 ttl: float = DEFAULT_TTL, clock: Callable[[], float] = time.time) -> None:
        self._db, self.ttl = db, ttl
        self.local = LocalKeyBackend(db, clock=clock)
        self.backends: dict[str, KeyBackend] = {"resource-key": ResourceKeyBackend(), "local": self.local,
                                                "aws-kms": KmsBackend(kms)}
        self.backends.update(backends or {})
        self._cache: shared_cache.Cache[PoolEncryption] = shared_cache.Cache(cache.NAME, ttl=ttl)
        cache.track(self.local)

    def pool(self, pool_id: str) -> PoolEncryption:
        """The pool's resource servers' encryption settings (an unknown pool has none)."""
        return self._cache.get_or_load(pool_id, lambda: self._load(pool_id))  # never None: _load always answers

    def _load(self, pool_id: str) -> PoolEncryption:
        with self._db.transaction(readonly=True) as tx:
            pool = tx.pools.get(pool_id)
            servers = []
            next_token = None
            while pool is not None:
                page = tx.resource_servers.list(pool_id, limit=60, next_token=next_token)
                servers.extend(page.items)
                next_token = page.next_token
                if not next_token:
                    break
        parsed = {}
        for record in servers:
            try:
                parsed[record.identifier] = settings_of(record)
            except Exception:  # noqa: BLE001 - a broken setting is reported when it is used, not here
                parsed[record.identifier] = None
        return PoolEncryption(parsed, _max_token_bytes(pool.settings if pool is not None else {}))

    def settings(self, pool_id: str, audience: str) -> EncryptionSettings:
        """The settings for ``audience``; ClaimEncryptionError if it is not a usable resource server here."""
        servers = self.pool(pool_id).servers
        if audience not in servers:
            raise ClaimEncryptionError(f"{audience!r} is not a resource server of pool {pool_id}")
        settings = servers[audience]
        if settings is None:
            raise ClaimEncryptionError(f"resource server {audience!r} has malformed Encryption settings")
        return settings

    def encrypt(self, settings: EncryptionSettings, context: ClaimContext, value: Any) -> Encrypted:
        """``value`` (JSON) encrypted for ``settings.audience``, bound to ``context``."""
        problem = ready(settings)
        if problem is not None:
            raise ClaimEncryptionError(f"resource server {settings.audience!r} cannot receive encrypted "
                                       f"claims: {problem}")
        backend = self.backends.get(settings.backend)
        if backend is None:
            raise ClaimEncryptionError(f"no {settings.backend} key service is configured")
        try:
            plaintext = encode_value(value)
        except (TypeError, ValueError) as exc:
            raise ClaimEncryptionError(f"the value of {context.claim!r} cannot be encrypted: {exc}") from None
        return backend.encrypt(settings, context, plaintext)


def _max_token_bytes(settings: Mapping[str, Any]) -> int:
    options = (settings or {}).get(OPTIONS_KEY)
    value = options.get("MaxTokenBytes") if isinstance(options, Mapping) else None
    if isinstance(value, int) and MIN_MAX_TOKEN_BYTES <= value <= MAX_MAX_TOKEN_BYTES:
        return value
    return DEFAULT_MAX_TOKEN_BYTES
