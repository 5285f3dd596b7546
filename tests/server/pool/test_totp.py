"""pool/totp.py: RFC 6238 codes through pyca/cryptography, the +/-1 step window, which step matched."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.hashes import SHA1
from cryptography.hazmat.primitives.twofactor.totp import TOTP

from authpool.server.pool import totp

# RFC 6238 Appendix B: the SHA-1 seed "12345678901234567890", 8-digit codes at fixed times.
RFC_SEED = b"12345678901234567890"
RFC_VECTORS = [(59, "94287082"), (1111111109, "07081804"), (1111111111, "14050471"), (1234567890, "89005924"),
               (2000000000, "69279037"), (20000000000, "65353130")]
NOW = 1_700_000_000


@pytest.mark.parametrize(("at", "code"), RFC_VECTORS)
def test_the_library_we_rely_on_meets_rfc_6238(at, code):
    # Our codes are the 6-digit truncation of the same HOTP value: the last six digits.
    assert TOTP(RFC_SEED, 8, SHA1(), 30).generate(at).decode() == code
    assert totp.code_at(RFC_SEED, at) == code[-6:]


def test_secrets_are_160_bit_random_and_base32_round_trips():
    a, b = totp.new_secret(), totp.new_secret()
    assert len(a) == 20 and a != b
    text = totp.to_base32(a)
    assert len(text) == 32 and text == text.upper() and "=" not in text
    assert base64.b32decode(text) == a
    assert totp.from_base32(text.lower()) == a
    with pytest.raises(ValueError):
        totp.from_base32("not base32!")


def test_current_step_and_one_either_side_match_and_say_which():
    secret = totp.new_secret()
    step = totp.step_of(NOW)
    assert totp.matching_step(secret, totp.code_at(secret, NOW), NOW) == step
    assert totp.matching_step(secret, totp.code_at(secret, NOW - 30), NOW) == step - 1
    assert totp.matching_step(secret, totp.code_at(secret, NOW + 30), NOW) == step + 1


def test_codes_two_steps_away_and_wrong_codes_do_not_match():
    secret = totp.new_secret()
    assert totp.matching_step(secret, totp.code_at(secret, NOW - 60), NOW) is None
    assert totp.matching_step(secret, totp.code_at(secret, NOW + 60), NOW) is None
    good = totp.code_at(secret, NOW)
    wrong = f"{(int(good) + 1) % 1_000_000:06d}"
    assert totp.matching_step(secret, wrong, NOW) is None


@pytest.mark.parametrize("code", ["", "12345", "1234567", "12345a", "１２３４５６", None, 123456, " 12345"])
def test_malformed_codes_never_match(code):
    assert totp.matching_step(totp.new_secret(), code, NOW) is None
