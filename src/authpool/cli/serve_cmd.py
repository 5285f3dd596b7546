"""``authpool serve``: run the server (uvicorn); ``authpool migrate``: bring the schema up to date
(a deployment's migration job); ``authpool init``: create a pool.

Flags override ``AUTHPOOL_*`` environment variables, which override the defaults in
``authpool.server.settings``.
"""

from __future__ import annotations

import argparse
import os


def add_store_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", help="SQLite database and key files (default ./data; AUTHPOOL_DATA_DIR)")
    parser.add_argument("--database-url", help="sqlite:///... or postgresql://... (AUTHPOOL_DATABASE_URL)")


def add_listen_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", help="listen address (default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="listen port (default 8000)")


def settings_from(args: argparse.Namespace):
    """Settings with the command's flags applied over the environment."""
    from ..server.settings import Settings

    overrides = {name: getattr(args, name) for name in ("host", "port", "data_dir", "database_url", "workers")
                 if getattr(args, name, None) is not None}
    return Settings(**overrides)


def register(commands) -> None:
    serve = commands.add_parser("serve", help="run the user-pool server")
    add_listen_options(serve)
    add_store_options(serve)
    serve.add_argument("--workers", type=int, help="server processes (default 1)")
    serve.set_defaults(handler=run_serve)

    migrate = commands.add_parser("migrate", help="bring the database schema up to date, then exit "
                                  "(the deployment's migration job; see AUTHPOOL_MIGRATE_AT_START)")
    add_store_options(migrate)
    migrate.add_argument("--check", action="store_true", help="change nothing; exit 1 when migrations are pending")
    migrate.set_defaults(handler=run_migrate)

    init = commands.add_parser("init", help="create a user pool; print the admin key pair once")
    add_store_options(init)
    init.add_argument("--name", default="default", help="pool name")
    init.add_argument("--alg", choices=["RS256", "ES256", "EdDSA"], default="RS256", help="token signing algorithm")
    init.set_defaults(handler=run_init)


def export_settings(settings) -> None:
    """Pass resolved settings to worker processes through the environment."""
    os.environ["AUTHPOOL_HOST"] = settings.host
    os.environ["AUTHPOOL_PORT"] = str(settings.port)
    os.environ["AUTHPOOL_DATA_DIR"] = str(settings.data_dir)
    os.environ["AUTHPOOL_DATABASE_URL"] = settings.resolved_database_url()


def serve(settings, ctx, *, extra_routes=None) -> int:
    """Run uvicorn on ``ctx`` (one process) or on the factory (several workers).

    ``extra_routes`` (the demo's API and dashboard) need the single-process app.
    """
    import uvicorn

    from ..server.app import create_app, freeze_startup_objects
    from ..server.logs import configure_logging

    configure_logging(settings.log_level)
    common = {"host": settings.host, "port": settings.port, "access_log": False, "log_config": None,
              "proxy_headers": False, "server_header": False}
    if settings.workers > 1 and not extra_routes:
        export_settings(settings)
        ctx.db.dispose()
        uvicorn.run("authpool.server.asgi:create_app_from_env", factory=True, workers=settings.workers, **common)
    else:
        app = create_app(ctx, extra_routes=extra_routes)
        freeze_startup_objects()
        uvicorn.run(app, **common)
    return 0


def print_admin_credentials(ctx, *, always: bool = False) -> None:
    from . import output

    if ctx.admin.created_now or (always and ctx.admin.secret_access_key):
        output.say("Admin key pair for the Cognito API (SigV4)" + ("" if always else "; shown once, keep it safe")
                   + ":", style="bold yellow")
        output.say(f"  AWS_ACCESS_KEY_ID={ctx.admin.access_key_id}")
        output.say(f"  AWS_SECRET_ACCESS_KEY={ctx.admin.secret_access_key}")
    else:
        output.say(f"Admin access key id: {ctx.admin.access_key_id} (secret shown at first start)")


def run_serve(args: argparse.Namespace) -> int:
    from .manage_cmd import context

    ctx = context(args)
    print_admin_credentials(ctx)
    return serve(ctx.settings, ctx)


def run_migrate(args: argparse.Namespace) -> int:
    """Migrations need no master key: they only change the schema (serialised across processes)."""
    from ..server.store.db import Database
    from ..server.store.migrate import head_revision
    from . import output

    settings = settings_from(args)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database.from_url(settings.resolved_database_url())
    try:
        before, head = db.schema_revision(), head_revision()
        if args.check:
            output.say(f"schema at {before or 'none'}, latest {head}: "
                       + ("up to date" if before == head else "migrations pending"))
            return 0 if before == head else 1
        db.migrate()
        output.say(f"schema at {head}" + (" (already up to date)" if before == head else f" (was {before or 'none'})"))
    finally:
        db.dispose()
    return 0


def run_init(args: argparse.Namespace) -> int:
    from . import output
    from .manage_cmd import context, create_pool

    ctx = context(args)
    settings = ctx.settings
    pool = create_pool(ctx, args.name, alg=args.alg)
    output.say(f"Created user pool {pool.id} ({pool.name})", style="bold green")
    output.say(f"  issuer: {settings.issuer_for(pool.id)}")
    print_admin_credentials(ctx)
    return 0
