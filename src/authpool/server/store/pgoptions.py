"""PostgreSQL connection options for a server process: every wait is bounded, so a database that is
down or unreachable turns into a fast error (HTTP 500/503, ``InternalErrorException``,
``server_error``) instead of a hung request, and the process recovers by itself when it returns.

* ``connect_timeout`` (libpq, at least 2 s): a host that does not answer fails the connection;
* ``statement_timeout`` (server side): no statement, lock wait included, runs longer;
* ``idle_in_transaction_session_timeout`` (server side): a client that vanished mid-transaction
  (``kill -9``, a network partition) cannot hold row locks for long;
* TCP keepalives and ``tcp_user_timeout`` (libpq, Linux): a silently dead peer on an established
  connection is noticed within about ten seconds;
* ``pool_timeout``: a request waits at most this long for a pooled connection;
* ``pool_pre_ping``: a connection broken while idle in the pool is replaced before use; on a
  disconnect error SQLAlchemy discards every pooled connection of that generation.

docs/deploy.md lists the figures; ``Settings.database_*`` sets them.
"""

from __future__ import annotations

from typing import Any

KEEPALIVES = {"keepalives": 1, "keepalives_idle": 5, "keepalives_interval": 2, "keepalives_count": 3}
TCP_USER_TIMEOUT_MS = 10_000
IDLE_IN_TRANSACTION_MS = 60_000


def engine_options(*, connect_timeout: int, statement_timeout: float, pool_timeout: float) -> dict[str, Any]:
    """Keyword arguments for ``Database.from_url`` / ``sqlalchemy.create_engine`` on PostgreSQL."""
    server = (f"-c statement_timeout={int(statement_timeout * 1000)} "
              f"-c idle_in_transaction_session_timeout={IDLE_IN_TRANSACTION_MS}")
    return {
        "pool_pre_ping": True,
        "pool_timeout": pool_timeout,
        "connect_args": {"connect_timeout": max(2, int(connect_timeout)), "options": server,
                         "tcp_user_timeout": TCP_USER_TIMEOUT_MS, **KEEPALIVES},
    }


def listener_options(*, connect_timeout: int) -> dict[str, Any]:
    """psycopg ``connect()`` keywords for a long-lived LISTEN connection (no statement timeout)."""
    return {"connect_timeout": max(2, int(connect_timeout)), "tcp_user_timeout": TCP_USER_TIMEOUT_MS,
            "autocommit": True, **KEEPALIVES}


def options_for(url: str, settings: Any) -> dict[str, Any]:
    """:func:`engine_options` from ``settings.database_*`` when ``url`` is PostgreSQL, else nothing."""
    from sqlalchemy.engine import make_url

    from .db import normalize_url

    if make_url(normalize_url(url)).get_backend_name() != "postgresql":
        return {}
    return engine_options(connect_timeout=settings.database_connect_timeout,
                          statement_timeout=settings.database_statement_timeout,
                          pool_timeout=settings.database_pool_timeout)
