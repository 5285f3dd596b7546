"""The ECDSA DER -> R||S fast path agrees with pyca/cryptography's decoder on every curve."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

from authpool.jose.algorithms import der_to_raw


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
