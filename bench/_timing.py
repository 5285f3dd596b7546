"""Shared timing helpers for the benchmarks: interleaved rounds, median rate per second."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def rate(fn: Callable[[], object], *, seconds: float = 0.3) -> float:
    """Calls per second of ``fn`` over about ``seconds`` (after one warm-up call)."""
    fn()
    n, start = 0, time.perf_counter()
    deadline = start + seconds
    while True:
        for _ in range(20):
            fn()
        n += 20
        now = time.perf_counter()
        if now >= deadline:
            return n / (now - start)


def interleaved(cases: dict[str, Callable[[], object]], *, rounds: int = 5, seconds: float = 0.3) -> dict[str, float]:
    """Median rate of each case, measured in alternating rounds so drift hits all cases alike."""
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(rounds):
        for name, fn in cases.items():
            samples[name].append(rate(fn, seconds=seconds))
    return {name: statistics.median(values) for name, values in samples.items()}
