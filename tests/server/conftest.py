"""Shared fixtures for the server tests: one ``database`` fixture run against SQLite and PostgreSQL.

PostgreSQL: each test session creates a fresh, uniquely named database (``authpool_t_<random>``)
on the server at ``AUTHPOOL_TEST_PG_URL`` (default ``postgresql://postgres@127.0.0.1:5432/test``),
migrates it once, empties it before every test, and drops it at the end. If the server is
unreachable the postgres tests FAIL with a clear message; set ``AUTHPOOL_SKIP_POSTGRES=1`` to skip
them on purpose. SQLite: a new file under ``tmp_path`` per test.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator

import pytest

from authpool.server.pool import ClientService, PasswordHasher, PoolService, UserService
from authpool.server.secrets import MasterKey
from authpool.server.store import Database
from authpool.server.store.models import Base

PG_ADMIN_URL = os.environ.get("AUTHPOOL_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
SKIP_POSTGRES = os.environ.get("AUTHPOOL_SKIP_POSTGRES") == "1"
START = 1_700_000_000

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param(
        "postgres",
        id="postgres",
        marks=[
            pytest.mark.postgres,
            pytest.mark.skipif(SKIP_POSTGRES, reason="AUTHPOOL_SKIP_POSTGRES=1"),
        ],
    ),
]


class FakeClock:
    """An injected clock (epoch seconds) that only moves when told to."""

    def __init__(self, now: int = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return float(self.now)

    def advance(self, seconds: int) -> None:
        self.now += seconds


def _admin_connect():
    import psycopg

    url = PG_ADMIN_URL.replace("postgresql+psycopg://", "postgresql://")
    try:
        return psycopg.connect(url, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        pytest.fail(
            f"PostgreSQL is not reachable at {url} ({exc.__class__.__name__}). Start it, point "
            "AUTHPOOL_TEST_PG_URL at one, or set AUTHPOOL_SKIP_POSTGRES=1 to skip the postgres tests.",
            pytrace=False,
        )


def _database_url(name: str) -> str:
    base = PG_ADMIN_URL.replace("postgresql+psycopg://", "postgresql://")
    return "postgresql+psycopg://" + base.split("://", 1)[1].rsplit("/", 1)[0] + "/" + name


class PostgresDatabases:
    """Creates uniquely named databases and drops every one it created."""

    def __init__(self) -> None:
        self.created: list[str] = []

    def create(self) -> str:
        name = f"authpool_t_{secrets.token_hex(6)}"
        with _admin_connect() as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        self.created.append(name)
        return _database_url(name)

    def drop_all(self) -> None:
        if not self.created:
            return
        with _admin_connect() as conn:
            for name in self.created:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.created.clear()


@pytest.fixture(scope="session")
def pg_databases() -> Iterator[PostgresDatabases]:
    dbs = PostgresDatabases()
    try:
        yield dbs
    finally:
        dbs.drop_all()


@pytest.fixture(scope="session")
def pg_session_url(pg_databases: PostgresDatabases) -> str:
    """One migrated database for the whole session; tests empty it first."""
    url = pg_databases.create()
    db = Database.from_url(url)
    try:
        db.migrate()
    finally:
        db.dispose()
    return url


@pytest.fixture
def master_key() -> MasterKey:
    return MasterKey.generate()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def fresh_database_url(backend: str, tmp_path, request: pytest.FixtureRequest) -> str:
    """An empty, never-migrated database of the current backend."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'authpool.db'}"
    return request.getfixturevalue("pg_databases").create()


@pytest.fixture
def database_url(backend: str, tmp_path, request: pytest.FixtureRequest) -> str:
    """A migrated, empty database of the current backend."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'authpool.db'}"
        db = Database.from_url(url)
        db.migrate()
        db.dispose()
        return url
    url = request.getfixturevalue("pg_session_url")
    db = Database.from_url(url)
    with db.engine.begin() as conn:  # DELETE is much faster than TRUNCATE on tiny tables
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
    db.dispose()
    return url


@pytest.fixture
def database(database_url: str, master_key: MasterKey, clock: FakeClock) -> Iterator[Database]:
    db = Database.from_url(database_url, master_key=master_key, clock=clock)
    try:
        yield db
    finally:
        db.dispose()


# -- pool services over ``database`` (each suite's conftest makes its own ``pool``) -------------------------
@pytest.fixture(scope="session")
def hasher() -> PasswordHasher:
    """A cheap argon2id hasher so the suites stay fast (production parameters: pool/test_passwords.py)."""
    return PasswordHasher.fast_for_tests()


@pytest.fixture
def pools(database: Database) -> PoolService:
    return PoolService(database)


@pytest.fixture
def users(database: Database, hasher: PasswordHasher) -> UserService:
    return UserService(database, hasher=hasher)


@pytest.fixture
def clients(database: Database) -> ClientService:
    return ClientService(database)
