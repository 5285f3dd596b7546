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
        self._lock = threading.Lock()
        self._listeners: list[Listener] = []

    @property
    def counts(self) -> dict[str, int]:
        """A snapshot: ``{"token_expired": 3, "wrong_token_type": 1, ...}``."""
        with self._lock:
            return dict(self._counts)

    def add_listener(self, listener: Listener) -> None:
        """``listener(error, route)`` is called for every rejection."""
        self._listeners.append(listener)

    def rejected(self, error: TokenError, route: str | None = None) -> None:
        with self._lock:
            self._counts[error.code] += 1
        if isinstance(error, WrongTokenType) and error.id_token:
            issuer, client, route_ = _field(error.issuer), _field(error.client), _field(route)
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
