"""``authpool migrate`` (a deployment's migration job) and ``AUTHPOOL_MIGRATE_AT_START=false``: a server
that does not migrate refuses to start on a schema that is not the latest, and says what to run."""

from __future__ import annotations

import os
import subprocess
import sys


def authpool(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "authpool", *args], capture_output=True, text=True, timeout=60,
                          env={**os.environ, **(env or {})}, check=False)


def test_migrate_check_then_migrate_then_serve_without_migrating(tmp_path):
    data = str(tmp_path / "data")
    pending = authpool("migrate", "--check", "--data-dir", data)
    assert pending.returncode == 1 and "migrations pending" in pending.stdout
    refused = authpool("serve", "--data-dir", data, "--port", "0", env={"AUTHPOOL_MIGRATE_AT_START": "false"})
    assert refused.returncode == 2
    assert "run 'authpool migrate'" in refused.stderr and "Traceback" not in refused.stderr
    done = authpool("migrate", "--data-dir", data)
    assert done.returncode == 0 and "(was none)" in done.stdout
    again = authpool("migrate", "--data-dir", data)
    assert again.returncode == 0 and "already up to date" in again.stdout
    assert authpool("migrate", "--check", "--data-dir", data).returncode == 0
