"""``authpool outbox`` and ``authpool cognito auto-confirm|confirm|sign-out`` as an operator runs them:
subprocesses on a data dir whose pool, users and codes were made through the domain services."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from authpool.server.context import build_context
from authpool.server.pool.codes import CONFIRM_SIGN_UP, CodeService
from authpool.server.settings import Settings
from authpool.server.store import UserStatus

PASSWORD = "Correct-Horse-42"


def cli(data_dir, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "authpool", *args, "--data-dir", str(data_dir)],
                          capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("cognito-cli")
    ctx = build_context(Settings(data_dir=data_dir))
    pool = ctx.pools.create("ops")
    bob = ctx.users.sign_up(pool.id, "bob", PASSWORD, attributes={"email": "bob@example.com"})
    CodeService(ctx.db).issue(bob, CONFIRM_SIGN_UP)
    yield data_dir, pool.id, ctx
    ctx.db.dispose()


def test_outbox_shows_codes_to_the_operator(world):
    data_dir, pool_id, _ = world
    result = cli(data_dir, "outbox", "--pool", pool_id, "--json")
    assert result.returncode == 0, result.stderr
    [message] = json.loads(result.stdout)
    assert message["username"] == "bob" and message["purpose"] == "confirm_sign_up" and message["attribute"] == "email"
    assert len(message["code"]) == 6 and message["expired"] is False
    table = cli(data_dir, "outbox", "--pool", pool_id, "--user", "BOB")
    assert table.returncode == 0 and message["code"] in table.stdout and "confirm_sign_up" in table.stdout


def test_confirm_sign_out_and_auto_confirm(world):
    data_dir, pool_id, ctx = world
    assert cli(data_dir, "cognito", "confirm", "--pool", pool_id, "--user", "bob").returncode == 0
    assert ctx.users.get(pool_id, "bob").status is UserStatus.CONFIRMED
    assert json.loads(cli(data_dir, "outbox", "--pool", pool_id, "--json").stdout) == []
    signed_out = cli(data_dir, "cognito", "sign-out", "--pool", pool_id, "--user", "bob")
    assert signed_out.returncode == 0 and "revoked" in signed_out.stdout
    assert ctx.users.get(pool_id, "bob").tokens_valid_after > 0
    assert cli(data_dir, "cognito", "auto-confirm", "on", "--pool", pool_id).returncode == 0
    assert ctx.pools.describe(pool_id).settings["AutoConfirmSignUp"] is True
    assert ctx.pools.describe(pool_id).settings["Policies"]["PasswordPolicy"]["MinimumLength"] == 8  # merged


def test_errors_are_one_line(world):
    data_dir, pool_id, _ = world
    for args in (("outbox", "--pool", "us-east-1_Nope12345"), ("cognito", "confirm", "--pool", pool_id, "--user", "x")):
        result = cli(data_dir, *args)
        assert result.returncode == 2 and result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
