"""ID tokens made with PyJWT (an independent library), their keys, and a real JWKS server on 127.0.0.1."""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from jwt.algorithms import ECAlgorithm, OKPAlgorithm, RSAAlgorithm

NOW = 1_700_000_000
ISS = "https://idp.example/us-east-1_Demo"
CLIENT = "6f2k1c0ljqe3m4a5b6c7d8e9f0"


class Signer:
    """A private key and its public JWK, with PyJWT doing the signing."""

    def __init__(self, alg: str, kid: str) -> None:
        self.alg, self.kid = alg, kid
        if alg.startswith("RS"):
            self.private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            jwk = RSAAlgorithm.to_jwk(self.private.public_key(), as_dict=True)
        elif alg == "ES256":
            self.private = ec.generate_private_key(ec.SECP256R1())
            jwk = ECAlgorithm.to_jwk(self.private.public_key(), as_dict=True)
        else:
            self.private = ed25519.Ed25519PrivateKey.generate()
            jwk = OKPAlgorithm.to_jwk(self.private.public_key(), as_dict=True)
        self.jwk = {**jwk, "kid": kid, "use": "sig", "alg": alg}

    def sign(self, claims: dict[str, Any], *, typ: str | None = "JWT", kid: str | None = None) -> str:
        headers = {"kid": kid or self.kid, "typ": typ}  # PyJWT drops a None typ
        return jwt.encode(claims, self.private, algorithm=self.alg, headers=headers)


def at_hash(access_token: str, alg: str) -> str:
    """OIDC Core §3.1.3.6, computed here independently of authpool.tokens.token_hash."""
    digest = (hashlib.sha512 if alg == "EdDSA" else hashlib.sha256)(access_token.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest[: len(digest) // 2]).rstrip(b"=").decode()


def id_claims(**overrides: Any) -> dict[str, Any]:
    """The shape authpool (and Cognito) give an ID token."""
    claims: dict[str, Any] = {
        "sub": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
        "cognito:groups": ["admin"],
        "email_verified": True,
        "iss": ISS,
        "cognito:username": "alice",
        "origin_jti": str(uuid.uuid4()),
        "aud": CLIENT,
        "event_id": str(uuid.uuid4()),
        "token_use": "id",
        "auth_time": NOW - 30,
        "name": "Alice Example",
        "custom:tier": "premium",
        "exp": NOW + 3600,
        "iat": NOW - 30,
        "jti": str(uuid.uuid4()),
        "email": "alice@example.com",
        "nonce": "n-0S6_WzA2Mj",
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not ...}


def access_claims(**overrides: Any) -> dict[str, Any]:
    claims: dict[str, Any] = {
        "sub": "7c9e6679-7425-40de-944b-e07fc1f90ae7", "cognito:groups": ["admin"], "iss": ISS,
        "version": 2, "client_id": CLIENT, "token_use": "access", "scope": "openid orders/read",
        "auth_time": NOW - 30, "exp": NOW + 3600, "iat": NOW - 30, "jti": str(uuid.uuid4()), "username": "alice",
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not ...}


@pytest.fixture(scope="session")
def rsa_signer() -> Signer:
    return Signer("RS256", "id-rsa")


@pytest.fixture(scope="session")
def access_signer() -> Signer:
    return Signer("RS256", "access-rsa")


@pytest.fixture(scope="session")
def jwks(rsa_signer, access_signer) -> dict[str, Any]:
    return {"keys": [rsa_signer.jwk, access_signer.jwk]}


class JwksServer:
    """Serves ``self.document`` at /jwks.json; counts the requests it answers."""

    def __init__(self) -> None:
        self.document: Any = {"keys": []}
        self.discovery: dict[str, Any] = {}
        self.status = 200
        self.requests = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path.endswith("/.well-known/openid-configuration"):
                    body = json.dumps(outer.discovery).encode()
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                outer.requests += 1
                body = outer.document if isinstance(outer.document, bytes) else json.dumps(outer.document).encode()
                self.send_response(outer.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.url = f"{self.base}/jwks.json"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def jwks_server() -> Iterator[JwksServer]:
    server = JwksServer()
    yield server
    server.stop()


class Clock:
    def __init__(self, now: float = NOW) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"

