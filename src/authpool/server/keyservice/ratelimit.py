"""A token bucket per client for the decrypt endpoint (in-process, like the sign-in throttle).

Each (pool, client) may make ``burst`` requests at once and ``rate`` per second after that. A refused
request is told when to retry; the first refusal of a run is reported (``first``) so the caller audits
a throttled client once per run rather than once per request (an audit row per refused request would
let a throttled client fill the audit table). State is per process; memory is bounded (least
recently used keys are dropped first).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

DEFAULT_RATE = 50.0
DEFAULT_BURST = 200


@dataclass(frozen=True, slots=True)
class Verdict:
    allowed: bool
    retry_after: float = 0.0
    first: bool = False  # the first refusal since the client was last allowed


class TokenBucket:
    def __init__(self, rate: float = DEFAULT_RATE, burst: int = DEFAULT_BURST, *,
                 clock: Callable[[], float] = time.monotonic, max_keys: int = 10_000) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be > 0 and burst >= 1")
        self.rate, self.burst, self._clock, self._max_keys = rate, burst, clock, max_keys
        self._state: OrderedDict[str, tuple[float, float, bool]] = OrderedDict()  # tokens, last, refusing
        self._lock = threading.Lock()

    def take(self, key: str) -> Verdict:
        now = self._clock()
        with self._lock:
            tokens, last, refusing = self._state.get(key, (float(self.burst), now, False))
            tokens = min(float(self.burst), tokens + (now - last) * self.rate)
            if tokens >= 1.0:
                self._put(key, (tokens - 1.0, now, False))
                return Verdict(True)
            self._put(key, (tokens, now, True))
            return Verdict(False, retry_after=(1.0 - tokens) / self.rate, first=not refusing)

    def _put(self, key: str, value: tuple[float, float, bool]) -> None:
        self._state[key] = value
        self._state.move_to_end(key)
        while len(self._state) > self._max_keys:
            self._state.popitem(last=False)
