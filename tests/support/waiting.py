"""Polling for a condition another thread or process brings about, with the timeout as a bound."""

from __future__ import annotations

import time


def wait_until(predicate, timeout: float, interval: float = 0.05) -> float:
    """Seconds it took for ``predicate()`` to hold; AssertionError unless it held in under ``timeout``
    (a predicate that first holds after the deadline fails too: callers use the timeout as the bound).
    A predicate that raises has not held yet."""
    started = time.monotonic()
    while True:
        try:
            held = predicate()
        except Exception:  # noqa: BLE001 - not yet
            held = False
        elapsed = time.monotonic() - started
        if elapsed >= timeout:
            raise AssertionError(f"condition not met within {timeout}s")
        if held:
            return elapsed
        time.sleep(interval)
