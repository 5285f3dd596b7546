"""Cluster tests: real ``authpool serve`` processes on 127.0.0.1 sharing a PostgreSQL database that
each test module creates fresh and drops after (``AUTHPOOL_TEST_PG_URL``), and the local Redis
(``AUTHPOOL_TEST_REDIS_URL``, default ``redis://127.0.0.1:6379/0``). Faults come from TCP proxies
the tests control (proxy.py). ``AUTHPOOL_SKIP_POSTGRES=1`` skips them on purpose."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator

import pytest
from tests.cluster.support import database_url, pg

SKIP = os.environ.get("AUTHPOOL_SKIP_POSTGRES") == "1"


def pytest_collection_modifyitems(items) -> None:
    for item in items:
        if "tests/cluster/" in str(item.fspath):
            item.add_marker(pytest.mark.postgres)
            if SKIP:
                item.add_marker(pytest.mark.skip(reason="AUTHPOOL_SKIP_POSTGRES=1"))


@pytest.fixture(scope="module")
def database_name() -> Iterator[str]:
    """A fresh, empty database for the module, dropped after it."""
    name = f"authpool_c_{secrets.token_hex(6)}"
    pg(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        pg(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def pg_url(database_name: str) -> str:
    return database_url(database_name)
