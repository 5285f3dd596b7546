"""Server-rendered pages of the hosted UI (login, new password, errors, signed out), with the
response headers every page gets.

* Clickjacking (RFC 6749 §10.13, RFC 9700 §4.16): ``X-Frame-Options: DENY`` and CSP
  ``frame-ancestors 'none'``.
* Credential leakage via Referer (RFC 9700 §4.2.2, §4.2.4): ``Referrer-Policy: no-referrer`` and
  no third-party resources: the one stylesheet is inline, allowed by a per-response CSP nonce;
  ``default-src 'none'`` blocks everything else, scripts included.
* ``form-action`` allows this origin and, on forms that end in a redirect to the client, the
  origin of the registered redirect URI (browsers apply ``form-action`` to redirects that follow a
  form submission).
* ``Cache-Control: no-store``: pages hold CSRF tokens and challenge sessions.
* Jinja2 with autoescaping for every value.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.responses import HTMLResponse

from ..pool.passwords import PasswordPolicy

_env = Environment(loader=FileSystemLoader(Path(__file__).resolve().parent.parent / "templates"),
                   autoescape=select_autoescape(default=True, default_for_string=True), auto_reload=False)


def security_headers(nonce: str | None = None, form_action: Iterable[str] = ()) -> dict[str, str]:
    style = f"'nonce-{nonce}'" if nonce else "'none'"
    actions = " ".join(["'self'", *form_action])
    csp = (f"default-src 'none'; style-src {style}; img-src 'self' data:; form-action {actions}; "
           "frame-ancestors 'none'; base-uri 'none'")
    return {"Content-Security-Policy": csp, "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer",
            "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store", "Pragma": "no-cache"}


def render(template: str, *, status: int = 200, form_action: Iterable[str] = (), **values: Any) -> HTMLResponse:
    nonce = secrets.token_urlsafe(16)
    values.setdefault("pool_name", "authpool")
    html = _env.get_template(template).render(csp_nonce=nonce, **values)
    return HTMLResponse(html, status_code=status, headers=security_headers(nonce, form_action))


def error_page(message: str, code: str, *, status: int = 400, pool_name: str = "authpool") -> HTMLResponse:
    """The page shown instead of redirecting to an untrusted redirect URI (RFC 6749 §4.1.2.1)."""
    return render("error.html", status=status, message=message, code=code, pool_name=pool_name)


def describe_policy(policy: PasswordPolicy) -> str:
    parts = [f"At least {policy.minimum_length} characters"]
    for required, what in ((policy.require_uppercase, "an uppercase letter"),
                           (policy.require_lowercase, "a lowercase letter"),
                           (policy.require_numbers, "a number"), (policy.require_symbols, "a symbol")):
        if required:
            parts.append(what)
    return (", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]) + "."
