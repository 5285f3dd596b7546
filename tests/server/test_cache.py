"""authpool.server.cache: TTL, bound, invalidation by key and by name, the race rule, the hook point."""

from __future__ import annotations

import threading
import uuid

import pytest

from authpool.server import cache as cache_mod
from authpool.server.cache import Cache, add_listener, apply_remote, invalidate


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def name() -> str:
    return f"test-{uuid.uuid4().hex[:8]}"


def counting_loader(values: dict[str, object]):
    calls: list[str] = []

    def load(key: str):
        calls.append(key)
        return values.get(key)
    return load, calls


def test_caches_until_ttl_then_reloads():
    clock = Clock()
    c: Cache[str] = Cache(name(), ttl=5, clock=clock)
    load, calls = counting_loader({"a": "A"})
    assert c.get_or_load("a", lambda: load("a")) == "A"
    assert c.get_or_load("a", lambda: load("a")) == "A"
    assert calls == ["a"]
    assert c.get("a") == "A"
    clock.now += 5
    assert c.get("a") is None
    assert c.get_or_load("a", lambda: load("a")) == "A"
    assert calls == ["a", "a"]


def test_misses_are_not_cached():
    c: Cache[str] = Cache(name(), ttl=5, clock=Clock())
    values: dict[str, object] = {}
    load, calls = counting_loader(values)
    assert c.get_or_load("a", lambda: load("a")) is None
    values["a"] = "created elsewhere"
    assert c.get_or_load("a", lambda: load("a")) == "created elsewhere"
    assert calls == ["a", "a"]


def test_zero_ttl_never_stores():
    c: Cache[str] = Cache(name(), ttl=0, clock=Clock())
    load, calls = counting_loader({"a": "A"})
    c.get_or_load("a", lambda: load("a"))
    c.get_or_load("a", lambda: load("a"))
    assert calls == ["a", "a"] and len(c) == 0


def test_bounded_oldest_entry_goes_first():
    c: Cache[int] = Cache(name(), ttl=60, max_entries=3, clock=Clock())
    for i in range(5):
        c.get_or_load(str(i), lambda i=i: i)
    assert len(c) == 3
    assert [c.get(str(i)) for i in range(5)] == [None, None, 2, 3, 4]
    with pytest.raises(ValueError):
        Cache(name(), ttl=1, max_entries=0)


def test_invalidate_key_and_all_bump_the_generation():
    c: Cache[str] = Cache(name(), ttl=60, clock=Clock())
    c.get_or_load("a", lambda: "A")
    c.get_or_load("b", lambda: "B")
    g = c.generation
    c.invalidate("a")
    assert c.get("a") is None and c.get("b") == "B" and c.generation == g + 1
    c.invalidate_all()
    assert c.get("b") is None and len(c) == 0 and c.generation == g + 2
    c.invalidate("never-cached")  # harmless


def test_a_load_that_raced_with_an_invalidation_is_returned_but_not_stored():
    c: Cache[str] = Cache(name(), ttl=60, clock=Clock())

    def load_then_commit_elsewhere():
        c.invalidate("a")  # a writer commits while this reader is loading the old row
        return "old"
    assert c.get_or_load("a", load_then_commit_elsewhere) == "old"
    assert c.get("a") is None
    assert c.get_or_load("a", lambda: "new") == "new"
    assert c.get("a") == "new"


def test_invalidation_reaches_every_cache_of_the_name_and_the_listeners():
    n = name()
    one: Cache[str] = Cache(n, ttl=60, clock=Clock())
    two: Cache[str] = Cache(n, ttl=60, clock=Clock())
    other: Cache[str] = Cache(name(), ttl=60, clock=Clock())
    for c in (one, two, other):
        c.get_or_load("k", lambda: "v")
    heard: list[tuple[str, str | None]] = []
    remove = add_listener(lambda cache_name, key: heard.append((cache_name, key)))
    try:
        one.invalidate("k")
        assert two.get("k") is None and other.get("k") == "v"
        invalidate(n)
        assert heard == [(n, "k"), (n, None)]
    finally:
        remove()
    one.invalidate("k")
    assert len(heard) == 2  # removed listeners hear nothing


def test_apply_remote_invalidates_without_echo():
    n = name()
    c: Cache[str] = Cache(n, ttl=60, clock=Clock())
    c.get_or_load("k", lambda: "v")
    heard: list[tuple[str, str | None]] = []
    remove = add_listener(lambda cache_name, key: heard.append((cache_name, key)))
    try:
        apply_remote(n, "k")
        assert c.get("k") is None and heard == []
    finally:
        remove()


def test_a_failing_listener_does_not_stop_the_invalidation_or_the_others(caplog):
    c: Cache[str] = Cache(name(), ttl=60, clock=Clock())
    c.get_or_load("k", lambda: "v")
    heard: list[str | None] = []

    def broken(cache_name, key):
        raise ConnectionError("channel down")
    removers = [add_listener(broken), add_listener(lambda cache_name, key: heard.append(key))]
    try:
        c.invalidate("k")
    finally:
        for remove in removers:
            remove()
    assert c.get("k") is None and heard == ["k"]
    assert "ConnectionError" in caplog.text and "channel down" not in caplog.text


def test_dead_caches_leave_the_registry():
    n = name()
    Cache(n, ttl=1)
    import gc
    gc.collect()
    assert len(cache_mod._registry[n]) == 0


def test_concurrent_loads_and_invalidations_never_leave_a_stale_value():
    """A writer changes the source then invalidates (after its commit); readers load concurrently.
    Once the writer is done, what the cache answers is the last written value."""
    c: Cache[int] = Cache(name(), ttl=60)
    source = {"v": 0}
    stop = threading.Event()

    def reader():
        while not stop.is_set():
            c.get_or_load("k", lambda: source["v"])
    threads = [threading.Thread(target=reader) for _ in range(4)]
    for t in threads:
        t.start()
    for i in range(1, 2000):
        source["v"] = i
        c.invalidate("k")
    stop.set()
    for t in threads:
        t.join()
    assert c.get_or_load("k", lambda: source["v"]) == 1999


def test_non_blocking_serves_hits_and_refuses_misses_without_loading():
    c: Cache[str] = Cache(name(), ttl=60, clock=Clock())
    c.get_or_load("hit", lambda: "H")
    loads: list[str] = []
    with cache_mod.non_blocking():
        assert c.get_or_load("hit", lambda: loads.append("hit") or "again") == "H"
        with pytest.raises(cache_mod.WouldBlock):
            c.get_or_load("miss", lambda: loads.append("miss") or "M")
        with pytest.raises(cache_mod.WouldBlock):
            cache_mod.about_to_block()
    assert loads == []
    cache_mod.about_to_block()  # outside: nothing happens
    assert c.get_or_load("miss", lambda: "M") == "M"


def test_an_expired_entry_is_reloaded_by_one_non_blocking_reader_while_the_others_keep_it_briefly():
    clock = Clock()
    c: Cache[str] = Cache(name(), ttl=5, clock=clock)
    c.get_or_load("k", lambda: "old")
    clock.now += 5  # expired
    with cache_mod.non_blocking():
        with pytest.raises(cache_mod.WouldBlock):  # the first goes to reload it (in a thread)
            c.get_or_load("k", lambda: "never called")
        assert c.get_or_load("k", lambda: "never called") == "old"  # the others: no queue on the store
        clock.now += cache_mod.REFRESH_GRACE  # but not for longer than the grace
        with pytest.raises(cache_mod.WouldBlock):
            c.get_or_load("k", lambda: "never called")
    assert c.get_or_load("k", lambda: "new") == "new"  # the reload, where blocking is allowed
    clock.now += 5
    with cache_mod.non_blocking(), pytest.raises(cache_mod.WouldBlock):
        c.get_or_load("k", lambda: "x")
    c.invalidate("k")  # an invalidated entry is never served, refreshing or not
    with cache_mod.non_blocking(), pytest.raises(cache_mod.WouldBlock):
        c.get_or_load("k", lambda: "x")


def test_a_failed_reload_lets_the_next_reader_try_again():
    clock = Clock()
    c: Cache[str] = Cache(name(), ttl=5, clock=clock)
    c.get_or_load("k", lambda: "old")
    clock.now += 5
    with cache_mod.non_blocking(), pytest.raises(cache_mod.WouldBlock):
        c.get_or_load("k", lambda: "x")

    def broken():
        raise ConnectionError("store down")
    with pytest.raises(ConnectionError):
        c.get_or_load("k", broken)
    with cache_mod.non_blocking(), pytest.raises(cache_mod.WouldBlock):  # not stuck serving the old value
        c.get_or_load("k", lambda: "x")


def test_per_record_values_follow_the_record_object():
    """cache.PerRecord: a value derived once per record object; a reloaded record (another object, as the
    cache hands out after an invalidation or expiry) is derived again, even when equal."""
    from dataclasses import dataclass

    from authpool.server.cache import PerRecord

    @dataclass(frozen=True)
    class Record:
        key: str
        value: int

    calls: list[Record] = []

    def derive(record: Record) -> int:
        calls.append(record)
        return record.value * 2

    derived = PerRecord(derive, key=lambda r: r.key, max_entries=2)
    first = Record("a", 1)
    assert derived(first) == 2 and derived(first) == 2 and calls == [first]
    changed = Record("a", 5)
    assert derived(changed) == 10 and len(calls) == 2
    reloaded = Record("a", 5)  # equal, but another object: derived again
    assert derived(reloaded) == 10 and len(calls) == 3
    assert derived(Record("b", 1)) == 2 and derived(Record("c", 1)) == 2  # past max_entries: starts over
    assert derived(reloaded) == 10 and len(calls) == 6
