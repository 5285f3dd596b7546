"""Fixtures for the Cognito API's building blocks (sign-in, throttling, SigV4, errors), over the
shared ``database`` fixture (SQLite and PostgreSQL) with a cheap argon2id hasher."""

from __future__ import annotations

import pytest

from authpool.server.pool import ClientService, PasswordHasher, PoolService, UserService


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
    return pools.create("signin", schema=[{"Name": "email", "Mutable": True}])
