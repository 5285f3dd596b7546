"""pool/mfa.py over both stores: the pool's MFA setting, associate/verify, preferences, the sign-in
code check (single use per time step), and the secrets at rest."""

from __future__ import annotations

import pytest

from authpool.server.errors import InvalidParameter
from authpool.server.pool import totp
from authpool.server.pool.mfa import (
    MFA_SETUP,
    SOFTWARE_TOKEN_MFA,
    EnableSoftwareTokenMfaFailed,
    MfaCodeMismatch,
    MfaService,
    SoftwareTokenMfaNotFound,
)
from authpool.server.secrets import DecryptionError

PASSWORD = "Correct-Horse-9"


@pytest.fixture
def mfa(database) -> MfaService:
    return MfaService(database)


@pytest.fixture
def pool(pools):
    return pools.create("mfa pool", settings={"MfaConfiguration": "OPTIONAL"})


@pytest.fixture
def alice(users, pool):
    return users.sign_up(pool.id, "alice", PASSWORD, confirmed=True)


def _verified(mfa, pool, user, clock, **kw) -> bytes:
    secret = totp.from_base32(mfa.associate(pool.id, user.sub))
    mfa.verify(pool.id, user.sub, totp.code_at(secret, clock.now), **kw)
    return secret


def test_pool_setting_accepts_off_on_optional_only(pools):
    for value in ("OFF", "ON", "OPTIONAL"):
        assert pools.create(f"p {value}", settings={"MfaConfiguration": value}).settings["MfaConfiguration"] == value
    with pytest.raises(InvalidParameter, match="OFF, ON or OPTIONAL"):
        pools.create("bad", settings={"MfaConfiguration": "SOMETIMES"})


def test_associate_needs_totp_in_the_pool(mfa, pools, users):
    off = pools.create("off")
    bob = users.sign_up(off.id, "bob", PASSWORD, confirmed=True)
    with pytest.raises(SoftwareTokenMfaNotFound):
        mfa.associate(off.id, bob.sub)


def test_verify_accepts_only_a_code_of_the_pending_secret(mfa, pool, alice, clock):
    with pytest.raises(InvalidParameter, match="AssociateSoftwareToken"):
        mfa.verify(pool.id, alice.sub, "123456")
    secret = totp.from_base32(mfa.associate(pool.id, alice.sub))
    good = totp.code_at(secret, clock.now)
    with pytest.raises(EnableSoftwareTokenMfaFailed):
        mfa.verify(pool.id, alice.sub, f"{(int(good) + 1) % 1_000_000:06d}")
    with pytest.raises(EnableSoftwareTokenMfaFailed):
        mfa.verify(pool.id, alice.sub, totp.code_at(secret, clock.now - 90))
    mfa.verify(pool.id, alice.sub, good, friendly_name="phone")
    assert mfa.settings(pool.id, alice.sub).to_cognito() == {}  # verified, not enabled yet (Cognito)


def test_preferences(mfa, pool, alice, clock):
    with pytest.raises(InvalidParameter, match="not verified"):
        mfa.set_preference(pool.id, alice.sub, enabled=True, preferred=True)
    mfa.set_preference(pool.id, alice.sub, enabled=False, preferred=None)  # nothing set up: a no-op
    _verified(mfa, pool, alice, clock)
    with pytest.raises(InvalidParameter, match="must be enabled"):
        mfa.set_preference(pool.id, alice.sub, enabled=False, preferred=True)
    mfa.set_preference(pool.id, alice.sub, enabled=True, preferred=None)
    assert mfa.settings(pool.id, alice.sub).to_cognito() == {"UserMFASettingList": [SOFTWARE_TOKEN_MFA]}
    mfa.set_preference(pool.id, alice.sub, enabled=None, preferred=True)
    assert mfa.settings(pool.id, alice.sub).to_cognito() == {"UserMFASettingList": [SOFTWARE_TOKEN_MFA],
                                                             "PreferredMfaSetting": SOFTWARE_TOKEN_MFA}
    mfa.set_preference(pool.id, alice.sub, enabled=False, preferred=None)  # disabling clears preferred
    assert mfa.settings(pool.id, alice.sub).to_cognito() == {}


def test_which_challenge_a_password_leads_to(mfa, pools, users, pool, alice, clock):
    assert mfa.challenge(pool, alice) is None  # OPTIONAL, no token
    _verified(mfa, pool, alice, clock, friendly_name="phone")
    assert mfa.challenge(pool, alice) is None  # verified but not enabled
    mfa.set_preference(pool.id, alice.sub, enabled=True, preferred=True)
    challenge = mfa.challenge(pool, alice)
    assert challenge.name == SOFTWARE_TOKEN_MFA and challenge.friendly_name == "phone"
    required = pools.create("required", settings={"MfaConfiguration": "ON"})
    carol = users.sign_up(required.id, "carol", PASSWORD, confirmed=True)
    assert mfa.challenge(required, carol).name == MFA_SETUP
    _verified(mfa, required, carol, clock)
    assert mfa.challenge(required, carol).name == SOFTWARE_TOKEN_MFA  # ON: a verified token is always asked for
    off = pools.update(required.id, settings={"MfaConfiguration": "OFF"}, merge=True)
    assert mfa.challenge(off, carol) is None


def test_a_code_works_once_and_never_an_older_one(mfa, pool, alice, clock):
    secret = _verified(mfa, pool, alice, clock)  # verification used the current step
    with pytest.raises(MfaCodeMismatch, match="already been used"):
        mfa.check_code(pool.id, alice.sub, totp.code_at(secret, clock.now))
    clock.advance(30)
    mfa.check_code(pool.id, alice.sub, totp.code_at(secret, clock.now))
    with pytest.raises(MfaCodeMismatch, match="already been used"):  # the same code, same step
        mfa.check_code(pool.id, alice.sub, totp.code_at(secret, clock.now))
    with pytest.raises(MfaCodeMismatch, match="already been used"):  # the previous step's code, still in the window
        mfa.check_code(pool.id, alice.sub, totp.code_at(secret, clock.now - 30))
    mfa.check_code(pool.id, alice.sub, totp.code_at(secret, clock.now + 30))  # a fast clock: next step, once
    with pytest.raises(MfaCodeMismatch, match="Invalid code received for user"):
        mfa.check_code(pool.id, alice.sub, "000000" if totp.code_at(secret, clock.now) != "000000" else "111111")


def test_a_new_association_leaves_the_old_token_in_use_until_verified(mfa, pool, alice, clock):
    old = _verified(mfa, pool, alice, clock)
    new = totp.from_base32(mfa.associate(pool.id, alice.sub))
    clock.advance(30)
    mfa.check_code(pool.id, alice.sub, totp.code_at(old, clock.now))
    clock.advance(30)
    mfa.verify(pool.id, alice.sub, totp.code_at(new, clock.now))
    clock.advance(30)
    with pytest.raises(MfaCodeMismatch):
        mfa.check_code(pool.id, alice.sub, totp.code_at(old, clock.now))
    mfa.check_code(pool.id, alice.sub, totp.code_at(new, clock.now))


def test_secrets_are_encrypted_at_rest_and_bound_to_their_row(mfa, database, users, pool, alice, clock):
    secret = _verified(mfa, pool, alice, clock)
    bob = users.sign_up(pool.id, "bob", PASSWORD, confirmed=True)
    mfa.associate(pool.id, bob.sub)
    with database.engine.connect() as conn:
        rows = {r[0]: bytes(r[1]) for r in conn.exec_driver_sql("SELECT user_sub, secret FROM user_software_tokens")
                if r[1] is not None}
    assert secret not in rows[alice.sub] and totp.to_base32(secret).encode() not in rows[alice.sub]
    mark = "%s" if database.dialect == "postgresql" else "?"
    with database.engine.begin() as conn:  # copy alice's blob into bob's row: it must not decrypt there
        conn.exec_driver_sql(f"UPDATE user_software_tokens SET secret = {mark} WHERE user_sub = {mark}",
                             (rows[alice.sub], bob.sub))
    with pytest.raises(DecryptionError), database.transaction(readonly=True) as t:
        t.software_tokens.get(pool.id, bob.sub)


def test_reset_and_cascade(mfa, users, pool, alice, clock, database):
    _verified(mfa, pool, alice, clock)
    assert mfa.reset(pool.id, alice) is True and mfa.reset(pool.id, alice) is False
    with database.transaction(readonly=True) as t:
        assert t.software_tokens.get(pool.id, alice.sub) is None
    _verified(mfa, pool, alice, clock)
    users.delete(pool.id, "alice")
    with database.transaction(readonly=True) as t:
        assert t.software_tokens.get(pool.id, alice.sub) is None
