"""A pool that issues encrypted claims through TokenService with the server's customizer chain, on the
shared ``database`` fixture (SQLite and PostgreSQL)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from tests.support.tokens import claims_of  # noqa: F401 - the key-service tests import it from here

from authpool.guard import AccessTokenVerifier, ClaimDecryptor, ResourceKeys
from authpool.jose import ECDHKey
from authpool.server.hooks import HookCustomizer, set_hook
from authpool.server.hooks.invokers import PythonInvoker
from authpool.server.issuance import CustomizerChain, TokenService
from authpool.server.keys import SigningKeys
from authpool.server.keyservice import DeclaredClaims, EncryptClaims, KeyService, configure
from authpool.server.store.records import UserStatus

POOL = "us-east-1_KeySvc01"
ISSUER = f"http://127.0.0.1:8000/{POOL}"
KYC = "https://kyc.example.com"
BILLING = "https://billing.example.com"
NATIONAL_ID = "756.9217.0769.85"
BIRTHDATE = "1985-04-12"


@dataclass
class World:
    db: object
    keys: KeyService
    signing: SigningKeys
    service: TokenService
    hooks: HookCustomizer
    app: object
    machine: object
    kyc_reader: object
    user: object
    rs_key: ECDHKey
    clock: object

    def sign_in(self, scopes=(f"{KYC}/read",), audience=None):
        return self.service.for_user(client=self.app, user=self.user, scopes=list(scopes), audience=audience,
                                     trigger_source="TokenGeneration_HostedAuth")

    def hook(self, arn: str, version: str = "V2_0") -> None:
        set_hook(self.db, POOL, arn=arn, version=version)

    def verifier(self, decryptor: ClaimDecryptor | None = None, audience: str = KYC) -> AccessTokenVerifier:
        if decryptor is None:
            decryptor = ClaimDecryptor(audience=audience, resource_keys=ResourceKeys([self.rs_key]))
        return AccessTokenVerifier(issuer=ISSUER, client_ids=None, jwks=self.signing.jwks_document(POOL),
                                   algorithms=["ES256"], decryptor=decryptor, clock=self.clock)

    def audit(self, type_: str) -> list:
        with self.db.transaction(readonly=True) as tx:
            return tx.audit.list(pool_id=POOL, type=type_, limit=1000).items


@pytest.fixture
def world(database, clock) -> World:
    with database.transaction() as tx:
        tx.pools.create(id=POOL, name="keyservice", settings={"SigningAlgorithm": "ES256"})  # fast keys
        app = tx.clients.create(POOL, client_id="appclient1", name="app", client_secret=None, settings={})
        machine = tx.clients.create(POOL, client_id="machine1", name="svc", client_secret="m4chine-secret-1",
                                    settings={})
        reader = tx.clients.create(POOL, client_id="kycreader1", name="kyc api", client_secret="kyc-api-secret-1",
                                   settings={})
        user = tx.users.create(POOL, username="alice", status=UserStatus.CONFIRMED,
                               attributes={"email": "alice@example.com", "custom:national_id": NATIONAL_ID,
                                           "birthdate": BIRTHDATE})
        for ident in (KYC, BILLING):
            tx.resource_servers.create(POOL, identifier=ident, name=ident.split("//")[1],
                                       scopes=[{"ScopeName": "read", "ScopeDescription": "read"}])
    rs_key = ECDHKey.generate("X25519", kid="kyc-1")
    configure(database, POOL, KYC, attributes=["custom:national_id"], public_jwk=rs_key.to_public_dict(),
              decrypt_clients=["kycreader1"])
    signing = SigningKeys(database, clock=clock)
    signing.ensure(POOL)
    keys = KeyService(database, clock=clock)
    hooks = HookCustomizer(database, invokers={"python": PythonInvoker()})
    service = TokenService(database, signing, lambda p: f"http://127.0.0.1:8000/{p}", clock=clock,
                           customizer=CustomizerChain(DeclaredClaims(keys), hooks, EncryptClaims(keys, database)))
    yield World(database, keys, signing, service, hooks, app, machine, reader, user, rs_key, clock)
    hooks.close()


@pytest.fixture(scope="session")
def live(tmp_path_factory, pytestconfig):
    """The real server, moto and the FastAPI app of live.py (one set per session)."""
    from tests.server.keyservice.live import shared_live

    return shared_live(tmp_path_factory, pytestconfig)
