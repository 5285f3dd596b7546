"""The opt-in, bounded cache of verified tokens, for APIs that see the same token many times.

Keyed by the exact token string. A hit still checks ``exp`` (+ leeway) against the clock of the call,
and counts only while the issuer's key set is fresh (a due JWKS refresh sends the token through full
verification again); entries signed with a key that leaves the JWKS are dropped at once. Everything
else a verification checks is a function of the signed claims and the verifier's fixed settings, so
it cannot change between hits; the custom check, which may consult the outside world (a revocation
list), runs again on every hit. Eviction is first-in, first-out when ``max_entries`` is reached.
"""

from __future__ import annotations

import threading
from typing import Any, NamedTuple

from .claims import AccessClaims


class Entry(NamedTuple):
    claims: AccessClaims
    deadline: float  # exp + leeway: a hit is valid while now < deadline
    source: Any  # the issuer's key source; a hit also needs now < source.fresh_until
    kid: str
    issuer: Any  # the verifier's settings for this issuer (custom check)


class VerifiedTokenCache:
    """A bounded map token -> verified claims. Share one per verifier; thread-safe."""

    def __init__(self, max_entries: int = 4096) -> None:
        if max_entries <= 0:
            raise ValueError("max_entries must be positive")
        self.max_entries = max_entries
        self.entries: dict[str, Entry] = {}
        self._lock = threading.Lock()
        self._watched: set[int] = set()
        self.claimed = False  # a cache serves one verifier: its entries hold that verifier's verdicts

    def claim(self) -> None:
        """Called by the verifier that uses this cache; a second verifier is refused."""
        with self._lock:
            if self.claimed:
                raise ValueError("this VerifiedTokenCache already serves another verifier; give each its own")
            self.claimed = True

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, token: str, now: float) -> Entry | None:
        entry = self.entries.get(token)
        if entry is not None and now < entry.deadline and now < entry.source.fresh_until:
            return entry
        return None

    def put(self, token: str, entry: Entry) -> None:
        if entry.source.fresh_until == -float("inf"):
            return
        with self._lock:
            entries = self.entries
            if token not in entries:
                while len(entries) >= self.max_entries:
                    del entries[next(iter(entries))]
            entries[token] = entry
            if id(entry.source) not in self._watched:
                self._watched.add(id(entry.source))
                source = entry.source
                source.add_listener(lambda removed: self.drop_keys(source, removed))

    def drop_keys(self, source: Any, kids: frozenset[str]) -> None:
        """Forget tokens signed with ``kids`` of ``source`` (they just left the issuer's JWKS)."""
        with self._lock:
            stale = [t for t, e in self.entries.items() if e.source is source and e.kid in kids]
            for token in stale:
                del self.entries[token]

    def clear(self) -> None:
        with self._lock:
            self.entries.clear()
