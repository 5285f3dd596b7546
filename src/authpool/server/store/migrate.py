"""Alembic, driven from code: the migrations ship inside the package (``migrations/``), so
``Database.migrate()`` works the same from a checkout, an editable install and a wheel.

Concurrent starts are serialized: on SQLite the upgrade runs in one ``BEGIN IMMEDIATE``
transaction, on PostgreSQL under a transaction-scoped advisory lock. DDL is transactional on both,
so a failed upgrade leaves the previous schema in place.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
_PG_LOCK_KEY = 0x61757468706F6F6C  # "authpool"


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    cfg = alembic_config()
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_LOCK_KEY})")
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


class SchemaNotCurrent(RuntimeError):
    """The database is not at the schema this authpool needs (``authpool migrate`` has not run yet)."""


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def require_head(engine: Engine) -> None:
    """Raise :class:`SchemaNotCurrent` unless the schema is the latest (servers that do not migrate
    at start: ``AUTHPOOL_MIGRATE_AT_START=false``, the migrations being a separate job)."""
    current, head = current_revision(engine), head_revision()
    if current != head:
        raise SchemaNotCurrent(f"the database schema is at revision {current or 'none'}, this authpool needs "
                               f"{head}: run 'authpool migrate' (or set AUTHPOOL_MIGRATE_AT_START=true)")


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
