"""authpool.server.pool.password_work: the process-wide bound on concurrent argon2id work, through
the PasswordHasher that every sign-in, sign-up and password change uses."""

from __future__ import annotations

import threading
import time

import argon2
import pytest

from authpool.server.errors import ServiceUnavailable, TooManyRequests
from authpool.server.pool import PasswordHasher
from authpool.server.pool.password_work import (
    PROCESS_LIMIT,
    PasswordWorkBusy,
    PasswordWorkLimit,
    default_capacity,
)

PASSWORD = "Corr3ct-Horse!"


class SlowArgon2(argon2.PasswordHasher):
    """Real argon2id work that does not finish until ``release`` is set; counts concurrent calls."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=8, parallelism=1, type=argon2.Type.ID)
        self.release = threading.Event()
        self.started = threading.Semaphore(0)
        self._lock = threading.Lock()
        self.running = self.most = 0

    def _slow(self, work):
        with self._lock:
            self.running += 1
            self.most = max(self.most, self.running)
        self.started.release()
        try:
            assert self.release.wait(10), "the test never released the slow work"
            return work()
        finally:
            with self._lock:
                self.running -= 1

    def hash(self, password, *, salt=None):
        return self._slow(lambda: super(SlowArgon2, self).hash(password, salt=salt))

    def verify(self, hash, password):
        return self._slow(lambda: super(SlowArgon2, self).verify(hash, password))


class FailingArgon2(argon2.PasswordHasher):
    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=8, parallelism=1, type=argon2.Type.ID)

    def hash(self, password, *, salt=None):
        raise MemoryError("argon2 could not allocate")


def wait_for(condition, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.005)


def in_thread(fn) -> tuple[threading.Thread, dict]:
    out: dict = {}

    def run():
        try:
            out["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            out["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, out


@pytest.fixture
def stored_hash() -> str:
    return PasswordHasher.fast_for_tests().hash(PASSWORD)


def test_a_full_limit_makes_the_next_check_wait_then_refuses_it(stored_hash):
    limit = PasswordWorkLimit(1, wait=0.3)
    slow = SlowArgon2()
    hasher = PasswordHasher(slow, limit=limit)
    holder, held = in_thread(lambda: hasher.verify(stored_hash, PASSWORD))
    assert slow.started.acquire(timeout=5)  # the first check is inside argon2, holding the only slot
    assert limit.in_use == 1

    started = time.monotonic()
    waiter, refused = in_thread(lambda: hasher.verify(stored_hash, PASSWORD))
    wait_for(lambda: limit.waiting == 1)  # the second check waits for the slot ...
    waiter.join(5)
    assert isinstance(refused.get("error"), PasswordWorkBusy)  # ... and is refused when the wait ends,
    assert time.monotonic() - started >= 0.25  # not before
    assert (limit.refused, limit.waiting, limit.in_use) == (1, 0, 1)
    assert slow.most == 1  # the refused check never ran argon2

    slow.release.set()
    holder.join(5)
    assert held == {"value": True}
    assert (limit.in_use, limit.waiting) == (0, 0)
    assert hasher.verify(stored_hash, PASSWORD)  # the slot is free again


def test_a_waiting_check_gets_the_slot_when_it_frees_up(stored_hash):
    limit = PasswordWorkLimit(1, wait=10)
    slow = SlowArgon2()
    hasher = PasswordHasher(slow, limit=limit)
    holder, held = in_thread(lambda: hasher.verify(stored_hash, PASSWORD))
    assert slow.started.acquire(timeout=5)
    waiter, waited = in_thread(lambda: hasher.verify(stored_hash, "Wr0ng-Horse!"))
    wait_for(lambda: limit.waiting == 1)
    slow.release.set()
    holder.join(5), waiter.join(5)
    assert held == {"value": True} and waited == {"value": False}
    assert (limit.in_use, limit.waiting, limit.refused, slow.most) == (0, 0, 0, 1)


def test_never_more_argon2_work_than_the_capacity(stored_hash):
    limit = PasswordWorkLimit(2, wait=10)
    slow = SlowArgon2()
    hasher = PasswordHasher(slow, limit=limit)
    threads = [in_thread(lambda: hasher.verify(stored_hash, PASSWORD)) for _ in range(6)]
    assert slow.started.acquire(timeout=5) and slow.started.acquire(timeout=5)
    wait_for(lambda: limit.waiting == 4)
    assert (slow.running, limit.in_use) == (2, 2)
    slow.release.set()
    for thread, _ in threads:
        thread.join(5)
    assert [out for _, out in threads] == [{"value": True}] * 6
    assert slow.most == 2 and (limit.in_use, limit.waiting, limit.refused) == (0, 0, 0)


def test_the_slot_is_released_when_the_work_fails(stored_hash):
    limit = PasswordWorkLimit(1, wait=0)  # a leaked slot would refuse every later call at once
    failing = PasswordHasher(FailingArgon2(), limit=limit)
    for _ in range(3):
        with pytest.raises(MemoryError):
            failing.hash(PASSWORD)
    assert limit.in_use == 0
    working = PasswordHasher.fast_for_tests(limit=limit)
    assert working.verify("not an argon2 hash", PASSWORD) is False  # malformed hash: False, slot back
    assert working.verify(stored_hash, "Wr0ng-Horse!") is False
    assert working.verify_dummy(PASSWORD) is False
    assert working.verify(working.hash(PASSWORD), PASSWORD)
    assert (limit.in_use, limit.refused) == (0, 0)


def test_a_refusal_leaves_the_counts_right():
    limit = PasswordWorkLimit(1, wait=0)
    with limit.slot():
        for _ in range(3):
            with pytest.raises(PasswordWorkBusy):
                PasswordHasher.fast_for_tests(limit=limit).verify_dummy(PASSWORD)
        assert (limit.in_use, limit.waiting, limit.refused) == (1, 0, 3)
    assert limit.in_use == 0


def test_busy_is_a_typed_temporary_refusal():
    error = PasswordWorkBusy()
    assert isinstance(error, ServiceUnavailable) and isinstance(error, TooManyRequests)
    assert error.code == "password_work_busy"
    assert error.message == "Too many sign-ins are in progress; try again later."


def test_growing_the_limit_wakes_waiters():
    limit = PasswordWorkLimit(1, wait=10)
    with limit.slot():
        waiter, out = in_thread(limit._acquire)
        wait_for(lambda: limit.waiting == 1)
        limit.configure(2, wait=10)
        waiter.join(5)
        assert "error" not in out and limit.in_use == 2
    limit._release()
    assert limit.in_use == 0


def test_configuration_bounds_and_default():
    assert default_capacity() >= 2
    assert PasswordWorkLimit().capacity == default_capacity()
    for capacity, wait in ((0, 1.0), (1, -1.0)):
        with pytest.raises(ValueError):
            PasswordWorkLimit(capacity, wait=wait)
    assert PasswordHasher().limit is PROCESS_LIMIT  # one bound per process unless a test injects its own
