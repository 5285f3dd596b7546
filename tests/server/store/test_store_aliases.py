"""authpool.server.store.aliases and migrations 0007 / 0011: sign-in aliases unique per pool in any
case, on SQLite and PostgreSQL; the backfill from the users' attributes, the re-keying in any case."""

from __future__ import annotations

import hashlib
import logging

import pytest
from alembic import command
from sqlalchemy import text

from authpool.server.errors import AlreadyExists, Kind, NotFound
from authpool.server.store import Database
from authpool.server.store.aliases import value_key
from authpool.server.store.migrate import alembic_config, upgrade


def _user(database, pool_id, name, **attributes) -> str:
    with database.transaction() as tx:
        return tx.users.create(pool_id, username=name, attributes=attributes).sub


def test_claim_hold_and_release(database, pool_id):
    alice, bob = _user(database, pool_id, "alice"), _user(database, pool_id, "bob")
    with database.transaction() as tx:
        tx.aliases.claim(pool_id, alice, "email", "a@example.com")
        tx.aliases.claim(pool_id, alice, "email", "a@example.com")  # again: no change
        tx.aliases.claim(pool_id, alice, "phone_number", "+15550100")
        assert tx.aliases.held(pool_id, alice) == {"email": value_key("a@example.com"),
                                                   "phone_number": value_key("+15550100")}
        assert tx.aliases.holder(pool_id, "email", "a@example.com") == alice
        assert tx.aliases.holder(pool_id, "email", "A@Example.COM") == alice  # in any case (migration 0011)
        assert tx.aliases.holder(pool_id, "phone_number", "a@example.com") is None  # per attribute
    with database.transaction() as tx:
        with pytest.raises(AlreadyExists) as taken:
            tx.aliases.claim(pool_id, bob, "email", "a@example.com")
        assert taken.value.kind is Kind.ALIAS
        with pytest.raises(AlreadyExists):  # a case variation is the same alias
            tx.aliases.claim(pool_id, bob, "email", "A@EXAMPLE.com")
        tx.aliases.claim(pool_id, bob, "email", "b@example.com")  # the transaction is still usable
    with database.transaction() as tx:
        tx.aliases.claim(pool_id, alice, "email", "new@example.com")  # replaces alice's e-mail alias
        assert tx.aliases.holder(pool_id, "email", "a@example.com") is None
        tx.aliases.claim(pool_id, bob, "email", "a@example.com")  # free again
        tx.aliases.release(pool_id, alice, ["email", "preferred_username"])
        assert tx.aliases.held(pool_id, alice) == {"phone_number": value_key("+15550100")}
        with pytest.raises(NotFound):
            tx.aliases.claim(pool_id, "00000000-0000-0000-0000-000000000000", "email", "x@example.com")


def test_aliases_are_per_pool_and_go_with_their_user(database, pool_id):
    with database.transaction() as tx:
        tx.pools.create(id="us-east-1_Other", name="other", settings={})
    alice, other = _user(database, pool_id, "alice"), _user(database, "us-east-1_Other", "alice")
    with database.transaction() as tx:
        tx.aliases.claim(pool_id, alice, "email", "a@example.com")
        tx.aliases.claim("us-east-1_Other", other, "email", "a@example.com")  # another pool: fine
    with database.transaction() as tx:
        tx.users.delete(pool_id, alice)
    with database.transaction() as tx:
        assert tx.aliases.holder(pool_id, "email", "a@example.com") is None
        assert tx.aliases.holder("us-east-1_Other", "email", "a@example.com") == other
        tx.pools.delete("us-east-1_Other")
    with database.transaction(readonly=True) as tx:
        assert tx.aliases.held("us-east-1_Other", other) == {}


def test_long_values_fit_the_unique_index(database, pool_id):
    """2048 four-byte characters: the key is a hash, so no btree entry limit applies."""
    value = "\U0001f600" * 2048
    alice = _user(database, pool_id, "alice")
    with database.transaction() as tx:
        tx.aliases.claim(pool_id, alice, "preferred_username", value)
        assert tx.aliases.holder(pool_id, "preferred_username", value) == alice


# -- migration 0007: the backfill ------------------------------------------------------------------------------

def test_migration_backfills_aliases_from_existing_users(fresh_database_url, clock, caplog):
    db = Database.from_url(fresh_database_url, clock=clock)
    upgrade(db.engine, "0006")
    pools = {"by_email": {"UsernameAttributes": ["email", "phone_number"]},
             "aliases": {"AliasAttributes": ["email", "preferred_username"]},
             "plain": {}}
    subs: dict[str, str] = {}
    with db.transaction() as tx:  # what 0006 data looks like: users and attributes, no alias rows
        for name, settings in pools.items():
            tx.pools.create(id=f"us-east-1_{name}", name=name, settings=settings)
        for pool, user, attributes in [
            ("by_email", "first", {"email": "dup@example.com", "phone_number": "+15550100"}),
            ("by_email", "second", {"email": "dup@example.com"}),  # the race this table closes
            ("by_email", "third", {"email": "dup@example.com", "phone_number": "+15550101"}),
            ("aliases", "verified", {"email": "v@example.com", "email_verified": "true",
                                     "preferred_username": "vee"}),
            ("aliases", "unverified", {"email": "v@example.com", "email_verified": "false"}),
            ("plain", "plain", {"email": "dup@example.com", "preferred_username": "vee"}),
        ]:
            clock.advance(1)  # creation order decides who keeps a duplicate
            subs[user] = tx.users.create(f"us-east-1_{pool}", username=user, attributes=attributes).sub
    caplog.set_level(logging.WARNING, logger="authpool.migrate")
    db.migrate()
    with db.transaction(readonly=True) as tx:
        held = {user: tx.aliases.held(tx.users.require_by_sub(pool, sub).pool_id, sub)
                for pool in [f"us-east-1_{p}" for p in pools] for user, sub in subs.items()
                if tx.users.get_by_sub(pool, sub)}
    assert held == {
        "first": {"email": value_key("dup@example.com"), "phone_number": value_key("+15550100")},
        "second": {},
        "third": {"phone_number": value_key("+15550101")},
        "verified": {"email": value_key("v@example.com"), "preferred_username": value_key("vee")},
        "unverified": {},
        "plain": {},
    }
    warnings = [r for r in caplog.records if r.name == "authpool.migrate"]
    assert len(warnings) == 1 and warnings[0].pool_id == "us-east-1_by_email"
    assert warnings[0].aliases == {"email": 2}
    assert "dup@example.com" not in caplog.text  # counts only, never the values
    db.dispose()


# -- migration 0011: keys in any case ---------------------------------------------------------------------------

def test_migration_rekeys_aliases_in_any_case_keeping_the_earliest(fresh_database_url, clock, caplog):
    def exact(value: str) -> str:  # the key as revisions 0007 to 0010 wrote it
        return hashlib.sha256(value.encode("utf-8")).hexdigest()

    db = Database.from_url(fresh_database_url, clock=clock)
    upgrade(db.engine, "0010")
    subs: dict[str, tuple[str, str]] = {}
    rows = [  # pool, user, attributes, the aliases it held under exact keys
        ("by_email", "first", {"email": "Dup@Example.com"}, ["email"]),
        ("by_email", "second", {"email": "dup@example.com"}, ["email"]),  # only the case differs: loses it
        ("by_email", "third", {"email": "other@example.com"}, ["email"]),
        ("aliases", "verified", {"email": "v@example.com", "email_verified": "true", "preferred_username": "Vee"},
         ["email", "preferred_username"]),
        ("aliases", "shouty", {"preferred_username": "VEE"}, ["preferred_username"]),  # loses it
        ("aliases", "gone", {}, ["preferred_username"]),  # a row whose attribute is gone: dropped
    ]
    alias_rows = []
    with db.transaction() as tx:
        for pool in ("by_email", "aliases"):
            settings = ({"UsernameAttributes": ["email"]} if pool == "by_email"
                        else {"AliasAttributes": ["email", "preferred_username"]})
            tx.pools.create(id=f"us-east-1_{pool}", name=pool, settings=settings)
        for pool, user, attributes, names in rows:
            clock.advance(1)  # creation order decides who keeps a duplicate
            sub = tx.users.create(f"us-east-1_{pool}", username=user, attributes=attributes).sub
            subs[user] = (f"us-east-1_{pool}", sub)
            alias_rows += [{"s": sub, "n": name, "p": f"us-east-1_{pool}", "k": exact(attributes.get(name, "x"))}
                           for name in names]
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO sign_in_aliases (user_sub, name, pool_id, value_key) "
                          "VALUES (:s, :n, :p, :k)"), alias_rows)
    caplog.set_level(logging.WARNING, logger="authpool.migrate")
    db.migrate()

    def held() -> dict[str, dict[str, str]]:
        with db.transaction(readonly=True) as tx:
            return {user: tx.aliases.held(pool, sub) for user, (pool, sub) in subs.items()}

    assert held() == {
        "first": {"email": value_key("dup@example.com")},
        "second": {},
        "third": {"email": value_key("other@example.com")},
        "verified": {"email": value_key("v@example.com"), "preferred_username": value_key("vee")},
        "shouty": {},
        "gone": {},
    }
    with db.transaction(readonly=True) as tx:
        assert tx.aliases.holder("us-east-1_by_email", "email", "DUP@example.COM") == subs["first"][1]
    warnings = [r for r in caplog.records if r.name == "authpool.migrate"]
    assert sorted((r.pool_id, r.aliases) for r in warnings) == [("us-east-1_aliases", {"preferred_username": 1}),
                                                               ("us-east-1_by_email", {"email": 1})]
    assert "example.com" not in caplog.text and "VEE" not in caplog.text  # counts only, never the values
    cfg = alembic_config()
    with db.engine.begin() as conn:  # and back: the exact keys again
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0010")
    assert held()["first"] == {"email": exact("Dup@Example.com")}
    assert held()["verified"]["preferred_username"] == exact("Vee")
    db.dispose()
