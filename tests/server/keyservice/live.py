"""One real ``authpool serve`` process, a real moto KMS server and a FastAPI app behind the guard, all on
127.0.0.1, for the end-to-end encrypted-claims tests (one set per test session; they start slowly).

Resource servers of the pool, one per backend, each declaring ``custom:national_id``:

* ``https://kyc-rk.example``   resource-key (X25519 public key registered; the guard holds the private key)
* ``https://kyc-local.example`` local (the ``kycapi`` client is in its key policy; ``other`` is not)
* ``https://kyc-kms.example``  aws-kms (a moto key)
* ``https://kyc-hook.example`` resource-key, declaring nothing: the pool's pre-token hook is
  examples/hooks/encrypted_claim.py, which adds the claim for this audience

A user signs in through the hosted login page (authorization code + PKCE), asking for one resource
server's scope; the token goes to the FastAPI app, whose routes decrypt with ``claims.decrypt`` (sync
routes) and ``await claims.adecrypt`` (async routes).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from tests.server.oauth.world import authorize_code, exchange
from tests.support.live_server import LiveServer, free_port

from authpool.jose import ECDHKey
from authpool.server.context import build_context
from authpool.server.hooks import set_hook
from authpool.server.keyservice import configure
from authpool.server.settings import Settings

PASSWORD = "Corr3ct-Horse!"
NATIONAL_ID = "756.9217.0769.85"
RK, LOCAL, KMS, HOOK = ("https://kyc-rk.example", "https://kyc-local.example", "https://kyc-kms.example",
                        "https://kyc-hook.example")
AWS_ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}
AWS_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
DECRYPT_RATE, DECRYPT_BURST = 2.0, 20


@dataclass
class Client:
    client_id: str
    secret: str | None
    redirect_uri: str | None = None


class Moto:
    """moto's KMS in server mode (``python -m moto.server``) on a free 127.0.0.1 port."""

    def __init__(self, log_dir: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._log = open(log_dir / "moto.log", "wb")  # noqa: SIM115
        self.process = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
                                        stdout=self._log, stderr=subprocess.STDOUT, env={**os.environ, **AWS_ENV})
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/moto-api/", timeout=1).status_code < 500:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("moto server did not start")

    def kms(self):
        import boto3

        return boto3.client("kms", endpoint_url=self.url, region_name="us-east-1",
                            aws_access_key_id="testing", aws_secret_access_key="testing")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self._log.close()


class Api:
    """A FastAPI app behind authpool.guard, served by uvicorn in a thread on 127.0.0.1."""

    def __init__(self, app) -> None:
        import uvicorn

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                                   lifespan="off"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the API did not start")
            time.sleep(0.05)

    def get(self, path: str, token: str) -> httpx.Response:
        return httpx.get(self.url + path, headers={"Authorization": f"Bearer {token}"}, timeout=10)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@dataclass
class Live:
    server: LiveServer
    ctx: Any
    pool_id: str
    web: Client
    kycapi: Client
    other: Client
    moto: Moto
    kms_key: str
    rs_key: ECDHKey
    hook_key: ECDHKey
    users: dict[str, str] = field(default_factory=dict)
    api: Api | None = None

    @property
    def issuer(self) -> str:
        return f"{self.server.base_url}/{self.pool_id}"

    def url(self, path: str) -> str:
        return f"{self.issuer}{path}"

    def token_for(self, audience: str, username: str = "alice") -> str:
        """Sign in through the hosted login page asking for ``audience``'s scope; the access token."""
        with httpx.Client(timeout=10) as http:
            code, verifier = authorize_code(http, self, self.web, scope=f"openid {audience}/read", username=username)
        response = exchange(self, self.web, code, verifier)
        assert response.status_code == 200, response.text
        return response.json()["access_token"]

    def decrypt_request(self, client: Client, body: Any, *, raw: bytes | None = None,
                        auth: tuple[str, str] | None = ..., headers: dict | None = None) -> httpx.Response:
        auth = (client.client_id, client.secret) if auth is ... else auth
        kwargs: dict[str, Any] = {"content": raw} if raw is not None else {"json": body}
        return httpx.post(self.url("/keys/decrypt"), auth=auth, headers=headers, timeout=10, **kwargs)

    def audit(self, type_: str) -> list:
        with self.ctx.db.transaction(readonly=True) as tx:
            return tx.audit.list(pool_id=self.pool_id, type=type_, limit=1000).items


def build(data_dir: Path, moto: Moto) -> tuple[Any, dict[str, Any]]:
    ctx = build_context(Settings(data_dir=data_dir))
    pool = ctx.pools.create("encrypted-claims", schema=[{"Name": "national_id", "AttributeDataType": "String",
                                                         "Mutable": True}], settings={"SigningAlgorithm": "ES256"})
    ctx.keys.ensure(pool.id)
    for ident in (RK, LOCAL, KMS, HOOK):
        ctx.resource_servers.create(pool.id, ident, ident.split("//")[1].split(".")[0],
                                    scopes=[{"ScopeName": "read", "ScopeDescription": "read"}])
    web = ctx.clients.create(pool.id, "KYC web", generate_secret=True, settings={
        "AllowedOAuthFlowsUserPoolClient": True, "AllowedOAuthFlows": ["code"], "CallbackURLs": ["https://web.example/cb"],
        "AllowedOAuthScopes": ["openid", *(f"{ident}/read" for ident in (RK, LOCAL, KMS, HOOK))],
        "ExplicitAuthFlows": ["ALLOW_REFRESH_TOKEN_AUTH"]})
    kycapi = ctx.clients.create(pool.id, "KYC API", generate_secret=True, settings={})
    other = ctx.clients.create(pool.id, "Other API", generate_secret=True, settings={})
    kms_key = moto.kms().create_key(Description="kyc claims")["KeyMetadata"]["Arn"]
    rs_key, hook_key = ECDHKey.generate("X25519", kid="kyc-rk-1"), ECDHKey.generate("P-256", kid="kyc-hook-1")
    declared = ["custom:national_id"]
    configure(ctx.db, pool.id, RK, attributes=declared, public_jwk=rs_key.to_public_dict())
    configure(ctx.db, pool.id, LOCAL, backend="local", attributes=declared, decrypt_clients=[kycapi.client_id])
    configure(ctx.db, pool.id, KMS, backend="aws-kms", attributes=declared, kms_key_id=kms_key)
    configure(ctx.db, pool.id, HOOK, public_jwk=hook_key.to_public_dict())
    set_hook(ctx.db, pool.id, arn="python:examples.hooks.encrypted_claim:handler", version="V2_0")
    ctx.users.sign_up(pool.id, "alice", PASSWORD, confirmed=True,
                      attributes={"email": "alice@example.com", "custom:national_id": NATIONAL_ID})
    return ctx, {"pool_id": pool.id, "web": Client(web.client_id, web.client_secret, "https://web.example/cb"),
                 "kycapi": Client(kycapi.client_id, kycapi.client_secret),
                 "other": Client(other.client_id, other.client_secret), "kms_key": kms_key, "rs_key": rs_key,
                 "hook_key": hook_key}


def make_api(live: Live):
    """The FastAPI app: per backend, a sync route (decrypt) and an async one (adecrypt)."""
    from fastapi import Depends, FastAPI

    from authpool.guard import (
        AccessTokenVerifier,
        AuthpoolKeyService,
        AwsKms,
        ClaimDecryptor,
        RemoteJwks,
        ResourceKeys,
    )
    from authpool.guard.fastapi import Guard

    jwks = RemoteJwks(live.issuer + "/.well-known/jwks.json", issuer=live.issuer)
    decryptors = {
        "rk": ClaimDecryptor(audience=RK, resource_keys=ResourceKeys([live.rs_key.to_private_dict()])),
        "local": ClaimDecryptor(audience=LOCAL, key_service=AuthpoolKeyService(
            live.issuer, client_id=live.kycapi.client_id, client_secret=live.kycapi.secret)),
        "local-other": ClaimDecryptor(audience=LOCAL, key_service=AuthpoolKeyService(
            live.issuer, client_id=live.other.client_id, client_secret=live.other.secret)),
        "kms": ClaimDecryptor(audience=KMS, kms=AwsKms(key_ids=[live.kms_key], endpoint_url=live.moto.url,
                                                          client_kwargs=AWS_CREDENTIALS)),
        "kms-otherkey": ClaimDecryptor(audience=KMS, kms=AwsKms(
            key_ids=[live.moto.kms().create_key()["KeyMetadata"]["Arn"]], endpoint_url=live.moto.url,
            client_kwargs=AWS_CREDENTIALS)),
        "hook": ClaimDecryptor(audience=HOOK, resource_keys=ResourceKeys([live.hook_key])),
        "wrongaud": ClaimDecryptor(audience=RK, resource_keys=ResourceKeys([live.rs_key])),
    }
    app = FastAPI()
    for index, (name, decryptor) in enumerate(decryptors.items()):
        verifier = AccessTokenVerifier(issuer=live.issuer, client_ids=[live.web.client_id], jwks_uri=jwks,
                                       algorithms=["ES256"], decryptor=decryptor)
        guard = Guard(verifier, app=app if index == 0 else None)  # one set of error handlers is enough
        _routes(app, name, Depends(guard.require()))
    return app


def _routes(app, name: str, claims_dependency) -> None:
    # No annotations on the parameters (this module has postponed annotations): Depends as the default.
    @app.get(f"/{name}/sync")
    def sync_route(claims=claims_dependency):
        return {"national_id": claims.decrypt("custom:national_id")}

    @app.get(f"/{name}/async")
    async def async_route(claims=claims_dependency):
        return {"national_id": await claims.adecrypt("custom:national_id")}


_shared: Live | None = None


def shared_live(tmp_path_factory, config) -> Live:
    global _shared
    if _shared is None:
        data_dir = tmp_path_factory.mktemp("keyservice-live")
        moto = Moto(data_dir)
        try:
            ctx, parts = build(data_dir, moto)
            server = LiveServer(data_dir, env={**AWS_ENV, "AWS_ENDPOINT_URL_KMS": moto.url,
                                               "AUTHPOOL_DECRYPT_RATE": str(DECRYPT_RATE),
                                               "AUTHPOOL_DECRYPT_BURST": str(DECRYPT_BURST),
                                               "KYC_API": HOOK,
                                               # everything the server logs, for the plaintext scan
                                               "AUTHPOOL_LOG_LEVEL": "DEBUG"}).__enter__()
        except BaseException:
            moto.stop()
            raise
        live = Live(server=server, ctx=ctx, moto=moto, **parts)
        live.users["alice"] = PASSWORD
        live.api = Api(make_api(live))
        _shared = live

        def stop() -> None:
            live.api.stop()
            live.server.__exit__(None, None, None)
            moto.stop()
            ctx.db.dispose()

        config.add_cleanup(stop)
    return _shared
