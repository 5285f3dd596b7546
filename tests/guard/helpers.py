"""Token factories and a real JWKS HTTP server on 127.0.0.1 for the guard tests."""

from __future__ import annotations

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from authpool.jose import ALGORITHMS, JWK, b64url_encode, dumps_compact, sign_compact

NOW = 1_700_000_000
POOL = "us-east-1_Example"
ISS = f"https://cognito-idp.us-east-1.amazonaws.com/{POOL}"
CLIENT = "57cbishk4j24pabc1234567890"


def access_claims(**overrides: Any) -> dict[str, Any]:
    """Cognito's documented access-token shape (COGNITO.md §1.4) plus version 2."""
    claims: dict[str, Any] = {
        "sub": "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
        "cognito:groups": ["admin"],
        "iss": ISS,
        "version": 2,
        "client_id": CLIENT,
        "origin_jti": str(uuid.uuid4()),
        "event_id": str(uuid.uuid4()),
        "token_use": "access",
        "scope": "aws.cognito.signin.user.admin items/read",
        "auth_time": NOW - 60,
        "exp": NOW + 3600,
        "iat": NOW - 60,
        "jti": str(uuid.uuid4()),
        "username": "janedoe",
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not ...}


def id_claims(**overrides: Any) -> dict[str, Any]:
    """Cognito's documented ID-token shape (COGNITO.md §1.3)."""
    claims: dict[str, Any] = {
        "sub": "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
        "aud": CLIENT,
        "email_verified": True,
        "token_use": "id",
        "auth_time": NOW - 60,
        "iss": ISS,
        "cognito:username": "janedoe",
        "exp": NOW + 3600,
        "iat": NOW - 60,
        "email": "janedoe@example.com",
        "jti": str(uuid.uuid4()),
        "origin_jti": str(uuid.uuid4()),
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not ...}


def token(key: JWK, claims: dict[str, Any] | None = None, *, typ: str | None = "at+jwt",
          headers: dict[str, Any] | None = None, **overrides: Any) -> str:
    return sign_compact(claims if claims is not None else access_claims(**overrides), key, typ=typ, headers=headers)


def raw_token(header: dict[str, Any], payload: bytes | dict[str, Any], signature: bytes = b"sig") -> str:
    """An arbitrary (usually bad) compact token, built by hand."""
    body = payload if isinstance(payload, bytes) else dumps_compact(payload)
    return f"{b64url_encode(dumps_compact(header))}.{b64url_encode(body)}.{b64url_encode(signature)}"


def resign(key: JWK, header: dict[str, Any], payload: bytes | dict[str, Any]) -> str:
    """Sign an arbitrary header/payload pair correctly with ``key`` (to reach the later checks)."""
    body = payload if isinstance(payload, bytes) else dumps_compact(payload)
    signing_input = f"{b64url_encode(dumps_compact(header))}.{b64url_encode(body)}"
    signature = ALGORITHMS[header["alg"]].sign(key.private_key, signing_input.encode())
    return f"{signing_input}.{b64url_encode(signature)}"


class Clock:
    """An injectable clock (STYLE.md habit 5): tests move time, they never sleep for it."""

    def __init__(self, now: float = NOW) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class JwksServer:
    """A real HTTP server on 127.0.0.1 serving a JWKS (and a discovery document), with knobs:
    ``cache_control``, ``status``, ``delay`` (seconds per response), request counting, and
    :meth:`stop` / :meth:`start` for a real outage (connection refused)."""

    def __init__(self, issuer_path: str = "/" + POOL) -> None:
        self.issuer_path = issuer_path
        self.keys: list[JWK] = []
        self.cache_control: str | None = "max-age=300"
        self.extra_headers: dict[str, str] = {}
        self.status = 200
        self.delay = 0.0
        self.body: bytes | None = None  # overrides the JWKS body when set
        self.hits: dict[str, int] = {}
        self.discovery_issuer: str | None = None
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self.port = 0
        self.start()

    # -- addresses ----------------------------------------------------------------------------------
    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def issuer(self) -> str:
        return self.base + self.issuer_path

    @property
    def jwks_uri(self) -> str:
        return self.issuer + "/.well-known/jwks.json"

    def count(self, path: str = "jwks") -> int:
        suffix = "/.well-known/jwks.json" if path == "jwks" else "/.well-known/openid-configuration"
        return self.hits.get(self.issuer_path + suffix, 0)

    # -- lifecycle ------------------------------------------------------------------------------------
    def start(self) -> None:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                with outer._lock:
                    outer.hits[self.path] = outer.hits.get(self.path, 0) + 1
                if outer.delay:
                    time.sleep(outer.delay)
                if self.path == outer.issuer_path + "/.well-known/jwks.json":
                    body = outer.body if outer.body is not None else json.dumps(
                        {"keys": [k.to_public_dict() for k in outer.keys]}).encode()
                    self._answer(outer.status, body, outer.cache_control)
                elif self.path == outer.issuer_path + "/.well-known/openid-configuration":
                    doc = {"issuer": outer.discovery_issuer or outer.issuer, "jwks_uri": outer.jwks_uri}
                    self._answer(200, json.dumps(doc).encode(), None)
                else:
                    self._answer(404, b"{}", None)

            def _answer(self, status: int, body: bytes, cache_control: str | None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                if cache_control is not None:
                    self.send_header("Cache-Control", cache_control)
                for name, value in outer.extra_headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

        server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        server.daemon_threads = True
        self.port = server.server_address[1]
        self._server = server
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
