"""store/commit_events.py: a callback after each commit that wrote a watched kind of row, on both stores."""

from __future__ import annotations

import pytest

from authpool.server.errors import AlreadyExists
from authpool.server.store.commit_events import on_commit_writing
from authpool.server.store.models import Group

_commits: list[str] = []
on_commit_writing((Group,), "authpool_test_commit_events", lambda: _commits.append("commit"))


@pytest.fixture
def commits(pool_id) -> list[str]:
    _commits.clear()  # the pool the fixture created is no group
    return _commits


def test_added_updated_and_deleted_rows_call_back_once_per_commit(database, pool_id, commits):
    with database.transaction() as tx:  # after_flush: an added row
        tx.groups.create(pool_id, name="g1")  # inside a savepoint (Repository._add)
        tx.groups.create(pool_id, name="g2")
        assert commits == []  # a released savepoint is not the commit: a reader would still load the old rows
    assert commits == ["commit"]
    with database.transaction() as tx:  # do_orm_execute: an UPDATE statement
        tx.groups.update(pool_id, "g1", description="d")
    with database.transaction() as tx:  # do_orm_execute: a DELETE statement
        tx.groups.delete(pool_id, "g2")
    assert commits == ["commit"] * 3


def test_no_call_back_for_other_rows_a_read_or_a_rollback(database, pool_id, commits):
    with database.transaction() as tx:
        tx.pools.create(id="us-east-1_OtherRow1", name="p", settings={})
    with database.transaction(readonly=True) as tx:
        tx.groups.list(pool_id)
    with pytest.raises(RuntimeError), database.transaction() as tx:
        tx.groups.create(pool_id, name="g1")
        tx.groups.update(pool_id, "g1", description="d")
        raise RuntimeError("abort")
    assert commits == []
    with database.transaction() as tx:  # the rolled-back mark does not carry over
        tx.pools.get(pool_id)
    assert commits == []


def test_a_savepoint_rolled_back_keeps_the_mark_of_earlier_writes(database, pool_id, commits):
    with database.transaction() as tx:
        tx.groups.create(pool_id, name="g1")
    commits.clear()
    with database.transaction() as tx:
        tx.groups.update(pool_id, "g1", description="d")
        with pytest.raises(AlreadyExists):  # its savepoint rolls back, the transaction goes on
            tx.groups.create(pool_id, name="g1")
    assert commits == ["commit"]
