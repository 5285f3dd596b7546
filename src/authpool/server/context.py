"""Everything a request handler needs, built once per process from :class:`Settings`."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import anyio.to_thread

from .admin_credentials import AdminCredentials, load_or_create
from .hooks import HookCustomizer
from .hooks import cache as hook_cache
from .hooks.invokers import default_invokers
from .invalidation import CacheSync, build_cache_sync
from .issuance import CustomizerChain, TokenService
from .keys import SigningKeys
from .keyservice import DeclaredClaims, EncryptClaims, KeyService, TokenBucket
from .keyservice import cache as keyservice_cache
from .limiters import build_throttle
from .pool import ClientService, GroupService, PoolService, ResourceServerService, UserService
from .pool.codes import ISSUE_BOUND
from .pool.password_work import PROCESS_LIMIT
from .pool.signin import SignInService
from .pool.srp_signin import SrpSignIn
from .redisconn import RedisConnection
from .secrets import MasterKey
from .settings import Settings
from .store.db import Database
from .store.migrate import require_head
from .store.pgoptions import options_for

T = TypeVar("T")


@dataclass
class ServerContext:
    settings: Settings
    db: Database
    master_key: MasterKey
    keys: SigningKeys
    admin: AdminCredentials
    tokens: TokenService
    pools: PoolService
    users: UserService
    groups: GroupService
    clients: ClientService
    resource_servers: ResourceServerService
    signin: SignInService  # password sign-in + throttling, shared by the Cognito API and the login page
    srp: SrpSignIn  # USER_SRP_AUTH / PASSWORD_VERIFIER (docs/srp.md), throttled by ``signin``'s throttle
    keyservice: KeyService  # encrypted claims (docs/encrypted-claims.md)
    decrypt_limiter: TokenBucket  # per client, for POST /{pool_id}/keys/decrypt
    redis: RedisConnection | None = None  # AUTHPOOL_REDIS_URL: throttle counters, invalidation (docs/deploy.md)
    cache_sync: CacheSync | None = None  # cross-process cache invalidation; servers start it (app.py lifespan)

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run blocking store work off the event loop."""
        return await anyio.to_thread.run_sync(functools.partial(fn, *args, **kwargs))


def load_master_key(settings: Settings) -> MasterKey:
    if settings.master_key is not None:
        return MasterKey.from_text(settings.master_key.get_secret_value())
    return MasterKey.load(settings.data_dir)


#: Cache lifetime (clients, signing keys, hook and encrypted-claims settings) when a cross-process
#: channel delivers every change (server/invalidation): the channel is the freshness mechanism, the
#: TTL only a backstop.
SYNCED_CACHE_TTL = 30.0


def build_context(settings: Settings, *, migrate: bool | None = None) -> ServerContext:
    """Open the store and load the keys. By default (``migrate=None``) the migrations run when
    ``settings.migrate_at_start``, and otherwise the schema must already be the latest. An explicit
    ``migrate=False`` neither migrates nor checks: a worker of ``--workers N``, whose parent has done
    one or the other, must be able to start (and so replace a dead worker) while the database is down."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    master_key = load_master_key(settings)
    url = settings.resolved_database_url()
    db = Database.from_url(url, master_key=master_key, **options_for(url, settings))
    if settings.migrate_at_start if migrate is None else migrate:
        db.migrate()
    elif migrate is None:
        require_head(db.engine)
    redis = RedisConnection(settings.redis_url.get_secret_value()) if settings.redis_url else None
    cache_sync = build_cache_sync(db, redis=redis, connect_timeout=settings.database_connect_timeout,
                                  flushers={hook_cache.NAME: hook_cache.clear_local,
                                            keyservice_cache.NAME: keyservice_cache.clear_local})
    secret = settings.admin_secret_access_key.get_secret_value() if settings.admin_secret_access_key else None
    admin = load_or_create(settings.data_dir, master_key, env_id=settings.admin_access_key_id, env_secret=secret)
    synced = {"cache_ttl": SYNCED_CACHE_TTL} if cache_sync else {}  # else each cache's own, shorter TTL
    keys = SigningKeys(db, **synced)
    # One bound on argon2id work for the whole process (pool/password_work.py); every hasher uses it.
    PROCESS_LIMIT.configure(settings.password_hash_concurrency, wait=settings.password_hash_wait)
    ISSUE_BOUND.configure(settings.code_issue_limit, settings.code_issue_window)  # codes a user may be sent
    users = UserService(db)
    signin = SignInService(db, users, build_throttle(db=db, master_key=master_key, redis=redis), master_key)
    keyservice = KeyService(db, ttl=SYNCED_CACHE_TTL) if cache_sync else KeyService(db)
    # Declared encrypted claims become placeholders, the hook runs, then every placeholder is encrypted.
    hooks = HookCustomizer(db, invokers=default_invokers(python_threads=settings.hook_threads), **synced)
    customizer = CustomizerChain(DeclaredClaims(keyservice), hooks, EncryptClaims(keyservice, db))
    return ServerContext(
        settings=settings, db=db, master_key=master_key, keys=keys, admin=admin,
        tokens=TokenService(db, keys, settings.issuer_for, customizer=customizer),
        pools=PoolService(db, region=settings.region), users=users, groups=GroupService(db),
        clients=ClientService(db, **synced),
        resource_servers=ResourceServerService(db),
        signin=signin, srp=SrpSignIn(db, signin, master_key), keyservice=keyservice,
        decrypt_limiter=TokenBucket(settings.decrypt_rate, settings.decrypt_burst),
        redis=redis, cache_sync=cache_sync,
    )
