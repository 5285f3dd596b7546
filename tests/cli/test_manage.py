"""The management CLI as an operator uses it: subprocesses on one data dir."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest


def cli(data_dir, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "authpool", *args, "--data-dir", str(data_dir)],
                          capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture(scope="module")
def pool(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("cli")
    created = cli(data_dir, "pools", "create", "ops", "--alg", "ES256")
    assert created.returncode == 0, created.stderr
    pool_id = re.search(r"us-east-1_[A-Za-z0-9]+", created.stdout).group(0)
    return data_dir, pool_id


def test_full_management_round(pool):
    data_dir, pool_id = pool
    steps = [
        ("resource-servers", "create", "--pool", pool_id, "orders", "--scope", "read:Read orders", "--scope", "write"),
        ("groups", "create", "--pool", pool_id, "admin", "--precedence", "1"),
        ("users", "create", "--pool", pool_id, "carol", "--attr", "email=carol@example.com", "--password",
         "Str0ng!Passw0rd", "--permanent"),
        ("groups", "add-user", "--pool", pool_id, "admin", "carol"),
        ("clients", "create", "--pool", pool_id, "svc", "--secret", "--oauth-flows", "client_credentials",
         "--scopes", "orders/read"),
    ]
    for step in steps:
        result = cli(data_dir, *step)
        assert result.returncode == 0, (step, result.stderr)
    user = json.loads(cli(data_dir, "users", "get", "--pool", pool_id, "carol").stdout)
    assert user["Status"] == "CONFIRMED" and user["Groups"] == ["admin"]
    assert user["Attributes"]["email"] == "carol@example.com"
    listed = cli(data_dir, "clients", "list", "--pool", pool_id).stdout
    client_id = re.search(r"\b([a-z0-9]{26})\b", listed).group(1)
    described = json.loads(cli(data_dir, "clients", "describe", "--pool", pool_id, client_id).stdout)
    assert described["AllowedOAuthFlows"] == ["client_credentials"] and len(described["ClientSecret"]) > 20
    assert "orders\torders\tread write" in cli(data_dir, "resource-servers", "list", "--pool", pool_id).stdout
    keys = cli(data_dir, "keys", "list", "--pool", pool_id).stdout
    assert keys.count("ES256") == 4 and keys.count("active") == 2 and keys.count("next") == 2
    rotated = cli(data_dir, "keys", "rotate", "--pool", pool_id)
    assert rotated.returncode == 0 and "now signed with" in rotated.stdout
    assert cli(data_dir, "keys", "list", "--pool", pool_id).stdout.count("retired") == 2


@pytest.mark.parametrize("args,message", [
    (("users", "get", "--pool", "{pool}", "nobody"), "User does not exist."),
    (("users", "create", "--pool", "{pool}", "weak", "--password", "short", "--permanent"), "Password"),
    (("users", "create", "--pool", "{pool}", "x", "--attr", "novalue"), "NAME=VALUE"),
    (("groups", "delete", "--pool", "{pool}", "ghost"), "Group not found."),
    (("keys", "rotate", "--pool", "us-east-1_Missing"), "User pool does not exist."),
])
def test_bad_input_gets_one_line_error(pool, args, message):
    data_dir, pool_id = pool
    result = cli(data_dir, *[a.format(pool=pool_id) for a in args])
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_init_creates_a_pool_and_prints_the_admin_key_pair_once(tmp_path):
    first = cli(tmp_path, "init", "--name", "main", "--alg", "EdDSA")
    assert first.returncode == 0, first.stderr
    assert re.search(r"Created user pool us-east-1_\w+", first.stdout)
    assert "AWS_ACCESS_KEY_ID=AKIA" in first.stdout and "AWS_SECRET_ACCESS_KEY=" in first.stdout
    secret = re.search(r"AWS_SECRET_ACCESS_KEY=(\S+)", first.stdout).group(1)
    second = cli(tmp_path, "init", "--name", "second")
    assert second.returncode == 0 and "AWS_SECRET_ACCESS_KEY" not in second.stdout
    assert secret not in second.stdout and "secret shown at first start" in second.stdout
    assert (tmp_path / "admin.key").stat().st_mode & 0o777 == 0o600
    assert secret.encode() not in (tmp_path / "admin.key").read_bytes()  # encrypted at rest
    assert len(re.findall(r"^us-east-1_", cli(tmp_path, "pools", "list").stdout, re.MULTILINE)) == 2


def test_reset_mfa_removes_a_lost_software_token(pool):
    data_dir, pool_id = pool
    assert cli(data_dir, "users", "create", "--pool", pool_id, "mia", "--password", "Str0ng!Passw0rd",
               "--permanent").returncode == 0
    assert "has no software token" in cli(data_dir, "users", "reset-mfa", "--pool", pool_id, "mia").stdout
    from authpool.server.context import build_context
    from authpool.server.pool import totp
    from authpool.server.settings import Settings

    ctx = build_context(Settings(data_dir=data_dir))
    try:
        ctx.pools.update(pool_id, settings={"MfaConfiguration": "OPTIONAL"}, merge=True)
        sub = ctx.users.get(pool_id, "mia").sub
        secret = totp.from_base32(ctx.signin.mfa.service.associate(pool_id, sub))
        ctx.signin.mfa.service.verify(pool_id, sub, totp.code_at(secret, ctx.db.now()))
        ctx.signin.mfa.service.set_preference(pool_id, sub, enabled=True, preferred=True)
        done = cli(data_dir, "users", "reset-mfa", "--pool", pool_id, "mia")
        assert done.returncode == 0 and "reset" in done.stdout
        assert ctx.signin.mfa.service.settings(pool_id, sub).to_cognito() == {}
        assert "User does not exist." in cli(data_dir, "users", "reset-mfa", "--pool", pool_id, "nobody").stderr
    finally:
        ctx.db.dispose()
