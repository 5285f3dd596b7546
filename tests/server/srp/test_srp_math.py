"""authpool.server.pool.srp: the group from its RFC, and every value against pycognito's client."""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac

import pytest
from pycognito.aws_srp import AWSSRP, N_HEX, calculate_u, pad_hex

from authpool.server.pool import srp

POOL_ID = "us-east-1_AbC123xyZ"


def _arctan_inverse(x: int, scale: int) -> int:
    """arctan(1/x) * 2**scale, in integers (Machin-style series)."""
    total, term, k, sign = 0, (1 << scale) // x, 1, 1
    while term:
        total += sign * (term // k)
        term //= x * x
        k += 2
        sign = -sign
    return total


def test_n_is_the_rfc3526_3072_bit_prime_and_g_is_2():
    """RFC 3526 §4: p = 2^3072 - 2^3008 - 1 + 2^64 * { [2^2942 pi] + 1690314 }, generator 2."""
    guard = 64
    pi_scaled = 16 * _arctan_inverse(5, 2942 + guard) - 4 * _arctan_inverse(239, 2942 + guard)
    p = 2**3072 - 2**3008 - 1 + 2**64 * ((pi_scaled >> guard) + 1690314)
    assert srp.N == p and srp.N.bit_length() == 3072 and srp.G == 2
    assert srp.N == int(N_HEX, 16)  # the same constant as pycognito and AuthenticationHelper.js
    assert pow(2, srp.N - 1, srp.N) == 1 and pow(3, (srp.N - 1) // 2 - 1, (srp.N - 1) // 2) == 1  # safe prime


def test_k_and_padding_match_the_clients():
    assert srp.K == AWSSRP("u", "p", POOL_ID, "c", client=object()).val_k
    assert srp.K == int(hashlib.sha256(bytes.fromhex("00" + N_HEX + "02")).hexdigest(), 16)
    # AuthenticationHelper.padHex's documented examples for non-negative values
    assert [srp.hex_pad(v) for v in (20, 56, 236, 200, 0xABC, 0x1, 0x7F, 0x80)] == [
        "14", "38", "00ec", "00c8", "0abc", "01", "7f", "0080"]
    for value in (1, 0xF, 0x8F, 2**127, srp.N - 1):
        assert srp.hex_pad(value) == pad_hex(value)
    with pytest.raises(ValueError):
        srp.hex_pad(-1)


def test_pool_name_is_the_part_after_the_underscore():
    assert srp.pool_name("us-east-1_AbC123xyZ") == "AbC123xyZ"
    for bad in ("nounderscore", "us-east-1_"):
        with pytest.raises(ValueError):
            srp.pool_name(bad)


@pytest.mark.parametrize("username,password", [
    ("alice", "Correct-Horse-42"),
    ("Ünïcödé", "pässwörd-with-€-and-ß"),
    ("3f8c2b1e-1d2a-4c4b-9e55-0f0d7f1a2b3c", "x" * 256),
])
def test_server_and_pycognito_derive_the_same_key(username, password):
    client = AWSSRP(username, password, POOL_ID, "c", client=object())
    salt = srp.new_salt()
    v = srp.verifier(srp.pool_name(POOL_ID), username, password, salt)
    b = srp.new_server_secret()
    B = srp.server_public(v, b)
    A = srp.parse_public(client.get_auth_params()["SRP_A"])
    u = srp.scrambler(A, B)
    assert u == calculate_u(A, B)
    key = srp.session_key(A, v, u, b)
    assert len(key) == 16
    assert key == client.get_password_authentication_key(username, password, B, format(salt, "x"))
    assert key != client.get_password_authentication_key(username, password + "!", B, format(salt, "x"))


def test_injected_randomness_is_used():
    fixed = bytes(range(1, 49))
    assert srp.new_salt(lambda n: fixed[:n]) == int.from_bytes(fixed[:16], "big")
    assert srp.new_server_secret(lambda n: fixed[:n]) == int.from_bytes(fixed, "big")
    zeros_then = iter([bytes(16), fixed[:16]])
    assert srp.new_salt(lambda n: next(zeros_then)) == int.from_bytes(fixed[:16], "big")  # never 0


@pytest.mark.parametrize("text", ["0", "00", format(srp.N, "x"), format(2 * srp.N, "x"), "xyz", "", "-1",
                                  "f" * (srp.MAX_PUBLIC_HEX + 1), " 1"])
def test_client_public_value_is_refused_when_zero_mod_n_or_malformed(text):
    with pytest.raises(ValueError):
        srp.parse_public(text)


def test_client_public_value_accepted():
    assert srp.parse_public("1") == 1
    assert srp.parse_public("00" + format(srp.N - 1, "x")) == srp.N - 1


def test_u_zero_is_refused():
    with pytest.raises(ValueError):
        srp.session_key(2, 3, 0, 5)


def test_claim_signature_matches_pycognito_process_challenge():
    client = AWSSRP("alice", "Correct-Horse-42", POOL_ID, "c", client=object())
    salt = srp.new_salt()
    v = srp.verifier(srp.pool_name(POOL_ID), "alice", "Correct-Horse-42", salt)
    b = srp.new_server_secret()
    B = srp.server_public(v, b)
    block = base64.b64encode(b"opaque server state").decode()
    answer = client.process_challenge({"USERNAME": "alice", "USER_ID_FOR_SRP": "alice", "SALT": format(salt, "x"),
                                       "SRP_B": format(B, "x"), "SECRET_BLOCK": block}, {"USERNAME": "alice"})
    A = client.large_a_value
    key = srp.session_key(A, v, srp.scrambler(A, B), b)
    expected = srp.claim_signature(key, "AbC123xyZ", "alice", b"opaque server state", answer["TIMESTAMP"])
    assert base64.b64decode(answer["PASSWORD_CLAIM_SIGNATURE"]) == expected
    assert srp.parse_timestamp(answer["TIMESTAMP"]) is not None  # pycognito's wall-clock stamp is canonical
    assert hmac.compare_digest(expected, srp.claim_signature(key, "AbC123xyZ", "alice", b"opaque server state",
                                                             answer["TIMESTAMP"]))


# -- TIMESTAMP --------------------------------------------------------------------------------

@pytest.mark.parametrize("epoch,text", [
    (1788599587, "Sat Sep 5 09:13:07 UTC 2026"),   # day not zero-padded
    (1704067200, "Mon Jan 1 00:00:00 UTC 2024"),
    (1709164800, "Thu Feb 29 00:00:00 UTC 2024"),
    (1767225599, "Wed Dec 31 23:59:59 UTC 2025"),
])
def test_timestamp_format_and_parse(epoch, text):
    assert srp.format_timestamp(epoch) == text
    assert srp.parse_timestamp(text) == epoch
    when = datetime.datetime.fromtimestamp(epoch, datetime.UTC)
    assert AWSSRP.get_cognito_formatted_timestamp(when) == text  # pycognito's formatter agrees


@pytest.mark.parametrize("text", [
    "Sat Sep 05 09:13:07 UTC 2026",  # zero-padded day (the 2017 warrant bug; AWS: NotAuthorized)
    "Sun Sep 5 09:13:07 UTC 2026",   # wrong weekday
    "Sat Sep 5 09:13:07 GMT 2026",   # another zone name
    "Mon Feb 30 09:13:07 UTC 2026",  # no such day
    "Sat Sep 5 24:13:07 UTC 2026",
    "sat sep 5 09:13:07 UTC 2026",
])
def test_shaped_but_not_canonical_timestamps_parse_to_none(text):
    assert srp.parse_timestamp(text) is None


@pytest.mark.parametrize("text", ["", "2026-09-05T09:13:07Z", "Sat Sep 5 9:13:07 UTC 2026", "Sat Sept 5 09:13:07 UTC 2026",
                                  "Sat Sep 5 09:13:07 UTC 2026 ", "Sat Xyz 5 09:13:07 UTC 2026", "x" * 1000, None])
def test_malformed_timestamps_raise(text):
    with pytest.raises(srp.TimestampFormatError, match="EEE MMM d HH:mm:ss z yyyy"):
        srp.parse_timestamp(text)
