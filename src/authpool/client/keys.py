"""The issuer's public keys for ID-token signatures: the guard's key sources, with the client's errors.

OIDC Core §10.1.1: the issuer publishes its keys at ``jwks_uri`` and rotates them. Fetching and caching
them is :mod:`authpool.guard.jwks`'s job (https only, or http to a loopback host; a bounded fetch; an
unknown ``kid`` refetches at most once per ``cooldown``; keys fetched earlier still verify when a refresh
fails; with none at all, fail closed). This module sets the client's defaults (a fixed ``max_age``, keys
kept for as long as refreshing fails) and maps the guard's key errors to the client's
:class:`KeyNotFound` / :class:`KeysUnavailable`, in one place.

The guard is imported when the first key source is built, not by ``import authpool.client``: importing
``authpool.guard`` loads the whole package.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from ..jose import JWK, JWKSet
from .errors import KeyNotFound, KeysUnavailable

if TYPE_CHECKING:
    import httpx

    from ..guard.jwks import RemoteJwks, StaticJwks


@contextmanager
def _client_errors() -> Iterator[None]:
    """The guard's key errors, raised as the client's own (same message, ``claim``)."""
    from ..guard import errors

    try:
        yield
    except errors.KeyNotFound as exc:
        raise KeyNotFound(exc.detail, claim="kid") from None
    except errors.JwksUnavailable as exc:
        raise KeysUnavailable(exc.detail) from None


class _Keys:
    """A guard key source asked with the validator's clock; ``.jwks`` is that source."""

    def __init__(self, jwks: StaticJwks | RemoteJwks, clock: Callable[[], float]) -> None:
        self.jwks, self._clock = jwks, clock

    def get(self, kid: str | None) -> JWK:
        with _client_errors():
            return self.jwks.get(kid, self._clock())

    async def aget(self, kid: str | None) -> JWK:
        with _client_errors():
            return await self.jwks.aget(kid, self._clock())

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.jwks!r})"


class StaticKeys(_Keys):
    """A JWK Set given in code (tests, offline use). Private members, if any, are dropped."""

    def __init__(self, jwks: Mapping[str, Any] | JWKSet | Iterable[JWK]) -> None:
        from ..guard.jwks import StaticJwks

        super().__init__(StaticJwks(jwks), time.time)


class RemoteKeys(_Keys):
    """The JWK Set at ``uri``, cached for ``max_age`` seconds, refetched for an unknown ``kid``."""

    def __init__(self, uri: str, *, max_age: float = 600.0, cooldown: float = 30.0, timeout: float = 5.0,
                 max_bytes: int = 256 * 1024, allow_http: bool = False, clock: Callable[[], float] = time.time,
                 http_client: httpx.Client | None = None,
                 async_http_client: httpx.AsyncClient | None = None) -> None:
        from ..guard.jwks import RemoteJwks

        jwks = RemoteJwks(uri, min_ttl=max_age, default_ttl=max_age, max_ttl=max_age, cooldown=cooldown,
                          stale_window=math.inf, timeout=timeout, max_bytes=max_bytes, allow_http=allow_http,
                          clock=clock, http_client=http_client, async_http_client=async_http_client)
        super().__init__(jwks, clock)


__all__ = ["RemoteKeys", "StaticKeys"]
