"""Pool services over the shared ``database`` fixture (SQLite and PostgreSQL), with a cheap
argon2id hasher so the suite stays fast (production parameters are tested in test_passwords)."""

from __future__ import annotations

import pytest

from authpool.server.pool import (
    ClientService,
    GroupService,
    PasswordHasher,
    PoolService,
    ResourceServerService,
    UserService,
)

SCHEMA = [
    {"Name": "email", "Required": True, "Mutable": True},
    {
        "Name": "tenant",
        "AttributeDataType": "String",
        "StringAttributeConstraints": {"MinLength": "2", "MaxLength": "8"},
    },
    {
        "Name": "level",
        "AttributeDataType": "Number",
        "NumberAttributeConstraints": {"MinValue": "0", "MaxValue": "9"},
    },
    {"Name": "is_vip", "AttributeDataType": "Boolean"},
    {"Name": "born", "AttributeDataType": "DateTime"},
    {"Name": "badge", "AttributeDataType": "String", "Mutable": False},
    {"Name": "internal", "AttributeDataType": "String", "DeveloperOnlyAttribute": True},
]


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
def groups(database) -> GroupService:
    return GroupService(database)


@pytest.fixture
def clients(database) -> ClientService:
    return ClientService(database)


@pytest.fixture
def resource_servers(database) -> ResourceServerService:
    return ResourceServerService(database)


@pytest.fixture
def pool(pools):
    """A pool with e-mail required and a few custom attributes of each type."""
    return pools.create("test pool", schema=SCHEMA)
