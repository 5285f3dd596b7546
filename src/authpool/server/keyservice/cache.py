"""What the key service remembers between issuances, and how it is kept fresh: each pool's
resource-server encryption settings (a ``server/cache.py`` :class:`~..cache.Cache` named
:data:`NAME`, kept by ``KeyService``) and the active local key versions (``local.py``).

Freshness, as for app clients and signing keys (``server/cache.py``) and the hook configuration
(``hooks/cache.py``):

* every change committed **in this process** to a pool (its ``AuthpoolHooks.MaxTokenBytes``), a
  resource server (its ``Encryption`` settings; creating or deleting one) or a local key version
  empties these caches when it commits, whoever wrote it (``authpool encryption set``,
  UpdateResourceServer, DeleteUserPool, a rotation, a raw repository update): the store's
  SQLAlchemy session events say so (``store/commit_events.py``: ``do_orm_execute`` for UPDATE/DELETE
  statements, ``after_flush`` for added or changed rows, then ``after_commit``), never after a rollback;
* the same commit publishes :data:`NAME` on the cross-process channel (``server/invalidation``:
  PostgreSQL NOTIFY or Redis pub/sub), and the other processes empty theirs at once
  (:func:`clear_local`, their flusher for that name); without a channel another process's change is
  seen within the cache's TTL (1 s);
* a load that started before an invalidation is not stored (the cache's generation).
"""

from __future__ import annotations

import weakref
from typing import Any, Protocol

from .. import cache as shared_cache
from ..store.commit_events import on_commit_writing
from ..store.encryption_keys import EncryptionKey
from ..store.models import ResourceServer, UserPool

#: The name of the settings caches, under which their invalidations travel between processes.
NAME = "keyservice"
_WATCHED = (UserPool, ResourceServer, EncryptionKey)
_FLAG = "authpool_keyservice_stale"


class _Clearable(Protocol):
    def clear(self) -> None: ...


_key_versions: weakref.WeakSet[Any] = weakref.WeakSet()  # LocalKeyBackend instances


def track(backend: _Clearable) -> None:
    """Empty ``backend`` (its active key versions) on every invalidation."""
    _key_versions.add(backend)


def clear_local() -> None:
    """Empty every key-service cache of this process, telling nobody: an invalidation received from
    another process (``server/invalidation`` calls it for :data:`NAME`)."""
    shared_cache.apply_remote(NAME, None)
    for backend in list(_key_versions):
        backend.clear()


def invalidate_all() -> None:
    """Empty every key-service cache here, then tell the other processes (``server/cache.py``'s
    listeners publish :data:`NAME`)."""
    for backend in list(_key_versions):
        backend.clear()
    shared_cache.invalidate(NAME)


on_commit_writing(_WATCHED, _FLAG, invalidate_all)
