"""``authpool token inspect TOKEN [--issuer URL]``: what kind of token this is, who its audience is,
which claims are PII, and whether it may be sent to an API. Verifies against the issuer's JWKS when
``--issuer`` is given."""

from __future__ import annotations

import argparse
import json
import sys
import time

from ..jose import JoseError
from ..tokens import inspect_token
from . import output


def register(commands) -> None:
    token = commands.add_parser("token", help="work with tokens")
    sub = token.add_subparsers(dest="token_command", metavar="SUBCOMMAND", required=True)
    p = sub.add_parser("inspect", help="explain a JWT: ID or access token, audience, PII, API use")
    p.add_argument("token", help="the JWT ('-' reads it from standard input)")
    p.add_argument("--issuer", help="verify the signature against this issuer's JWKS")
    p.add_argument("--json", action="store_true", help="print the inspection as JSON")
    p.set_defaults(handler=run)


def _verify(token: str, issuer: str, kind: str) -> str:
    import httpx

    from ..jose import JWKSet, verify_compact
    from ..jose.jsonutil import loads_object

    url = issuer.rstrip("/") + "/.well-known/jwks.json"
    try:
        response = httpx.get(url, timeout=5.0)
        response.raise_for_status()
        keys = JWKSet.from_dict(response.json())
    except (httpx.HTTPError, ValueError, JoseError) as exc:
        return f"could not fetch the issuer's JWKS ({type(exc).__name__})"

    def lookup(jws):
        key = keys.get(jws.kid)
        if key is None:
            raise JoseError("no key in the issuer's JWKS has this token's kid")
        return key

    try:
        jws = verify_compact(token, lookup, algorithms=[a for k in keys for a in k.algorithms])
    except JoseError as exc:
        return f"INVALID: {exc}"
    claims = loads_object(jws.payload)
    if claims.get("iss") != issuer.rstrip("/"):
        return "INVALID: signature is good but 'iss' is not this issuer"
    return "valid signature from this issuer"


def run(args: argparse.Namespace) -> int:
    from . import CLIError

    token = sys.stdin.read() if args.token == "-" else args.token
    try:
        result = inspect_token(token, now=int(time.time()))
    except JoseError as exc:
        raise CLIError(f"not a JWT: {exc}") from None
    verification = _verify(token.strip(), args.issuer, result.kind) if args.issuer else None
    if args.json:
        print(json.dumps({"kind": result.kind, "reasons": result.reasons, "audience": result.audience,
                          "pii_claims": result.pii_claims, "encrypted_claims": result.encrypted_claims,
                          "scopes": result.scopes,
                          "may_send_to_api": result.api_allowed, "verdict": result.api_verdict,
                          "expired": result.expired, "verification": verification,
                          "header": result.header, "claims": result.claims}, indent=2))
        return 0
    label = {"id": "ID token", "access": "access token"}.get(result.kind, "unknown kind of token")
    output.say(f"{label}: {'; '.join(result.reasons)}", style="bold")
    output.say(f"audience: {result.audience}")
    if result.scopes:
        output.say(f"scopes: {' '.join(result.scopes)}")
    output.say(f"PII claims: {', '.join(result.pii_claims) if result.pii_claims else 'none'}")
    output.say(f"send to an API? {result.api_verdict}", style="green" if result.api_allowed else "bold red")
    if verification:
        output.say(f"verification: {verification}", style="green" if verification.startswith("valid") else "red")
    output.table("claims", ["claim", "value", "PII"],
                 [(k, json.dumps(v), "yes" if k in result.pii_claims else "encrypted" if k in result.encrypted_claims
                   else "") for k, v in result.claims.items()])
    return 0
