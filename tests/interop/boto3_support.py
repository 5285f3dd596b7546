"""Helpers for the boto3 interop suite (constants, clients, SECRET_HASH, the outbox)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import subprocess
import sys

import boto3
from botocore import UNSIGNED
from botocore.config import Config
from tests.support.live_server import LiveServer
from tests.support.tokens import claims_of as claims  # noqa: F401 - the interop tests import these from here
from tests.support.tokens import header_of as header  # noqa: F401

PG_ADMIN_URL = os.environ.get("AUTHPOOL_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test").replace(
    "postgresql+psycopg://", "postgresql://")
SKIP_POSTGRES = os.environ.get("AUTHPOOL_SKIP_POSTGRES") == "1"
ADMIN_KEY_ID = "AKIA" + secrets.token_hex(8).upper()
ADMIN_SECRET = secrets.token_urlsafe(30)[:40]
ENV = {"AUTHPOOL_ADMIN_ACCESS_KEY_ID": ADMIN_KEY_ID, "AUTHPOOL_ADMIN_SECRET_ACCESS_KEY": ADMIN_SECRET}
PASSWORD = "Correct-Horse-42"


def make_client(live: LiveServer, *, key_id: str | None = ADMIN_KEY_ID, secret: str | None = ADMIN_SECRET,
                unsigned: bool = False):
    config = Config(retries={"max_attempts": 1}, signature_version=UNSIGNED if unsigned else None)
    return boto3.client("cognito-idp", endpoint_url=live.base_url, region_name="us-east-1",
                        aws_access_key_id=key_id or "unused", aws_secret_access_key=secret or "unused",
                        config=config)


def secret_hash(client_secret: str, username: str, client_id: str) -> str:
    mac = hmac.new(client_secret.encode(), (username + client_id).encode(), hashlib.sha256).digest()
    return base64.b64encode(mac).decode()


def authpool_cli(live: LiveServer, *args: str) -> str:
    """Run the ``authpool`` CLI on the server's store; returns stdout."""
    store = ["--data-dir", str(live.data_dir)] + (["--database-url", live.database_url] if live.database_url else [])
    done = subprocess.run([sys.executable, "-m", "authpool", *args, *store], capture_output=True, text=True,
                          env={**os.environ, **ENV}, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def outbox(live: LiveServer, pool_id: str, user: str | None = None) -> list[dict]:
    """What ``authpool outbox --pool ID --json`` prints (the same function), read in this process from
    the server's store with its master key: no CLI start-up per read (tests/cli runs the command)."""
    from authpool.cli.cognito_cmd import outbox_entries
    from authpool.server.secrets import MasterKey
    from authpool.server.store import Database
    from authpool.server.store.db import default_url

    db = getattr(live, "store", None)
    if db is None:
        url = live.database_url or default_url(live.data_dir)
        db = live.store = Database.from_url(url, master_key=MasterKey.load(live.data_dir))
    return outbox_entries(db, pool_id, user)


def error_code(excinfo) -> str:
    return excinfo.value.response["Error"]["Code"]
