"""boto3 against a real authpool server process (``authpool serve`` on a free port), one server per
test module and backend: SQLite, and PostgreSQL in a fresh database created for the module and
dropped after it (``AUTHPOOL_TEST_PG_URL``, default ``postgresql://postgres@127.0.0.1:5432/test``;
``AUTHPOOL_SKIP_POSTGRES=1`` skips those runs on purpose).

Passwords are hashed with the production argon2id parameters, so these tests sign in as few times
as they can.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.interop.boto3_support import ENV, PG_ADMIN_URL, SKIP_POSTGRES, make_client
from tests.support.live_server import LiveServer

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=[
        pytest.mark.postgres, pytest.mark.skipif(SKIP_POSTGRES, reason="AUTHPOOL_SKIP_POSTGRES=1")]),
]


def _pg(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql)


@pytest.fixture(scope="module", params=BACKENDS)
def live(request, tmp_path_factory) -> Iterator[LiveServer]:
    data_dir = tmp_path_factory.mktemp("cognito")
    database_url = None
    if request.param == "postgres":
        name = f"authpool_i_{secrets.token_hex(6)}"
        _pg(f'CREATE DATABASE "{name}"')
        database_url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    try:
        root = str(Path(__file__).resolve().parents[2])  # so python: hooks under tests/ import
        with LiveServer(data_dir, database_url=database_url, env={**ENV, "PYTHONPATH": root}) as server:
            server.database_url = database_url
            yield server
            if getattr(server, "store", None) is not None:
                server.store.dispose()
    finally:
        if database_url:
            _pg(f'DROP DATABASE IF EXISTS "{database_url.rsplit("/", 1)[1]}" WITH (FORCE)')


@pytest.fixture(scope="module")
def admin(live):
    """Signed with the admin key pair."""
    return make_client(live)


@pytest.fixture(scope="module")
def public(live):
    """Sends unsigned requests, like an app with no AWS credentials."""
    return make_client(live, unsigned=True)


@pytest.fixture(scope="module")
def stranger(live):
    """Signs with someone else's AWS keys (boto3 signs public operations too)."""
    return make_client(live, key_id="AKIASTRANGERSTRANGER", secret="not-the-admin-secret-at-all-0123456789")
