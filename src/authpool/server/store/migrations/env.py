"""Alembic environment for authpool. Runs only on a connection handed in by
``authpool.server.store.migrate`` (``config.attributes["connection"]``); there is no ini file."""

from __future__ import annotations

from alembic import context

from authpool.server.store.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through authpool.server.store.migrate (Database.migrate())")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite ALTERs go through table copies
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
