from __future__ import annotations

import pytest

from authpool.server.errors import AlreadyExists, InvalidParameter, Kind, NotFound
from authpool.server.store import UserStatus, parse_user_filter
from authpool.server.store.userfilter import UserFilter

POOL = "us-east-1_TestPool1"  # the pool_id fixture (conftest.py)


def test_create_and_get(database, pool_id, clock):
    with database.transaction() as tx:
        user = tx.users.create(
            pool_id,
            username="Alice",
            password_hash="$argon2id$x",
            status=UserStatus.CONFIRMED,
            attributes={"email": "alice@example.com", "custom:tenant": "42"},
        )
    assert len(user.sub) == 36
    assert user.attributes == {"sub": user.sub, "custom:tenant": "42", "email": "alice@example.com"}
    assert user.status is UserStatus.CONFIRMED and user.enabled
    assert user.created_at == clock.now and user.tokens_valid_after == 0
    assert "argon2" not in repr(user)  # the hash stays out of repr
    with database.transaction(readonly=True) as tx:
        assert tx.users.get(pool_id, "alice") == user  # the key is case-insensitive
        assert tx.users.get(pool_id, "ALICE").username == "Alice"  # the name keeps its case
        assert tx.users.get_by_sub(pool_id, user.sub) == user
        assert tx.users.get(pool_id, "bob") is None


def test_username_unique_per_pool_in_any_case(database, pool_id):
    with database.transaction() as tx:
        tx.users.create(pool_id, username="alice")
        tx.pools.create(id="us-east-1_Other", name="o", settings={})
        tx.users.create("us-east-1_Other", username="alice")  # another pool: fine
    with pytest.raises(AlreadyExists) as info, database.transaction() as tx:
        tx.users.create(pool_id, username="ALICE")
    assert info.value.kind is Kind.USER
    assert "alice" not in info.value.message.lower().replace("already", "")


def test_lookups_are_scoped_to_the_pool(database, pool_id, user_sub):
    with database.transaction() as tx:
        tx.pools.create(id="us-east-1_Other", name="o", settings={})
        assert tx.users.get_by_sub("us-east-1_Other", user_sub) is None
        assert tx.users.get("us-east-1_Other", "alice") is None
        with pytest.raises(NotFound):
            tx.users.update("us-east-1_Other", user_sub, enabled=False)
        with pytest.raises(NotFound):
            tx.users.delete("us-east-1_Other", user_sub)


def test_create_in_unknown_pool(database):
    with pytest.raises(NotFound) as info, database.transaction() as tx:
        tx.users.create("us-east-1_nope", username="x")
    assert info.value.kind is Kind.POOL


def test_update_fields(database, pool_id, user_sub, clock):
    clock.advance(5)
    with database.transaction() as tx:
        user = tx.users.update(
            pool_id,
            user_sub,
            status=UserStatus.FORCE_CHANGE_PASSWORD,
            enabled=False,
            password_hash="h2",
            temporary_password_expires_at=123,
            tokens_valid_after=clock.now,
        )
    assert user.status is UserStatus.FORCE_CHANGE_PASSWORD and not user.enabled
    assert user.password_hash == "h2" and user.temporary_password_expires_at == 123
    assert user.tokens_valid_after == clock.now == user.updated_at
    with database.transaction() as tx:
        user = tx.users.update(pool_id, user_sub, temporary_password_expires_at=None)
    assert user.temporary_password_expires_at is None and user.password_hash == "h2"  # others untouched


def test_set_and_delete_attributes(database, pool_id, user_sub):
    with database.transaction() as tx:
        user = tx.users.set_attributes(pool_id, user_sub, {"email": "new@example.com", "name": "Alice A"})
    assert user.attributes["email"] == "new@example.com" and user.attributes["name"] == "Alice A"
    with database.transaction() as tx:
        user = tx.users.set_attributes(pool_id, user_sub, {"name": "Alice B", "sub": "ignored"})
        assert user.attributes["name"] == "Alice B" and user.attributes["sub"] == user_sub
        user = tx.users.delete_attributes(pool_id, user_sub, ["name", "nonexistent"])
    assert "name" not in user.attributes and user.attributes["email"] == "new@example.com"
    with database.transaction(readonly=True) as tx:
        assert tx.users.require_by_sub(pool_id, user_sub).attributes == user.attributes


def test_find_by_attribute(database, pool_id, user_sub):
    with database.transaction() as tx:
        tx.users.create(pool_id, username="bob", attributes={"email": "bob@example.com"})
        found = tx.users.find_by_attribute(pool_id, "email", "alice@example.com")
    assert [u.sub for u in found] == [user_sub]


def test_delete_cascades(database, pool_id, client_id, user_sub):
    with database.transaction() as tx:
        tx.groups.create(pool_id, name="g")
        tx.groups.add_member(pool_id, "g", user_sub)
        fam = tx.token_families.create_family(
            pool_id, client_id=client_id, user_sub=user_sub, auth_time=1, scopes=[]
        )
        tx.refresh_tokens.add("rt", origin_jti=fam.origin_jti, expires_at=10**10)
        tx.auth_codes.add(
            "code",
            pool_id=pool_id,
            client_id=client_id,
            user_sub=user_sub,
            redirect_uri="https://x",
            scopes=["openid"],
            auth_time=1,
            expires_at=10**10,
        )
        tx.users.delete(pool_id, user_sub)
    with database.transaction(readonly=True) as tx:
        assert tx.users.get_by_sub(pool_id, user_sub) is None
        assert tx.groups.member_subs(pool_id, "g").items == []
        assert tx.token_families.is_family_revoked(fam.origin_jti)  # gone counts as revoked
    with database.transaction() as tx:
        assert tx.auth_codes.consume("code", client_id=client_id).state == "unknown"
    with database.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM user_attributes").scalar() == 0


def _users(database, n=7):
    people = [
        ("alice", "alice@example.com", "Alice", True, UserStatus.CONFIRMED),
        ("albert", "al@example.org", "Albert", True, UserStatus.UNCONFIRMED),
        ("bob", "bob@example.com", "Bob", False, UserStatus.CONFIRMED),
        ("Carol", "carol@example.com", "Carol", True, UserStatus.FORCE_CHANGE_PASSWORD),
        ("dave", "dave@example.com", 'Dave "the" Q', True, UserStatus.CONFIRMED),
        ("erin", "erin@example.com", "Erin_%", True, UserStatus.RESET_REQUIRED),
        ("frank", "AL@example.com", "Frank", True, UserStatus.CONFIRMED),
    ][:n]
    subs = {}
    for i, (name, email, given, enabled, status) in enumerate(people):
        with database.transaction() as tx:
            subs[name] = tx.users.create(
                POOL,
                username=name,
                status=status,
                enabled=enabled,
                attributes={"email": email, "given_name": given},
            ).sub
    return subs


def _names(database, filter_text):
    with database.transaction(readonly=True) as tx:
        page = tx.users.list(POOL, filter=parse_user_filter(filter_text), limit=60)
    return sorted(u.username for u in page.items)


def test_list_filters(database, pool_id):
    _users(database)
    assert _names(database, 'email ^= "al"') == ["albert", "alice"]  # case-sensitive prefix
    assert _names(database, 'email = "bob@example.com"') == ["bob"]
    assert _names(database, 'username = "bob"') == ["bob"]
    assert _names(database, 'username = "carol"') == []  # username filter is case-sensitive
    assert _names(database, 'username ^= "Ca"') == ["Carol"]
    assert _names(database, 'status = "Enabled"') == ["Carol", "albert", "alice", "dave", "erin", "frank"]
    assert _names(database, 'status = "Disabled"') == ["bob"]
    assert _names(database, 'status = "enabled"') == []
    assert _names(database, 'cognito:user_status = "confirmed"') == ["alice", "bob", "dave", "frank"]
    assert _names(database, 'cognito:user_status ^= "FORCE"') == ["Carol"]
    assert _names(database, r'given_name = "Dave \"the\" Q"') == ["dave"]
    assert _names(database, 'given_name ^= "Erin_%"') == ["erin"]  # no LIKE wildcards
    assert _names(database, 'given_name ^= "E%"') == []
    assert _names(database, "") == _names(database, None)
    assert len(_names(database, None)) == 7


def test_list_filter_by_sub(database, pool_id):
    subs = _users(database, 2)
    assert _names(database, f'sub = "{subs["alice"]}"') == ["alice"]


def test_list_paginates_in_creation_order(database, pool_id, clock):
    subs = []
    for i in range(7):
        clock.advance(1 if i % 2 else 0)  # some users share a created_at second
        with database.transaction() as tx:
            subs.append(tx.users.create(pool_id, username=f"user{i}").sub)
    seen, token, pages = [], None, 0
    while True:
        with database.transaction(readonly=True) as tx:
            page = tx.users.list(pool_id, limit=3, next_token=token)
        pages += 1
        seen += [u.sub for u in page.items]
        token = page.next_token
        if not token:
            break
    assert sorted(seen) == sorted(subs) and len(seen) == 7 and pages == 3
    with database.transaction(readonly=True) as tx:
        assert tx.users.count(pool_id) == 7


def test_pagination_with_filter(database, pool_id):
    _users(database)
    with database.transaction(readonly=True) as tx:
        first = tx.users.list(pool_id, filter=parse_user_filter('status = "Enabled"'), limit=4)
        second = tx.users.list(
            pool_id, filter=parse_user_filter('status = "Enabled"'), limit=4, next_token=first.next_token
        )
    assert len(first.items) == 4 and len(second.items) == 2 and second.next_token is None


@pytest.mark.parametrize(
    "text, expected",
    [
        ('email ^= "al"', UserFilter("email", "al", True)),
        ('family_name = "Reddy"', UserFilter("family_name", "Reddy", False)),
        ('  username="bob"  ', UserFilter("username", "bob", False)),
        (r'name = "a \"b\" \\ c"', UserFilter("name", 'a "b" \\ c', False)),
        ('cognito:user_status = "CONFIRMED"', UserFilter("cognito:user_status", "CONFIRMED", False)),
        ("", None),
        (None, None),
    ],
)
def test_parse_filter(text, expected):
    assert parse_user_filter(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        'custom:tenant = "1"',  # custom attributes are not searchable
        'address = "x"',
        "email = bob",
        'email == "bob"',
        'email = "unterminated',
        'email = "a" and name = "b"',
        "x" * 257,
    ],
)
def test_parse_filter_rejects(text):
    with pytest.raises(InvalidParameter):
        parse_user_filter(text)
