from __future__ import annotations

import pytest

from authpool.server.errors import AlreadyExists, InvalidParameter, LimitExceeded, NotFound

PW = "Correct-Horse-9"
ARN = "arn:aws:iam::123456789012:role/Admins"


def _user(users, pool, name):
    return users.sign_up(pool.id, name, PW, attributes={"email": f"{name}@example.com"}, confirmed=True)


# -- groups -----------------------------------------------------------------------------------


def test_group_crud(groups, pool):
    g = groups.create(pool.id, "admins", description="Admins", precedence=1, role_arn=ARN)
    assert (g.name, g.precedence, g.role_arn) == ("admins", 1, ARN)
    assert groups.get(pool.id, "admins") == g
    g2 = groups.update(pool.id, "admins", precedence=None)
    assert g2.precedence is None and g2.description == "Admins"  # only what was given changed
    with pytest.raises(AlreadyExists):
        groups.create(pool.id, "admins")
    groups.delete(pool.id, "admins")
    with pytest.raises(NotFound):
        groups.get(pool.id, "admins")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"name": "has space"},
        {"name": ""},
        {"name": "x" * 129},
        {"name": "ok", "precedence": -1},
        {"name": "ok", "precedence": True},
        {"name": "ok", "description": "d" * 2049},
        {"name": "ok", "role_arn": "not-an-arn"},
    ],
)
def test_group_validation(groups, pool, kwargs):
    with pytest.raises(InvalidParameter):
        groups.create(pool.id, **kwargs)


def test_membership(groups, users, pool):
    alice, bob = _user(users, pool, "alice"), _user(users, pool, "bob")
    groups.create(pool.id, "readers", precedence=5)
    groups.create(pool.id, "admins", precedence=0)
    groups.add_user(pool.id, "readers", "alice")
    groups.add_user(pool.id, "readers", "ALICE")  # idempotent, any case
    groups.add_user(pool.id, "admins", "alice")
    groups.add_user(pool.id, "readers", "bob")
    assert [g.name for g in groups.groups_for_user(pool.id, "alice")] == ["admins", "readers"]
    page = groups.users_in_group(pool.id, "readers", limit=1)
    rest = groups.users_in_group(pool.id, "readers", limit=1, next_token=page.next_token)
    assert {u.sub for u in page.items + rest.items} == {alice.sub, bob.sub}
    groups.remove_user(pool.id, "readers", "alice")
    groups.remove_user(pool.id, "readers", "alice")  # not a member: no error
    assert [g.name for g in groups.groups_for_user(pool.id, "alice")] == ["admins"]
    with pytest.raises(NotFound) as info:
        groups.add_user(pool.id, "readers", "nobody")
    assert info.value.kind == "user"
    with pytest.raises(NotFound) as info:
        groups.add_user(pool.id, "nope", "alice")
    assert info.value.kind == "group"


def test_groups_per_user_limit(groups, users, pool, monkeypatch):
    import authpool.server.pool.groups as module

    monkeypatch.setattr(module, "MAX_GROUPS_PER_USER", 2)
    _user(users, pool, "carl")
    for name in ("g1", "g2", "g3"):
        groups.create(pool.id, name)
    groups.add_user(pool.id, "g1", "carl")
    groups.add_user(pool.id, "g2", "carl")
    groups.add_user(pool.id, "g2", "carl")  # already a member: fine at the limit
    with pytest.raises(LimitExceeded):
        groups.add_user(pool.id, "g3", "carl")


def test_groups_per_pool_limit(groups, pool, monkeypatch):
    import authpool.server.pool.groups as module

    monkeypatch.setattr(module, "MAX_GROUPS_PER_POOL", 2)
    groups.create(pool.id, "a")
    groups.create(pool.id, "b")
    with pytest.raises(LimitExceeded):
        groups.create(pool.id, "c")
    assert [g.name for g in groups.list(pool.id).items] == ["a", "b"]


# -- resource servers -------------------------------------------------------------------------

SCOPES = [
    {"ScopeName": "read", "ScopeDescription": "Read"},
    {"ScopeName": "write", "ScopeDescription": "Write"},
]


def test_resource_server_crud(resource_servers, pool):
    rs = resource_servers.create(pool.id, "https://api.example.com", "Solar API", scopes=SCOPES)
    assert rs.scopes == SCOPES
    assert resource_servers.describe(pool.id, "https://api.example.com") == rs
    rs = resource_servers.update(pool.id, "https://api.example.com", "Solar", scopes=SCOPES[:1])
    assert rs.name == "Solar" and rs.scopes == SCOPES[:1]
    assert [r.identifier for r in resource_servers.list(pool.id).items] == ["https://api.example.com"]
    with pytest.raises(AlreadyExists):
        resource_servers.create(pool.id, "https://api.example.com", "again")
    resource_servers.delete(pool.id, "https://api.example.com")
    with pytest.raises(NotFound):
        resource_servers.describe(pool.id, "https://api.example.com")


@pytest.mark.parametrize(
    "identifier, scopes",
    [
        ("has space", []),
        ('quote"', []),
        ("x" * 257, []),
        ("api", [{"ScopeName": "a/b", "ScopeDescription": "d"}]),
        ("api", [{"ScopeName": "a b", "ScopeDescription": "d"}]),
        ("api", [{"ScopeName": "ok", "ScopeDescription": ""}]),
        ("api", [{"ScopeName": "ok", "ScopeDescription": "d"}] * 2),
        ("api", [{"ScopeName": f"s{i}", "ScopeDescription": "d"} for i in range(101)]),
    ],
)
def test_resource_server_validation(resource_servers, pool, identifier, scopes):
    with pytest.raises(InvalidParameter):
        resource_servers.create(pool.id, identifier, "API", scopes=scopes)


def test_resource_servers_per_pool_limit(resource_servers, pool, monkeypatch):
    import authpool.server.pool.resource_servers as module

    monkeypatch.setattr(module, "MAX_SERVERS_PER_POOL", 1)
    resource_servers.create(pool.id, "a", "A")
    with pytest.raises(LimitExceeded):
        resource_servers.create(pool.id, "b", "B")
