"""Token endpoint, client_credentials, RS256: authpool (SQLite and PostgreSQL) against node-oidc-provider
and django-oauth-toolkit, over HTTP with wrk, in tokens per server CPU-second; same machine, same run.

    python bench/bench_token_endpoint.py [--seconds 8] [--warmup 2] [--rounds 3] [--concurrency 16]
                                         [--workers N] [--targets authpool-sqlite,authpool-pg,node,dot]

* Every server runs on 127.0.0.1 with ``--workers`` processes (default: the number of CPUs) and one
  confidential client allowed client_credentials; each request is ``POST grant_type=client_credentials``
  with the scope, client_secret_basic. Peers: bench/peers/ (installed from npm and PyPI on first use
  into bench/peers/.work/, never committed; stopped by PID).
* Load: ``wrk`` (Debian package), one thread, ``--concurrency`` connections, kept alive; a Lua script
  counts every response that is not 200 with an ``access_token`` as an error. A warm-up of
  ``--warmup`` seconds, then ``--seconds`` measured.
* Server CPU: user + system seconds from /proc/PID/stat of the server's process tree (all threads) and
  of the PostgreSQL backends connected to its database, read before and after the measured run.
  **Tokens per server CPU-second** (successful responses / CPU seconds) is the figure compared:
  requests/s swing with whatever else the machine runs, CPU per token much less.
* Rounds: every target once per round, interleaved, ``--rounds`` times; medians are printed, with the
  ratios authpool / peer, and authpool against the bare RS256 signing rate of the pool's own access-token
  key (pyca/cryptography ``private_key.sign`` over a signing input as long as a real token's, in this
  process, per CPU-second), measured in every round: the floor no server can beat.
* Also: cold start of ``authpool serve`` to its first token, idle RSS of its processes.

Targets (issue 9): authpool >= 1.3x each peer in tokens per CPU-second, >= 0.6x the bare signing rate,
p99 no worse than either peer; idle RSS <= 120 MB a process; cold start to first token <= 2 s.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import rate
from peers import dot, node_oidc
from peers.common import (
    WORK,
    Server,
    basic,
    cpu_seconds,
    free_port,
    post_token,
    process_tree,
    recreate_pg_database,
    rss_mb,
    spawn,
)

SCOPE = "https://api.bench.example/read"
PG_DATABASE = "authpool_bench"
TARGETS = {"peer": 1.3, "floor": 0.6, "rss_mb": 120.0, "cold_start_s": 2.0}
LUA = """
wrk.method = "POST"
wrk.body = {body}
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = {authorization}
local threads = {{}}
function setup(thread) table.insert(threads, thread) end
function init(args) bad = 0 end
function response(status, headers, body)
  if status ~= 200 or not string.find(body, '"access_token"', 1, true) then bad = bad + 1 end
end
function done(summary, latency, requests)
  local b = 0
  for _, t in ipairs(threads) do b = b + t:get("bad") end
  local e = summary.errors
  io.write(string.format('\\nRESULT {{"requests": %d, "duration_us": %d, "bad": %d, "p50_us": %d, "p99_us": %d, '
    .. '"socket_errors": %d}}\\n', summary.requests, summary.duration, b, latency:percentile(50),
    latency:percentile(99), e.connect + e.read + e.write + e.timeout))
end
"""


# -- authpool -----------------------------------------------------------------------------------------------------
def prepare_authpool(data_dir: Path, database_url: str | None) -> dict[str, str]:
    """A pool with RS256 keys, a resource server and a client_credentials client, made through the pool
    services (as ``authpool`` and the Cognito API make them)."""
    from authpool.server.context import build_context
    from authpool.server.settings import Settings

    overrides = {"data_dir": data_dir, **({"database_url": database_url} if database_url else {})}
    ctx = build_context(Settings(**overrides))
    try:
        pool = ctx.pools.create("bench", settings={"SigningAlgorithm": "RS256"})
        ctx.keys.ensure(pool.id)
        ctx.resource_servers.create(pool.id, "https://api.bench.example", "bench api",
                                    scopes=[{"ScopeName": "read", "ScopeDescription": "read"}])
        client = ctx.clients.create(pool.id, "bench-service", generate_secret=True, settings={
            "AllowedOAuthFlows": ["client_credentials"], "AllowedOAuthFlowsUserPoolClient": True,
            "AllowedOAuthScopes": [SCOPE]})
        return {"pool": pool.id, "client_id": client.client_id, "secret": client.client_secret}
    finally:
        ctx.db.dispose()


def start_authpool(name: str, data_dir: Path, *, workers: int, database_url: str | None = None,
                   pg_database: str | None = None) -> Server:
    creds = prepare_authpool(data_dir, database_url)
    port = free_port()
    args = [sys.executable, "-m", "authpool", "serve", "--host", "127.0.0.1", "--port", str(port),
            "--data-dir", str(data_dir), "--workers", str(workers)]
    if database_url:
        args += ["--database-url", database_url]
    log = WORK / "logs" / f"{name}-{port}.log"
    process = spawn(args, env={}, log_path=log)
    server = Server(name=name, process=process, url=f"http://127.0.0.1:{port}/{creds['pool']}/oauth2/token",
                    authorization=basic(creds["client_id"], creds["secret"]),
                    body=f"grant_type=client_credentials&scope={SCOPE.replace(':', '%3A').replace('/', '%2F')}",
                    pg_database=pg_database, log_path=log)
    server.notes.append(f"authpool serve --workers {workers}, {'PostgreSQL' if database_url else 'SQLite'} store, "
                        f"default settings (INFO access log on, written to a file)")
    return server


def bare_signer(data_dir: Path, sample_token: str):
    """The pool's active access-token private key (read from the SQLite store) and a signing input as
    long as a real token's: ``lambda: key.sign(data)``, pyca/cryptography and nothing else."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    from authpool.server.context import build_context
    from authpool.server.settings import Settings

    ctx = build_context(Settings(data_dir=data_dir))
    try:
        pool = json.loads(_b64(sample_token.split(".")[1]))["iss"].rsplit("/", 1)[1]
        key = ctx.keys.minter(pool, ctx.settings.issuer_for(pool))._access_signer.key.private_key
    finally:
        ctx.db.dispose()
    data = sample_token.rsplit(".", 1)[0].encode("ascii")
    pad, sha = padding.PKCS1v15(), hashes.SHA256()
    return lambda: key.sign(data, pad, sha)


def _b64(part: str) -> bytes:
    import base64

    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


# -- load ------------------------------------------------------------------------------------------------------------
def wrk(server: Server, *, seconds: float, concurrency: int, script: Path) -> dict:
    out = subprocess.run(["wrk", "-t1", f"-c{concurrency}", f"-d{max(1, round(seconds))}s", "--timeout", "10s", "--latency",
                          "-s", str(script), server.url], capture_output=True, text=True, check=True)
    line = next(line for line in out.stdout.splitlines() if line.startswith("RESULT "))
    return json.loads(line[len("RESULT "):])


def write_script(server: Server, directory: Path) -> Path:
    path = directory / f"{server.name}.lua"
    path.write_text(LUA.format(body=json.dumps(server.body), authorization=json.dumps(server.authorization)))
    return path


def measure(server: Server, *, warmup: float, seconds: float, concurrency: int, script: Path) -> dict:
    wrk(server, seconds=warmup, concurrency=concurrency, script=script)
    pids = server.pids()
    cpu_before = cpu_seconds(pids)
    result = wrk(server, seconds=seconds, concurrency=concurrency, script=script)
    cpu = cpu_seconds(pids) - cpu_before
    ok = result["requests"] - result["bad"]
    return {"rps": result["requests"] / (result["duration_us"] / 1e6), "p50_ms": result["p50_us"] / 1000,
            "p99_ms": result["p99_us"] / 1000, "errors": result["bad"] + result["socket_errors"],
            "requests": result["requests"], "cpu_s": cpu, "tokens_per_cpu_s": ok / cpu if cpu > 0 else 0.0}


# -- report -----------------------------------------------------------------------------------------------------------
def medians(samples: list[dict]) -> dict:
    return {key: statistics.median(s[key] for s in samples) for key in samples[0]}


def report(results: dict[str, list[dict]], floors: list[float], extras: dict, args) -> bool:
    ok = True
    med = {name: medians(samples) for name, samples in results.items()}
    floor = statistics.median(floors)
    print(f"\n{'server':22} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'CPU s':>7} {'tokens/CPU-s':>13}"
          f"   (medians of {args.rounds} interleaved rounds; tokens/CPU-s of each round in brackets)")
    for name, m in med.items():
        rounds = ", ".join(f"{s['tokens_per_cpu_s']:.0f}" for s in results[name])
        print(f"{name:22} {m['rps']:8.0f} {m['p50_ms']:8.2f} {m['p99_ms']:8.2f} {m['errors']:7.0f} {m['cpu_s']:7.2f} "
              f"{m['tokens_per_cpu_s']:13.0f}   [{rounds}]")
    print(f"{'bare RS256 sign':22} {'':8} {'':8} {'':8} {'':7} {'':7} {floor:13.0f}   "
          f"[{', '.join(f'{f:.0f}' for f in floors)}]  (pyca/cryptography, the pool's key, this process)")
    ours = [n for n in med if n.startswith("authpool")]
    peers = [n for n in med if not n.startswith("authpool")]
    print()
    for mine in ours:
        for peer in peers:
            ratio = med[mine]["tokens_per_cpu_s"] / med[peer]["tokens_per_cpu_s"]
            p99_ok = med[mine]["p99_ms"] <= med[peer]["p99_ms"]
            passed = ratio >= TARGETS["peer"] and p99_ok
            ok &= passed
            print(f"{mine} / {peer}: {ratio:.2f}x tokens per CPU-second (target >= {TARGETS['peer']}); p99 "
                  f"{med[mine]['p99_ms']:.2f} vs {med[peer]['p99_ms']:.2f} ms (target: no worse)"
                  f"{'' if passed else '  BELOW TARGET'}")
        x_floor = med[mine]["tokens_per_cpu_s"] / floor
        ok &= x_floor >= TARGETS["floor"]
        print(f"{mine} / bare RS256 signing: {x_floor:.2f}x (target >= {TARGETS['floor']})"
              f"{'' if x_floor >= TARGETS['floor'] else '  BELOW TARGET'}")
        ok &= med[mine]["errors"] == 0
    for name, m in med.items():
        if m["errors"]:
            print(f"{name}: {m['errors']:.0f} errors (median)  ERRORS")
    if "cold_start_s" in extras:
        cold_ok = extras["cold_start_s"] <= TARGETS["cold_start_s"]
        rss_ok = max(extras["idle_rss_mb"]) <= TARGETS["rss_mb"]
        ok &= cold_ok and rss_ok
        print(f"authpool cold start to first token: {extras['cold_start_s']:.2f} s ({extras['cold_start_what']}; "
              f"target <= {TARGETS['cold_start_s']} s){'' if cold_ok else '  BELOW TARGET'}")
        print(f"authpool idle RSS: {', '.join(f'{r:.0f}' for r in extras['idle_rss_mb'])} MB "
              f"({extras['idle_rss_what']}; target <= {TARGETS['rss_mb']:.0f} MB a process)"
              f"{'' if rss_ok else '  BELOW TARGET'}")
    return ok


def cold_start(data_dir: Path) -> tuple[float, list[float]]:
    """Seconds from spawning a one-process ``authpool serve`` to its first token, and its RSS (MB) once idle."""
    server = start_authpool("authpool-cold", data_dir, workers=1)
    try:
        seconds = server.wait_for_token(timeout=30)
        time.sleep(1.0)
        return seconds, rss_mb(process_tree(server.process.pid))
    finally:
        server.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--targets", default="authpool-sqlite,authpool-pg,node,dot")
    parser.add_argument("--json", help="also write the raw samples here")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is missing: apt-get install -y wrk", file=sys.stderr)
        return 2
    wanted = args.targets.split(",")
    scratch = Path(tempfile.mkdtemp(prefix="authpool-bench-"))
    servers: dict[str, Server] = {}
    extras: dict = {}
    try:
        print(f"token endpoint benchmark: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; "
              f"{args.workers} worker(s) per server; wrk -t1 -c{args.concurrency}, {args.warmup:g} s warm-up + "
              f"{args.seconds:g} s measured, {args.rounds} interleaved rounds", flush=True)
        if "authpool-sqlite" in wanted:
            extras["cold_start_s"], rss = cold_start(scratch / "cold")
            extras["idle_rss_mb"] = rss
            extras["cold_start_what"] = "authpool serve, 1 worker, SQLite, from spawn to the first 200"
            extras["idle_rss_what"] = "authpool serve, 1 worker, after its first token"
            servers["authpool-sqlite"] = start_authpool("authpool-sqlite", scratch / "sqlite", workers=args.workers)
        if "authpool-pg" in wanted:
            recreate_pg_database(PG_DATABASE)
            servers["authpool-pg"] = start_authpool(
                "authpool-pg", scratch / "pg", workers=args.workers, pg_database=PG_DATABASE,
                database_url=f"postgresql://postgres@127.0.0.1:5432/{PG_DATABASE}")
        if "node" in wanted:
            servers["node-oidc-provider"] = node_oidc.start(workers=args.workers)
        if "dot" in wanted:
            servers["django-oauth-toolkit"] = dot.start(workers=args.workers)
        for server in servers.values():
            server.wait_for_token()
            print(f"  {server.name}: {'; '.join(server.notes)}", flush=True)
        floor_fn = None
        if "authpool-sqlite" in servers:
            _, body = post_token(servers["authpool-sqlite"].url, servers["authpool-sqlite"].authorization,
                                      servers["authpool-sqlite"].body)
            floor_fn = bare_signer(scratch / "sqlite", json.loads(body)["access_token"])
        scripts = {name: write_script(server, scratch) for name, server in servers.items()}
        results: dict[str, list[dict]] = {name: [] for name in servers}
        floors: list[float] = []
        for round_no in range(1, args.rounds + 1):
            for name, server in servers.items():
                sample = measure(server, warmup=args.warmup, seconds=args.seconds, concurrency=args.concurrency,
                                 script=scripts[name])
                results[name].append(sample)
                print(f"  round {round_no} {name:22} {sample['rps']:7.0f} req/s  p99 {sample['p99_ms']:7.2f} ms  "
                      f"{sample['errors']} errors  {sample['tokens_per_cpu_s']:6.0f} tokens/CPU-s", flush=True)
            if floor_fn is not None:
                floors.append(rate(floor_fn, seconds=1.0))
        if not floors:
            floors = [float("nan")]
        if args.json:
            Path(args.json).write_text(json.dumps({"results": results, "floors": floors, "extras": extras}, indent=1))
        return 0 if report(results, floors, extras, args) else 1
    finally:
        for server in servers.values():
            server.stop()
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
