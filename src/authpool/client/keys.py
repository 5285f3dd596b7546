"""The issuer's public keys for ID-token signatures: a static JWK Set, or a fetched and cached one.

OIDC Core §10.1.1: the issuer publishes its keys at ``jwks_uri``; when it rotates them, a token signed
with a new ``kid`` appears before our cache knows it, so an unknown ``kid`` triggers one refetch, at most
once per ``cooldown`` seconds (a token with a made-up ``kid`` must not make us hammer the issuer).
The fetch is bounded (timeout, no redirects, ``max_bytes``) and only over https, or plain http to a
loopback host (or on purpose with ``allow_http=True``). When a refresh fails, keys fetched earlier are
still used; with none at all the result is :class:`KeysUnavailable` (fail closed).
"""

from __future__ import annotations

import ipaddress
import json
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ..jose import JWK, JoseError, JWKSet
from .errors import KeyNotFound, KeysUnavailable

if TYPE_CHECKING:  # httpx is imported on the first fetch: importing it loads its CLI's dependencies too
    import httpx


def check_uri(uri: str, *, allow_http: bool) -> str:
    parts = urlsplit(uri)
    if parts.scheme == "https" and parts.hostname:
        return uri
    if parts.scheme == "http" and parts.hostname:
        host = parts.hostname
        try:
            loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = False
        if loopback or allow_http:
            return uri
        raise ValueError(f"refusing a plain-http key URL {uri!r}: use https, or pass allow_http=True")
    raise ValueError(f"not an http(s) URL: {uri!r}")


class StaticKeys:
    """A JWK Set given in code (tests, offline use). Private members, if any, are dropped."""

    def __init__(self, jwks: Mapping[str, Any] | JWKSet | Iterable[JWK]) -> None:
        keys = jwks if isinstance(jwks, JWKSet) else JWKSet.from_dict(jwks) if isinstance(jwks, Mapping) \
            else JWKSet(jwks)
        self._by_kid = {k.kid: (k.public() if k.is_private else k) for k in keys}

    def get(self, kid: str | None) -> JWK:
        key = self._by_kid.get(kid)  # type: ignore[arg-type]
        if key is None:
            raise KeyNotFound("no key with the token's kid in the configured JWK Set", claim="kid")
        return key

    async def aget(self, kid: str | None) -> JWK:
        return self.get(kid)


class RemoteKeys:
    """The JWK Set at ``uri``, cached for ``max_age`` seconds, refetched for an unknown ``kid``."""

    def __init__(self, uri: str, *, max_age: float = 600.0, cooldown: float = 30.0, timeout: float = 5.0,
                 max_bytes: int = 256 * 1024, allow_http: bool = False, clock: Callable[[], float] = time.time,
                 http_client: httpx.Client | None = None,
                 async_http_client: httpx.AsyncClient | None = None) -> None:
        self.uri = check_uri(uri, allow_http=allow_http)
        self.max_age, self.cooldown, self.timeout, self.max_bytes = max_age, cooldown, timeout, max_bytes
        self.clock = clock
        self._http, self._ahttp = http_client, async_http_client
        self._by_kid: dict[str, JWK] = {}
        self._fetched_at = -float("inf")  # last successful fetch
        self._tried_at = -float("inf")  # last attempt, successful or not
        self._lock = threading.Lock()

    # -- deciding ---------------------------------------------------------------------------------------
    def _cached(self, kid: str | None, now: float) -> JWK | None:
        if now - self._fetched_at < self.max_age:
            return self._by_kid.get(kid)  # type: ignore[arg-type]
        return None

    def _may_fetch(self, now: float) -> bool:
        return now - self._tried_at >= self.cooldown

    def _after_fetch(self, kid: str | None, error: str | None) -> JWK:
        key = self._by_kid.get(kid)  # type: ignore[arg-type]
        if key is not None:
            return key  # stale keys still verify when a refresh failed
        if error is not None and not self._by_kid:
            raise KeysUnavailable(f"the issuer's JWK Set could not be fetched: {error}")
        raise KeyNotFound("no key with the token's kid in the issuer's JWK Set", claim="kid")

    def _load(self, response: httpx.Response, body: bytes) -> None:
        if response.status_code != 200:
            raise ValueError(f"HTTP {response.status_code}")
        if len(body) > self.max_bytes:
            raise ValueError(f"larger than {self.max_bytes} bytes")
        try:
            keys = JWKSet.from_dict(json.loads(body))
        except (ValueError, JoseError) as exc:
            raise ValueError("not a JWK Set") from exc
        self._by_kid = {k.kid: k for k in keys if k.kid is not None}
        self._fetched_at = self._tried_at

    # -- sync -------------------------------------------------------------------------------------------
    def get(self, kid: str | None) -> JWK:
        now = self.clock()
        key = self._cached(kid, now)
        if key is not None:
            return key
        import httpx

        with self._lock:
            key = self._cached(kid, now)  # another thread may have fetched meanwhile
            if key is not None:
                return key
            error = None
            if self._may_fetch(now):
                self._tried_at = now
                try:
                    client = self._http or httpx.Client(timeout=self.timeout, follow_redirects=False)
                    try:
                        with client.stream("GET", self.uri, headers={"Accept": "application/json"}) as response:
                            self._load(response, _read_bounded(response.iter_bytes(), self.max_bytes))
                    finally:
                        if self._http is None:
                            client.close()
                except (httpx.HTTPError, ValueError) as exc:
                    error = type(exc).__name__ if isinstance(exc, httpx.HTTPError) else str(exc)
            return self._after_fetch(kid, error)

    # -- async ------------------------------------------------------------------------------------------
    async def aget(self, kid: str | None) -> JWK:
        now = self.clock()
        key = self._cached(kid, now)
        if key is not None:
            return key
        import httpx

        error = None
        if self._may_fetch(now):
            self._tried_at = now
            try:
                client = self._ahttp or httpx.AsyncClient(timeout=self.timeout, follow_redirects=False)
                try:
                    async with client.stream("GET", self.uri, headers={"Accept": "application/json"}) as response:
                        chunks = []
                        size = 0
                        async for chunk in response.aiter_bytes():
                            size += len(chunk)
                            if size > self.max_bytes:
                                raise ValueError(f"larger than {self.max_bytes} bytes")
                            chunks.append(chunk)
                        self._load(response, b"".join(chunks))
                finally:
                    if self._ahttp is None:
                        await client.aclose()
            except (httpx.HTTPError, ValueError) as exc:
                error = type(exc).__name__ if isinstance(exc, httpx.HTTPError) else str(exc)
        return self._after_fetch(kid, error)

    def __repr__(self) -> str:
        return f"RemoteKeys({self.uri!r}, kids={sorted(self._by_kid)})"


def _read_bounded(chunks: Iterable[bytes], limit: int) -> bytes:
    out, size = [], 0
    for chunk in chunks:
        size += len(chunk)
        if size > limit:
            raise ValueError(f"larger than {limit} bytes")
        out.append(chunk)
    return b"".join(out)


__all__ = ["RemoteKeys", "StaticKeys", "check_uri"]
