"""``authpool hooks set|show|clear`` as an operator runs them: subprocesses on one data dir."""

from __future__ import annotations

import json
import re
import subprocess
import sys


def cli(data_dir, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "authpool", *args, "--data-dir", str(data_dir)],
                          capture_output=True, text=True, timeout=120, check=False)


def test_set_show_clear(tmp_path):
    created = cli(tmp_path, "pools", "create", "hooks", "--alg", "ES256")
    assert created.returncode == 0, created.stderr
    pool = re.search(r"us-east-1_[A-Za-z0-9]+", created.stdout).group(0)

    result = cli(tmp_path, "hooks", "set", "--pool", pool, "--arn", "https://hooks.internal/pretoken",
                 "--version", "V3_0", "--strict", "--timeout", "2")
    assert result.returncode == 0, result.stderr
    secret = result.stdout.strip().splitlines()[-1].strip()
    assert len(secret) >= 40 and "shown once" in result.stdout

    shown = cli(tmp_path, "hooks", "show", "--pool", pool)
    assert json.loads(shown.stdout) == {"LambdaVersion": "V3_0", "LambdaArn": "https://hooks.internal/pretoken",
                                        "invoker": "webhook", "Strict": True, "TimeoutSeconds": 2.0,
                                        "MaxTokenBytes": 8192, "WebhookSecret": "stored"}
    assert secret not in shown.stdout
    described = cli(tmp_path, "pools", "describe", "--pool", pool).stdout
    assert secret not in described and '"PreTokenGenerationConfig"' in described

    bad = cli(tmp_path, "hooks", "set", "--pool", pool, "--arn", "ftp://nope")
    assert bad.returncode == 2 and bad.stderr.startswith("authpool: LambdaArn must be") and "Traceback" not in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1

    assert "Removed the pre-token hook" in cli(tmp_path, "hooks", "clear", "--pool", pool).stdout
    assert "No pre-token hook" in cli(tmp_path, "hooks", "show", "--pool", pool).stdout
