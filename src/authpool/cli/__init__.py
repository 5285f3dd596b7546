"""The ``authpool`` command line: one module per command family, one parser built here.

Errors become one line on stderr and exit status 2 (bad input) or 1 (failure); never a traceback.
"""

from __future__ import annotations

import argparse
import sys

from . import (
    audit_cmd,
    cognito_cmd,
    demo_cmd,
    encryption_cmd,
    hooks_cmd,
    inspect_cmd,
    keys_cmd,
    manage_cmd,
    serve_cmd,
)


class CLIError(Exception):
    """A user-facing failure: its message is printed as is."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="authpool", description="authpool: a user pool and a token guard. "
                                     "ID tokens are for the client's UI; access tokens are for APIs.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    # Command modules import the server lazily, inside their handlers, so `authpool token inspect`
    # works on a core install without the [server] extra.
    for module in (serve_cmd, demo_cmd, manage_cmd, cognito_cmd, keys_cmd, encryption_cmd, hooks_cmd, inspect_cmd,
                   audit_cmd):
        module.register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except CLIError as exc:
        print(f"authpool: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except ImportError as exc:
        print(f"authpool: this command needs the server extra (pip install 'authpool[server]'): {exc.name}",
              file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
