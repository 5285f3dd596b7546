"""Where the guard gets an issuer's public keys: a static JWK Set, or a cached remote ``jwks_uri``.

:class:`RemoteJwks` (the model is aws-jwt-verify's ``SimpleJwksCache`` and panva/jose's
``createRemoteJWKSet``):

* **Freshness.** A fetched key set is fresh for ``Cache-Control: max-age`` minus ``Age`` (RFC 9111
  §5.2.2.1, §5.1), clamped to ``[min_ttl, max_ttl]``; ``no-store``/``no-cache`` give ``min_ttl``; no
  header gives ``default_ttl``.
* **Penalty box.** A ``kid`` not in a fresh set triggers a refetch only if the last fetch attempt was at
  least ``cooldown`` seconds ago; otherwise :class:`KeyNotFound` at once, so tokens with forged
  ``kid``s cannot make us hammer the IdP. The cooldown is per key source, i.e. per issuer.
* **Coalescing.** Concurrent refetches share one HTTP request (a lock for threads, one shared task
  per event loop for coroutines).
* **Outage.** When a refresh fails, the last good set keeps being used for ``stale_window`` seconds
  past its freshness (retrying at most once per ``cooldown``); after that, and when nothing was
  ever fetched, verification fails closed with :class:`JwksUnavailable`.
* **Discovery.** Without a ``jwks_uri``, it is read once from ``{issuer}/.well-known/openid-configuration``
  whose ``issuer`` must equal the configured one exactly (OpenID Connect Discovery 1.0 §4.3).
* **Transport.** httpx (imported on first fetch, to keep ``import authpool.guard`` light), no
  redirects, a timeout and a size bound; ``https`` only, except for loopback hosts or with
  ``allow_http=True``.

Time comes from the caller (``now``, seconds), so tests drive it without sleeping.
"""

from __future__ import annotations

import ipaddress
import logging
import math
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import urlsplit

from ..jose import JWK, JoseError, JWKSet, loads_object
from .errors import JwksUnavailable, KeyNotFound

if TYPE_CHECKING:
    import asyncio

log = logging.getLogger("authpool.guard.jwks")

Listener = Callable[[frozenset[str]], None]
_INF = math.inf
_MAX_AGE = re.compile(r"(?:^|[,\s])max-age\s*=\s*\"?(\d+)", re.IGNORECASE)
_NO_CACHE = re.compile(r"(?:^|[,\s])(?:no-store|no-cache)(?:$|[,\s=])", re.IGNORECASE)


def ttl_from_headers(headers: Mapping[str, str], *, default_ttl: float, min_ttl: float, max_ttl: float) -> float:
    """Freshness lifetime of a JWKS response, bounded (see module docstring)."""
    cache_control = headers.get("cache-control", "")
    if _NO_CACHE.search(cache_control):
        return min_ttl
    m = _MAX_AGE.search(cache_control)
    if m is None:
        ttl = default_ttl
    else:
        ttl = float(m.group(1))
        age = headers.get("age", "").strip()
        if age.isdigit():
            ttl -= int(age)
    return min(max(ttl, min_ttl), max_ttl)


def check_uri(uri: str, *, allow_http: bool) -> str:
    """Refuse key URLs that an on-path attacker could answer: only https, or http to a loopback host."""
    parts = urlsplit(uri)
    if parts.scheme == "https" and parts.hostname:
        return uri
    if parts.scheme == "http" and parts.hostname:
        host = parts.hostname
        loopback = host == "localhost"
        if not loopback:
            try:
                loopback = ipaddress.ip_address(host).is_loopback
            except ValueError:
                loopback = False
        if loopback or allow_http:
            return uri
        raise ValueError(f"refusing a plain-http key URL {uri!r}: use https, or pass allow_http=True")
    raise ValueError(f"not an http(s) URL: {uri!r}")


class StaticJwks:
    """A fixed key set given in code (offline use, tests): always fresh, never fetched."""

    fresh_until = _INF

    def __init__(self, jwks: Mapping[str, Any] | JWKSet | Iterable[JWK]) -> None:
        if isinstance(jwks, JWKSet):
            keys = jwks
        elif isinstance(jwks, Mapping):
            keys = JWKSet.from_dict(jwks)
        else:
            keys = JWKSet(jwks)
        if any(k.is_private for k in keys):
            keys = JWKSet(k.public() for k in keys)
        self.keys = keys
        self._by_kid = {k.kid: k for k in keys}

    def lookup(self, kid: str | None, now: float) -> JWK | None:
        return self._by_kid.get(kid)

    def get(self, kid: str | None, now: float) -> JWK:
        key = self._by_kid.get(kid)
        if key is None:
            raise KeyNotFound("no key with this kid in the configured JWKS", claim="kid", actual=kid)
        return key

    async def aget(self, kid: str | None, now: float) -> JWK:
        return self.get(kid, now)

    def add_listener(self, listener: Listener) -> None:  # keys never change
        pass

    def __repr__(self) -> str:
        return f"StaticJwks(kids={sorted(self._by_kid)})"


class _Snapshot(NamedTuple):
    by_kid: dict[str, JWK]
    fetched_at: float
    expires_at: float  # fresh until
    stale_until: float  # usable, if refreshing fails, until


class _FetchFailed(Exception):
    pass


def _reason(exc: BaseException) -> str:
    if isinstance(exc, _FetchFailed):
        return str(exc)
    log.exception("unexpected error while fetching a JWKS")
    return f"unexpected {type(exc).__name__}"


class RemoteJwks:
    """A remote JWK Set with the cache rules of this module's docstring."""

    def __init__(self, uri: str | None = None, *, issuer: str | None = None, min_ttl: float = 60.0,
                 max_ttl: float = 86400.0, default_ttl: float = 600.0, cooldown: float = 10.0,
                 stale_window: float = 3600.0, timeout: float = 5.0, max_bytes: int = 512 * 1024,
                 allow_http: bool = False, clock: Callable[[], float] = time.time,
                 http_client: Any = None, async_http_client: Any = None) -> None:
        if uri is None and issuer is None:
            raise ValueError("give the jwks_uri, or the issuer to discover it from")
        if not 0 <= min_ttl <= default_ttl <= max_ttl:
            raise ValueError("need 0 <= min_ttl <= default_ttl <= max_ttl")
        if cooldown < 0 or stale_window < 0 or timeout <= 0 or max_bytes <= 0:
            raise ValueError("cooldown, stale_window, timeout and max_bytes must be positive")
        self.allow_http = allow_http
        self.uri = check_uri(uri, allow_http=allow_http) if uri is not None else None
        self.issuer = issuer
        self.min_ttl, self.max_ttl, self.default_ttl = min_ttl, max_ttl, default_ttl
        self.cooldown, self.stale_window = cooldown, stale_window
        self.timeout, self.max_bytes = timeout, max_bytes
        self._clock = clock
        self._http, self._ahttp = http_client, async_http_client
        self._snapshot: _Snapshot | None = None
        self._last_attempt = -_INF
        self._last_error: str | None = None
        self._attempts = 0  # number of finished fetch attempts: lets coalesced waiters see one happened
        self._fetch_count = 0  # HTTP key-set requests made (for tests and metrics)
        self._fetch_lock = threading.Lock()  # one synchronous fetch at a time (coalescing)
        self._state_lock = threading.Lock()  # held only while a fetch result is applied
        self._task: asyncio.Task[None] | None = None
        self._listeners: list[Listener] = []

    def __repr__(self) -> str:
        return f"RemoteJwks(uri={self.uri!r}, issuer={self.issuer!r})"

    # -- state --------------------------------------------------------------------------------------------
    @property
    def fresh_until(self) -> float:
        snap = self._snapshot
        return snap.expires_at if snap is not None else -_INF

    @property
    def fetch_count(self) -> int:
        return self._fetch_count

    def kids(self) -> frozenset[str]:
        snap = self._snapshot
        return frozenset(snap.by_kid) if snap is not None else frozenset()

    def add_listener(self, listener: Listener) -> None:
        """``listener(removed_kids)`` is called when a refresh drops keys (the token cache flushes them)."""
        self._listeners.append(listener)

    # -- lookups ---------------------------------------------------------------------------------------------
    def lookup(self, kid: str | None, now: float) -> JWK | None:
        """The key, if the fresh cached set has it; no I/O."""
        snap = self._snapshot
        if snap is not None and now < snap.expires_at:
            return snap.by_kid.get(kid)  # type: ignore[arg-type]
        return None

    def get(self, kid: str | None, now: float) -> JWK:
        seen = self._attempts  # read before deciding, so a fetch that ends meanwhile is not repeated
        key = self._before_fetch(kid, now)
        if key is not None:
            return key
        self._refresh_sync(now, seen)
        return self._after_fetch(kid, now)

    async def aget(self, kid: str | None, now: float) -> JWK:
        key = self._before_fetch(kid, now)
        if key is not None:
            return key
        await self._refresh_async(now)
        return self._after_fetch(kid, now)

    def hydrate(self) -> None:
        """Fetch now (at start-up), so the first request doesn't wait; raise if that fails."""
        self._refresh_sync(self._clock(), force=True)
        if self._snapshot is None or self._last_error is not None:
            raise JwksUnavailable(f"could not load the JWKS: {self._last_error}")

    async def ahydrate(self) -> None:
        await self._refresh_async(self._clock(), force=True)
        if self._snapshot is None or self._last_error is not None:
            raise JwksUnavailable(f"could not load the JWKS: {self._last_error}")

    def _before_fetch(self, kid: str | None, now: float) -> JWK | None:
        """A usable key without fetching, or None when a fetch should be made; raises when neither."""
        snap = self._snapshot
        in_cooldown = now < self._last_attempt + self.cooldown
        if snap is not None and now < snap.expires_at:
            key = snap.by_kid.get(kid)  # type: ignore[arg-type]
            if key is not None:
                return key
            if in_cooldown:
                raise KeyNotFound("no key with this kid in the issuer's JWKS (refetch suppressed: penalty box)",
                                  claim="kid", actual=kid)
            return None
        if in_cooldown:  # a fetch just failed: don't hammer the IdP, answer from what we have
            return self._after_fetch(kid, now)
        return None

    def _after_fetch(self, kid: str | None, now: float) -> JWK:
        snap = self._snapshot
        if snap is None:
            raise JwksUnavailable(f"the issuer's JWKS could not be fetched: {self._last_error}")
        if now >= snap.stale_until:
            raise JwksUnavailable(f"the cached JWKS is past its stale window and refreshing fails: "
                                  f"{self._last_error}")
        key = snap.by_kid.get(kid)  # type: ignore[arg-type]
        if key is None:
            raise KeyNotFound("no key with this kid in the issuer's JWKS", claim="kid", actual=kid)
        return key

    # -- fetching ----------------------------------------------------------------------------------------------
    def _refresh_sync(self, now: float, seen: int | None = None, *, force: bool = False) -> None:
        if seen is None:
            seen = self._attempts
        with self._fetch_lock:
            if self._attempts != seen and not force:
                return  # another thread fetched while we waited: use its result
            try:
                keys, ttl = self._download_sync()
            except Exception as exc:  # noqa: BLE001 - any failure to get keys fails closed, below
                self._failed(_reason(exc), now)
            else:
                self._apply(keys, ttl, now)

    async def _refresh_async(self, now: float, *, force: bool = False) -> None:
        import asyncio  # already loaded in any program that awaits this; kept off the import path

        loop = asyncio.get_running_loop()
        task = self._task
        if force or task is None or task.done() or task.get_loop() is not loop:
            task = self._task = loop.create_task(self._download_async_and_apply(now))
        await asyncio.shield(task)

    async def _download_async_and_apply(self, now: float) -> None:
        try:
            keys, ttl = await self._download_async()
        except Exception as exc:  # noqa: BLE001 - any failure to get keys fails closed
            self._failed(_reason(exc), now)
        else:
            self._apply(keys, ttl, now)

    def _failed(self, reason: str, now: float) -> None:
        with self._state_lock:
            self._last_attempt, self._last_error = now, reason
            self._attempts += 1
        snap = self._snapshot
        if snap is not None and now < snap.stale_until:
            log.warning("JWKS refresh failed for %s (%s); using cached keys for up to %.0fs more",
                        self.uri or self.issuer, reason, snap.stale_until - now)
        else:
            log.error("JWKS fetch failed for %s (%s); no usable keys", self.uri or self.issuer, reason)

    def _apply(self, keys: JWKSet, ttl: float, now: float) -> None:
        by_kid = {k.kid: k for k in keys}
        with self._state_lock:
            old = self._snapshot
            self._snapshot = _Snapshot(by_kid, now, now + ttl, now + ttl + self.stale_window)
            self._last_attempt, self._last_error = now, None
            self._attempts += 1
        if old is not None:
            removed = frozenset(old.by_kid) - frozenset(by_kid)
            if removed:
                for listener in self._listeners:
                    listener(removed)

    def _parse(self, status: int, headers: Mapping[str, str], body: bytes, what: str) -> dict[str, Any]:
        if status != 200:
            raise _FetchFailed(f"{what} answered HTTP {status}")
        try:
            return loads_object(body, what)
        except JoseError as exc:
            raise _FetchFailed(str(exc)) from None

    def _discovered(self, doc: dict[str, Any]) -> str:
        if doc.get("issuer") != self.issuer:
            raise _FetchFailed("the discovery document's issuer does not match the configured issuer")
        uri = doc.get("jwks_uri")
        if not isinstance(uri, str):
            raise _FetchFailed("the discovery document has no jwks_uri")
        try:
            return check_uri(uri, allow_http=self.allow_http)
        except ValueError as exc:
            raise _FetchFailed(str(exc)) from None

    def _key_set(self, status: int, headers: Mapping[str, str], body: bytes) -> tuple[JWKSet, float]:
        doc = self._parse(status, headers, body, "JWKS")
        try:
            keys = JWKSet.from_dict(doc)
        except JoseError as exc:
            raise _FetchFailed(str(exc)) from None
        ttl = ttl_from_headers(headers, default_ttl=self.default_ttl, min_ttl=self.min_ttl, max_ttl=self.max_ttl)
        return keys, ttl

    def _discovery_url(self) -> str:
        assert self.issuer is not None
        url = self.issuer.rstrip("/") + "/.well-known/openid-configuration"
        try:
            return check_uri(url, allow_http=self.allow_http)
        except ValueError as exc:
            raise _FetchFailed(str(exc)) from None

    def _download_sync(self) -> tuple[JWKSet, float]:
        if self.uri is None:
            status, headers, body = self._get_sync(self._discovery_url())
            self.uri = self._discovered(self._parse(status, headers, body, "discovery document"))
        self._fetch_count += 1
        return self._key_set(*self._get_sync(self.uri))

    async def _download_async(self) -> tuple[JWKSet, float]:
        if self.uri is None:
            status, headers, body = await self._get_async(self._discovery_url())
            self.uri = self._discovered(self._parse(status, headers, body, "discovery document"))
        self._fetch_count += 1
        return self._key_set(*await self._get_async(self.uri))

    def _get_sync(self, url: str) -> tuple[int, Mapping[str, str], bytes]:
        import httpx

        try:
            if self._http is not None:
                return self._read_sync(self._http, url)
            with httpx.Client(timeout=self.timeout, follow_redirects=False, trust_env=False) as client:
                return self._read_sync(client, url)
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise _FetchFailed(f"{type(exc).__name__} fetching {url}") from None

    def _read_sync(self, client: Any, url: str) -> tuple[int, Mapping[str, str], bytes]:
        with client.stream("GET", url, headers={"accept": "application/json"}) as resp:
            body = bytearray()
            for chunk in resp.iter_bytes():
                body += chunk
                if len(body) > self.max_bytes:
                    raise _FetchFailed(f"{url} answered more than {self.max_bytes} bytes")
            return resp.status_code, resp.headers, bytes(body)

    async def _get_async(self, url: str) -> tuple[int, Mapping[str, str], bytes]:
        import httpx

        try:
            if self._ahttp is not None:
                return await self._read_async(self._ahttp, url)
            async with httpx.AsyncClient(timeout=self.timeout, follow_redirects=False, trust_env=False) as client:
                return await self._read_async(client, url)
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise _FetchFailed(f"{type(exc).__name__} fetching {url}") from None

    async def _read_async(self, client: Any, url: str) -> tuple[int, Mapping[str, str], bytes]:
        async with client.stream("GET", url, headers={"accept": "application/json"}) as resp:
            body = bytearray()
            async for chunk in resp.aiter_bytes():
                body += chunk
                if len(body) > self.max_bytes:
                    raise _FetchFailed(f"{url} answered more than {self.max_bytes} bytes")
            return resp.status_code, resp.headers, bytes(body)
