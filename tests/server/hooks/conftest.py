"""A pool that issues tokens through TokenService with the HookCustomizer, on the shared ``database``
fixture (SQLite and PostgreSQL), plus real HTTP servers on 127.0.0.1 for webhooks and Lambda."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from tests.server.hooks import handlers
from tests.server.hooks.servers import HookServer, echo
from tests.support.tokens import claims_of  # noqa: F401 - the hook tests import it from here

from authpool.server.hooks import HookCustomizer, set_hook
from authpool.server.hooks.invokers import LambdaInvoker, PythonInvoker, WebhookInvoker
from authpool.server.issuance import TokenService
from authpool.server.keys import SigningKeys
from authpool.server.store.records import UserStatus

POOL = "us-east-1_HookTest1"
ADMIN_ROLE = "arn:aws:iam::123456789012:role/admin"
H = "python:tests.server.hooks.handlers:"


@dataclass
class World:
    db: object
    service: TokenService
    customizer: HookCustomizer
    app: object
    machine: object
    user: object
    secrets: dict = field(default_factory=dict)

    def hook(self, arn: str, version: str = "V2_0", **options) -> str | None:
        secret = set_hook(self.db, POOL, arn=arn, version=version, **options)
        if secret:
            self.secrets["webhook"] = secret
        return secret

    def sign_in(self, trigger: str = "TokenGeneration_Authentication", scopes=("openid", "orders/read"),
                client_metadata=None):
        return self.service.for_user(client=self.app, user=self.user, scopes=list(scopes), trigger_source=trigger,
                                     client_metadata=client_metadata)

    def refresh(self, result, client_metadata=None):
        return self.service.refresh(client=self.app, refresh_token=result.refresh_token, rotate=False,
                                    client_metadata=client_metadata)

    def m2m(self, scopes=("orders/read",), client_metadata=None):
        return self.service.for_client(client=self.machine, scopes=list(scopes), client_metadata=client_metadata)

    def audit(self, type: str) -> list:
        with self.db.transaction(readonly=True) as tx:
            return tx.audit.list(pool_id=POOL, type=type).items

    def families(self) -> int:
        with self.db.engine.connect() as conn:
            return conn.exec_driver_sql("SELECT count(*) FROM token_families").scalar_one()

    def refresh_tokens(self) -> int:
        with self.db.engine.connect() as conn:
            return conn.exec_driver_sql("SELECT count(*) FROM refresh_tokens").scalar_one()


@pytest.fixture
def lambda_endpoint():
    """Set by tests that use the fake Lambda API; None means the LambdaInvoker's default endpoint."""
    return


@pytest.fixture
def python_invoker() -> PythonInvoker:
    """The world's python invoker; a test module may override it (e.g. fewer threads)."""
    return PythonInvoker()


@pytest.fixture
def world(database, clock, lambda_endpoint, python_invoker, monkeypatch) -> World:
    with database.transaction() as tx:
        tx.pools.create(id=POOL, name="hooks", settings={"SigningAlgorithm": "ES256"})
        app = tx.clients.create(POOL, client_id="appclient1", name="app", client_secret=None,
                                settings={"ReadAttributes": ["email", "name", "email_verified"]})
        machine = tx.clients.create(POOL, client_id="machine1", name="svc", client_secret="s3cret-s3cret", settings={})
        user = tx.users.create(POOL, username="alice", status=UserStatus.CONFIRMED,
                               attributes={"email": "alice@example.com", "name": "Alice", "email_verified": "true",
                                           "custom:tenant": "acme"})
        tx.groups.create(POOL, name="admin", precedence=1, role_arn=ADMIN_ROLE)
        tx.groups.create(POOL, name="staff", precedence=5)
        tx.groups.add_member(POOL, "admin", user.sub)
        tx.groups.add_member(POOL, "staff", user.sub)
    keys = SigningKeys(database, clock=clock)
    keys.ensure(POOL)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    customizer = HookCustomizer(database, invokers={"python": python_invoker, "webhook": WebhookInvoker(clock=clock),
                                                    "lambda": LambdaInvoker(endpoint_url=lambda_endpoint)})
    service = TokenService(database, keys, lambda p: f"http://127.0.0.1:8000/{p}", clock=clock, customizer=customizer)
    handlers.seen.clear()
    yield World(database, service, customizer, app, machine, user)
    customizer.close()


@pytest.fixture(scope="module")
def http_hook():
    server = HookServer().start()
    yield server
    server.stop()


@pytest.fixture
def webhook(http_hook):
    http_hook.requests.clear()
    http_hook.respond = echo
    return http_hook
