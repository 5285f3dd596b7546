"""authpool.server.pool.srp_block: the SECRET_BLOCK is confidential, integrity-protected and bound to
its pool and app client."""

from __future__ import annotations

import base64

import pytest

from authpool.server.pool import srp
from authpool.server.pool.srp_block import ChallengeState, InvalidBlock, open_block, raw_bytes, seal
from authpool.server.secrets import MasterKey

POOL, CLIENT = "us-east-1_AbC123", "client1"


@pytest.fixture
def key() -> MasterKey:
    return MasterKey.generate()


def _state(**changes) -> ChallengeState:
    values = {"id": "ab" * 16, "sub": "3f8c2b1e-1d2a-4c4b-9e55-0f0d7f1a2b3c", "username": "alice",
              "expires_at": 1_700_000_180, "A": srp.N - 12345, "b": srp.new_server_secret(), "u": 2**255 + 7}
    values.update(changes)
    return ChallengeState(**values)


def test_round_trip_and_standard_base64(key):
    state = _state()
    block = seal(key, state, pool_id=POOL, client_id=CLIENT)
    assert base64.b64encode(base64.b64decode(block)).decode() == block  # standard alphabet, padded
    assert len(block) < 4096  # fits Cognito's ChallengeResponses value bound
    assert open_block(key, block, pool_id=POOL, client_id=CLIENT) == state
    decoy = _state(sub=None, username="nobody")
    assert open_block(key, seal(key, decoy, pool_id=POOL, client_id=CLIENT), pool_id=POOL, client_id=CLIENT).sub is None


def test_server_secret_is_not_readable(key):
    state = _state()
    raw = raw_bytes(seal(key, state, pool_id=POOL, client_id=CLIENT))
    assert format(state.b, "x").encode() not in raw and b"alice" not in raw and b"3f8c2b1e" not in raw
    assert str(state.b) not in repr(state) and str(state.A) not in repr(state)


def test_tampering_is_detected(key):
    raw = bytearray(raw_bytes(seal(key, _state(), pool_id=POOL, client_id=CLIENT)))
    for index in (0, 5, len(raw) // 2, len(raw) - 1):
        forged = bytearray(raw)
        forged[index] ^= 0x01
        with pytest.raises(InvalidBlock):
            open_block(key, base64.b64encode(bytes(forged)).decode(), pool_id=POOL, client_id=CLIENT)
    with pytest.raises(InvalidBlock):
        open_block(key, base64.b64encode(bytes(raw[:-1])).decode(), pool_id=POOL, client_id=CLIENT)


def test_bound_to_pool_client_and_key(key):
    block = seal(key, _state(), pool_id=POOL, client_id=CLIENT)
    for pool, client in ((POOL, "client2"), ("us-east-1_Other", CLIENT)):
        with pytest.raises(InvalidBlock):
            open_block(key, block, pool_id=pool, client_id=client)
    with pytest.raises(InvalidBlock):
        open_block(MasterKey.generate(), block, pool_id=POOL, client_id=CLIENT)


@pytest.mark.parametrize("block", ["", "not base64!", "QUJD", "A" * 5000, "QUJD\n", None])
def test_malformed_blocks(key, block):
    with pytest.raises(InvalidBlock):
        open_block(key, block, pool_id=POOL, client_id=CLIENT)


def test_a_sealed_body_of_the_wrong_shape_is_refused(key):
    context = f"srp-secret-block:{POOL}:{CLIENT}"
    for body in (b"[]", b'{"v": 2}', b'{"v": 1, "id": "x"}', b"not json",
                 b'{"v":1,"id":"x","sub":5,"name":"a","A":"1","b":"1","u":"1","exp":1}',
                 b'{"v":1,"id":"x","sub":null,"name":"a","A":"zz","b":"1","u":"1","exp":1}',
                 b'{"v":1,"id":"x","sub":null,"name":"a","A":"1","b":"1","u":"1","exp":true}'):
        block = base64.b64encode(key.encrypt(body, context)).decode()
        with pytest.raises(InvalidBlock):
            open_block(key, block, pool_id=POOL, client_id=CLIENT)


def test_master_key_derive_is_deterministic_and_separated(key):
    """The decoy salt key (``MasterKey.derive``): stable across calls, distinct per purpose and key."""
    assert key.derive("srp-decoy") == key.derive("srp-decoy") and len(key.derive("srp-decoy")) == 32
    assert key.derive("srp-decoy") != key.derive("other")
    assert key.derive("srp-decoy") != MasterKey.generate().derive("srp-decoy")
    assert len(key.derive("x", 16)) == 16
