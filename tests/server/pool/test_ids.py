from __future__ import annotations

import re

import pytest

from authpool.server.errors import InvalidParameter
from authpool.server.pool import ids


def test_pool_id_shape():
    for _ in range(50):
        pid = ids.new_pool_id("eu-west-2")
        assert re.fullmatch(r"eu-west-2_[0-9A-Za-z]{9}", pid) and ids.is_pool_id(pid)
        assert ids.region_of(pid) == "eu-west-2"
    assert ids.new_pool_id().startswith("us-east-1_")
    assert len({ids.new_pool_id() for _ in range(1000)}) == 1000


@pytest.mark.parametrize("region", ["", "US-EAST-1", "us_east_1", "useast1", "us-east-1; drop"])
def test_bad_region(region):
    with pytest.raises(InvalidParameter):
        ids.new_pool_id(region)


def test_is_pool_id():
    assert ids.is_pool_id("us-east-1_AbC123xyZ")
    assert not ids.is_pool_id("us-east-1")
    assert not ids.is_pool_id("us-east-1_abc!")
    assert not ids.is_pool_id("x" * 50 + "_abcdef")


def test_client_id_and_secret_shapes():
    cid, secret = ids.new_client_id(), ids.new_client_secret()
    assert re.fullmatch(r"[a-z0-9]{26}", cid)
    assert re.fullmatch(r"[a-z0-9]{51}", secret)
    assert len({ids.new_client_secret() for _ in range(1000)}) == 1000


def test_sub_is_uuid4():
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", ids.new_sub())
