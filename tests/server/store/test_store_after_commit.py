"""UnitOfWork.after_commit and the non_blocking guard of Database.transaction (store/db.py)."""

from __future__ import annotations

import pytest

from authpool.server.cache import WouldBlock, non_blocking


def test_after_commit_runs_once_the_transaction_has_committed(database):
    seen: list[bool] = []

    def check() -> None:  # a reader on another connection sees the row by now
        with database.transaction(readonly=True) as tx:
            seen.append(tx.pools.get("us-east-1_AfterCmt1") is not None)

    with database.transaction() as tx:
        tx.pools.create(id="us-east-1_AfterCmt1", name="p", settings={})
        tx.after_commit(check)
        assert seen == []
    assert seen == [True]


def test_after_commit_never_runs_after_a_rollback_or_in_a_read_only_transaction(database):
    ran: list[str] = []
    with pytest.raises(RuntimeError), database.transaction() as tx:
        tx.after_commit(lambda: ran.append("rolled back"))
        raise RuntimeError("abort")
    with database.transaction(readonly=True) as tx:
        tx.after_commit(lambda: ran.append("read only"))
    assert ran == []


def test_no_transaction_opens_inside_non_blocking(database):
    with non_blocking(), pytest.raises(WouldBlock), database.transaction(readonly=True):
        pass
    try:  # a BaseException: an ``except Exception`` on the way does not take it for a failure
        with non_blocking():
            try:
                with database.transaction():
                    pass
            except Exception:  # noqa: BLE001
                pytest.fail("WouldBlock was caught as an Exception")
    except WouldBlock:
        pass
    with database.transaction(readonly=True) as tx:  # and outside, all is as before
        assert tx.pools.get("nope") is None
