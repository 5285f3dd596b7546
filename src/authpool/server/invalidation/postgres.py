"""The invalidation channel over PostgreSQL ``LISTEN``/``NOTIFY`` (the default when the store is
PostgreSQL: nothing else to run).

* listening: one dedicated autocommit psycopg connection per server process (``LISTEN
  authpool_cache``), with the store's connect timeout and TCP keepalives (``store/pgoptions.py``);
  ``receive`` waits on it with psycopg's ``notifies(timeout=...)``; the heartbeat is ``SELECT 1``;
* publishing: ``SELECT pg_notify('authpool_cache', payload)`` on a pooled connection of the store,
  right after the change committed. PostgreSQL delivers notifications to every listening session,
  in commit order.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url

from ..store.pgoptions import listener_options
from .sync import CHANNEL


class PostgresChannel:
    kind = "postgresql"

    def __init__(self, engine: Any, *, connect_timeout: int = 3) -> None:
        self._engine = engine
        self._dsn = make_url(engine.url).set(drivername="postgresql").render_as_string(hide_password=False)
        self._options = listener_options(connect_timeout=connect_timeout)
        self._conn: Any = None

    def connect(self) -> None:
        import psycopg

        self.close()
        self._conn = psycopg.connect(self._dsn, **self._options)
        self._conn.execute(f"LISTEN {CHANNEL}")

    def receive(self, timeout: float) -> Iterator[str]:
        for notify in self._conn.notifies(timeout=timeout):
            yield notify.payload

    def heartbeat(self) -> None:
        self._conn.execute("SELECT 1")

    def publish(self, payload: str) -> None:
        with self._engine.begin() as conn:
            conn.execute(text("SELECT pg_notify(:channel, :payload)"), {"channel": CHANNEL, "payload": payload})

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except Exception:  # noqa: BLE001, S110 - closing a broken connection
                pass
