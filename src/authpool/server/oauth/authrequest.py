"""Validating an authorization request (RFC 6749 §4.1.1, OIDC Core §3.1.2.1-§3.1.2.2).

The order matters, because it decides where an error goes (RFC 6749 §4.1.2.1, RFC 9700 §4.11.2):

1. the pool, the client and the redirect URI are checked first; while any of them is missing,
   unknown or mismatching, errors are shown on a page (:class:`PageError`) and the browser is
   never redirected;
2. once the client and its exactly-matching redirect URI are known (RFC 9700 §4.1.3), every other
   error is sent back to the client (:class:`RedirectError`) with ``state`` and ``iss``.

Cognito's rules apply where it documents them (COGNITO.md §5, ``authorization-endpoint.md``):
``response_type`` ``code`` (or ``token`` for a client that enables the implicit flow),
``identity_provider`` ``COGNITO``, S256 PKCE only, scopes via :mod:`.scopes`. The same validation
serves ``/oauth2/authorize``, ``/login`` and ``/logout``'s re-login form, which take the same
parameters.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..store import ClientRecord, PoolRecord
from . import pkce, scopes
from .errors import InvalidRequest, OAuthError, UnauthorizedClient, UnsupportedResponseType
from .redirect import registered_redirect_uri

MAX_STATE = 2048
MAX_NONCE = 512
PROMPTS = frozenset({"none", "login", "consent", "select_account"})
RESPONSE_TYPES = {"code": "code", "token": "implicit"}  # response_type -> Cognito AllowedOAuthFlows value


class PageError(Exception):
    """An error the user sees on our page: no trusted place to redirect to."""

    def __init__(self, message: str, code: str = "invalid_request", status: int = 400) -> None:
        super().__init__(message)
        self.message, self.code, self.status = message, code, status


class RedirectError(Exception):
    """An error for the client, delivered to its (verified) redirect URI."""

    def __init__(self, error: OAuthError, redirect_uri: str, state: str | None, fragment: bool) -> None:
        super().__init__(error.description)
        self.error, self.redirect_uri, self.state, self.fragment = error, redirect_uri, state, fragment


@dataclass(frozen=True, slots=True)
class AuthorizationRequest:
    pool: PoolRecord
    client: ClientRecord
    redirect_uri: str
    response_type: str
    scopes: tuple[str, ...]
    state: str | None
    nonce: str | None
    code_challenge: str | None
    resource: str | None
    prompt: frozenset[str]
    max_age: int | None

    @property
    def fragment(self) -> bool:
        """RFC 6749 §4.2.2: the implicit grant answers in the fragment."""
        return self.response_type == "token"


def known_client(tx, pool_id: str, params: dict[str, str]) -> tuple[PoolRecord, ClientRecord]:
    """The pool and the ``client_id`` parameter's client (length-bounded before the lookup); else PageError."""
    pool = tx.pools.get(pool_id) if len(pool_id) <= 55 else None
    if pool is None:
        raise PageError("This user pool does not exist.", "not_found", 404)
    client_id = params.get("client_id")
    client = tx.clients.get(pool_id, client_id) if client_id and len(client_id) <= 128 else None
    if client is None:
        raise PageError("The application (client_id) is missing or unknown.", "invalid_client")
    return pool, client


def trusted_client(tx, pool_id: str, params: dict[str, str]) -> tuple[PoolRecord, ClientRecord, str]:
    """Steps 1: pool, client (enabled for OAuth), exactly registered redirect URI; else PageError."""
    pool, client = known_client(tx, pool_id, params)
    if not client.settings.get("AllowedOAuthFlowsUserPoolClient"):
        raise PageError("This application is not enabled for the hosted sign-in.", "unauthorized_client")
    redirect_uri = registered_redirect_uri(client, params.get("redirect_uri"))
    if redirect_uri is None:  # RFC 6749 §4.1.2.1: MUST NOT redirect to an unverified URI
        raise PageError("The redirect_uri is missing or is not registered for this application.",
                        "invalid_redirect_uri")
    return pool, client, redirect_uri


def validate(tx, pool_id: str, params: dict[str, str]) -> AuthorizationRequest:
    pool, client, redirect_uri = trusted_client(tx, pool_id, params)
    state = params.get("state")
    response_type = params.get("response_type")
    fragment = response_type == "token"
    if state is not None and len(state) > MAX_STATE:  # too long to echo back
        raise RedirectError(InvalidRequest("state is too long."), redirect_uri, None, fragment)
    try:
        return _validate_rest(tx, pool, client, redirect_uri, params, response_type, state)
    except OAuthError as exc:
        raise RedirectError(exc, redirect_uri, state, fragment) from None


def _validate_rest(tx, pool, client, redirect_uri, params, response_type, state) -> AuthorizationRequest:
    if response_type is None:
        raise InvalidRequest("response_type is required.")
    if response_type not in RESPONSE_TYPES:
        raise UnsupportedResponseType("Only response_type=code is supported.")
    if RESPONSE_TYPES[response_type] not in (client.settings.get("AllowedOAuthFlows") or []):
        raise UnauthorizedClient(f"This application may not use response_type={response_type}.")
    if "request" in params or "request_uri" in params:  # OIDC Core §6: not supported (discovery says so)
        raise InvalidRequest("Request objects are not supported.")
    expected_mode = "fragment" if response_type == "token" else "query"
    if params.get("response_mode", expected_mode) != expected_mode:
        raise InvalidRequest(f"response_mode must be {expected_mode}.")
    if params.get("identity_provider", "COGNITO") != "COGNITO":
        raise InvalidRequest("Unknown identity_provider.")
    granted = scopes.for_authorization(client, scopes.parse(params.get("scope")))
    if response_type == "code":
        challenge = pkce.check_challenge(params.get("code_challenge"), params.get("code_challenge_method"),
                                         public_client=not client.has_secret)
    elif "code_challenge" in params or "code_challenge_method" in params:
        raise InvalidRequest("PKCE applies to response_type=code only.")
    else:
        challenge = None
    nonce = params.get("nonce")
    if nonce is not None and len(nonce) > MAX_NONCE:
        raise InvalidRequest("nonce is too long.")
    resource = params.get("resource")
    if resource is not None:
        known = len(resource) <= 256 and tx.resource_servers.get(pool.id, resource) is not None
        resource = scopes.resolve_resource(resource, {resource} if known else ())
    return AuthorizationRequest(pool=pool, client=client, redirect_uri=redirect_uri, response_type=response_type,
                                scopes=tuple(granted), state=state, nonce=nonce, code_challenge=challenge,
                                resource=resource, prompt=_prompt(params.get("prompt")),
                                max_age=_max_age(params.get("max_age")))


def _prompt(value: str | None) -> frozenset[str]:
    """OIDC Core §3.1.2.1: space-delimited; ``none`` with any other value is an error."""
    values = frozenset(value.split()) if value else frozenset()
    if not values <= PROMPTS:
        raise InvalidRequest("Unsupported prompt value.")
    if "none" in values and len(values) > 1:
        raise InvalidRequest("prompt=none cannot be combined with other values.")
    return values


def _max_age(value: str | None) -> int | None:
    """OIDC Core §3.1.2.1: allowable elapsed time in seconds since the last active authentication."""
    if value is None:
        return None
    if not value.isdigit() or len(value) > 10:
        raise InvalidRequest("max_age must be a non-negative integer.")
    return int(value)
