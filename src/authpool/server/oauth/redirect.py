"""Redirect URIs: exact matching, and building the redirect back to the client.

* RFC 9700 §2.1 / §4.1.3: "authorization servers MUST utilize exact string matching" of redirect
  URIs (no prefix, suffix, sub-path, wildcard or normalisation, apart from the port of a loopback
  redirect URI for native apps, RFC 8252 §7.3, which Cognito does not do either; we don't).
* RFC 6749 §3.1.2: the URI "MUST NOT include a fragment component" and its query "MUST be retained
  when adding additional query parameters".
* RFC 6749 §4.1.2.1 / RFC 9700 §4.11.2: with a missing, invalid or mismatching redirect URI the
  server "MUST NOT automatically redirect the user-agent to the invalid redirection URI"; the
  caller shows an error page instead.
* Logout (Cognito ``/logout``, COGNITO.md §5): ``logout_uri`` must be one of the client's
  ``LogoutURLs``, compared the same exact way, so the logout endpoint is no open redirector.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import urlencode, urlsplit, urlunsplit

from ..store import ClientRecord

MAX_URI = 1024
_SCHEME = re.compile(r"[a-z][a-z0-9+.-]{0,40}")
_HOST = re.compile(r"[A-Za-z0-9.:-]{1,253}")


def _exact(candidate: str | None, registered: list[str] | None) -> str | None:
    if not isinstance(candidate, str) or len(candidate) > MAX_URI:
        return None
    for uri in registered or []:
        if uri == candidate:  # byte-for-byte: RFC 9700 §4.1.3 "exact string matching"
            return uri
    return None


def registered_redirect_uri(client: ClientRecord, redirect_uri: str | None) -> str | None:
    """``redirect_uri`` if it is exactly one of the client's ``CallbackURLs``, else None."""
    return _exact(redirect_uri, client.settings.get("CallbackURLs"))


def registered_logout_uri(client: ClientRecord, logout_uri: str | None) -> str | None:
    """``logout_uri`` if it is exactly one of the client's ``LogoutURLs``, else None."""
    return _exact(logout_uri, client.settings.get("LogoutURLs"))


def with_params(uri: str, params: Mapping[str, str | None], *, fragment: bool = False) -> str:
    """``uri`` with ``params`` added to its query (keeping its own query, RFC 6749 §3.1.2) or, for
    the implicit grant, put in the fragment (RFC 6749 §4.2.2)."""
    parts = urlsplit(uri)
    encoded = urlencode({k: v for k, v in params.items() if v is not None})
    if fragment:
        return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, encoded))
    query = f"{parts.query}&{encoded}" if parts.query else encoded
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


def origin_of(uri: str) -> str:
    """The CSP source expression for ``uri``'s origin: ``https://host:port`` or, for an app's own
    scheme (``myapp://cb``), ``myapp:``. Used in the login page's ``form-action``."""
    parts = urlsplit(uri)
    scheme = parts.scheme.lower()
    if not _SCHEME.fullmatch(scheme):
        return "'none'"
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        host, port = None, None
    if scheme in ("http", "https") and host and _HOST.fullmatch(host):
        host = f"[{host}]" if ":" in host else host
        return f"{scheme}://{host}" + (f":{port}" if port else "")
    return f"{scheme}:"
