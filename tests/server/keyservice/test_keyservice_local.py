"""The local backend (keyservice/local.py) on SQLite and PostgreSQL: versioned KEKs encrypted at rest,
the context-bound wrap, and rotation (previous versions decrypt until every token they protected expired)."""

from __future__ import annotations

import pytest
from tests.server.keyservice.conftest import KYC, NATIONAL_ID, POOL

from authpool.jose import b64url_decode, decrypt_compact_jwe, parse_compact_jwe
from authpool.server.errors import InvalidParameter, NotFound
from authpool.server.keys.service import MAX_TOKEN_LIFETIME
from authpool.server.keyservice import InvalidCiphertext, configure, rotate_local
from authpool.server.keyservice.local import parse_kid
from authpool.server.secrets import DecryptionError
from authpool.tokens.encrypted import ClaimContext, decode_value, encode_value

ISS = f"http://127.0.0.1:8000/{POOL}"


@pytest.fixture
def local(world):
    configure(world.db, POOL, KYC, backend="local")
    return world.keys.local


def context(sub="sub-1", claim="custom:national_id", aud=KYC) -> ClaimContext:
    return ClaimContext(ISS, sub, claim, aud)


def seal(world, ctx=None):
    ctx = ctx or context()
    return world.keys.encrypt(world.keys.settings(POOL, KYC), ctx, NATIONAL_ID)


def open_with_endpoint_logic(local, token: str, ctx: ClaimContext):
    """What the decrypt endpoint and the guard do together: unwrap the content key, decrypt as dir."""
    jwe = parse_compact_jwe(token, algorithms=["A256KW"], encryptions=["A256GCM"])
    record = local.find(POOL, jwe.kid)
    cek = local.unwrap(record, jwe.encrypted_key, ctx)
    as_dir = jwe._replace(header={**jwe.header, "alg": "dir"}, encrypted_key=b"")
    return decode_value(decrypt_compact_jwe(as_dir, cek, algorithms=["dir"], encryptions=["A256GCM"])[1]), record


def test_encrypt_creates_version_1_and_round_trips(world, local):
    result = seal(world)
    assert result.backend == "local" and result.version == 1 and result.key.startswith("lk")
    header = parse_compact_jwe(result.token, algorithms=["A256KW"], encryptions=["A256GCM"]).header
    assert header["kid"] == f"{result.key}.1" and header["aud"] == KYC and header["ctx"] == context().binding()
    assert open_with_endpoint_logic(local, result.token, context())[0] == NATIONAL_ID
    assert seal(world).key == result.key  # one key per audience


@pytest.mark.parametrize("other", [context(sub="sub-2"), context(claim="custom:passport"),
                                   ClaimContext("https://evil.example/p", "sub-1", "custom:national_id", KYC)])
def test_unwrap_refuses_another_context(world, local, other):
    result = seal(world)
    with pytest.raises(InvalidCiphertext):
        open_with_endpoint_logic(local, result.token, other)


def test_unwrap_refuses_another_audience_and_tampering(world, local):
    result = seal(world)
    jwe = parse_compact_jwe(result.token, algorithms=["A256KW"], encryptions=["A256GCM"])
    record = local.find(POOL, jwe.kid)
    with pytest.raises(InvalidCiphertext):
        local.unwrap(record, jwe.encrypted_key, context(aud="https://billing.example.com"))
    broken = bytes([jwe.encrypted_key[0] ^ 1]) + jwe.encrypted_key[1:]
    with pytest.raises(InvalidCiphertext):
        local.unwrap(record, broken, context())
    with pytest.raises(InvalidCiphertext):
        local.unwrap(record, jwe.encrypted_key[:-8], context())


@pytest.mark.parametrize("kid", ["", "nokid", "lk1.x", "lk1.-1", "lkdoesnotexist.1", "a" * 60 + ".1", None, 5])
def test_unknown_or_malformed_kid(world, local, kid):
    seal(world)
    with pytest.raises(InvalidCiphertext):
        local.find(POOL, kid)


def test_a_key_of_another_pool_is_not_found(world, local):
    result = seal(world)
    with world.db.transaction() as tx:
        tx.pools.create(id="us-east-1_Other0001", name="other", settings={})
    with pytest.raises(InvalidCiphertext):
        local.find("us-east-1_Other0001", f"{result.key}.1")


def test_rotation_keeps_old_versions_until_tokens_expire(world, local, clock):
    old = seal(world)
    rotated = rotate_local(world.db, POOL, clock=clock)
    assert rotated == [(KYC, old.key, 2)]
    new = seal(world)
    assert (new.key, new.version) == (old.key, 2)
    for token in (old.token, new.token):  # both decrypt
        assert open_with_endpoint_logic(local, token, context())[0] == NATIONAL_ID
    with world.db.transaction(readonly=True) as tx:
        versions = {r.version: r for r in tx.encryption_keys.list(POOL)}
    assert versions[1].state == "retired" and versions[2].state == "active"
    assert versions[1].remove_after == clock.now + MAX_TOKEN_LIFETIME
    clock.advance(MAX_TOKEN_LIFETIME + 1)  # every token version 1 protected has expired by now
    with pytest.raises(InvalidCiphertext):
        open_with_endpoint_logic(local, old.token, context())
    rotate_local(world.db, POOL, KYC, clock=clock)  # a rotation purges what is past its life
    with world.db.transaction(readonly=True) as tx:
        assert sorted(r.version for r in tx.encryption_keys.list(POOL)) == [2, 3]
    assert open_with_endpoint_logic(local, new.token, context())[0] == NATIONAL_ID


def test_rotation_of_a_pool_without_local_keys(world):
    assert rotate_local(world.db, POOL) == []
    with pytest.raises(NotFound):
        rotate_local(world.db, "us-east-1_Nope00000")
    with pytest.raises(NotFound):
        rotate_local(world.db, POOL, "https://nobody.example")
    with pytest.raises(InvalidParameter):  # a resource-key resource server has no local key to rotate
        rotate_local(world.db, POOL, KYC)


def test_kek_material_is_encrypted_and_bound_to_its_row(world, local):
    result = seal(world)
    with world.db.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT key_id, version, material FROM encryption_keys").all()
    (key_id, version, blob), = rows
    record = local.find(POOL, f"{key_id}.{version}")
    assert record.material not in bytes(blob) and len(record.material) == 32
    with pytest.raises(DecryptionError):  # the blob does not decrypt as another version's
        world.db.master_key.decrypt(bytes(blob), f"encryption-key:{POOL}:{key_id}:{version + 1}")
    assert result.key == key_id


def test_kid_parsing():
    assert parse_kid("lkabc.12") == ("lkabc", 12)
    assert parse_kid("a.b.3") == ("a.b", 3)
    for bad in ("lk.", ".3", "lk3", "lk.1e3", "lk.99999999999", "é.1"):
        assert parse_kid(bad) is None


def test_plaintext_is_compact_json(world, local):
    result = seal(world)
    ctx = context()
    jwe = parse_compact_jwe(result.token, algorithms=["A256KW"], encryptions=["A256GCM"])
    cek = local.unwrap(local.find(POOL, jwe.kid), jwe.encrypted_key, ctx)
    as_dir = jwe._replace(header={**jwe.header, "alg": "dir"}, encrypted_key=b"")
    assert decrypt_compact_jwe(as_dir, cek, algorithms=["dir"], encryptions=["A256GCM"])[1] == encode_value(NATIONAL_ID)
    assert len(b64url_decode(result.token.split(".")[1])) == 40  # a wrapped 256-bit key
