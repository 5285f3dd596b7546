"""``authpool hooks set|show|clear --pool ID``: a pool's pre-token-generation hook (docs/hooks.md).

``set`` writes ``LambdaConfig.PreTokenGenerationConfig`` as Cognito's UpdateUserPool would, plus
authpool's options; for a webhook it prints the signing secret once (again only with ``--new-secret``).
"""

from __future__ import annotations

import argparse
import json

from .serve_cmd import add_store_options


def register(commands) -> None:
    hooks = commands.add_parser("hooks", help="the pool's pre-token-generation hook")
    sub = hooks.add_subparsers(dest="hooks_command", metavar="SUBCOMMAND", required=True)

    p = sub.add_parser("set", help="set the hook (python:module:function, http(s):// URL or Lambda ARN)")
    p.add_argument("--pool", required=True, help="user pool id")
    p.add_argument("--arn", required=True, help="python:package.module:function, https://... or arn:aws:lambda:...")
    p.add_argument("--version", dest="lambda_version", choices=["V1_0", "V2_0", "V3_0"], default="V2_0",
                   help="event version: V1_0 ID token, V2_0 + access token, V3_0 + client credentials (default V2_0)")
    p.add_argument("--strict", action=argparse.BooleanOptionalAction, default=None,
                   help="fail the sign-in when the hook touches a reserved claim (default: ignore and warn)")
    p.add_argument("--timeout", type=float, help="seconds the hook may take (default 5)")
    p.add_argument("--max-token-bytes", type=int, help="size limit of a finished token (default 8192)")
    p.add_argument("--new-secret", action="store_true", help="webhooks: generate a new signing secret")
    p.set_defaults(handler=run_set)

    for name, handler, text in (("show", run_show, "show the hook (never the secret)"),
                                ("clear", run_clear, "remove the hook")):
        p = sub.add_parser(name, help=text)
        p.add_argument("--pool", required=True, help="user pool id")
        p.set_defaults(handler=handler)
    for p in sub.choices.values():
        add_store_options(p)


def run_set(args: argparse.Namespace) -> int:
    from ..server.hooks import set_hook
    from . import output
    from .manage_cmd import store_context

    with store_context(args) as ctx:
        secret = set_hook(ctx.db, args.pool, arn=args.arn, version=args.lambda_version, strict=args.strict,
                          timeout=args.timeout, max_token_bytes=args.max_token_bytes,
                          new_webhook_secret=args.new_secret, actor="cli")
    output.say(f"Pre-token hook of {args.pool}: {args.lambda_version} {args.arn}")
    if secret is not None:
        output.say("Webhook signing secret (shown once; verify X-Authpool-Signature with it):", style="bold yellow")
        output.say(f"  {secret}")
    return 0


def run_show(args: argparse.Namespace) -> int:
    from ..server.hooks import describe_hook
    from . import output
    from .manage_cmd import store_context

    with store_context(args) as ctx:
        described = describe_hook(ctx.db, args.pool)
    if described is None:
        output.say(f"No pre-token hook on {args.pool}")
        return 0
    print(json.dumps(described, indent=2))
    return 0


def run_clear(args: argparse.Namespace) -> int:
    from ..server.hooks import clear_hook
    from . import output
    from .manage_cmd import store_context

    with store_context(args) as ctx:
        cleared = clear_hook(ctx.db, args.pool, actor="cli")
    output.say(f"Removed the pre-token hook of {args.pool}" if cleared else f"No pre-token hook on {args.pool}")
    return 0
