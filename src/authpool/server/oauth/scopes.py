"""Which scopes and resource a request gets (RFC 6749 §3.3, RFC 8707, COGNITO.md §3 and §5).

* RFC 6749 §3.3: ``scope`` is a space-delimited list of ``scope-token = 1*( %x21 / %x23-5B /
  %x5D-7E )``; the server "MAY fully or partially ignore the scope requested by the client".
* Authorization endpoint (Cognito ``authorization-endpoint.md``): a scope not associated with the
  client "will be ignored at runtime"; "If the client doesn't request any scopes, the
  authentication server uses all scopes associated with the client"; ``phone``, ``email`` and
  ``profile`` "can only be requested if openid scope is also requested" (dropped otherwise); a
  malformed scope, or nothing left to grant, is ``invalid_scope``.
* Client credentials (Cognito ``token-endpoint.md``): only custom (resource-server) scopes; an
  omitted ``scope`` grants "all custom scopes associated with the client"; others are ignored.
* RFC 8707 §2: ``resource`` "MUST be an absolute URI ... MUST NOT include a fragment component";
  authpool accepts the identifier of one of the pool's resource servers (so the access token's
  ``aud`` names an API the pool knows) and refuses anything else with ``invalid_target``.
  One resource per request: several would need a token per resource (RFC 8707 §2.2).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from urllib.parse import urlsplit

from ..pool.clients import RESERVED_SCOPES
from ..store import ClientRecord
from .errors import InvalidScope, InvalidTarget

OPENID = "openid"
NEEDS_OPENID = frozenset({"email", "phone", "profile"})
MAX_SCOPES = 50
_SCOPE_TOKEN = re.compile(r"[\x21\x23-\x5b\x5d-\x7e]{1,300}")


def parse(scope: str | None) -> list[str] | None:
    """The scope tokens in order without repeats, or None when no scope was sent."""
    if scope is None:
        return None
    tokens = [t for t in scope.split(" ") if t]
    if len(tokens) > MAX_SCOPES or not all(_SCOPE_TOKEN.fullmatch(t) for t in tokens):
        raise InvalidScope("The scope parameter is malformed.")
    return list(dict.fromkeys(tokens))


def allowed(client: ClientRecord) -> list[str]:
    return list(client.settings.get("AllowedOAuthScopes") or [])


def for_authorization(client: ClientRecord, requested: list[str] | None) -> list[str]:
    """Scopes granted at the authorization endpoint, in the client's order."""
    permitted = allowed(client)
    wanted = permitted if requested is None else [s for s in requested if s in permitted]
    if OPENID not in wanted:
        wanted = [s for s in wanted if s not in NEEDS_OPENID]
    if not wanted:
        raise InvalidScope("None of the requested scopes is allowed for this client.")
    return wanted


def for_client_credentials(client: ClientRecord, requested: list[str] | None) -> list[str]:
    """Custom scopes granted to a client-credentials request."""
    custom = [s for s in allowed(client) if s not in RESERVED_SCOPES]
    wanted = custom if requested is None else [s for s in requested if s in custom]
    if not wanted:
        raise InvalidScope("None of the requested scopes is allowed for this client.")
    return wanted


def resolve_resource(resource: str | None, known_identifiers: Collection[str]) -> str | None:
    """The access token audience for an RFC 8707 ``resource`` parameter (None if not sent)."""
    if resource is None:
        return None
    parts = urlsplit(resource)
    if not parts.scheme or parts.fragment or "#" in resource:
        raise InvalidTarget("resource must be an absolute URI without a fragment.")
    if resource not in known_identifiers:
        raise InvalidTarget("resource is not a resource server of this user pool.")
    return resource
