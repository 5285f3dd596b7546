"""``authpool demo``: seed the demo pool and serve it (what ``make run`` starts)."""

from __future__ import annotations

import argparse

from .serve_cmd import add_listen_options


def register(commands) -> None:
    demo = commands.add_parser("demo", help="seed the demo pool and run the server with it")
    add_listen_options(demo)
    demo.add_argument("--data-dir", help="where the demo keeps its SQLite database and keys (default ./data)")
    demo.add_argument("--database-url", help=argparse.SUPPRESS)
    demo.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ..demo.seed import seed
    from ..demo.web import demo_routes
    from . import output
    from .manage_cmd import context, domain_errors
    from .serve_cmd import print_admin_credentials, serve

    ctx = context(args)
    settings = ctx.settings
    password = settings.demo_password.get_secret_value() if settings.demo_password else None
    with domain_errors():
        demo = seed(ctx, password=password, base_url=settings.public_base_url())
    issuer = settings.issuer_for(demo.pool.id)
    say = output.say
    say("authpool demo: ID tokens are for the client's UI; access tokens are for APIs.", style="bold")
    say(f"  user pool     {demo.pool.id}")
    say(f"  issuer        {issuer}")
    say(f"  discovery     {issuer}/.well-known/openid-configuration")
    say(f"  JWKS          {issuer}/.well-known/jwks.json")
    say(f"  dashboard     {settings.public_base_url()}/demo/   (sign in as alice or bob)")
    say(f"  orders API    {settings.public_base_url()}/demo/api/orders   (needs an access token)")
    say(f"  public client demo-spa       {demo.spa.client_id}  (password sign-in, code + PKCE)")
    say(f"  confidential  demo-service   {demo.service.client_id}  secret {demo.service.client_secret}")
    say("  users         alice (group admin, custom:tier=premium), bob (custom:tier=free)")
    say(f"  password      {demo.password}" + ("  (generated; set AUTHPOOL_DEMO_PASSWORD to choose it)"
                                               if demo.password_generated else "  (from AUTHPOOL_DEMO_PASSWORD)"))
    print_admin_credentials(ctx, always=True)  # a local playground: show it at every start
    say("Try:")
    say(f"  curl -s {issuer}/.well-known/jwks.json")
    say(f"  .venv/bin/authpool token inspect <token> --issuer {issuer}")
    routes = demo_routes(issuer=issuer, spa_client_id=demo.spa.client_id,
                         service_client_id=demo.service.client_id, algorithm=ctx.keys.signing_alg(demo.pool),
                         base_url=settings.public_base_url())
    return serve(settings, ctx, extra_routes=routes)
