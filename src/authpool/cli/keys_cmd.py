"""``authpool keys list|rotate --pool ID``: the pool's signing keys and their rotation.

``authpool keys rotate --encryption --pool ID [--resource-server IDENTIFIER]`` rotates instead the local
key service's encryption keys (docs/encrypted-claims.md): a new version becomes active, the previous
one keeps decrypting until every token it protected has expired."""

from __future__ import annotations

import argparse
import datetime

from .serve_cmd import add_store_options


def register(commands) -> None:
    keys = commands.add_parser("keys", help="signing keys of a pool")
    sub = keys.add_subparsers(dest="keys_command", metavar="SUBCOMMAND", required=True)
    for name, handler, text in (("list", run_list, "show the pool's signing keys"),
                                ("rotate", run_rotate, "promote the next keys; retire the active ones")):
        p = sub.add_parser(name, help=text)
        p.add_argument("--pool", required=True, help="user pool id")
        if name == "rotate":
            p.add_argument("--encryption", action="store_true",
                           help="rotate the local key service's encryption keys instead of the signing keys")
            p.add_argument("--resource-server", metavar="IDENTIFIER",
                           help="with --encryption: only this resource server's key")
        add_store_options(p)
        p.set_defaults(handler=handler)


def _when(epoch: int | None) -> str:
    return datetime.datetime.fromtimestamp(epoch, datetime.UTC).strftime("%Y-%m-%d %H:%M:%SZ") if epoch else ""


def run_list(args: argparse.Namespace) -> int:
    from ..server.store.records import KeyState
    from . import output
    from .manage_cmd import store_context

    with store_context(args) as ctx, ctx.db.transaction(readonly=True) as tx:
        tx.pools.require(args.pool)
        records = tx.signing_keys.list(args.pool)
    output.table(f"signing keys of {args.pool}", ["kid", "purpose", "alg", "state", "created", "removed after"],
                 [(r.kid, r.purpose.value, r.alg, r.state.value, _when(r.created_at),
                   _when(r.remove_after) if r.state is KeyState.RETIRED else "") for r in records])
    return 0


def run_rotate(args: argparse.Namespace) -> int:
    from . import output
    from .manage_cmd import store_context

    if args.encryption:
        return _rotate_encryption(args)
    if args.resource_server:
        from . import CLIError

        raise CLIError("--resource-server needs --encryption")
    with store_context(args) as ctx:
        promoted = ctx.keys.rotate(args.pool)
    for purpose, kid in promoted.items():
        output.say(f"{purpose} tokens are now signed with {kid}")
    output.say("The previous keys stay in the JWKS until every token they signed has expired.")
    return 0


def _rotate_encryption(args: argparse.Namespace) -> int:
    from ..server.keyservice import rotate_local
    from . import output
    from .manage_cmd import store_context

    with store_context(args) as ctx:
        rotated = rotate_local(ctx.db, args.pool, args.resource_server)
    if not rotated:
        output.say("No resource server of this pool uses the local key service; nothing to rotate.")
        return 0
    for audience, key_id, version in rotated:
        output.say(f"{audience}: claims are now encrypted under {key_id}.{version}")
    output.say("Previous versions keep decrypting until every token they protected has expired.")
    return 0
