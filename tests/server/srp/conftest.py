"""Fixtures for the SRP tests: the services over the shared ``database`` fixture (SQLite and
PostgreSQL, with the injected ``clock``), a cheap argon2id hasher, and an SRP client that nobody on
the project wrote (pycognito's ``AWSSRP``, driven by hand so the TIMESTAMP follows the fake clock)."""

from __future__ import annotations

import pytest

from authpool.server.pool import ClientService, PasswordHasher, PoolService, UserService
from authpool.server.pool.signin import SignInService
from authpool.server.pool.srp_signin import SrpSignIn
from authpool.server.ratelimit import SignInThrottle


@pytest.fixture(scope="session")
def hasher() -> PasswordHasher:
    return PasswordHasher.fast_for_tests()


@pytest.fixture
def pools(database) -> PoolService:
    return PoolService(database)


@pytest.fixture
def users(database, hasher) -> UserService:
    return UserService(database, hasher=hasher)


@pytest.fixture
def clients(database) -> ClientService:
    return ClientService(database)


@pytest.fixture
def pool(pools):
    return pools.create("srp", schema=[{"Name": "email", "Mutable": True}])


@pytest.fixture
def client(clients, pool):
    return clients.create(pool.id, "app")  # Cognito's default flows: SRP, refresh, custom


@pytest.fixture
def signin(database, users, master_key) -> SignInService:
    return SignInService(database, users, SignInThrottle.in_memory(), master_key)


@pytest.fixture
def srp(database, signin, master_key) -> SrpSignIn:
    return SrpSignIn(database, signin, master_key)
