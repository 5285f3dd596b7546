"""Encrypted claims at issuance (keyservice/customizer.py) through TokenService, SQLite and PostgreSQL:
declared attributes by audience and by scope, hook placeholders, what fails closed, the audit rows."""

from __future__ import annotations

import pytest
from tests.server.keyservice.conftest import BILLING, BIRTHDATE, KYC, NATIONAL_ID, POOL, claims_of

from authpool.guard import ClaimDecryptor, EncryptedClaimWrongAudience, ResourceKeys
from authpool.jose import ECDHKey
from authpool.server.hooks import InvalidHookResponse
from authpool.server.keyservice import ClaimEncryptionError, configure
from authpool.server.keyservice.customizer import targets

H = "python:tests.server.keyservice.handlers:"


def test_declared_attribute_by_scope(world):
    result = world.sign_in()
    access = claims_of(result.access_token)
    sealed = access["custom:national_id"]
    assert sealed.count(".") == 4 and NATIONAL_ID not in result.access_token
    assert "birthdate" not in access  # not declared
    assert world.verifier().verify(result.access_token).decrypt("custom:national_id") == NATIONAL_ID


def test_declared_attribute_by_audience_and_not_for_others(world):
    with_aud = world.sign_in(scopes=["openid"], audience=KYC)
    assert world.verifier().verify(with_aud.access_token).decrypt("custom:national_id") == NATIONAL_ID
    other = claims_of(world.sign_in(scopes=[f"{KYC}/read"], audience=BILLING).access_token)
    assert "custom:national_id" not in other  # aud names another API: its scopes do not count
    plain = claims_of(world.sign_in(scopes=["aws.cognito.signin.user.admin"]).access_token)
    assert "custom:national_id" not in plain


def test_targets_rule():
    audiences = {KYC, BILLING, "https://a.example/v2"}
    assert targets({"aud": KYC}, [f"{BILLING}/read"], audiences) == [KYC]
    assert targets({"aud": ["x", BILLING]}, [], audiences) == [BILLING]
    assert targets({}, [f"{KYC}/read", f"{KYC}/write", "https://a.example/v2/read", "openid"], audiences) == \
        [KYC, "https://a.example/v2"]


def test_two_audiences_one_claim_name(world):
    billing_key = ECDHKey.generate("P-256")
    configure(world.db, POOL, BILLING, attributes=["custom:national_id"], public_jwk=billing_key.to_public_dict())
    token = world.sign_in(scopes=[f"{KYC}/read", f"{BILLING}/read"]).access_token
    assert isinstance(claims_of(token)["custom:national_id"], list)
    assert world.verifier().verify(token).decrypt("custom:national_id") == NATIONAL_ID
    billing = world.verifier(ClaimDecryptor(audience=BILLING, resource_keys=ResourceKeys([billing_key])),
                             audience=BILLING)
    assert billing.verify(token).decrypt("custom:national_id") == NATIONAL_ID


def test_hook_placeholder_for_another_api(world):
    billing_key = ECDHKey.generate("X25519")
    configure(world.db, POOL, BILLING, public_jwk=billing_key.to_public_dict())
    world.hook(H + "birthdate_for_billing")
    token = world.sign_in().access_token
    claims = world.verifier(ClaimDecryptor(audience=BILLING, resource_keys=ResourceKeys([billing_key])),
                            audience=BILLING).verify(token)
    assert claims.decrypt("birthdate") == BIRTHDATE
    with pytest.raises(EncryptedClaimWrongAudience):  # the KYC API cannot read it
        world.verifier().verify(token).decrypt("birthdate")


def test_hook_may_suppress_a_declared_claim(world):
    world.hook(H + "suppress_declared")
    assert "custom:national_id" not in claims_of(world.sign_in().access_token)


def test_declared_attribute_never_leaves_in_clear(world):
    world.hook(H + "clear_text_overridden")
    token = world.sign_in().access_token
    assert NATIONAL_ID not in token
    assert world.verifier().verify(token).decrypt("custom:national_id") == NATIONAL_ID


@pytest.mark.parametrize("handler", ["in_id_token", "under_another_name", "nested", "malformed"])
def test_misused_placeholders_fail_closed(world, handler):
    world.hook(H + handler)
    families = _count(world, "token_families")
    with pytest.raises(InvalidHookResponse):
        world.sign_in(scopes=["openid", f"{KYC}/read"])
    assert _count(world, "token_families") == families  # nothing issued, nothing stored


def test_unknown_or_unready_audience_fails_closed(world):
    world.hook(H + "unknown_audience")
    with pytest.raises(ClaimEncryptionError):
        world.sign_in()
    failed = [e for e in world.audit("keys.encrypt") if e.detail["outcome"] == "failed"]
    assert failed and failed[-1].detail["error"] == "claim_encryption_failed"


@pytest.mark.parametrize(("name", "why"), [("resource-key", "public key"), ("aws-kms", "KMS key"),
                                           ("local", "decrypt")])
def test_backend_not_ready_fails_closed(world, name, why):
    configure(world.db, POOL, KYC, backend=name, public_jwk=None, decrypt_clients=[])
    with pytest.raises(ClaimEncryptionError) as caught:
        world.sign_in()
    assert why in caught.value.message


def test_size_limit_fails_closed(world, database):
    with database.transaction() as tx:
        pool = tx.pools.require(POOL)
        tx.pools.update(POOL, settings={**pool.settings, "AuthpoolHooks": {"MaxTokenBytes": 1024}})
    with pytest.raises(ClaimEncryptionError) as caught:
        world.sign_in()
    assert "1024 bytes" in caught.value.message


def test_client_credentials_get_no_declared_attributes(world):
    result = world.service.for_client(client=world.machine, scopes=[f"{KYC}/read"])
    assert "custom:national_id" not in claims_of(result.access_token)


def test_every_encrypt_is_audited_without_the_value(world):
    world.sign_in()
    events = world.audit("keys.encrypt")
    assert len(events) == 1
    event = events[0]
    assert event.actor == "issuance" and event.target == world.user.sub
    detail = event.detail
    assert detail["client"] == "appclient1" and detail["backend"] == "resource-key" and detail["key"] == "kyc-1"
    assert detail["context"] == {"iss": f"http://127.0.0.1:8000/{POOL}", "sub": world.user.sub,
                                 "claim": "custom:national_id", "aud": KYC}
    assert detail["outcome"] == "ok" and len(detail["ct"]) == 16
    assert NATIONAL_ID not in repr(events)


def test_refresh_encrypts_again(world):
    first = world.sign_in()
    again = world.service.refresh(client=world.app, refresh_token=first.refresh_token, rotate=False)
    sealed = claims_of(again.access_token)["custom:national_id"]
    assert sealed != claims_of(first.access_token)["custom:national_id"]
    assert world.verifier().verify(again.access_token).decrypt("custom:national_id") == NATIONAL_ID


def test_configure_validates(world):
    from authpool.server.errors import InvalidParameter, NotFound

    with pytest.raises(InvalidParameter):
        configure(world.db, POOL, KYC, decrypt_clients=["appclient1"])  # a public client cannot authenticate
    with pytest.raises(InvalidParameter):
        configure(world.db, POOL, KYC, decrypt_clients=["nosuchclient"])
    with pytest.raises(InvalidParameter):
        configure(world.db, POOL, KYC, public_jwk=world.rs_key.to_private_dict())  # never the private key
    with pytest.raises(InvalidParameter):
        configure(world.db, POOL, KYC, public_jwk={"kty": "RSA", "n": "AQAB", "e": "AQAB"})
    with pytest.raises(InvalidParameter):
        configure(world.db, POOL, KYC, backend="rot13")
    with pytest.raises(InvalidParameter):
        configure(world.db, POOL, KYC, attributes=["sub"])
    with pytest.raises(NotFound):
        configure(world.db, POOL, "https://nobody.example")
    settings = configure(world.db, POOL, BILLING, backend="local", decrypt_clients=["kycreader1"])
    assert settings.backend == "local" and settings.decrypt_clients == ("kycreader1",)
    with world.db.transaction(readonly=True) as tx:
        events = tx.audit.list(pool_id=POOL, type="resource_server.encryption_updated").items
    assert events[-1].target == BILLING


def test_new_resource_servers_default_to_resource_key(world):
    from authpool.server.keyservice import settings_of

    with world.db.transaction() as tx:
        record = tx.resource_servers.create(POOL, identifier="https://new.example", name="new")
    assert settings_of(record).backend == "resource-key"


def _count(world, table: str) -> int:
    with world.db.engine.connect() as conn:
        return conn.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar_one()


def test_token_inspect_reports_encrypted_claims_as_such(world):
    from authpool.tokens import inspect_token

    result = inspect_token(world.sign_in().access_token, now=int(world.clock()))
    assert result.encrypted_claims == ["custom:national_id"] and result.pii_claims == []
    assert "encrypted claims" in result.api_verdict and "in clear" not in result.api_verdict


def test_update_resource_server_keeps_the_encryption_settings(world):
    """UpdateResourceServer replaces name and scopes (Cognito); authpool's Encryption member stays."""
    from authpool.server.keyservice import settings_of
    from authpool.server.pool import ResourceServerService

    ResourceServerService(world.db).update(POOL, KYC, "renamed", scopes=[{"ScopeName": "r", "ScopeDescription": "r"}])
    with world.db.transaction(readonly=True) as tx:
        settings = settings_of(tx.resource_servers.require(POOL, KYC))
    assert settings.attributes == ("custom:national_id",) and settings.public_jwk is not None
