"""Operator commands for the Cognito API's user flows that ``authpool users|pools`` don't cover:

    authpool outbox --pool ID [--user NAME] [--json]     codes and invitations authpool did not mail
    authpool cognito auto-confirm --pool ID on|off       confirm SignUp users without a code
    authpool cognito confirm --pool ID --user NAME       AdminConfirmSignUp
    authpool cognito sign-out --pool ID --user NAME      AdminUserGlobalSignOut: revoke every session

The outbox holds what Cognito would have e-mailed or texted (sign-up confirmation codes,
forgot-password codes, AdminCreateUser invitations with the temporary password). They are shown in
clear to the operator, who has the store and its master key anyway; they never go to the log.
"""

from __future__ import annotations

import argparse
import datetime
import json

from .manage_cmd import store_context
from .serve_cmd import add_store_options


def _when(epoch: int) -> str:
    return datetime.datetime.fromtimestamp(epoch, datetime.UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def outbox_entries(db, pool_id: str, user: str | None = None) -> list[dict]:
    """The pool's outbox as plain dicts (user name, sub, purpose, code, attribute, times), oldest
    first; ``user`` (a name, any case, or a sub) keeps one user's. Raises NotFound(pool)."""
    from ..server.pool.codes import CodeService

    rows, token = [], None
    while True:
        page = CodeService(db).outbox(pool_id, next_token=token)
        rows += page.items
        token = page.next_token
        if not token:
            break
    with db.transaction(readonly=True) as tx:
        users = {r.user_sub: tx.users.get_by_sub(pool_id, r.user_sub) for r in rows}
    now = db.now()
    entries = [{"username": users[r.user_sub].username if users[r.user_sub] else r.user_sub, "sub": r.user_sub,
                "purpose": r.purpose, "code": r.code, "attribute": r.attribute_name,
                "created_at": r.created_at, "expires_at": r.expires_at, "expired": r.expires_at <= now}
               for r in rows]
    if user:
        entries = [e for e in entries if e["username"].casefold() == user.casefold() or e["sub"] == user]
    return entries


def run_outbox(args: argparse.Namespace) -> int:
    from . import output

    with store_context(args) as ctx:
        entries = outbox_entries(ctx.db, args.pool, args.user)
    if args.json:
        print(json.dumps(entries, indent=2))
    else:
        output.table(f"outbox of {args.pool}", ["user", "purpose", "code", "to", "expires"],
                     [(e["username"], e["purpose"], e["code"], e["attribute"] or "",
                       _when(e["expires_at"]) + (" (expired)" if e["expired"] else "")) for e in entries])
    return 0


def run_auto_confirm(args: argparse.Namespace) -> int:
    from . import output

    with store_context(args) as ctx:
        ctx.pools.update(args.pool, settings={"AutoConfirmSignUp": args.state == "on"}, merge=True)
    output.say(f"SignUp in {args.pool} {'confirms users at once' if args.state == 'on' else 'needs a code'}.")
    return 0


def run_confirm(args: argparse.Namespace) -> int:
    from ..server.pool.codes import CONFIRM_SIGN_UP, CodeService
    from . import output

    with store_context(args) as ctx:
        user = ctx.users.confirm(args.pool, args.user)
        CodeService(ctx.db).discard(user, CONFIRM_SIGN_UP)
    output.say(f"Confirmed {user.username}.")
    return 0


def run_sign_out(args: argparse.Namespace) -> int:
    from . import output

    with store_context(args) as ctx:
        user = ctx.users.global_sign_out(args.pool, args.user)
    output.say(f"Signed {user.username} out everywhere: refresh tokens and the access tokens issued from them "
               "are revoked.")
    return 0


def register(commands) -> None:
    outbox = commands.add_parser("outbox", help="codes and invitations waiting for users (authpool sends no mail)")
    outbox.add_argument("--pool", required=True, help="user pool id")
    outbox.add_argument("--user", help="only this user (name or sub)")
    outbox.add_argument("--json", action="store_true", help="JSON instead of a table")
    add_store_options(outbox)
    outbox.set_defaults(handler=run_outbox)

    cognito = commands.add_parser("cognito", help="user flows of the Cognito API (confirm, sign out, auto-confirm)")
    sub = cognito.add_subparsers(dest="cognito_command", metavar="SUBCOMMAND", required=True)
    p = sub.add_parser("auto-confirm", help="confirm users at SignUp (no code), or not")
    p.add_argument("state", choices=["on", "off"])
    for name, handler, text in (("confirm", run_confirm, "confirm a signed-up user (AdminConfirmSignUp)"),
                                ("sign-out", run_sign_out, "revoke every session of a user (global sign-out)")):
        q = sub.add_parser(name, help=text)
        q.add_argument("--user", required=True, help="user name")
        q.set_defaults(handler=handler)
        q.add_argument("--pool", required=True, help="user pool id")
        add_store_options(q)
    p.add_argument("--pool", required=True, help="user pool id")
    add_store_options(p)
    p.set_defaults(handler=run_auto_confirm)
