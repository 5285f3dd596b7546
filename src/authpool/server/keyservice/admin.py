"""Configuring encrypted claims: a resource server's settings, and rotating the local keys.

Used by ``authpool encryption set|show`` and ``authpool keys rotate --encryption`` (cli/) and by
tests. Every change is one transaction with an audit row; its commit empties the key service's
caches here and in the other processes (cache.py), so the next issuance sees it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..errors import InvalidParameter
from .local import LocalKeyBackend
from .settings import SETTINGS_KEY, EncryptionSettings, parse_settings, settings_of

_UNSET: Any = object()


def configure(db, pool_id: str, audience: str, *, backend: str | None = None, attributes: Iterable[str] | None = None,
              public_jwk: Mapping[str, Any] | None = _UNSET, kms_key_id: str | None = _UNSET,
              decrypt_clients: Iterable[str] | None = None, actor: str | None = None) -> EncryptionSettings:
    """Change the given settings of resource server ``audience`` (the others stay). Decrypt clients
    must be confidential clients of the pool. Raises NotFound, InvalidParameter."""
    with db.transaction() as tx:
        server = tx.resource_servers.require(pool_id, audience)
        current = settings_of(server).to_json()
        if backend is not None:
            current["Backend"] = backend
        if attributes is not None:
            current["Attributes"] = list(attributes)
        if public_jwk is not _UNSET:
            current.pop("PublicJwk", None)
            if public_jwk is not None:
                current["PublicJwk"] = dict(public_jwk)
        if kms_key_id is not _UNSET:
            current.pop("KmsKeyId", None)
            if kms_key_id is not None:
                current["KmsKeyId"] = kms_key_id
        if decrypt_clients is not None:
            current["DecryptClients"] = list(decrypt_clients)
        settings = parse_settings(pool_id, audience, current)
        for client_id in settings.decrypt_clients:
            client = tx.clients.get(pool_id, client_id)
            if client is None or not client.has_secret:
                raise InvalidParameter(f"DecryptClients: {client_id} is not a confidential client of this pool.")
        tx.resource_servers.update(pool_id, audience, settings={**server.settings, SETTINGS_KEY: settings.to_json()})
        tx.audit.record("resource_server.encryption_updated", pool_id=pool_id, actor=actor or tx.actor,
                        target=audience, detail={"backend": settings.backend, "attributes": list(settings.attributes),
                                                 "clients": list(settings.decrypt_clients)})
    return settings


def describe(db, pool_id: str) -> list[tuple[EncryptionSettings | None, str]]:
    """Each resource server's settings (None if malformed) and its identifier."""
    with db.transaction(readonly=True) as tx:
        tx.pools.require(pool_id)
        servers = tx.resource_servers.list(pool_id, limit=60).items
    out = []
    for server in servers:
        try:
            out.append((settings_of(server), server.identifier))
        except InvalidParameter:
            out.append((None, server.identifier))
    return out


def rotate_local(db, pool_id: str, audience: str | None = None, *, clock=None) -> list[tuple[str, str, int]]:
    """``authpool keys rotate --encryption``: a new version of the local key of ``audience``, or of every
    resource server of the pool that has local keys or is set to the local backend."""
    with db.transaction(readonly=True) as tx:
        tx.pools.require(pool_id)
        if audience is not None:
            server = tx.resource_servers.require(pool_id, audience)
            if _backend(server) != "local" and not tx.encryption_keys.list(pool_id, audience=audience):
                raise InvalidParameter(f"{audience} does not use the local key service; nothing to rotate.")
            audiences = [audience]
        else:
            with_keys = {r.audience for r in tx.encryption_keys.list(pool_id) if r.state == "active"}
            local = {s.identifier for s in tx.resource_servers.list(pool_id, limit=60).items
                     if _backend(s) == "local"}
            audiences = sorted(with_keys | local)
    backend = LocalKeyBackend(db, clock=clock) if clock is not None else LocalKeyBackend(db)
    return backend.rotate(pool_id, audiences) if audiences else []


def _backend(server: Any) -> str | None:
    try:
        return settings_of(server).backend
    except InvalidParameter:
        return None
