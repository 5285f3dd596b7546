"""The operator's commands against the live server's data directory, as subprocesses: ``authpool keys rotate
--encryption`` (tokens encrypted under the previous version keep decrypting) and ``authpool audit decrypts``
(who decrypted what; flags; exit status 3 when a client is flagged)."""

from __future__ import annotations

import contextlib
import datetime
import io
import json
import subprocess
import sys
import time

import jwt as pyjwt
from tests.server.keyservice.live import LOCAL, NATIONAL_ID, RK

from authpool.cli import main
from authpool.jose import parse_compact_jwe


def authpool(live, *args: str, process: bool = False) -> subprocess.CompletedProcess:
    """``authpool ARGS --data-dir <the live server's>``: in a subprocess, or in this process (faster; the
    same ``main``, a context of its own on the same store)."""
    argv = [*args, "--data-dir", str(live.server.data_dir)]
    if process:
        return subprocess.run([sys.executable, "-m", "authpool", *argv], capture_output=True, text=True, timeout=120,
                              check=False)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return subprocess.CompletedProcess(argv, code, out.getvalue(), err.getvalue())


def kid_of(token: str) -> str:
    sealed = pyjwt.decode(token, options={"verify_signature": False})["custom:national_id"]
    return parse_compact_jwe(sealed, algorithms=["A256KW"], encryptions=["A256GCM"]).kid


def test_rotate_encryption_keys_while_tokens_live(live):
    before = live.token_for(LOCAL)
    key_id, version = kid_of(before).rsplit(".", 1)
    done = authpool(live, "keys", "rotate", "--encryption", "--pool", live.pool_id, "--resource-server", LOCAL,
                    process=True)
    assert done.returncode == 0, done.stderr
    assert f"{LOCAL}: claims are now encrypted under {key_id}.{int(version) + 1}" in done.stdout
    assert live.api.get("/local/sync", before).json() == {"national_id": NATIONAL_ID}  # the old version still works
    time.sleep(2.2)  # the server re-reads the active version within 2 s of a rotation by another process
    after = live.token_for(LOCAL)
    assert kid_of(after) == f"{key_id}.{int(version) + 1}"
    for token in (before, after):
        assert live.api.get("/local/async", token).json() == {"national_id": NATIONAL_ID}


def test_rotate_refusals(live):
    done = authpool(live, "keys", "rotate", "--pool", live.pool_id, "--resource-server", LOCAL)
    assert done.returncode == 2 and "--encryption" in done.stderr
    done = authpool(live, "keys", "rotate", "--encryption", "--pool", live.pool_id, "--resource-server", RK)
    assert done.returncode == 2 and "does not use the local key service" in done.stderr
    done = authpool(live, "keys", "rotate", "--encryption", "--pool", "us-east-1_Nope00000")
    assert done.returncode == 2


def test_audit_decrypts_summarises_and_flags(live):
    time.sleep(1.1)  # audit times are whole seconds: start a fresh window
    since = datetime.datetime.fromtimestamp(int(time.time()), datetime.UTC).isoformat()
    token = live.token_for(LOCAL)  # one encrypted claim issued for LOCAL in the window ...
    for _ in range(4):  # ... decrypted four times by the KYC API
        assert live.api.get("/local/sync", token).status_code == 200
    assert live.api.get("/local-other/sync", token).status_code == 403
    done = authpool(live, "audit", "decrypts", "--pool", live.pool_id, "--since", since, "--ratio", "2", "--json",
                    process=True)
    assert done.returncode == 3, done.stderr  # flagged
    rows = {row["client"]: row for row in json.loads(done.stdout)}
    kyc = rows[live.kycapi.client_id]
    assert kyc["decrypts"] == 4 and kyc["claims"] == {"custom:national_id": 4} and kyc["issued_for_audiences"] == 1
    assert kyc["audiences"] == [LOCAL] and kyc["subjects"] == 1 and kyc["ciphertexts"] == 1
    assert any("4 vs 1" in flag for flag in kyc["flags"])
    other = rows[live.other.client_id]
    assert other["decrypts"] == 0 and other["refused"] == {"denied": 1}
    assert any("key policy" in flag for flag in other["flags"])
    relaxed = authpool(live, "audit", "decrypts", "--pool", live.pool_id, "--since", since, "--ratio", "10",
                       "--client", live.kycapi.client_id)
    assert relaxed.returncode == 0, relaxed.stderr + relaxed.stdout
    assert live.kycapi.client_id in relaxed.stdout and live.other.client_id not in relaxed.stdout
    assert NATIONAL_ID not in done.stdout + relaxed.stdout


def test_audit_decrypts_arguments(live):
    assert authpool(live, "audit", "decrypts", "--since", "yesterday-ish").returncode == 2
    assert authpool(live, "audit", "decrypts", "--pool", "us-east-1_Nope00000").returncode == 2
    empty = authpool(live, "audit", "decrypts", "--pool", live.pool_id, "--since", "2999-01-01")
    assert empty.returncode == 0 and "No decrypts" in empty.stdout


def test_encryption_show(live):
    done = authpool(live, "encryption", "show", "--pool", live.pool_id)
    assert done.returncode == 0, done.stderr
    for ident, backend in ((RK, "resource-key"), (LOCAL, "local"), ("https://kyc-kms.example", "aws-kms")):
        line = next(line for line in done.stdout.splitlines() if line.startswith(ident))
        assert backend in line and "custom:national_id" in line


def test_encryption_set(live, tmp_path, monkeypatch):
    from authpool.jose import ECDHKey

    ident = "https://cli-set.example"
    live.ctx.resource_servers.create(live.pool_id, ident, "cli set", scopes=[{"ScopeName": "read",
                                                                               "ScopeDescription": "read"}])
    key = ECDHKey.generate("X25519", kid="cli-1")
    public, private = tmp_path / "public.json", tmp_path / "private.json"
    public.write_text(json.dumps(key.to_public_dict()))
    private.write_text(json.dumps(key.to_private_dict()))
    done = authpool(live, "encryption", "set", "--pool", live.pool_id, "--resource-server", ident,
                    "--public-jwk", str(public), "--attributes", "custom:national_id")
    assert done.returncode == 0, done.stderr
    assert f"{ident}: resource-key; attributes custom:national_id" in done.stdout and "not ready" not in done.stdout
    refused = authpool(live, "encryption", "set", "--pool", live.pool_id, "--resource-server", ident,
                       "--public-jwk", str(private))
    assert refused.returncode == 2 and "private key stays with the API" in refused.stderr
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(key.to_public_dict())))
    local = authpool(live, "encryption", "set", "--pool", live.pool_id, "--resource-server", ident,
                     "--backend", "local", "--decrypt-clients", "", "--public-jwk", "-")
    assert local.returncode == 0 and "not ready: no client may decrypt" in local.stdout
    bad = authpool(live, "encryption", "set", "--pool", live.pool_id, "--resource-server", ident,
                   "--decrypt-clients", live.web.client_id + ",nosuch")
    assert bad.returncode == 2 and "not a confidential client" in bad.stderr
