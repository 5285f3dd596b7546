"""Misuse signals: rejections counted by reason, and a distinct ``id_token_presented`` security event.

The event goes to the ``authpool.guard.security`` logger at WARNING with ``extra`` fields ``event``,
``issuer``, ``client`` and ``route``, so a team can find the clients that send ID tokens to APIs. The
issuer and client come from a token whose signature has been verified; the token itself, its
subject and any other claim are never logged.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

from .errors import TokenError, WrongTokenType

security_log = logging.getLogger("authpool.guard.security")
log = logging.getLogger("authpool.guard")

Listener = Callable[[TokenError, "str | None"], Any]
_MAX_FIELD = 200
_MAX_SOURCES = 1000  # distinct (issuer, client) pairs remembered; more are still logged and counted


def _field(value: Any) -> str | None:
    """A log-safe rendering: printable ASCII, bounded (no log injection through claim values)."""
    if value is None:
        return None
    text = value if isinstance(value, str) else repr(value)
    text = "".join(c if " " <= c <= "~" else "?" for c in text[:_MAX_FIELD])
    return text


class GuardSignals:
    """Counts rejections by ``TokenError.code``; calls listeners (e.g. to feed Prometheus)."""

    def __init__(self) -> None:
        self._counts: Counter[str] = Counter()
        self._id_token_sources: Counter[tuple[str | None, str | None]] = Counter()
        self._lock = threading.Lock()
        self._listeners: list[Listener] = []

    @property
    def counts(self) -> dict[str, int]:
        """A snapshot: ``{"token_expired": 3, "wrong_token_type": 1, "id_token_presented": 1, ...}``."""
        with self._lock:
            return dict(self._counts)

    @property
    def id_token_sources(self) -> dict[tuple[str | None, str | None], int]:
        """Who sends ID tokens to this API: ``{(issuer, client_id): count}``."""
        with self._lock:
            return dict(self._id_token_sources)

    def add_listener(self, listener: Listener) -> None:
        """``listener(error, route)`` is called for every rejection."""
        self._listeners.append(listener)

    def rejected(self, error: TokenError, route: str | None = None) -> None:
        id_token = isinstance(error, WrongTokenType) and error.id_token
        issuer, client = _field(error.issuer), _field(error.client)
        with self._lock:
            self._counts[error.code] += 1
            if id_token:
                self._counts["id_token_presented"] += 1
                if len(self._id_token_sources) < _MAX_SOURCES or (issuer, client) in self._id_token_sources:
                    self._id_token_sources[(issuer, client)] += 1
        if id_token:
            route_ = _field(route)
            security_log.warning(
                "id_token_presented: an ID token was sent where an access token is required "
                "(issuer=%s client=%s route=%s)", issuer, client, route_,
                extra={"event": "id_token_presented", "issuer": issuer, "client": client, "route": route_})
        else:
            log.debug("access token rejected: %s (route=%s)", error.code, _field(route))
        for listener in self._listeners:
            try:
                listener(error, route)
            except Exception:  # a metrics hook must never turn a 401 into a 500
                log.exception("guard signal listener failed")
