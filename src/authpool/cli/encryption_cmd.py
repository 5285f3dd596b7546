"""``authpool encryption show|set --pool ID ...``: which resource servers get encrypted claims, how.

    authpool encryption set --pool P --resource-server https://kyc.example.com \\
        --backend resource-key --public-jwk kyc-public.json --attributes custom:national_id,birthdate
    authpool encryption set --pool P --resource-server https://kyc.example.com \\
        --backend local --decrypt-clients 4l5k6j7h8g9f0d1s2a3q4w5e6r
    authpool encryption show --pool P

``set`` changes only what it is given; ``--public-jwk -`` reads the JWK from standard input, and a
file or input holding a private key (``d``) is refused: only the resource server keeps that.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .serve_cmd import add_store_options


def register(commands) -> None:
    enc = commands.add_parser("encryption", help="encrypted claims: resource servers' key services and attributes")
    sub = enc.add_subparsers(dest="encryption_command", metavar="SUBCOMMAND", required=True)
    show = sub.add_parser("show", help="each resource server's encryption settings")
    show.add_argument("--pool", required=True, help="user pool id")
    add_store_options(show)
    show.set_defaults(handler=run_show)
    p = sub.add_parser("set", help="change one resource server's encryption settings")
    p.add_argument("--pool", required=True, help="user pool id")
    p.add_argument("--resource-server", required=True, metavar="IDENTIFIER")
    p.add_argument("--backend", choices=("resource-key", "local", "aws-kms"))
    p.add_argument("--attributes", help="comma-separated user attributes for its access tokens, encrypted "
                                        "('' for none)")
    p.add_argument("--public-jwk", metavar="FILE", help="resource-key: the public JWK (a file, or - for stdin)")
    p.add_argument("--kms-key-id", help="aws-kms: the KMS key id or ARN")
    p.add_argument("--decrypt-clients", help="local: comma-separated confidential clients that may decrypt")
    add_store_options(p)
    p.set_defaults(handler=run_set)


def _csv(value: str | None) -> list[str] | None:
    if value is None:
        return None
    return [v for v in value.replace(",", " ").split() if v]


def _jwk(source: str) -> dict:
    from . import CLIError

    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except OSError as exc:
        raise CLIError(f"--public-jwk: cannot read {source}: {exc.strerror}") from None
    try:
        data = json.loads(text)
    except ValueError:
        raise CLIError("--public-jwk is not JSON") from None
    if not isinstance(data, dict) or "d" in data:
        raise CLIError("--public-jwk must be a public JWK object (no 'd'): the private key stays with the API")
    return data


def run_set(args: argparse.Namespace) -> int:
    from ..server.keyservice import configure
    from ..server.keyservice.settings import ready
    from . import output
    from .manage_cmd import store_context

    kwargs = {}
    if args.public_jwk is not None:
        kwargs["public_jwk"] = _jwk(args.public_jwk)
    if args.kms_key_id is not None:
        kwargs["kms_key_id"] = args.kms_key_id or None
    with store_context(args) as ctx:
        settings = configure(ctx.db, args.pool, args.resource_server, backend=args.backend,
                             attributes=_csv(args.attributes), decrypt_clients=_csv(args.decrypt_clients),
                             actor="cli", **kwargs)
    problem = ready(settings)
    output.say(f"{settings.audience}: {settings.backend}; attributes {', '.join(settings.attributes) or 'none'}"
               + (f" (not ready: {problem})" if problem else ""))
    return 0


def run_show(args: argparse.Namespace) -> int:
    from ..server.keyservice import describe
    from ..server.keyservice.settings import ready
    from . import output
    from .manage_cmd import store_context

    with store_context(args) as ctx:
        rows = describe(ctx.db, args.pool)
    output.table(f"encrypted claims in {args.pool}", ["resource server", "backend", "attributes", "key", "ready"],
                 [(ident, s.backend, ", ".join(s.attributes), _key(s), ready(s) or "yes") if s is not None
                  else (ident, "?", "", "", "malformed Encryption settings") for s, ident in rows])
    return 0


def _key(settings) -> str:
    if settings.backend == "resource-key" and settings.public_jwk:
        return str(settings.public_jwk.get("kid") or "(thumbprint)")
    if settings.backend == "aws-kms":
        return settings.kms_key_id or ""
    if settings.backend == "local":
        return "decrypt: " + ", ".join(settings.decrypt_clients)
    return ""
