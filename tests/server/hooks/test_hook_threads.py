"""Sync python hooks that never return (hooks/invokers/threads.py, python.py): they hold at most the
invoker's N threads; with all N stuck the next call fails closed at once (HookUnavailable
``HookThreadsExhausted``, not a wait for the timeout), other hooks keep running, and the pool
recovers when the handlers return. A real handler blocks on a threading.Event the test releases."""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import Future

import pytest
from prometheus_client import REGISTRY
from tests.server.hooks import handlers
from tests.server.hooks.conftest import H, claims_of
from tests.support.waiting import wait_until

from authpool.server import metrics  # noqa: F401 - registers the /metrics collectors
from authpool.server.hooks import HookTimeout, HookUnavailable
from authpool.server.hooks.invokers import PythonInvoker
from authpool.server.hooks.invokers.threads import DaemonPool, PoolExhausted, PoolStats

THREADS = 2


@pytest.fixture
def python_invoker():
    return PythonInvoker(max_workers=THREADS)


@pytest.fixture
def gate():
    handlers.gate.clear()
    yield handlers.gate
    handlers.gate.set()  # whatever happened, no handler waits on past the test


def test_stuck_handlers_hold_at_most_n_threads_then_calls_fail_closed_at_once(world, python_invoker, gate, caplog):
    caplog.set_level(logging.INFO, logger="authpool")
    world.hook(H + "blocked", timeout=0.2)
    for _ in range(THREADS):
        with pytest.raises(HookTimeout):
            world.sign_in()
    assert python_invoker.threads() == PoolStats(capacity=THREADS, threads=THREADS, busy=THREADS, stuck=THREADS,
                                                 refused=0)
    assert REGISTRY.get_sample_value("authpool_hook_threads_stuck") >= THREADS

    world.hook(H + "enrich", timeout=10)  # a handler that would answer, but no thread is free to run it
    started = time.monotonic()
    with pytest.raises(HookUnavailable) as refused:
        world.sign_in()
    assert time.monotonic() - started < 5  # at once, not after the 10 s timeout
    assert type(refused.value) is HookUnavailable and refused.value.reason == "HookThreadsExhausted"
    assert python_invoker.threads().refused == 1 and python_invoker.threads().threads == THREADS  # no new thread
    assert REGISTRY.get_sample_value("authpool_hook_threads_refused_total") >= 1
    assert sorted(e.detail["error"] for e in world.audit("hook.failed")) == ["hook_timeout"] * THREADS + [
        "hook_unavailable"]
    assert [handlers.seen] == [[]]  # the handler never ran

    world.hook(H + "enrich_async")  # async handlers do not use those threads
    assert claims_of(world.sign_in().access_token)["tenant_id"] == "t-1"

    full = [r for r in caplog.records if "runs a handler past its timeout" in r.getMessage()]
    assert len(full) == 1 and full[0].levelno == logging.WARNING
    text = " ".join(r.getMessage() for r in caplog.records)
    assert "alice" not in text and "eyJ" not in text and world.user.sub not in text

    gate.set()
    wait_until(lambda: python_invoker.threads().busy == 0, timeout=10.0)
    world.hook(H + "enrich")
    assert claims_of(world.sign_in().access_token)["tenant_id"] == "t-1"
    assert python_invoker.threads() == PoolStats(THREADS, THREADS, 0, 0, 1)
    assert any("stuck authpool-hook thread returned" in r.getMessage() for r in caplog.records)


def test_busy_threads_that_are_not_stuck_make_calls_wait_not_fail():
    pool = DaemonPool(1, name="test-hook")
    release = threading.Event()
    try:
        first = pool.submit(release.wait, 10)
        queued = pool.submit(lambda: "ran")  # the one thread is busy, not stuck: this waits its turn
        release.set()
        assert first.result(10) is True and queued.result(10) == "ran"
    finally:
        release.set()
        pool.close()


def test_a_call_given_up_before_it_started_is_dropped_not_counted_stuck():
    pool = DaemonPool(1, name="test-hook")
    release = threading.Event()
    try:
        running = pool.submit(release.wait, 10)
        wait_until(lambda: pool.stats().busy == 1, timeout=10.0)
        waiting = pool.submit(lambda: "never")
        pool.abandon(waiting)
        assert waiting.cancelled() and pool.stats().stuck == 0
        pool.abandon(running)
        assert pool.stats().stuck == 1
        with pytest.raises(PoolExhausted):
            pool.submit(lambda: "refused")
        release.set()
        wait_until(lambda: pool.stats().stuck == 0, timeout=10.0)
        assert pool.submit(lambda: "again").result(10) == "again"
        assert pool.stats() == PoolStats(1, 1, 0, 0, 1)
    finally:
        release.set()
        pool.close()


def test_abandoning_a_finished_call_counts_nothing():
    pool = DaemonPool(1, name="test-hook")
    try:
        done: Future = pool.submit(lambda: 1)
        assert done.result(10) == 1
        wait_until(lambda: pool.stats().busy == 0, timeout=10.0)
        pool.abandon(done)
        assert pool.stats().stuck == 0
    finally:
        pool.close()
