"""The ECDSA DER <-> R||S fast paths agree with pyca/cryptography's decoder and encoder on every curve."""

from __future__ import annotations

import os

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

from authpool.jose.algorithms import ALGORITHMS, der_to_raw, raw_to_der


def _reference(der: bytes, size: int) -> bytes:
    r, s = decode_dss_signature(der)
    return r.to_bytes(size, "big") + s.to_bytes(size, "big")


@pytest.mark.parametrize("curve,size,count", [(ec.SECP256R1, 32, 3000), (ec.SECP384R1, 48, 1000),
                                              (ec.SECP521R1, 66, 300)])
def test_fast_path_matches_the_library(curve, size, count):
    key = ec.generate_private_key(curve())
    for i in range(count):
        der = key.sign(i.to_bytes(4, "big"), ec.ECDSA(hashes.SHA256()))
        assert der_to_raw(der, size) == _reference(der, size)


@pytest.mark.parametrize("r,s", [(1, 1), (2**255, 5), (0x7F, 2**256 - 1), (2**248, 2**8), (12345, 2**255 + 1)])
def test_edge_integers(r, s):
    der = encode_dss_signature(r, s)
    assert der_to_raw(der, 32) == r.to_bytes(32, "big") + s.to_bytes(32, "big")


@pytest.mark.parametrize("curve,size,count", [(ec.SECP256R1, 32, 3000), (ec.SECP384R1, 48, 1000),
                                              (ec.SECP521R1, 66, 300)])
def test_raw_to_der_matches_the_library_on_real_signatures(curve, size, count):
    key = ec.generate_private_key(curve())
    for i in range(count):
        der = key.sign(i.to_bytes(4, "big"), ec.ECDSA(hashes.SHA256()))
        assert raw_to_der(der_to_raw(der, size), size) == der


@pytest.mark.parametrize("size", [32, 48, 66])
def test_raw_to_der_matches_the_library_on_edge_values(size):
    """Random values with leading zero bytes and high bits set, beyond what signatures usually show."""
    for i in range(4000):
        raw = bytearray(os.urandom(2 * size))
        zeros_r, zeros_s = i % (size + 1) if i % 7 == 0 else i % 3, (i // 3) % 4
        raw[:zeros_r] = bytes(zeros_r)
        raw[size : size + zeros_s] = bytes(zeros_s)
        if i % 5 == 0:
            raw[0] |= 0x80
        raw = bytes(raw)
        r, s = int.from_bytes(raw[:size], "big"), int.from_bytes(raw[size:], "big")
        expected = None if r == 0 or s == 0 else encode_dss_signature(r, s)
        assert raw_to_der(raw, size) == expected


@pytest.mark.parametrize("raw", [bytes(64), bytes(32) + b"\x01" * 32, b"\x01" * 32 + bytes(32)])
def test_zero_r_or_s_is_refused_before_the_library(raw):
    """CVE-2022-21449: r = 0 or s = 0 never reaches a verifier."""
    assert raw_to_der(raw, 32) is None
    public = ec.generate_private_key(ec.SECP256R1()).public_key()
    assert ALGORITHMS["ES256"].verify(public, raw, b"data") is False


def test_es256_verifies_through_the_fast_encoder():
    key = ec.generate_private_key(ec.SECP256R1())
    for i in range(200):
        data = i.to_bytes(4, "big")
        raw = ALGORITHMS["ES256"].sign(key, data)
        assert ALGORITHMS["ES256"].verify(key.public_key(), raw, data)
        assert not ALGORITHMS["ES256"].verify(key.public_key(), raw, data + b"x")
