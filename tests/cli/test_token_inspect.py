"""``authpool token inspect`` as a user runs it: a subprocess, its output and exit status."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from authpool.jose import JWK
from authpool.tokens import Session, TokenMinter

NOW = int(time.time())


def run_cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "authpool", *args], capture_output=True, text=True, input=stdin,
                          timeout=60, check=False)


@pytest.fixture(scope="module")
def tokens():
    minter = TokenMinter("http://127.0.0.1:9/us-east-1_X", id_key=JWK.generate("RS256"),
                         access_key=JWK.generate("RS256"))
    session = Session(issuer="http://127.0.0.1:9/us-east-1_X", sub="s", client_id="democlient", auth_time=NOW,
                      origin_jti="o", username="alice", scopes=("orders/read", "orders/delete"),
                      attributes={"email": "alice@example.com", "name": "Alice"})
    return minter.mint(session, now=NOW, access_ttl=600, id_ttl=600)


def test_id_token_is_declared_unfit_for_apis(tokens):
    result = run_cli("token", "inspect", tokens.id_token)
    assert result.returncode == 0, result.stderr
    assert "ID token" in result.stdout
    assert "NO: this is an ID token" in result.stdout
    assert "client app 'democlient'" in result.stdout
    assert "email" in result.stdout and "Traceback" not in result.stderr


def test_access_token_lists_scopes(tokens):
    result = run_cli("token", "inspect", tokens.access_token)
    assert result.returncode == 0, result.stderr
    assert "access token" in result.stdout
    assert "scopes: orders/read orders/delete" in result.stdout
    assert "PII claims: none" in result.stdout


def test_json_output_and_stdin(tokens):
    result = run_cli("token", "inspect", "-", "--json", stdin=tokens.id_token + "\n")
    data = json.loads(result.stdout)
    assert data["kind"] == "id" and data["may_send_to_api"] is False
    assert data["pii_claims"] == ["cognito:username", "email", "name"]


@pytest.mark.parametrize("garbage", ["garbage", "a.b.c", "eyJhbGciOiJub25lIn0.e30.", "x" * 20000])
def test_garbage_gets_one_line_error(garbage):
    result = run_cli("token", "inspect", garbage)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("authpool: not a JWT")
    assert "Traceback" not in result.stderr


def test_verification_against_an_unreachable_issuer_is_reported_not_raised(tokens):
    result = run_cli("token", "inspect", tokens.access_token, "--issuer", "http://127.0.0.1:9/us-east-1_X")
    assert result.returncode == 0
    assert "could not fetch the issuer's JWKS" in result.stdout
