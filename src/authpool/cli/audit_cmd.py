"""``authpool audit decrypts [--pool ID] [--since WHEN] [--client ID] [--ratio N] [--json]``: who decrypted which
encrypted claims with which key, and which clients decrypt far more than authpool issued claims for them.

The regular review of the encryption path is this one command (docs/encrypted-claims.md, "Audit").
It reads the store's audit rows (``keys.decrypt``, ``keys.encrypt``); it never sees a value.
``--since`` is a date or time in ISO 8601 (``2026-12-01``, ``2026-12-01T08:00:00Z``) or a span back
from now (``30m``, ``24h``, ``7d``). Exit status 3 when a client is flagged, so a scheduled job can alert.
"""

from __future__ import annotations

import argparse
import datetime
import json
import re
import time

from .serve_cmd import add_store_options

_SPAN = re.compile(r"^(\d+)([smhd])$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
FLAGGED_EXIT = 3


def register(commands) -> None:
    audit = commands.add_parser("audit", help="review the audit trail")
    sub = audit.add_subparsers(dest="audit_command", metavar="SUBCOMMAND", required=True)
    p = sub.add_parser("decrypts", help="who decrypted which encrypted claims, with which keys; flags outliers")
    p.add_argument("--pool", help="one user pool (default: all)")
    p.add_argument("--since", help="ISO 8601 date/time, or a span back from now: 30m, 24h, 7d")
    p.add_argument("--client", help="only this decrypting client")
    p.add_argument("--ratio", type=float, default=10.0,
                   help="flag clients with more decrypts than this many per encrypted claim issued for their "
                        "audiences (default 10; set it to the API requests per token you expect)")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    add_store_options(p)
    p.set_defaults(handler=run_decrypts)


def parse_since(text: str | None, *, now: float | None = None) -> int | None:
    """Epoch seconds for ``--since``; raises CLIError for anything else."""
    from . import CLIError

    if text is None:
        return None
    now = time.time() if now is None else now
    span = _SPAN.match(text.strip())
    if span:
        return int(now - int(span.group(1)) * _UNITS[span.group(2)])
    try:
        moment = datetime.datetime.fromisoformat(text.strip())  # Python 3.11 reads a trailing Z
    except ValueError:
        raise CLIError(f"--since: {text!r} is neither an ISO 8601 date/time nor a span like 24h") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return int(moment.timestamp())


def run_decrypts(args: argparse.Namespace) -> int:
    from ..server.keyservice import decrypt_summary
    from . import output
    from .manage_cmd import store_context

    since = parse_since(args.since)
    with store_context(args) as ctx:
        if args.pool:
            with ctx.db.transaction(readonly=True) as tx:
                tx.pools.require(args.pool)
        summaries = decrypt_summary(ctx.db, pool_id=args.pool, since=since, client=args.client, ratio=args.ratio)
    flagged = [s for s in summaries if s.flags]
    if args.json:
        print(json.dumps([{"client": s.client, "decrypts": s.ok, "refused": dict(s.refused), "claims": dict(s.claims),
                           "keys": sorted(s.keys), "audiences": sorted(s.audiences), "subjects": len(s.subjects),
                           "ciphertexts": len(s.ciphertexts), "issued_for_audiences": s.issued, "flags": s.flags}
                          for s in summaries], indent=2))
        return FLAGGED_EXIT if flagged else 0
    window = f" since {datetime.datetime.fromtimestamp(since, datetime.UTC):%Y-%m-%d %H:%M:%SZ}" if since else ""
    if not summaries:
        output.say(f"No decrypts{window}.")
        return 0
    output.table(f"decrypts{window}", ["client", "claims", "keys", "ok", "refused", "subjects", "ciphertexts",
                                       "issued", "flag"],
                 [(s.client, ", ".join(f"{c} ({n})" for c, n in s.claims.most_common()), ", ".join(sorted(s.keys)),
                   s.ok, ", ".join(f"{o} {n}" for o, n in sorted(s.refused.items())) or "", len(s.subjects),
                   len(s.ciphertexts), s.issued, "FLAG" if s.flags else "") for s in summaries])
    for s in flagged:
        for flag in s.flags:
            output.say(f"flagged {s.client}: {flag}", style="bold red")
    return FLAGGED_EXIT if flagged else 0
