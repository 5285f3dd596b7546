"""Everything a request handler needs, built once per process from :class:`Settings`."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import anyio.to_thread

from .admin_credentials import AdminCredentials, load_or_create
from .hooks import HookCustomizer
from .issuance import CustomizerChain, TokenService
from .keyservice import DeclaredClaims, EncryptClaims, KeyService, TokenBucket
from .keys import SigningKeys
from .pool import ClientService, GroupService, PoolService, ResourceServerService, UserService
from .pool.signin import SignInService
from .pool.srp_signin import SrpSignIn
from .ratelimit import SignInThrottle
from .secrets import MasterKey
from .settings import Settings
from .store.db import Database

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

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run blocking store work off the event loop."""
        return await anyio.to_thread.run_sync(functools.partial(fn, *args, **kwargs))


def load_master_key(settings: Settings) -> MasterKey:
    if settings.master_key is not None:
        return MasterKey.from_text(settings.master_key.get_secret_value())
    return MasterKey.load(settings.data_dir)


def build_context(settings: Settings, *, migrate: bool = True) -> ServerContext:
    """Open the store (running migrations unless told not to) and load the keys."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    master_key = load_master_key(settings)
    db = Database.from_url(settings.resolved_database_url(), master_key=master_key)
    if migrate:
        db.migrate()
    secret = settings.admin_secret_access_key.get_secret_value() if settings.admin_secret_access_key else None
    admin = load_or_create(settings.data_dir, master_key, env_id=settings.admin_access_key_id, env_secret=secret)
    keys = SigningKeys(db)
    users = UserService(db)
    signin = SignInService(db, users, SignInThrottle.in_memory(), master_key)
    keyservice = KeyService(db)
    # Declared encrypted claims become placeholders, the hook runs, then every placeholder is encrypted.
    customizer = CustomizerChain(DeclaredClaims(keyservice), HookCustomizer(db), EncryptClaims(keyservice, db))
    return ServerContext(
        settings=settings, db=db, master_key=master_key, keys=keys, admin=admin,
        tokens=TokenService(db, keys, settings.issuer_for, customizer=customizer),
        pools=PoolService(db, region=settings.region), users=users, groups=GroupService(db),
        clients=ClientService(db), resource_servers=ResourceServerService(db),
        signin=signin, srp=SrpSignIn(db, signin, master_key), keyservice=keyservice,
        decrypt_limiter=TokenBucket(settings.decrypt_rate, settings.decrypt_burst),
    )
