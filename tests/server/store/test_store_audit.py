from __future__ import annotations

import pytest


def test_record_and_list(database, pool_id, clock):
    with database.transaction() as tx:
        e1 = tx.audit.record(
            "user.created", pool_id=pool_id, actor="admin", target="sub-1", detail={"status": "x"}
        )
        tx.audit.record("client.created", pool_id=pool_id, actor="admin", target="c1")
        tx.audit.record("server.started")
    assert e1.at == clock.now and e1.detail == {"status": "x"} and e1.id > 0
    with database.transaction(readonly=True) as tx:
        assert [e.type for e in tx.audit.list().items] == ["user.created", "client.created", "server.started"]
        assert [e.target for e in tx.audit.list(pool_id=pool_id).items] == ["sub-1", "c1"]
        assert [e.type for e in tx.audit.list(type="client.created").items] == ["client.created"]
        assert [e.type for e in tx.audit.list(target="sub-1").items] == ["user.created"]
        p1 = tx.audit.list(limit=2)
        p2 = tx.audit.list(limit=2, next_token=p1.next_token)
        assert (
            len(p1.items) == 2 and [e.type for e in p2.items] == ["server.started"] and p2.next_token is None
        )


@pytest.mark.parametrize(
    "detail",
    [
        {"password": "x"},
        {"client_secret": "x"},
        {"refresh_token": "x"},
        {"code": "x"},
        {"nested": {"email": "a@b"}},
        {"list": [{"phone_number": "+1"}]},
        {"private_jwk": {}},
        {"username": "alice"},
    ],
)
def test_detail_refuses_secrets_and_pii(database, detail):
    with pytest.raises(ValueError, match="must not carry"), database.transaction() as tx:
        tx.audit.record("x", detail=detail)
