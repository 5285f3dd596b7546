"""``make bench``: run the benchmarks one after another and write bench/RESULTS.md with the machine,
the versions, the exact commands and what each printed.

    python bench/run_all.py [--out bench/RESULTS.md]

The benchmarks: bench_mint.py (minting vs bare signing), bench_verify.py (guard vs the floor and the
JWT libraries), bench_token_endpoint.py (the token endpoint over HTTP against node-oidc-provider and
django-oauth-toolkit). Each is bounded in time (a few minutes in all); none is part of ``make test``.
Exit status: 0 when every benchmark met its targets, 1 otherwise (RESULTS.md is written either way).
"""

from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import os
import platform
import shlex
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BENCHES = [
    ("Access-token minting (no HTTP)", ["bench/bench_mint.py"]),
    ("Access-token verification: guard vs JWT libraries", ["bench/bench_verify.py"]),
    ("Token endpoint, client_credentials, RS256, over HTTP", ["bench/bench_token_endpoint.py"]),
]
PACKAGES = ["cryptography", "uvicorn", "uvloop", "httptools", "starlette", "orjson", "sqlalchemy", "psycopg",
            "pyjwt", "joserfc", "authlib"]


def _run(args: list[str]) -> str:
    try:
        return subprocess.run(args, check=False, capture_output=True, text=True, timeout=60).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return "unavailable"


def machine() -> list[str]:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "unknown")
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))
    return [f"CPU: {cpu}, {os.cpu_count()} CPUs", f"Memory: {mem_kb / 1024 / 1024:.1f} GiB",
            f"Kernel: {platform.system()} {platform.release()}",
            (f"Load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())} (other work on the machine "
             f"inflates every CPU figure; ratios measured in one run are what the targets compare)")]


def versions() -> list[str]:
    out = [f"Python {platform.python_version()}",
           (f"authpool {importlib.metadata.version('authpool')} at commit "
            f"{_run(['git', '-C', str(ROOT), 'rev-parse', '--short', 'HEAD'])}")]
    for name in PACKAGES:
        try:
            out.append(f"{name} {importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            pass
    out.append(f"Node.js {_run(['node', '--version'])}")
    wrk_version = _run(["sh", "-c", "wrk --version 2>&1 | head -1"])
    out.append(f"wrk: {wrk_version or 'missing'}")
    out.append(f"PostgreSQL: {_run(['psql', '-h', '127.0.0.1', '-U', 'postgres', '-d', 'postgres', '-tAc', 'show server_version'])}")
    out.append("peers (installed on first use into bench/peers/.work/): see the token-endpoint output below")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(HERE / "RESULTS.md"))
    args = parser.parse_args()
    started = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    intro = (f"Written by `make bench` (bench/run_all.py) on {started}. Regenerate with `make bench`; each "
             "benchmark's own docstring says what it measures and why.")
    lines = ["# Benchmark results", "", intro, "",
             "## Machine", "", *[f"- {line}" for line in machine()], "", "## Versions", "",
             *[f"- {line}" for line in versions()], ""]
    ok = True
    for title, script in BENCHES:
        command = [sys.executable, *script]
        shown = "python " + shlex.join(script)
        print(f"== {title}: {shown}", flush=True)
        began = time.monotonic()
        done = subprocess.run(command, check=False, cwd=ROOT, capture_output=True, text=True)
        seconds = time.monotonic() - began
        sys.stdout.write(done.stdout)
        sys.stderr.write(done.stderr[-4000:])
        ok &= done.returncode == 0
        verdict = "met every target" if done.returncode == 0 else f"exit status {done.returncode}: see BELOW TARGET"
        lines += [f"## {title}", "", f"`{shown}` ({seconds:.0f} s; {verdict})", "", "```",
                  done.stdout.rstrip(), *([done.stderr.rstrip()[-2000:]] if done.returncode not in (0, 1) else []),
                  "```", ""]
    Path(args.out).write_text("\n".join(lines))
    print(f"wrote {args.out}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
