"""argon2id hashing and Cognito's password policy (no database needed)."""

from __future__ import annotations

import argon2
import pytest

from authpool.server.errors import InvalidParameter, InvalidPassword
from authpool.server.pool.passwords import (
    SYMBOLS,
    PasswordHasher,
    PasswordPolicy,
    check_password,
    generate_password,
)

DEFAULT = PasswordPolicy()


def test_production_hasher_is_argon2id_rfc9106():
    h = PasswordHasher()
    encoded = h.hash("Correct-horse-1")
    assert encoded.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert h.verify(encoded, "Correct-horse-1")
    assert not h.verify(encoded, "correct-horse-1")
    assert not h.needs_rehash(encoded)


def test_fast_hasher_is_still_argon2id():
    h = PasswordHasher.fast_for_tests()
    encoded = h.hash("pw")
    assert encoded.startswith("$argon2id$")
    assert h.verify(encoded, "pw") and not h.verify(encoded, "pW")


def test_salted():
    h = PasswordHasher.fast_for_tests()
    assert h.hash("same") != h.hash("same")


def test_needs_rehash_when_parameters_change():
    weak = PasswordHasher.fast_for_tests().hash("pw")
    assert PasswordHasher().needs_rehash(weak)
    assert PasswordHasher().needs_rehash("not a hash")


def test_garbage_hash_does_not_verify():
    h = PasswordHasher.fast_for_tests()
    assert h.verify("$argon2id$garbage", "pw") is False
    assert h.verify("", "pw") is False


def test_dummy_verification_always_fails():
    h = PasswordHasher.fast_for_tests()
    assert h.verify_dummy("anything") is False
    assert h.verify_dummy("anything") is False


def test_only_argon2id_is_accepted():
    with pytest.raises(ValueError, match="argon2id"):
        PasswordHasher(argon2.PasswordHasher(type=argon2.Type.I))


@pytest.mark.parametrize(
    "password, message",
    [
        ("Aa1!", "Password did not conform with policy: Password not long enough"),
        ("abcdefg1!", "Password did not conform with policy: Password must have uppercase characters"),
        ("ABCDEFG1!", "Password did not conform with policy: Password must have lowercase characters"),
        ("Abcdefgh!", "Password did not conform with policy: Password must have numeric characters"),
        ("Abcdefgh1", "Password did not conform with policy: Password must have symbol characters"),
        ("Ünïcödé1!", "Password did not conform with policy: Password must have uppercase characters"),
        (
            "Aa1!" + "x" * 253,
            "Password did not conform with policy: Password must have length less than or equal to 256",
        ),
    ],
)
def test_policy_violations(password, message):
    with pytest.raises(InvalidPassword) as info:
        check_password(password, DEFAULT)
    assert info.value.message == message
    assert password not in info.value.message


@pytest.mark.parametrize(
    "password", ["Abcdefg1!", "Abcdef 1x", "Zz9^zzzz", "Pass-word1", "x" * 2 + "A1=" * 2]
)
def test_policy_accepts(password):
    check_password(password, DEFAULT)


@pytest.mark.parametrize("password", ["", " Abcdefg1!", "Abcdefg1! ", "\tAbcdefg1!"])
def test_malformed_passwords(password):
    with pytest.raises(InvalidParameter):
        check_password(password, DEFAULT)


def test_relaxed_policy():
    policy = PasswordPolicy.from_cognito(
        {"MinimumLength": 6, "RequireUppercase": False, "RequireLowercase": True, "RequireNumbers": False,
         "RequireSymbols": False}
    )  # fmt: skip
    check_password("abcdef", policy)
    with pytest.raises(InvalidPassword):
        check_password("abcde", policy)
    with pytest.raises(InvalidPassword):
        check_password("ABCDEF", policy)


def test_policy_from_cognito_defaults_and_round_trip():
    assert PasswordPolicy.from_cognito(None) == DEFAULT
    assert DEFAULT.minimum_length == 8 and DEFAULT.temporary_password_validity_days == 7
    assert all(
        [
            DEFAULT.require_uppercase,
            DEFAULT.require_lowercase,
            DEFAULT.require_numbers,
            DEFAULT.require_symbols,
        ]
    )
    assert PasswordPolicy.from_cognito(DEFAULT.to_cognito()) == DEFAULT


@pytest.mark.parametrize(
    "policy",
    [
        PasswordPolicy(minimum_length=5),
        PasswordPolicy(minimum_length=100),
        PasswordPolicy(temporary_password_validity_days=366),
    ],
)
def test_policy_ranges(policy):
    with pytest.raises(InvalidParameter):
        policy.validate()


def test_symbols_match_cognito_list():
    assert set("^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+-") | {" "} == SYMBOLS


def test_generated_passwords_satisfy_the_policy():
    for policy in (DEFAULT, PasswordPolicy(minimum_length=30)):
        seen = set()
        for _ in range(200):
            pw = generate_password(policy)
            check_password(pw, policy)
            seen.add(pw)
        assert len(seen) == 200
