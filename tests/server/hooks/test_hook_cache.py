"""The customizer's cache: changes committed in this process are seen at once (any writer: the hook
admin, PoolService, a raw repository update), changes from elsewhere within the TTL, and a load that
raced an invalidation is not stored."""

from __future__ import annotations

import time

from tests.server.hooks import handlers
from tests.server.hooks.conftest import POOL, H, claims_of

from authpool.server.hooks import HookCustomizer
from authpool.server.hooks.cache import TTLCache, invalidate_all


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_ttl_cache_expiry_and_generations():
    clock = Clock()
    cache = TTLCache(1.0, clock=clock)
    cache.put("a", 1, cache.generation)
    assert cache.get("a") == 1
    clock.now += 1.5
    assert cache.get("a", "miss") == "miss"
    stale = cache.generation
    invalidate_all()  # e.g. a commit happened while a load was running
    cache.put("a", 2, stale)
    assert cache.get("a", "miss") == "miss"
    disabled = TTLCache(0)
    disabled.put("a", 1, disabled.generation)
    assert disabled.get("a") is None


def test_group_role_changes_in_this_process_are_seen_at_once(world):
    world.hook(H + "record", "V2_0")
    world.sign_in()
    with world.db.transaction() as tx:
        tx.groups.update(POOL, "staff", role_arn="arn:aws:iam::123456789012:role/staff", precedence=0)
    world.sign_in()
    config = handlers.seen[-1]["request"]["groupConfiguration"]
    assert config["preferredRole"] == "arn:aws:iam::123456789012:role/staff"


def test_changes_from_another_process_are_seen_within_the_ttl(database, world):
    customizer = HookCustomizer(database, cache_ttl=0.2)
    world.service.customizer = customizer
    world.sign_in()  # caches "no hook"
    settings = '{"SigningAlgorithm": "ES256", "LambdaConfig": {"PreTokenGeneration": "' + H + 'enrich"}}'
    with database.engine.begin() as conn:  # not through a Session: as another process's write looks here
        conn.exec_driver_sql("UPDATE user_pools SET settings = ? WHERE id = ?"
                             if database.dialect == "sqlite" else
                             "UPDATE user_pools SET settings = %s WHERE id = %s", (settings, POOL))
    assert "plan" not in claims_of(world.sign_in().id_token)  # not yet: cached
    time.sleep(0.25)
    assert claims_of(world.sign_in().id_token)["plan"] == "gold"
    customizer.close()
