"""authpool.server.pool.sign_in_aliases through UserService: an e-mail, phone number or
preferred_username names at most one user of a pool, on creation and on every attribute change, and
the store's unique index holds when two transactions race past the friendly check (PostgreSQL READ
COMMITTED: each misses the other's uncommitted user)."""

from __future__ import annotations

import threading
import time

import pytest

from authpool.server.errors import AlreadyExists, InvalidParameter, Kind
from authpool.server.pool import UserService

PW = "Correct-Horse-9"
TAKEN = "An account with the given email already exists."


@pytest.fixture
def by_email(pools):
    return pools.create("sign in with e-mail or phone", settings={"UsernameAttributes": ["email", "phone_number"]})


@pytest.fixture
def by_alias(pools):
    return pools.create("aliases", settings={"AliasAttributes": ["email", "phone_number", "preferred_username"]})


def _held(database, pool_id: str, sub: str) -> set[str]:
    with database.transaction(readonly=True) as tx:
        return set(tx.aliases.held(pool_id, sub))


def _count(database, table: str) -> int:
    with database.engine.connect() as conn:
        return conn.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar()


# -- pools that sign in with e-mail / phone ------------------------------------------------------------------

def test_creating_with_a_taken_email_or_phone_is_username_exists(users, by_email, database):
    rosa = users.sign_up(by_email.id, "rosa@example.com", PW, attributes={"phone_number": "+15550100"})
    assert _held(database, by_email.id, rosa.sub) == {"email", "phone_number"}
    for create in (lambda: users.sign_up(by_email.id, "rosa@example.com", PW),
                   lambda: users.admin_create(by_email.id, "rosa@example.com")):
        with pytest.raises(AlreadyExists) as taken:
            create()
        assert (taken.value.kind, taken.value.message) == (Kind.USER, TAKEN)
    with pytest.raises(AlreadyExists, match="given phone number already exists") as phone:
        users.sign_up(by_email.id, "other@example.com", PW, attributes={"phone_number": "+15550100"})
    assert phone.value.kind is Kind.USER
    assert [u.sub for u in users.list(by_email.id).items] == [rosa.sub]  # nothing of the refused ones


def test_changing_to_an_email_another_user_signs_in_with_is_alias_exists(users, by_email, database):
    rosa = users.sign_up(by_email.id, "rosa@example.com", PW, confirmed=True)
    sam = users.sign_up(by_email.id, "sam@example.com", PW, confirmed=True)
    for as_admin in (True, False):  # AdminUpdateUserAttributes, UpdateUserAttributes
        with pytest.raises(AlreadyExists) as taken:
            users.update_attributes(by_email.id, sam.sub, {"email": "rosa@example.com", "name": "Sam"},
                                    as_admin=as_admin)
        assert (taken.value.kind, taken.value.message) == (Kind.ALIAS, TAKEN)
    assert users.get(by_email.id, sam.sub).attributes["email"] == "sam@example.com"  # rolled back
    assert "name" not in users.get(by_email.id, sam.sub).attributes
    assert users.authenticate(by_email.id, "sam@example.com", PW).sub == sam.sub

    users.update_attributes(by_email.id, rosa.sub, {"email": "rosa@new.example.com"})  # releases the old one
    assert users.authenticate(by_email.id, "rosa@new.example.com", PW).sub == rosa.sub
    users.update_attributes(by_email.id, sam.sub, {"email": "rosa@example.com"})
    assert users.get(by_email.id, "rosa@example.com").sub == sam.sub
    users.update_attributes(by_email.id, sam.sub, {"name": "Sam"})  # unrelated change: still fine
    users.delete(by_email.id, sam.sub)  # deleting a user frees their e-mail
    assert users.sign_up(by_email.id, "rosa@example.com", PW).attributes["email"] == "rosa@example.com"


def test_adding_a_taken_phone_number_is_alias_exists(users, by_email):
    users.sign_up(by_email.id, "rosa@example.com", PW, attributes={"phone_number": "+15550100"})
    sam = users.sign_up(by_email.id, "sam@example.com", PW)
    with pytest.raises(AlreadyExists, match="given phone number already exists") as taken:
        users.update_attributes(by_email.id, sam.sub, {"phone_number": "+15550100"})
    assert taken.value.kind is Kind.ALIAS


# -- pools with alias attributes ----------------------------------------------------------------------------

def test_an_email_is_an_alias_once_verified(users, by_alias, database):
    ann = users.sign_up(by_alias.id, "ann", PW, attributes={"email": "a@example.com"}, confirmed=True)
    bea = users.sign_up(by_alias.id, "bea", PW, attributes={"email": "a@example.com"}, confirmed=True)
    assert _held(database, by_alias.id, ann.sub) == set()  # unverified: nobody's alias yet
    users.update_attributes(by_alias.id, "ann", {"email_verified": "true"})
    assert _held(database, by_alias.id, ann.sub) == {"email"}
    with pytest.raises(AlreadyExists) as taken:
        users.update_attributes(by_alias.id, "bea", {"email_verified": "true"})
    assert (taken.value.kind, taken.value.message) == (Kind.ALIAS, TAKEN)
    with pytest.raises(AlreadyExists) as created:  # AdminCreateUser with a verified address
        users.admin_create(by_alias.id, "cat", attributes={"email": "a@example.com", "email_verified": "true"})
    assert created.value.kind is Kind.ALIAS  # not the user name: AliasExistsException
    users.update_attributes(by_alias.id, "ann", {"email": "ann@example.com"})  # changed -> unverified
    assert _held(database, by_alias.id, ann.sub) == set()
    users.update_attributes(by_alias.id, "bea", {"email_verified": "true"})
    assert users.authenticate(by_alias.id, "a@example.com", PW).sub == bea.sub


def test_preferred_username_is_unique_and_deleting_it_frees_it(users, by_alias):
    users.sign_up(by_alias.id, "ann", PW, attributes={"preferred_username": "captain"})
    users.sign_up(by_alias.id, "bea", PW)
    with pytest.raises(AlreadyExists, match="given preferred username already exists"):
        users.update_attributes(by_alias.id, "bea", {"preferred_username": "captain"})
    users.delete_attributes(by_alias.id, "ann", ["preferred_username"])
    users.update_attributes(by_alias.id, "bea", {"preferred_username": "captain"})


def test_other_pools_keep_no_aliases(users, pool, database):
    """A pool without sign-in options: the same e-mail on two users is fine, as in Cognito."""
    a = users.sign_up(pool.id, "ann", PW, attributes={"email": "a@example.com", "email_verified": "true"})
    users.sign_up(pool.id, "bea", PW, attributes={"email": "a@example.com", "email_verified": "true"})
    assert _held(database, pool.id, a.sub) == set()


def test_a_duplicate_older_than_the_table_blocks_nothing_else(users, by_email, database):
    """Data from before migration 0007: two users with one e-mail, the alias on the first. The second
    can still change other attributes (or its e-mail); nobody new can take the address."""
    with database.transaction() as tx:
        first = tx.users.create(by_email.id, username="u1", attributes={"email": "dup@example.com"})
        second = tx.users.create(by_email.id, username="u2", attributes={"email": "dup@example.com"})
        tx.aliases.claim(by_email.id, first.sub, "email", "dup@example.com")
    users.update_attributes(by_email.id, "u2", {"name": "Second"})
    assert _held(database, by_email.id, second.sub) == set()
    users.update_attributes(by_email.id, "u1", {"email": "one@example.com"})
    with pytest.raises(AlreadyExists):  # u2 still signs in with it: the read sees that
        users.sign_up(by_email.id, "dup@example.com", PW)


def test_sign_in_options_cannot_change_after_creation(pools, by_email, by_alias):
    with pytest.raises(InvalidParameter, match="UsernameAttributes cannot be changed"):
        pools.update(by_email.id, settings={"UsernameAttributes": ["email"]})
    with pytest.raises(InvalidParameter, match="AliasAttributes cannot be changed"):
        pools.update(by_alias.id, settings={"AliasAttributes": ["email"]}, merge=True)
    kept = pools.update(by_email.id, settings={"AutoVerifiedAttributes": ["email"]})  # UpdateUserPool: left out
    assert kept.settings["UsernameAttributes"] == ["email", "phone_number"]
    same = pools.update(by_alias.id, settings={"AliasAttributes": ["preferred_username", "email", "phone_number"]})
    assert same.settings["AliasAttributes"] == ["email", "phone_number", "preferred_username"]


# -- case: the pools are CaseSensitive: false, and so are these aliases ---------------------------------------

def test_email_sign_in_names_match_in_any_case_and_keep_their_case(users, by_email, database):
    rosa = users.sign_up(by_email.id, "Rosa@Example.com", PW, confirmed=True)
    assert rosa.attributes["email"] == "Rosa@Example.com"  # stored as typed
    for typed in ("rosa@example.com", "ROSA@EXAMPLE.COM", "Rosa@Example.com"):
        assert users.authenticate(by_email.id, typed, PW).sub == rosa.sub
    for create in (lambda: users.sign_up(by_email.id, "rosa@EXAMPLE.com", PW),
                   lambda: users.admin_create(by_email.id, "ROSA@example.com")):
        with pytest.raises(AlreadyExists) as taken:
            create()
        assert (taken.value.kind, taken.value.message) == (Kind.USER, TAKEN)
    sam = users.sign_up(by_email.id, "sam@example.com", PW, confirmed=True)
    with pytest.raises(AlreadyExists) as alias:
        users.update_attributes(by_email.id, sam.username, {"email": "rOSA@example.com"}, as_admin=True)
    assert alias.value.kind is Kind.ALIAS
    users.update_attributes(by_email.id, rosa.username, {"email": "rosa@example.com"}, as_admin=True)  # her own
    assert _held(database, by_email.id, rosa.sub) == {"email"}
    assert users.authenticate(by_email.id, "ROSA@example.com", PW).sub == rosa.sub


def test_alias_attributes_match_in_any_case(users, by_alias):
    ann = users.sign_up(by_alias.id, "ann", PW, confirmed=True,
                        attributes={"email": "Ann@Example.com", "email_verified": "true", "preferred_username": "Captain"})
    bea = users.sign_up(by_alias.id, "bea", PW, confirmed=True)
    for typed in ("ann@example.com", "ANN@EXAMPLE.COM", "captain", "CAPTAIN"):
        assert users.authenticate(by_alias.id, typed, PW).sub == ann.sub
    for attributes, what in [({"email": "ann@EXAMPLE.com", "email_verified": "true"}, "email"),
                             ({"preferred_username": "cAPTAIN"}, "preferred username")]:
        with pytest.raises(AlreadyExists, match=f"given {what} already exists") as taken:
            users.update_attributes(by_alias.id, "bea", attributes, as_admin=True)
        assert taken.value.kind is Kind.ALIAS
    with pytest.raises(AlreadyExists, match="given preferred username already exists"):
        users.sign_up(by_alias.id, "cat", PW, attributes={"preferred_username": "captain"})
    users.update_attributes(by_alias.id, "bea", {"email": "ANN@example.com"}, as_admin=True)  # unverified: no alias
    assert users.authenticate(by_alias.id, "ann@example.com", PW).sub == ann.sub
    assert bea.sub != ann.sub


# -- races ----------------------------------------------------------------------------------------------------

def _wait_for_the_racer(database, seconds: float = 10.0) -> None:
    """PostgreSQL: until some backend of this database waits for a lock (the racer's insert into the
    unique index, behind our open transaction). SQLite: the racer waits in BEGIN IMMEDIATE, before its
    read, so it will see our commit; give it a moment to get there."""
    if database.dialect != "postgresql":
        time.sleep(0.2)
        return
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with database.engine.connect() as conn:
            waiting = conn.exec_driver_sql(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock'"
            ).scalar()
        if waiting:
            return
        time.sleep(0.02)
    pytest.fail("the second transaction never waited for the first")


def _in_thread(fn):
    outcome: dict[str, object] = {}

    def run():
        try:
            outcome["result"] = fn()
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            outcome["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def test_concurrent_sign_ups_with_one_email(users, by_email, database):
    """The first sign-up's transaction stays open while the second runs. On PostgreSQL the second
    passes the read (the first user is not committed), waits in the unique index and fails once the
    first commits: the constraint, not the read, refuses it. Exactly one account, nothing of the other."""
    with database.transaction() as first:
        winner = users.sign_up(by_email.id, "race@example.com", PW, tx=first)
        thread, loser = _in_thread(lambda: users.sign_up(by_email.id, "race@example.com", PW))
        _wait_for_the_racer(database)
    thread.join(10)
    assert not thread.is_alive()
    assert isinstance(loser.get("error"), AlreadyExists), loser
    assert (loser["error"].kind, loser["error"].message) == (Kind.USER, TAKEN)
    assert [u.sub for u in users.list(by_email.id).items] == [winner.sub]
    for table in ("users", "user_attributes", "sign_in_aliases", "user_srp_verifiers"):
        with database.engine.connect() as conn:  # nothing of the loser: every row is the winner's
            subs = conn.exec_driver_sql(f"SELECT DISTINCT user_sub FROM {table}" if table != "users"
                                        else "SELECT sub FROM users").scalars().all()
        assert subs == [winner.sub], table
    with database.transaction(readonly=True) as tx:
        created = tx.audit.list(pool_id=by_email.id, type="user.created").items
    assert [e.target for e in created] == [winner.sub]


def test_concurrent_changes_to_one_email(users, by_email, database):
    users.sign_up(by_email.id, "ann@example.com", PW)
    bea = users.sign_up(by_email.id, "bea@example.com", PW)
    with database.transaction() as first:
        users.update_attributes(by_email.id, "ann@example.com", {"email": "race@example.com"}, tx=first)
        thread, loser = _in_thread(
            lambda: users.update_attributes(by_email.id, "bea@example.com", {"email": "race@example.com"}))
        _wait_for_the_racer(database)
    thread.join(10)
    assert isinstance(loser.get("error"), AlreadyExists), loser
    assert (loser["error"].kind, loser["error"].message) == (Kind.ALIAS, TAKEN)
    assert users.get(by_email.id, bea.sub).attributes["email"] == "bea@example.com"
    assert users.get(by_email.id, "bea@example.com").sub == bea.sub
    assert _held(database, by_email.id, bea.sub) == {"email"}


def test_simultaneous_sign_ups_one_wins(database_url, master_key, clock, hasher, by_email, database):
    """Both backends: six threads released together, one e-mail; exactly one account results."""
    from authpool.server.store import Database

    db = Database.from_url(database_url, master_key=master_key, clock=clock, pool_size=10)
    service = UserService(db, hasher=hasher)
    barrier = threading.Barrier(6)
    outcomes: list[object] = []

    def sign_up():
        barrier.wait()
        try:
            outcomes.append(service.sign_up(by_email.id, "race@example.com", PW))
        except AlreadyExists as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=sign_up) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    db.dispose()
    errors = [o for o in outcomes if isinstance(o, AlreadyExists)]
    assert len(outcomes) == 6 and len(errors) == 5
    assert {(e.kind, e.message) for e in errors} == {(Kind.USER, TAKEN)}
    assert _count(database, "users") == 1 and _count(database, "sign_in_aliases") == 1
