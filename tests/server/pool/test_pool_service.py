from __future__ import annotations

import pytest

from authpool.server.errors import AlreadyExists, InvalidParameter, LimitExceeded, NotFound
from authpool.server.pool import PoolService, password_policy


def test_create_with_cognito_defaults(pools, pool, database):
    assert pool.id.startswith("us-east-1_") and pool.name == "test pool"
    s = pool.settings
    assert s["Policies"]["PasswordPolicy"] == {
        "MinimumLength": 8, "RequireUppercase": True, "RequireLowercase": True, "RequireNumbers": True,
        "RequireSymbols": True, "TemporaryPasswordValidityDays": 7,
    }  # fmt: skip
    assert s["MfaConfiguration"] == "OFF" and s["SigningAlgorithm"] == "RS256"
    assert s["UsernameConfiguration"] == {"CaseSensitive": False}
    assert pools.describe(pool.id) == pool
    assert password_policy(pool).minimum_length == 8


def test_region_from_the_service(database):
    pool = PoolService(database, region="eu-central-1").create("eu")
    assert pool.id.startswith("eu-central-1_")


def test_schema_has_standard_and_custom_attributes(pools, pool):
    schema = {a.name: a for a in pools.schema(pool.id)}
    assert schema["sub"].required and not schema["sub"].mutable
    assert schema["email"].required  # set Required in the request
    assert not schema["given_name"].required and schema["email_verified"].type == "Boolean"
    assert schema["custom:tenant"].constraints == {"MinLength": "2", "MaxLength": "8"}
    assert schema["custom:level"].type == "Number"
    assert not schema["custom:badge"].mutable and schema["custom:internal"].developer_only


@pytest.mark.parametrize(
    "settings",
    [
        {"MfaConfiguration": "SMS"},
        {"UsernameConfiguration": {"CaseSensitive": True}},
        {"SigningAlgorithm": "HS256"},
        {"UsernameAttributes": ["email"], "AliasAttributes": ["email"]},
        {"UsernameAttributes": ["preferred_username"]},
        {"AutoVerifiedAttributes": ["name"]},
        {"Policies": {"PasswordPolicy": {"MinimumLength": 4}}},
        {"LambdaConfig": "arn"},
    ],
)
def test_invalid_settings(pools, settings):
    with pytest.raises(InvalidParameter):
        pools.create("p", settings=settings)


@pytest.mark.parametrize(
    "schema",
    [
        [{"Name": "x" * 21}],
        [{"Name": "ok", "AttributeDataType": "Float"}],
        [{"Name": "ok", "Required": True}],
        [{"Name": "ok", "StringAttributeConstraints": {"MinLength": "9", "MaxLength": "2"}}],
        [{"Name": "ok", "StringAttributeConstraints": {"MaxLength": "4096"}}],
        [{"Name": "ok"}, {"Name": "custom:ok"}],
    ],
)
def test_invalid_schema(pools, schema):
    with pytest.raises(InvalidParameter):
        pools.create("p", schema=schema)


@pytest.mark.parametrize("name", ["", "x" * 129, "bad/name", "semi;colon"])
def test_invalid_pool_name(pools, name):
    with pytest.raises(InvalidParameter):
        pools.create(name)


def test_update_replaces_or_merges(pools):
    pool = pools.create("p", settings={"SigningAlgorithm": "ES256", "AutoVerifiedAttributes": ["email"]})
    merged = pools.update(pool.id, settings={"SigningAlgorithm": "EdDSA"}, merge=True)
    assert merged.settings["SigningAlgorithm"] == "EdDSA" and merged.settings["AutoVerifiedAttributes"] == [
        "email"
    ]
    replaced = pools.update(pool.id, name="renamed", settings={"SigningAlgorithm": "EdDSA"})
    assert replaced.name == "renamed" and replaced.settings["AutoVerifiedAttributes"] == []
    with pytest.raises(NotFound):
        pools.update("us-east-1_nope", name="x")


def test_unknown_settings_members_are_kept(pools):
    pool = pools.create("p", settings={"EmailConfiguration": {"EmailSendingAccount": "COGNITO_DEFAULT"}})
    assert pool.settings["EmailConfiguration"] == {"EmailSendingAccount": "COGNITO_DEFAULT"}


def test_add_custom_attributes(pools, pool):
    added = pools.add_custom_attributes(pool.id, [{"Name": "plan", "AttributeDataType": "String"}])
    assert [a.name for a in added] == ["custom:plan"]
    with pytest.raises(AlreadyExists):
        pools.add_custom_attributes(pool.id, [{"Name": "plan"}])
    with pytest.raises(LimitExceeded):
        pools.add_custom_attributes(pool.id, [{"Name": f"a{i}"} for i in range(50)])
    with pytest.raises(NotFound):
        pools.add_custom_attributes("us-east-1_nope", [{"Name": "x"}])


def test_delete_and_list(pools):
    a, b = pools.create("a"), pools.create("b")
    assert {p.id for p in pools.list().items} == {a.id, b.id}
    pools.delete(a.id)
    assert [p.id for p in pools.list().items] == [b.id]
    with pytest.raises(NotFound):
        pools.describe(a.id)
    with pytest.raises(InvalidParameter):
        pools.list(limit=61)


def test_mutations_are_audited_with_the_actor(database, pools):
    with database.transaction(actor="admin:AKIDEXAMPLE") as tx:
        pool = pools.create("audited", tx=tx)
    pools.delete(pool.id)
    with database.transaction(readonly=True) as tx:
        events = tx.audit.list(pool_id=pool.id).items
    assert [(e.type, e.actor, e.target) for e in events] == [
        ("pool.created", "admin:AKIDEXAMPLE", pool.id),
        ("pool.deleted", None, pool.id),
    ]


def test_create_in_outer_transaction_rolls_back_with_it(database, pools):
    with pytest.raises(RuntimeError), database.transaction() as tx:
        pool = pools.create("doomed", tx=tx)
        raise RuntimeError
    with pytest.raises(NotFound):
        pools.describe(pool.id)
    with database.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM attribute_schema").scalar() == 0
