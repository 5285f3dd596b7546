"""``authpool pools|users|groups|clients|resource-servers ...``: manage pools straight on the store
(the data dir or ``--database-url``), through the same domain services both front doors use."""

from __future__ import annotations

import argparse
import contextlib
import json
from collections.abc import Iterator
from typing import TYPE_CHECKING

from .serve_cmd import add_store_options

if TYPE_CHECKING:
    from ..server.context import ServerContext


@contextlib.contextmanager
def domain_errors() -> Iterator[None]:
    """Domain errors become one-line CLI errors."""
    from ..server.errors import AuthpoolError
    from . import CLIError

    try:
        yield
    except AuthpoolError as exc:
        raise CLIError(exc.message) from None


def context(args: argparse.Namespace) -> ServerContext:
    """The server context from the command's flags; a schema older than this authpool needs (with
    ``AUTHPOOL_MIGRATE_AT_START=false``) is a CLI error saying what to run."""
    from ..server.context import build_context
    from ..server.store.migrate import SchemaNotCurrent
    from . import CLIError
    from .serve_cmd import settings_from

    try:
        return build_context(settings_from(args))
    except SchemaNotCurrent as exc:
        raise CLIError(str(exc)) from None


@contextlib.contextmanager
def store_context(args: argparse.Namespace) -> Iterator[ServerContext]:
    """The server context for one command: domain errors as CLI errors, the database disposed after."""
    ctx = context(args)
    try:
        with domain_errors():
            yield ctx
    finally:
        ctx.db.dispose()


def create_pool(ctx, name: str, *, alg: str = "RS256"):
    """A pool with its signing keys, ready to issue tokens."""
    with domain_errors():
        pool = ctx.pools.create(name, settings={"SigningAlgorithm": alg})
        ctx.keys.ensure(pool.id)
    return pool


def _attributes(pairs: list[str] | None) -> dict[str, str]:
    from . import CLIError

    out = {}
    for pair in pairs or []:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise CLIError(f"attributes are NAME=VALUE, got {pair!r}")
        out[name] = value
    return out


def _csv(value: str | None) -> list[str]:
    return [v for v in (value or "").replace(",", " ").split() if v]


# -- handlers -------------------------------------------------------------------------------------

def pools_create(args, ctx, out):
    pool = create_pool(ctx, args.name, alg=args.alg)
    out.say(f"Created user pool {pool.id}; issuer {ctx.settings.issuer_for(pool.id)}")


def pools_list(args, ctx, out):
    page = ctx.pools.list(limit=60)
    out.table("user pools", ["id", "name", "issuer"], [(p.id, p.name, ctx.settings.issuer_for(p.id)) for p in page.items])


def pools_describe(args, ctx, out):
    pool = ctx.pools.describe(args.pool)
    print(json.dumps({"Id": pool.id, "Name": pool.name, "Issuer": ctx.settings.issuer_for(pool.id), **pool.settings},
                     indent=2, default=str))


def pools_delete(args, ctx, out):
    ctx.pools.delete(args.pool)
    out.say(f"Deleted user pool {args.pool}")


def users_create(args, ctx, out):
    created = ctx.users.admin_create(args.pool, args.username, attributes=_attributes(args.attr),
                                     temporary_password=args.password)
    if args.password and args.permanent:
        ctx.users.set_password(args.pool, args.username, args.password, permanent=True)
        out.say(f"Created user {args.username} (sub {created.user.sub}) with a permanent password")
    else:
        out.say(f"Created user {args.username} (sub {created.user.sub}); temporary password: "
                f"{created.temporary_password}")


def users_list(args, ctx, out):
    page = ctx.users.list(args.pool, filter=args.filter)
    out.table(f"users of {args.pool}", ["username", "sub", "status", "enabled", "email"],
              [(u.username, u.sub, u.status.value, u.enabled, u.attributes.get("email", "")) for u in page.items])


def users_get(args, ctx, out):
    user = ctx.users.get(args.pool, args.username)
    groups = [g.name for g in ctx.groups.groups_for_user(args.pool, args.username)]
    print(json.dumps({"Username": user.username, "Sub": user.sub, "Status": user.status.value,
                      "Enabled": user.enabled, "Groups": groups, "Attributes": user.attributes}, indent=2))


def users_set_password(args, ctx, out):
    ctx.users.set_password(args.pool, args.username, args.password, permanent=not args.temporary)
    out.say(f"Password of {args.username} set ({'temporary' if args.temporary else 'permanent'})")


def users_reset_mfa(args, ctx, out):
    user = ctx.users.get(args.pool, args.username)
    if ctx.signin.mfa.service.reset(args.pool, user):
        out.say(f"MFA of {args.username} reset: the software token is removed; the next sign-in asks for a new "
                "one only where the pool's MFA is ON")
    else:
        out.say(f"{args.username} has no software token")


def users_state(action: str):
    def handler(args, ctx, out):
        getattr(ctx.users, action)(args.pool, args.username)
        out.say(f"{action.replace('_', ' ').capitalize()}: {args.username}")
    return handler


def groups_create(args, ctx, out):
    ctx.groups.create(args.pool, args.name, description=args.description, precedence=args.precedence)
    out.say(f"Created group {args.name}")


def groups_list(args, ctx, out):
    page = ctx.groups.list(args.pool)
    out.table(f"groups of {args.pool}", ["name", "precedence", "description"],
              [(g.name, g.precedence, g.description) for g in page.items])


def groups_delete(args, ctx, out):
    ctx.groups.delete(args.pool, args.name)
    out.say(f"Deleted group {args.name}")


def groups_add_user(args, ctx, out):
    ctx.groups.add_user(args.pool, args.name, args.username)
    out.say(f"Added {args.username} to {args.name}")


def groups_remove_user(args, ctx, out):
    ctx.groups.remove_user(args.pool, args.name, args.username)
    out.say(f"Removed {args.username} from {args.name}")


def clients_create(args, ctx, out):
    settings = {
        "ExplicitAuthFlows": _csv(args.auth_flows) or ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"],
        "AllowedOAuthFlows": _csv(args.oauth_flows),
        "AllowedOAuthFlowsUserPoolClient": bool(_csv(args.oauth_flows)),
        "AllowedOAuthScopes": _csv(args.scopes),
        "CallbackURLs": args.callback or [],
        "LogoutURLs": args.logout or [],
    }
    if args.rotate_refresh_tokens:
        settings["RefreshTokenRotation"] = {"Feature": "ENABLED", "RetryGracePeriodSeconds": 0}
    client = ctx.clients.create(args.pool, args.name, generate_secret=args.secret, settings=settings)
    out.say(f"Created client {args.name}: client id {client.client_id}")
    if client.client_secret:
        out.say(f"  client secret (shown once here; `clients describe` shows it again): {client.client_secret}")


def clients_list(args, ctx, out):
    page = ctx.clients.list(args.pool)
    out.table(f"clients of {args.pool}", ["client id", "name", "secret", "OAuth flows", "scopes"],
              [(c.client_id, c.name, "yes" if c.has_secret else "no", " ".join(c.settings.get("AllowedOAuthFlows", [])),
                " ".join(c.settings.get("AllowedOAuthScopes", []))) for c in page.items])


def clients_describe(args, ctx, out):
    client = ctx.clients.describe(args.pool, args.client_id)
    print(json.dumps({"ClientId": client.client_id, "ClientName": client.name, "ClientSecret": client.client_secret,
                      **client.settings}, indent=2, default=str))


def clients_delete(args, ctx, out):
    ctx.clients.delete(args.pool, args.client_id)
    out.say(f"Deleted client {args.client_id}")


def rs_create(args, ctx, out):
    from . import CLIError

    scopes = []
    for spec in args.scope or []:
        name, _, description = spec.partition(":")
        if not name:
            raise CLIError(f"scopes are NAME[:DESCRIPTION], got {spec!r}")
        scopes.append({"ScopeName": name, "ScopeDescription": description or name})
    ctx.resource_servers.create(args.pool, args.identifier, args.name or args.identifier, scopes=scopes)
    out.say(f"Created resource server {args.identifier} with scopes "
            f"{', '.join(args.identifier + '/' + s['ScopeName'] for s in scopes) or '(none)'}")


def rs_list(args, ctx, out):
    page = ctx.resource_servers.list(args.pool)
    out.table(f"resource servers of {args.pool}", ["identifier", "name", "scopes"],
              [(r.identifier, r.name, " ".join(s["ScopeName"] for s in r.scopes)) for r in page.items])


def rs_delete(args, ctx, out):
    ctx.resource_servers.delete(args.pool, args.identifier)
    out.say(f"Deleted resource server {args.identifier}")


# -- parser ---------------------------------------------------------------------------------------

def _run(handler):
    def run(args: argparse.Namespace) -> int:
        from . import output

        with store_context(args) as ctx:
            handler(args, ctx, output)
        return 0
    return run


def _command(sub, name: str, handler, help_text: str, *, pool: bool = True):
    p = sub.add_parser(name, help=help_text)
    if pool:
        p.add_argument("--pool", required=True, help="user pool id")
    add_store_options(p)
    p.set_defaults(handler=_run(handler))
    return p


def register(commands) -> None:
    sub = commands.add_parser("pools", help="user pools").add_subparsers(dest="sub", metavar="SUBCOMMAND", required=True)
    p = _command(sub, "create", pools_create, "create a pool (with its signing keys)", pool=False)
    p.add_argument("name")
    p.add_argument("--alg", choices=["RS256", "ES256", "EdDSA"], default="RS256")
    _command(sub, "list", pools_list, "list pools", pool=False)
    _command(sub, "describe", pools_describe, "show a pool's settings")
    _command(sub, "delete", pools_delete, "delete a pool and everything in it")

    sub = commands.add_parser("users", help="users of a pool").add_subparsers(dest="sub", metavar="SUBCOMMAND", required=True)
    p = _command(sub, "create", users_create, "create a user (AdminCreateUser)")
    p.add_argument("username")
    p.add_argument("--attr", action="append", metavar="NAME=VALUE", help="attribute, e.g. email=a@example.com")
    p.add_argument("--password", help="temporary password (generated when omitted)")
    p.add_argument("--permanent", action="store_true", help="make --password permanent (no NEW_PASSWORD_REQUIRED)")
    p = _command(sub, "list", users_list, "list users")
    p.add_argument("--filter", help='Cognito filter, e.g. \'email ^= "al"\'')
    for name, handler, text in (("get", users_get, "show a user"), ("enable", users_state("enable"), "enable a user"),
                                ("disable", users_state("disable"), "disable a user"),
                                ("delete", users_state("delete"), "delete a user"),
                                ("sign-out", users_state("global_sign_out"), "revoke all of a user's tokens")):
        _command(sub, name, handler, text).add_argument("username")
    _command(sub, "reset-mfa", users_reset_mfa,
             "remove a user's TOTP software token (a lost authenticator app)").add_argument("username")
    p = _command(sub, "set-password", users_set_password, "set a user's password")
    p.add_argument("username")
    p.add_argument("password")
    p.add_argument("--temporary", action="store_true", help="force a change at next sign-in")

    sub = commands.add_parser("groups", help="groups of a pool").add_subparsers(dest="sub", metavar="SUBCOMMAND", required=True)
    p = _command(sub, "create", groups_create, "create a group")
    p.add_argument("name")
    p.add_argument("--description")
    p.add_argument("--precedence", type=int)
    _command(sub, "list", groups_list, "list groups")
    _command(sub, "delete", groups_delete, "delete a group").add_argument("name")
    for name, handler in (("add-user", groups_add_user), ("remove-user", groups_remove_user)):
        p = _command(sub, name, handler, f"{name.replace('-', ' ')} to/from a group")
        p.add_argument("name")
        p.add_argument("username")

    sub = commands.add_parser("clients", help="app clients of a pool").add_subparsers(dest="sub", metavar="SUBCOMMAND", required=True)
    p = _command(sub, "create", clients_create, "create an app client")
    p.add_argument("name")
    p.add_argument("--secret", action="store_true", help="confidential client (generates a secret)")
    p.add_argument("--auth-flows", help="ExplicitAuthFlows, e.g. ALLOW_USER_PASSWORD_AUTH,ALLOW_REFRESH_TOKEN_AUTH")
    p.add_argument("--oauth-flows", help="AllowedOAuthFlows: code and/or client_credentials")
    p.add_argument("--scopes", help="AllowedOAuthScopes, e.g. 'openid email orders/read'")
    p.add_argument("--callback", action="append", help="callback URL (repeat)")
    p.add_argument("--logout", action="append", help="logout URL (repeat)")
    p.add_argument("--rotate-refresh-tokens", action="store_true", help="enable refresh-token rotation")
    _command(sub, "list", clients_list, "list clients")
    _command(sub, "describe", clients_describe, "show a client (with its secret)").add_argument("client_id")
    _command(sub, "delete", clients_delete, "delete a client").add_argument("client_id")

    sub = commands.add_parser("resource-servers", help="resource servers (APIs) and their scopes").add_subparsers(
        dest="sub", metavar="SUBCOMMAND", required=True)
    p = _command(sub, "create", rs_create, "create a resource server")
    p.add_argument("identifier")
    p.add_argument("--name")
    p.add_argument("--scope", action="append", metavar="NAME[:DESCRIPTION]", help="a scope (repeat)")
    _command(sub, "list", rs_list, "list resource servers")
    _command(sub, "delete", rs_delete, "delete a resource server").add_argument("identifier")
