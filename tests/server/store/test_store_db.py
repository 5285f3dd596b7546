"""Database set-up, migrations and transaction semantics, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from authpool.server.errors import AlreadyExists, ConfigurationError
from authpool.server.store import Database
from authpool.server.store.db import default_url, normalize_url
from authpool.server.store.migrate import MIGRATIONS_DIR, alembic_config, upgrade
from authpool.server.store.models import Base, UserPool

HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()


def test_normalize_url():
    assert normalize_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalize_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalize_url("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalize_url("sqlite:///x.db") == "sqlite:///x.db"


def test_plain_postgresql_url_uses_psycopg3():
    db = Database.from_url("postgresql://postgres@127.0.0.1:5432/test")
    assert db.engine.dialect.driver == "psycopg"
    db.dispose()


def test_unsupported_backend_is_refused():
    with pytest.raises(ValueError, match="unsupported"):
        Database.from_url("mysql://x@localhost/db")


def test_default_sqlite_under_data_dir(tmp_path):
    db = Database.from_url(data_dir=tmp_path / "data")
    assert str(db.engine.url) == default_url(tmp_path / "data")
    db.migrate()
    assert (tmp_path / "data" / "authpool.db").exists()
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000
    db.dispose()


def test_migrations_run_twice_and_match_models(fresh_database_url):
    db = Database.from_url(fresh_database_url)
    assert db.schema_revision() is None
    db.migrate()
    db.migrate()  # idempotent
    assert db.schema_revision() == HEAD
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diff == []
    tables = set(inspect(db.engine).get_table_names())
    assert {t.name for t in Base.metadata.sorted_tables} <= tables
    db.dispose()


def test_upgrade_from_an_older_revision_keeps_data(fresh_database_url):
    db = Database.from_url(fresh_database_url)
    upgrade(db.engine, "0001")
    assert db.schema_revision() == "0001"
    with db.transaction() as tx:
        tx.pools.create(id="us-east-1_Old", name="old", settings={"k": "v"})
    db.migrate()
    assert db.schema_revision() == HEAD
    with db.transaction(readonly=True) as tx:
        assert tx.pools.require("us-east-1_Old").settings == {"k": "v"}
    if db.dialect == "postgresql":
        with db.engine.connect() as conn:
            indexdef = conn.exec_driver_sql(
                "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_user_attributes_value'"
            ).scalar()
        assert "USING hash" in indexdef
    db.dispose()


def test_long_attribute_values_fit_the_value_index(database):
    """2048 four-byte characters: beyond a PostgreSQL btree entry, fine for the hash index."""
    value = "\U0001f600" * 2048
    with database.transaction() as tx:
        tx.pools.create(id="us-east-1_A", name="a", settings={})
        sub = tx.users.create("us-east-1_A", username="u", attributes={"name": value}).sub
        assert [u.sub for u in tx.users.find_by_attribute("us-east-1_A", "name", value)] == [sub]


def test_package_data_ships_every_migration():
    """pyproject's package-data globs cover the migrations, so wheels (not only editable installs) have them."""
    import tomllib
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    patterns = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"][
        "authpool"
    ]
    package = root / "src" / "authpool"
    shipped = {p for pattern in patterns for p in package.glob(pattern)}
    migrations = {p for p in MIGRATIONS_DIR.rglob("*.py") if "__pycache__" not in p.parts}
    assert migrations and migrations <= shipped
    assert {p.name for p in migrations} >= {"env.py", "0001_initial_schema.py", "0002_lookup_indexes.py"}


def test_concurrent_migrations_are_serialized(fresh_database_url):
    db = Database.from_url(fresh_database_url)
    errors: list[BaseException] = []

    def run():
        try:
            db.migrate()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert db.schema_revision() == HEAD
    db.dispose()


def test_ping(database):
    database.ping()


def test_commit_on_success(database):
    with database.transaction() as tx:
        tx.pools.create(id="us-east-1_A", name="a", settings={})
    with database.transaction(readonly=True) as tx:
        assert tx.pools.get("us-east-1_A") is not None


def test_rollback_on_error_leaves_nothing_half_written(database):
    with pytest.raises(RuntimeError), database.transaction() as tx:
        tx.pools.create(id="us-east-1_A", name="a", settings={})
        tx.users.create("us-east-1_A", username="bob")
        tx.audit.record("user.created", pool_id="us-east-1_A")
        raise RuntimeError("boom")
    with database.transaction(readonly=True) as tx:
        assert tx.pools.get("us-east-1_A") is None
        assert tx.audit.list().items == []


def test_domain_error_mid_transaction_rolls_back_everything(database):
    with database.transaction() as tx:
        tx.pools.create(id="us-east-1_A", name="a", settings={})
    with pytest.raises(AlreadyExists), database.transaction() as tx:
        tx.users.create("us-east-1_A", username="carol")
        tx.pools.create(id="us-east-1_A", name="dup", settings={})
    with database.transaction(readonly=True) as tx:
        assert tx.users.get("us-east-1_A", "carol") is None


def test_constraint_error_keeps_transaction_usable(database):
    """A duplicate insert fails in a savepoint; the caller may handle it and still commit."""
    with database.transaction() as tx:
        tx.pools.create(id="us-east-1_A", name="a", settings={})
        with pytest.raises(AlreadyExists):
            tx.pools.create(id="us-east-1_A", name="dup", settings={})
        tx.pools.create(id="us-east-1_B", name="b", settings={})
    with database.transaction(readonly=True) as tx:
        assert [p.id for p in tx.pools.list().items] == ["us-east-1_A", "us-east-1_B"]


def test_readonly_transaction_never_commits(database):
    with database.transaction(readonly=True) as tx:
        if database.dialect == "sqlite":
            tx.pools.create(id="us-east-1_A", name="a", settings={})
        else:  # PostgreSQL refuses writes in a READ ONLY transaction outright
            with pytest.raises(Exception, match="read-only"):
                tx.pools.create(id="us-east-1_A", name="a", settings={})
    with database.transaction(readonly=True) as tx:
        assert tx.pools.get("us-east-1_A") is None


def test_records_are_detached_plain_data(database):
    with database.transaction() as tx:
        record = tx.pools.create(id="us-east-1_A", name="a", settings={"x": {"y": 1}})
    record.settings["x"]["y"] = 2  # a copy: mutating it does not touch the store
    with database.transaction(readonly=True) as tx:
        assert tx.pools.require("us-east-1_A").settings == {"x": {"y": 1}}
    with pytest.raises(AttributeError):
        record.name = "b"  # type: ignore[misc]
    assert not isinstance(record, UserPool)


def test_clock_is_injected(database, clock):
    with database.transaction() as tx:
        assert tx.now() == clock.now
        assert tx.pools.create(id="us-east-1_A", name="a", settings={}).created_at == clock.now


def test_secrets_need_a_master_key(database_url):
    db = Database.from_url(database_url)
    with pytest.raises(ConfigurationError), db.transaction() as tx:
        tx.pools.create(id="us-east-1_A", name="a", settings={})
        tx.clients.create("us-east-1_A", client_id="c", name="c", client_secret="s3cret", settings={})
    db.dispose()


def test_sqlite_writers_wait_for_each_other(database):
    """BEGIN IMMEDIATE + busy_timeout: concurrent read-then-write transactions all succeed."""
    with database.transaction() as tx:
        tx.pools.create(id="us-east-1_A", name="a", settings={"n": 0})
    errors: list[BaseException] = []

    def bump():
        try:
            with database.transaction() as tx:
                n = tx.pools.require("us-east-1_A").settings["n"]
                tx.pools.update("us-east-1_A", settings={"n": n + 1})
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=bump) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with database.transaction(readonly=True) as tx:
        n = tx.pools.require("us-east-1_A").settings["n"]
    if database.dialect == "sqlite":
        assert n == 10  # serialized: no lost update
    else:
        assert 1 <= n <= 10  # READ COMMITTED; callers needing more use conditional updates


def test_foreign_keys_enforced(database):
    with database.engine.connect() as conn, pytest.raises(IntegrityError):
        conn.execute(
            text(
                "INSERT INTO users (sub, pool_id, username, username_key, status, enabled, "
                "tokens_valid_after, created_at, updated_at) "
                "VALUES ('x', 'nope', 'u', 'u', 'CONFIRMED', true, 0, 0, 0)"
            )
        )


def test_nested_write_transaction_on_sqlite_fails_fast(database):
    """A second write transaction on the same thread would wait for the first one's lock."""
    with database.transaction() as tx:
        tx.pools.create(id="us-east-1_A", name="a", settings={})
        with database.transaction(readonly=True) as inner:  # reading alongside is fine
            inner.pools.list()
        if database.dialect == "sqlite":
            with pytest.raises(RuntimeError, match="pass tx="), database.transaction():
                pass
    with database.transaction() as tx:  # the guard is released afterwards
        assert tx.pools.get("us-east-1_A") is not None
