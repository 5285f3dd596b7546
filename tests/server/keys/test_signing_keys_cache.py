"""The cached minter of SigningKeys (keys/service.py over server/cache.py): no store read per token,
rotation seen at once in this process and within the TTL from another; SQLite and PostgreSQL."""

from __future__ import annotations

import time

import pytest

from authpool.server.cache import non_blocking
from authpool.server.keys import SigningKeys
from authpool.server.pool import PoolService
from authpool.server.store.records import KeyPurpose, KeyState
from authpool.tokens import Session

POOL = "us-east-1_CachePool1"
ISSUER = f"http://127.0.0.1:8000/{POOL}"


@pytest.fixture
def pool(database):
    with database.transaction() as tx:
        tx.pools.create(id=POOL, name="cache", settings={})
    SigningKeys(database).ensure(POOL)
    return POOL


def access_kid(minter) -> str:
    session = Session(issuer=ISSUER, sub="s", client_id="c", auth_time=1, origin_jti="o")
    token = minter.mint_access_token(session, now=int(time.time()), ttl=300)
    import base64
    import json

    header = token.split(".")[0]
    return json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))["kid"]


def active_kid(database) -> str:
    with database.transaction(readonly=True) as tx:
        return tx.signing_keys.active(POOL, KeyPurpose.ACCESS).kid


def test_the_minter_is_built_once_and_served_from_memory(database, pool):
    keys = SigningKeys(database)
    first = keys.minter(POOL, ISSUER)
    with non_blocking():  # no store access allowed here
        assert keys.minter(POOL, ISSUER) is first
    assert access_kid(first) == active_kid(database)


def test_rotation_through_any_signing_keys_of_the_process_is_seen_at_once(database, pool):
    keys, admin = SigningKeys(database), SigningKeys(database)  # the server's and, say, the CLI's in-process
    before = access_kid(keys.minter(POOL, ISSUER))
    promoted = admin.rotate(POOL)[KeyPurpose.ACCESS.value]
    assert promoted != before
    assert access_kid(keys.minter(POOL, ISSUER)) == promoted == active_kid(database)


def test_rotation_behind_its_back_is_seen_within_the_ttl(database, pool):
    keys = SigningKeys(database, cache_ttl=0.2)
    before = access_kid(keys.minter(POOL, ISSUER))
    with database.transaction() as tx:  # another process promotes the next key
        upcoming = tx.signing_keys.list(POOL, purpose=KeyPurpose.ACCESS, states=[KeyState.NEXT])[0]
        tx.signing_keys.activate(upcoming.kid, retired_remove_after=int(time.time()) + 3600)
    assert access_kid(keys.minter(POOL, ISSUER)) == before  # the old key still signs (and stays in the JWKS)
    time.sleep(0.25)
    assert access_kid(keys.minter(POOL, ISSUER)) == upcoming.kid


def test_pool_deletion_forgets_its_keys(database, pool):
    keys = SigningKeys(database)
    keys.minter(POOL, ISSUER)
    PoolService(database).delete(POOL)
    with pytest.raises(Exception) as raised:  # NotFound(pool), from ensure()
        keys.minter(POOL, ISSUER)
    assert type(raised.value).__name__ == "NotFound"


def test_another_issuer_never_gets_a_minter_made_for_the_first(database, pool):
    keys = SigningKeys(database)
    assert keys.minter(POOL, ISSUER).issuer == ISSUER
    assert keys.minter(POOL, "https://other.example/" + POOL).issuer == "https://other.example/" + POOL
