"""Pool services over the shared ``database`` fixture (SQLite and PostgreSQL); ``hasher``, ``pools``,
``users`` and ``clients`` come from tests/server/conftest.py, the rest is this suite's."""

from __future__ import annotations

import pytest

from authpool.server.pool import GroupService, ResourceServerService

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


@pytest.fixture
def groups(database) -> GroupService:
    return GroupService(database)


@pytest.fixture
def resource_servers(database) -> ResourceServerService:
    return ResourceServerService(database)


@pytest.fixture
def raw_password_hash(database):
    """The ``password_hash`` column as stored, read past the repositories: ``raw_password_hash(sub)``."""
    def read(sub: str) -> str | None:
        mark = "%s" if database.dialect == "postgresql" else "?"
        with database.engine.connect() as conn:
            return conn.exec_driver_sql(f"SELECT password_hash FROM users WHERE sub = {mark}", (sub,)).scalar()
    return read


@pytest.fixture
def pool(pools):
    """A pool with e-mail required and a few custom attributes of each type."""
    return pools.create("test pool", schema=SCHEMA)
