"""Prometheus metrics, exposed at ``/metrics``. Labels are route templates, never raw paths."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import Response

from .hooks.invokers import threads as hook_threads
from .pool.password_work import PROCESS_LIMIT, PasswordWorkLimit

REQUESTS = Counter("authpool_http_requests_total", "HTTP requests", ["method", "route", "status"])
REQUEST_LATENCY = Histogram("authpool_http_request_seconds", "HTTP request latency", ["route"],
                            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5))
TOKENS_ISSUED = Counter("authpool_tokens_issued_total", "Tokens issued", ["kind"])


class PasswordWorkCollector(Collector):
    """The process's bound on argon2id work (pool/password_work.py), read when scraped."""

    def __init__(self, limit: PasswordWorkLimit) -> None:
        self.limit = limit

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        limit = self.limit
        yield GaugeMetricFamily("authpool_password_work_capacity", "argon2id slots", value=limit.capacity)
        yield GaugeMetricFamily("authpool_password_work_in_use", "argon2id slots in use", value=limit.in_use)
        yield GaugeMetricFamily("authpool_password_work_waiting", "password checks waiting for a slot",
                                value=limit.waiting)
        yield CounterMetricFamily("authpool_password_work_refused", "password checks refused: no slot in time",
                                  value=limit.refused)


class HookThreadsCollector(Collector):
    """The threads sync python pre-token hooks run in (hooks/invokers/threads.py), read when scraped."""

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        t = hook_threads.totals()
        yield GaugeMetricFamily("authpool_hook_threads_capacity", "threads for sync python hooks", value=t.capacity)
        yield GaugeMetricFamily("authpool_hook_threads_busy", "threads running a sync python hook", value=t.busy)
        yield GaugeMetricFamily("authpool_hook_threads_stuck", "threads running a sync python hook past its timeout",
                                value=t.stuck)
        yield CounterMetricFamily("authpool_hook_threads_refused", "python hook calls failed at once: every thread stuck",
                                  value=t.refused)


REGISTRY.register(PasswordWorkCollector(PROCESS_LIMIT))
REGISTRY.register(HookThreadsCollector())


async def metrics_endpoint(request: Request) -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
