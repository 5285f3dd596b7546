"""App clients (Cognito CreateUserPoolClient, DescribeUserPoolClient, UpdateUserPoolClient,
DeleteUserPoolClient, ListUserPoolClients).

Settings are stored with Cognito's member names. Defaults (botocore service-2.json, COGNITO.md
§1.5, §3, §1.6): ``ExplicitAuthFlows`` ALLOW_REFRESH_TOKEN_AUTH + ALLOW_USER_SRP_AUTH +
ALLOW_CUSTOM_AUTH (no USER_PASSWORD_AUTH); access and ID tokens valid 1 hour, refresh tokens 30
days (units hours/hours/days); ``EnableTokenRevocation`` true; ``PreventUserExistenceErrors``
LEGACY; ``RefreshTokenRotation`` DISABLED; no OAuth flows until configured. Read/WriteAttributes
left out mean "all attributes". Like Cognito's UpdateUserPoolClient, :meth:`ClientService.update`
replaces the settings: members left out return to their defaults.

Checked rules (COGNITO.md §3, §1.5): ``client_credentials`` is the only flow on its client and
needs a secret; OAuth scopes are the reserved ones or ``<resource server>/<scope>`` of this pool
(client-credentials clients: custom scopes only), at most 50; callback and logout URLs are absolute,
without fragment, and use https except for loopback hosts (http://localhost, 127.0.0.1, [::1]) or an
app's own scheme; ``DefaultRedirectURI`` is one of the callback URLs; token validities stay within
5 minutes..1 day (access, ID) and 60 minutes..10 years (refresh; 0 means the 30-day default), with
access and ID no longer than refresh. The secret is generated (51 characters), stored encrypted and
compared in constant time.
"""

from __future__ import annotations

import copy
import hmac
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from ..cache import CLIENTS, Cache
from ..errors import InvalidParameter
from ..store import ClientRecord, Page, UnitOfWork
from . import ids
from ._service import Service, check_limit, check_name

RESERVED_SCOPES = frozenset({"openid", "email", "phone", "profile", "aws.cognito.signin.user.admin"})
OAUTH_FLOWS = frozenset({"code", "implicit", "client_credentials"})
AUTH_FLOWS = frozenset(
    {"ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_CUSTOM_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH",
     "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_AUTH"}
)  # fmt: skip
LEGACY_AUTH_FLOWS = frozenset({"ADMIN_NO_SRP_AUTH", "CUSTOM_AUTH_FLOW_ONLY", "USER_PASSWORD_AUTH"})
UNIT_SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}
VALIDITY = {  # member: (units key, default value, default unit, min seconds, max seconds)
    "AccessTokenValidity": ("AccessToken", 1, "hours", 300, 86400),
    "IdTokenValidity": ("IdToken", 1, "hours", 300, 86400),
    "RefreshTokenValidity": ("RefreshToken", 30, "days", 3600, 315360000),
}
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
MAX_SCOPES = 50
MAX_URLS = 100
#: Seconds another process's change to a client may go unseen by :meth:`ClientService.find` (server/cache.py).
CACHE_TTL = 2.0


_UNKNOWN = object()  # cached for a client id that does not exist


def default_settings() -> dict[str, Any]:
    return {
        "ExplicitAuthFlows": ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH"],
        "AllowedOAuthFlows": [],
        "AllowedOAuthFlowsUserPoolClient": False,
        "AllowedOAuthScopes": [],
        "CallbackURLs": [],
        "LogoutURLs": [],
        "DefaultRedirectURI": None,
        "SupportedIdentityProviders": [],
        "AccessTokenValidity": 1,
        "IdTokenValidity": 1,
        "RefreshTokenValidity": 30,
        "TokenValidityUnits": {"AccessToken": "hours", "IdToken": "hours", "RefreshToken": "days"},
        "EnableTokenRevocation": True,
        "PreventUserExistenceErrors": "LEGACY",
        "RefreshTokenRotation": {"Feature": "DISABLED", "RetryGracePeriodSeconds": 0},
        "AuthSessionValidity": 3,
    }


def token_validity_seconds(settings: Mapping[str, Any], member: str) -> int:
    """Seconds a token of ``member`` (``AccessTokenValidity``, ``IdTokenValidity``,
    ``RefreshTokenValidity``) lives for a client with these settings."""
    units_key, default, default_unit, _, _ = VALIDITY[member]
    value = settings.get(member) or default
    unit = (settings.get("TokenValidityUnits") or {}).get(units_key, default_unit)
    return int(value) * UNIT_SECONDS[unit]


def check_secret(client: ClientRecord, presented: str | None) -> bool:
    """Constant-time comparison of a presented client secret with the stored one."""
    if client.client_secret is None or presented is None:
        return False
    return hmac.compare_digest(client.client_secret.encode("utf-8"), presented.encode("utf-8"))


def _strings(settings: Mapping[str, Any], key: str, *, limit: int = MAX_URLS) -> list[str]:
    values = settings.get(key) or []
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values) or len(values) > limit:
        raise InvalidParameter(f"{key} must be a list of at most {limit} strings.")
    return list(dict.fromkeys(values))


def check_redirect_url(url: str, key: str) -> None:
    parts = urlsplit(url)
    if not parts.scheme or parts.fragment or len(url) > 1024:
        raise InvalidParameter(f"{key} must hold absolute URLs without a fragment.")
    if parts.scheme == "http" and (parts.hostname or "") not in LOOPBACK_HOSTS:
        raise InvalidParameter(f"{key}: http is allowed only for localhost; use https.")
    if parts.scheme in ("http", "https") and not parts.hostname:
        raise InvalidParameter(f"{key} must hold absolute URLs without a fragment.")


def normalize_settings(
    given: Mapping[str, Any] | None, *, has_secret: bool, pool_scopes: set[str]
) -> dict[str, Any]:
    """Defaults overlaid with ``given``, checked. Raises InvalidParameter."""
    s = default_settings()
    s.update(copy.deepcopy(dict(given or {})))
    flows = _strings(s, "ExplicitAuthFlows")
    if not set(flows) <= AUTH_FLOWS | LEGACY_AUTH_FLOWS:
        raise InvalidParameter("ExplicitAuthFlows holds an unknown value.")
    if set(flows) & AUTH_FLOWS and set(flows) & LEGACY_AUTH_FLOWS:
        raise InvalidParameter("ExplicitAuthFlows cannot mix legacy values with ALLOW_ values.")
    s["ExplicitAuthFlows"] = flows
    oauth = _strings(s, "AllowedOAuthFlows")
    if not set(oauth) <= OAUTH_FLOWS:
        raise InvalidParameter("AllowedOAuthFlows may contain only code, implicit and client_credentials.")
    if "client_credentials" in oauth and (len(oauth) > 1 or not has_secret):
        raise InvalidParameter("client_credentials must be the only OAuth flow, on a client with a secret.")
    scopes = _strings(s, "AllowedOAuthScopes", limit=MAX_SCOPES)
    unknown = [x for x in scopes if x not in RESERVED_SCOPES and x not in pool_scopes]
    if unknown:
        raise InvalidParameter(f"Invalid scope requested: {unknown[0]}")
    if "client_credentials" in oauth and set(scopes) & RESERVED_SCOPES:
        raise InvalidParameter("client_credentials clients may only have custom (resource server) scopes.")
    s["AllowedOAuthFlows"], s["AllowedOAuthScopes"] = oauth, scopes
    s["AllowedOAuthFlowsUserPoolClient"] = bool(s["AllowedOAuthFlowsUserPoolClient"])
    if s["AllowedOAuthFlowsUserPoolClient"] and not (oauth and scopes):
        raise InvalidParameter("AllowedOAuthFlows and AllowedOAuthScopes are required when OAuth is enabled.")
    for key in ("CallbackURLs", "LogoutURLs"):
        s[key] = _strings(s, key)
        for url in s[key]:
            check_redirect_url(url, key)
    if set(oauth) & {"code", "implicit"} and s["AllowedOAuthFlowsUserPoolClient"] and not s["CallbackURLs"]:
        raise InvalidParameter("CallbackURLs are required for the code and implicit flows.")
    if s.get("DefaultRedirectURI") and s["DefaultRedirectURI"] not in s["CallbackURLs"]:
        raise InvalidParameter("DefaultRedirectURI must be one of the CallbackURLs.")
    providers = _strings(s, "SupportedIdentityProviders")
    if not set(providers) <= {"COGNITO"}:
        raise InvalidParameter("SupportedIdentityProviders may contain only COGNITO.")
    s["SupportedIdentityProviders"] = providers
    _check_validity(s)
    for key in ("EnableTokenRevocation",):
        s[key] = bool(s[key])
    if s["PreventUserExistenceErrors"] not in ("ENABLED", "LEGACY"):
        raise InvalidParameter("PreventUserExistenceErrors must be ENABLED or LEGACY.")
    rotation = s.get("RefreshTokenRotation") or {}
    feature, grace = rotation.get("Feature", "DISABLED"), rotation.get("RetryGracePeriodSeconds", 0)
    if feature not in ("ENABLED", "DISABLED") or not isinstance(grace, int) or not 0 <= grace <= 60:
        raise InvalidParameter("RefreshTokenRotation needs Feature ENABLED|DISABLED and a grace of 0..60 s.")
    s["RefreshTokenRotation"] = {"Feature": feature, "RetryGracePeriodSeconds": grace}
    if not isinstance(s["AuthSessionValidity"], int) or not 3 <= s["AuthSessionValidity"] <= 15:
        raise InvalidParameter("AuthSessionValidity must be 3 to 15 minutes.")
    return s


def _check_validity(s: dict[str, Any]) -> None:
    units = {**default_settings()["TokenValidityUnits"], **(s.get("TokenValidityUnits") or {})}
    if set(units) != {"AccessToken", "IdToken", "RefreshToken"} or not set(units.values()) <= set(
        UNIT_SECONDS
    ):
        raise InvalidParameter("TokenValidityUnits values must be seconds, minutes, hours or days.")
    s["TokenValidityUnits"] = units
    seconds = {}
    for member, (_, default, _, low, high) in VALIDITY.items():
        value = s.get(member)
        if value in (None, 0) and member == "RefreshTokenValidity":  # Cognito: 0 means the default
            value = default
            units["RefreshToken"] = "days"
        if not isinstance(value, int) or isinstance(value, bool):
            raise InvalidParameter(f"{member} must be an integer.")
        s[member] = value
        seconds[member] = token_validity_seconds(s, member)
        if not low <= seconds[member] <= high:
            raise InvalidParameter(f"{member} is out of range.")
    if max(seconds["AccessTokenValidity"], seconds["IdTokenValidity"]) > seconds["RefreshTokenValidity"]:
        raise InvalidParameter("Access and ID token validity must not exceed the refresh token validity.")


class ClientService(Service):
    """:meth:`find` (client authentication on every token, revocation, introspection and Cognito
    sign-in request) answers from a cache (server/cache.py) that :meth:`create`, :meth:`update`,
    :meth:`delete` and ``PoolService.delete`` invalidate once their transaction commits. Unknown ids
    are remembered too, so that a repeated probe costs the same whether the client exists or not.
    Cached records are shared: callers must not change them (their ``settings`` dict included)."""

    def __init__(self, db, *, cache_ttl: float = CACHE_TTL) -> None:
        super().__init__(db)
        self._cache: Cache[ClientRecord | object] = Cache(CLIENTS, ttl=cache_ttl)

    def create(
        self,
        pool_id: str,
        name: str,
        *,
        generate_secret: bool = False,
        settings: Mapping[str, Any] | None = None,
        tx: UnitOfWork | None = None,
    ) -> ClientRecord:
        """CreateUserPoolClient; the record carries the new secret in clear (show it once)."""
        check_name(name, "ClientName")
        with self._tx(tx) as t:
            t.pools.require(pool_id)
            normalized = normalize_settings(
                settings, has_secret=generate_secret, pool_scopes=t.resource_servers.all_scopes(pool_id)
            )
            self._check_attributes(t, pool_id, normalized)
            secret = ids.new_client_secret() if generate_secret else None
            client = t.clients.create(
                pool_id, client_id=ids.new_client_id(), name=name, client_secret=secret, settings=normalized
            )
            t.after_commit(lambda: self._cache.invalidate(client.client_id))  # if it was probed while unknown
            self._audit(
                t,
                "client.created",
                pool_id=pool_id,
                target=client.client_id,
                detail={"client_type": "confidential" if generate_secret else "public"},
            )
        return client

    def describe(self, pool_id: str, client_id: str, *, tx: UnitOfWork | None = None) -> ClientRecord:
        """DescribeUserPoolClient, secret included (decrypted)."""
        with self._tx(tx, readonly=True) as t:
            t.pools.require(pool_id)
            return t.clients.require(pool_id, client_id)

    def find(self, client_id: str, *, tx: UnitOfWork | None = None) -> ClientRecord | None:
        """By client id alone (InitiateAuth and /oauth2/token name no pool). Cached unless ``tx``
        is given (a caller's transaction reads the store)."""
        if tx is not None:
            return tx.clients.find(client_id)
        found = self._cache.get_or_load(client_id, lambda: self._find(client_id))
        return found if isinstance(found, ClientRecord) else None

    def _find(self, client_id: str) -> ClientRecord | object:
        with self.db.transaction(readonly=True) as t:
            return t.clients.find(client_id) or _UNKNOWN

    def list(
        self, pool_id: str, *, limit: int = 60, next_token: str | None = None, tx: UnitOfWork | None = None
    ) -> Page[ClientRecord]:
        with self._tx(tx, readonly=True) as t:
            t.pools.require(pool_id)
            return t.clients.list(pool_id, limit=check_limit(limit), next_token=next_token)

    def update(
        self,
        pool_id: str,
        client_id: str,
        *,
        name: str | None = None,
        settings: Mapping[str, Any] | None = None,
        tx: UnitOfWork | None = None,
    ) -> ClientRecord:
        """UpdateUserPoolClient: settings not given return to their defaults."""
        if name is not None:
            check_name(name, "ClientName")
        with self._tx(tx) as t:
            current = t.clients.require(pool_id, client_id)
            normalized = normalize_settings(
                settings, has_secret=current.has_secret, pool_scopes=t.resource_servers.all_scopes(pool_id)
            )
            self._check_attributes(t, pool_id, normalized)
            client = t.clients.update(pool_id, client_id, name=name, settings=normalized)
            self._audit(t, "client.updated", pool_id=pool_id, target=client_id)
            t.after_commit(lambda: self._cache.invalidate(client_id))
        return client

    def delete(self, pool_id: str, client_id: str, *, tx: UnitOfWork | None = None) -> None:
        with self._tx(tx) as t:
            t.clients.delete(pool_id, client_id)
            self._audit(t, "client.deleted", pool_id=pool_id, target=client_id)
            t.after_commit(lambda: self._cache.invalidate(client_id))

    @staticmethod
    def _check_attributes(t: UnitOfWork, pool_id: str, settings: dict[str, Any]) -> None:
        known = {a.name for a in t.pools.attributes(pool_id)}
        for key in ("ReadAttributes", "WriteAttributes"):
            if key in settings:
                names = _strings(settings, key, limit=2048)
                if not set(names) <= known:
                    raise InvalidParameter(f"{key} names an attribute that is not in the schema.")
                settings[key] = names
