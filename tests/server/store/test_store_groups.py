from __future__ import annotations

import pytest

from authpool.server.errors import AlreadyExists, Kind, NotFound


def test_crud(database, pool_id, clock):
    with database.transaction() as tx:
        g = tx.groups.create(pool_id, name="admins", description="Admins", precedence=1, role_arn="arn:x")
    assert (g.name, g.description, g.precedence, g.role_arn) == ("admins", "Admins", 1, "arn:x")
    clock.advance(3)
    with database.transaction() as tx:
        g2 = tx.groups.update(pool_id, "admins", description=None, precedence=5)
    assert g2.description is None and g2.precedence == 5 and g2.role_arn == "arn:x"
    assert g2.updated_at == g.updated_at + 3
    with database.transaction() as tx:
        tx.groups.delete(pool_id, "admins")
        assert tx.groups.get(pool_id, "admins") is None
        with pytest.raises(NotFound) as info:
            tx.groups.require(pool_id, "admins")
    assert info.value.kind is Kind.GROUP


def test_duplicate_and_unknown(database, pool_id):
    with database.transaction() as tx:
        tx.groups.create(pool_id, name="g")
    with pytest.raises(AlreadyExists), database.transaction() as tx:
        tx.groups.create(pool_id, name="g")
    with pytest.raises(NotFound) as info, database.transaction() as tx:
        tx.groups.create("us-east-1_nope", name="g")
    assert info.value.kind is Kind.POOL
    with database.transaction() as tx:
        with pytest.raises(NotFound):
            tx.groups.update(pool_id, "nope", precedence=1)
        with pytest.raises(NotFound):
            tx.groups.delete(pool_id, "nope")


def test_list_paginates_by_name(database, pool_id):
    with database.transaction() as tx:
        for name in ["c", "a", "e", "b", "d"]:
            tx.groups.create(pool_id, name=name)
    with database.transaction(readonly=True) as tx:
        p1 = tx.groups.list(pool_id, limit=3)
        p2 = tx.groups.list(pool_id, limit=3, next_token=p1.next_token)
    assert [g.name for g in p1.items] == ["a", "b", "c"]
    assert [g.name for g in p2.items] == ["d", "e"] and p2.next_token is None


def test_membership(database, pool_id, user_sub):
    with database.transaction() as tx:
        bob = tx.users.create(pool_id, username="bob").sub
        tx.groups.create(pool_id, name="readers", precedence=10)
        tx.groups.create(pool_id, name="admins", precedence=1)
        tx.groups.create(pool_id, name="misc")
        assert tx.groups.add_member(pool_id, "readers", user_sub) is True
        assert tx.groups.add_member(pool_id, "readers", user_sub) is False  # idempotent
        tx.groups.add_member(pool_id, "admins", user_sub)
        tx.groups.add_member(pool_id, "misc", user_sub)
        tx.groups.add_member(pool_id, "readers", bob)
    with database.transaction(readonly=True) as tx:
        assert [g.name for g in tx.groups.groups_for_user(pool_id, user_sub)] == ["admins", "readers", "misc"]
        assert sorted(tx.groups.member_subs(pool_id, "readers").items) == sorted([user_sub, bob])
        first = tx.groups.member_subs(pool_id, "readers", limit=1)
        second = tx.groups.member_subs(pool_id, "readers", limit=1, next_token=first.next_token)
        assert sorted(first.items + second.items) == sorted([user_sub, bob]) and second.next_token is None
    with database.transaction() as tx:
        assert tx.groups.remove_member(pool_id, "readers", user_sub) is True
        assert tx.groups.remove_member(pool_id, "readers", user_sub) is False
        assert tx.groups.member_subs(pool_id, "readers").items == [bob]
        tx.groups.delete(pool_id, "admins")  # memberships go with the group
        assert [g.name for g in tx.groups.groups_for_user(pool_id, user_sub)] == ["misc"]


def test_membership_refuses_foreign_users_and_unknown_groups(database, pool_id):
    with database.transaction() as tx:
        tx.pools.create(id="us-east-1_Other", name="o", settings={})
        stranger = tx.users.create("us-east-1_Other", username="eve").sub
        tx.groups.create(pool_id, name="g")
        with pytest.raises(NotFound) as info:
            tx.groups.add_member(pool_id, "g", stranger)
        assert info.value.kind is Kind.USER
        with pytest.raises(NotFound) as info:
            tx.groups.add_member(pool_id, "nope", stranger)
        assert info.value.kind is Kind.GROUP
        with pytest.raises(NotFound):
            tx.groups.member_subs(pool_id, "nope")
