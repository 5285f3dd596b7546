"""Token issuance through TokenService with an in-process no-op pre-token hook, against without one,
same store, same keys, same run.

    python bench/bench_hook.py [--rounds N] [--seconds S] [--database-url URL]

Each call is a full sign-in issuance (``for_user``: read the user's groups, build and sign an RS256
access and ID token, store the token family and refresh token) on SQLite in a temporary directory
unless ``--database-url`` names another store. Three cases:

* ``without``: TokenService with no customizer (the baseline);
* ``no hook set``: the HookCustomizer every server uses, on a pool without a hook (one pool read);
* ``no-op hook``: a V2_0 ``python:`` hook that returns the event unchanged (event built, handler run
  in a worker thread with the timeout, response checked and applied, size checked).

Target (issue 6): overhead of the no-op hook <= 10%, i.e. ``no-op hook / without`` >= 0.90.
Most of that overhead is the hand-off of the handler to a worker thread and back (what lets a hung
handler time out); it grows when the CPUs are oversubscribed, hence the load average in the output.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import interleaved

from authpool.server.hooks import HookCustomizer, set_hook
from authpool.server.issuance import TokenService
from authpool.server.keys import SigningKeys
from authpool.server.secrets import MasterKey
from authpool.server.store import Database
from authpool.server.store.records import UserStatus

TARGET = 0.90


def setup_pool(db: Database, pool_id: str, *, hook: bool):
    with db.transaction() as tx:
        tx.pools.create(id=pool_id, name="bench", settings={})
        client = tx.clients.create(pool_id, client_id=f"client{pool_id[-1]}", name="app", client_secret=None,
                                   settings={"ReadAttributes": ["email", "name"]})
        user = tx.users.create(pool_id, username="alice", status=UserStatus.CONFIRMED,
                               attributes={"email": "alice@example.com", "name": "Alice"})
        tx.groups.create(pool_id, name="staff", precedence=1)
        tx.groups.add_member(pool_id, "staff", user.sub)
    if hook:
        set_hook(db, pool_id, arn="python:_noop_hook:handler", version="V2_0")
    return client, user


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=0.5)
    parser.add_argument("--database-url")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        db = Database.from_url(args.database_url or f"sqlite:///{tmp}/bench.db", master_key=MasterKey.generate())
        db.migrate()
        pools = {"without": "us-east-1_BenchPoo1", "no hook set": "us-east-1_BenchPoo2",
                 "no-op hook": "us-east-1_BenchPoo3"}
        keys = SigningKeys(db)
        customizer = HookCustomizer(db)
        cases = {}
        for name, pool_id in pools.items():
            client, user = setup_pool(db, pool_id, hook=name == "no-op hook")
            keys.ensure(pool_id)
            service = TokenService(db, keys, lambda p: f"http://127.0.0.1:8000/{p}",
                                   customizer=None if name == "without" else customizer)

            def issue(service=service, client=client, user=user):
                return service.for_user(client=client, user=user, scopes=["openid", "orders/read"],
                                        trigger_source="TokenGeneration_Authentication")

            cases[name] = issue
        rates = interleaved(cases, rounds=args.rounds, seconds=args.seconds)
        customizer.close()
        db.dispose()

    base = rates["without"]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"store: {'given URL' if args.database_url else 'SQLite (temporary file)'}; RS256; "
          f"{args.rounds} rounds x {args.seconds}s, median; load average {load:.1f} on {os.cpu_count()} CPUs")
    for name, rate in rates.items():
        print(f"  {name:<12} {rate:8.0f} issuances/s  {1000 / rate:6.3f} ms  ratio {rate / base:5.2f}")
    ratio = rates["no-op hook"] / base
    overhead = base / rates["no-op hook"] - 1
    verdict = "ok" if ratio >= TARGET else "BELOW TARGET"
    print(f"no-op hook / without = {ratio:.2f} (overhead {overhead:+.1%}; target ratio >= {TARGET}): {verdict}")
    return 0 if ratio >= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
