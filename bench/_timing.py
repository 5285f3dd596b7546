"""Shared timing helpers for the benchmarks: interleaved rounds, rates per CPU-second (median or best)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def rate(fn: Callable[[], object], *, seconds: float = 0.3) -> float:
    """Calls per CPU-second of ``fn`` over about ``seconds`` of this process's CPU time (after one
    warm-up call). CPU time, not wall time: on a shared 2-core machine other processes steal the
    core, and wall-clock rates then swing by 2x while CPU-time rates stay put."""
    fn()
    n, start = 0, time.process_time()
    deadline = start + seconds
    while True:
        for _ in range(20):
            fn()
        n += 20
        now = time.process_time()
        if now >= deadline:
            return n / (now - start)


def interleaved(cases: dict[str, Callable[[], object]], *, rounds: int = 5, seconds: float = 0.3,
                best: bool = False) -> dict[str, float]:
    """The rate of each case, measured in alternating rounds so drift hits all cases alike.

    The median round by default; ``best=True`` takes each case's fastest round instead: other
    processes only ever slow a round down (descheduling is not charged to CPU time, but cache and core
    contention are), so the fastest round is the least disturbed, for every case alike
    (bench_verify.py, whose cases differ by a few microseconds).
    """
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(rounds):
        for name, fn in cases.items():
            samples[name].append(rate(fn, seconds=seconds))
    pick = max if best else statistics.median
    return {name: pick(values) for name, values in samples.items()}
