"""Soak: several authpool processes on PostgreSQL and Redis under a mixed load for a bounded time,
on loopback only.

    python bench/soak.py [--minutes 10] [--nodes 2] [--workers 1] [--no-redis] [--chains 4]

What runs: ``--nodes`` ``authpool serve`` processes (each with ``--workers``) on a fresh PostgreSQL
database on 127.0.0.1:5432 (created for the run, dropped after), sharing the local Redis
(127.0.0.1:6379) for throttle counters, behind one issuer. The clients (tests/cluster/load.py) mix:

* refresh-token chains, one per user, rotation on, alternating the OAuth and Cognito doors and the nodes;
* client credentials;
* sign-in cycles: sign in (argon2id, the production parameters), refresh at another node, revoke,
  and check that the revoked token is refused.

Reported: throughput (calls/s, per kind), latency (p50/p99), the error count (must be 0: no fault is
injected), the store's consistency for every chain, and the servers' resident memory (all server
processes, sampled every 2 s): the lowest sample of the minute after warm-up against the lowest of
the last minute (growth must stay under 10%). The floor, because argon2id holds 64 MiB per password
check while it runs and returns it after, so single samples jump by that much.
Exit status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import secrets
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.cluster.load import Load, chain_problems
from tests.cluster.support import REDIS_URL, Cluster, children, database_url, pg

RSS_GROWTH_LIMIT = 0.10
SAMPLE_EVERY = 2.0


def rss_kib(pid: int) -> int:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:  # a process that just ended
        return 0
    for line in text.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def server_rss(cluster: Cluster) -> int:
    """Resident memory of every server process (supervisors and their workers), KiB."""
    total = 0
    for node in cluster.nodes:
        pids = [node.process.pid, *children(node.process.pid)]
        total += sum(rss_kib(pid) for pid in pids)
    return total


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def run(args: argparse.Namespace, tmp: Path) -> int:
    name = f"authpool_soak_{secrets.token_hex(4)}"
    pg(f'CREATE DATABASE "{name}"')
    try:
        with Cluster(tmp, database_url(name), n=args.nodes, workers=args.workers,
                     redis_url=None if args.no_redis else REDIS_URL) as cluster:
            world = cluster.seed(users=args.chains + 2)
            chains = Load.sign_in_chains(cluster, world, world.users[:args.chains])
            duration = args.minutes * 60
            warmup = min(60.0, duration * 0.15)
            samples: list[tuple[float, int]] = []
            stop = threading.Event()

            def sample() -> None:
                while not stop.wait(SAMPLE_EVERY):
                    samples.append((time.monotonic(), server_rss(cluster)))

            sampler = threading.Thread(target=sample, daemon=True)
            print(f"soak: {args.nodes} node(s) x {args.workers} worker(s), PostgreSQL"
                  f"{'' if args.no_redis else ' + Redis'}, {args.minutes} min", flush=True)
            started = time.monotonic()
            sampler.start()
            with Load(cluster, world, chains=chains, m2m_threads=1, signin_threads=1) as load:
                while (elapsed := time.monotonic() - started) < duration:
                    time.sleep(min(30.0, duration - elapsed))
                    done, elapsed = len(load.calls), time.monotonic() - started
                    print(f"  {elapsed / 60:5.1f} min: {done} calls, {sum(1 for c in load.calls if not c.ok)} errors, "
                          f"RSS {server_rss(cluster) / 1024:.0f} MiB", flush=True)
            ended = time.monotonic()
            stop.set()
            sampler.join()
            problems = chain_problems(cluster, chains)
    finally:
        pg(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    calls = load.calls
    seconds = ended - started
    errors = [c for c in calls if not c.ok]
    window = min(60.0, max(10.0, seconds * 0.15))
    early = [rss for t, rss in samples if started + warmup <= t < started + warmup + window]
    late = [rss for t, rss in samples if t >= ended - window]
    # The floor of each window: argon2id holds 64 MiB per password check while it runs (and gives it
    # back), so single samples jump by that much; what a leak raises is the floor.
    base, last = min(early or [0]), min(late or [0])
    growth = (last - base) / base if base else float("nan")
    print(f"\nthroughput: {len(calls) / seconds:.1f} calls/s over {seconds:.0f} s ({len(calls)} calls)")
    for op in sorted({c.op for c in calls}):
        mine = [c for c in calls if c.op == op]
        latencies = [c.elapsed * 1000 for c in mine]
        print(f"  {op:<20} {len(mine) / seconds:8.1f}/s  p50 {percentile(latencies, 0.5):7.1f} ms  "
              f"p99 {percentile(latencies, 0.99):7.1f} ms")
    print(f"errors: {len(errors)}" + (f" ({sorted({c.outcome for c in errors})})" if errors else ""))
    print(f"store consistency: {'ok' if not problems else problems}")
    print(f"server RSS (floor): {base / 1024:.1f} MiB after warm-up -> {last / 1024:.1f} MiB at the end "
          f"({growth * 100:+.1f}%; max {max((r for _, r in samples), default=0) / 1024:.1f} MiB; limit "
          f"+{RSS_GROWTH_LIMIT * 100:.0f}%)")
    ok = bool(early and late) and not errors and not problems and growth < RSS_GROWTH_LIMIT
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--nodes", type=int, default=2)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--chains", type=int, default=4, help="refresh-token chains (one user each)")
    parser.add_argument("--no-redis", action="store_true", help="throttle counters in the database")
    args = parser.parse_args()
    import tempfile

    with tempfile.TemporaryDirectory(prefix="authpool-soak-") as tmp:
        return run(args, Path(tmp))


if __name__ == "__main__":
    raise SystemExit(main())
