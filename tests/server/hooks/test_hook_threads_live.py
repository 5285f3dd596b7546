"""A live ``authpool serve`` with ``AUTHPOOL_HOOK_THREADS=1`` and a sync python pre-token hook that
blocks (on a socket held by this test, the server being another process): the first token request
times out and leaves the one hook thread stuck; the next ones fail closed at once, on the OAuth
token endpoint (500 ``server_error``) and the Cognito API (``UnexpectedLambdaException``), counted
as refusals in ``/metrics``; the server's other requests keep working; after the release the
thread comes back and tokens are issued again."""

from __future__ import annotations

import socket
import threading

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from tests.server.hooks.conftest import H
from tests.server.oauth.world import PASSWORD, build_world
from tests.support.live_server import LiveServer
from tests.support.waiting import wait_until

from authpool.server.hooks import set_hook

TARGET = "AWSCognitoIdentityProviderService."


class Gate:
    """A TCP listener that holds every connection open until :meth:`release` (then closes at once)."""

    def __init__(self) -> None:
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self._held: list[socket.socket] = []
        self._released = threading.Event()
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._server.accept()
            except OSError:
                return
            with self._lock:
                if self._released.is_set():
                    conn.close()
                else:
                    self._held.append(conn)

    @property
    def held(self) -> int:
        with self._lock:
            return len(self._held)

    def release(self) -> None:
        with self._lock:
            self._released.set()
            for conn in self._held:
                conn.close()
            self._held.clear()

    def close(self) -> None:
        self.release()
        self._server.close()


def _metrics(base: str) -> dict[str, float]:
    text = httpx.get(f"{base}/metrics", timeout=5).text
    return {s.name: s.value for f in text_string_to_metric_families(text) for s in f.samples
            if s.name.startswith("authpool_hook_threads")}


@pytest.fixture
def gate():
    g = Gate()
    yield g
    g.close()


def test_stuck_hook_threads_fail_closed_at_once_and_the_server_keeps_serving(tmp_path, gate):
    ctx, parts = build_world(tmp_path)
    pool_id, machine = parts["pool_id"], parts["machine"]
    api = ctx.clients.create(pool_id, "cli", settings={"ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH"]})
    ctx.users.sign_up(pool_id, "alice", PASSWORD, confirmed=True)
    set_hook(ctx.db, pool_id, arn=H + "blocked_on_socket", version="V3_0", timeout=0.3)
    env = {"AUTHPOOL_HOOK_THREADS": "1", "HOOK_GATE_PORT": str(gate.port)}
    try:
        with LiveServer(tmp_path, env=env) as server, httpx.Client(base_url=server.base_url, timeout=20) as http:
            def token() -> httpx.Response:
                return http.post(f"/{pool_id}/oauth2/token", data={"grant_type": "client_credentials"},
                                 auth=(machine.client_id, machine.secret))

            def sign_in() -> httpx.Response:
                return http.post("/", json={"ClientId": api.client_id, "AuthFlow": "USER_PASSWORD_AUTH",
                                            "AuthParameters": {"USERNAME": "alice", "PASSWORD": PASSWORD}},
                                 headers={"X-Amz-Target": TARGET + "InitiateAuth",
                                          "Content-Type": "application/x-amz-json-1.1"})

            timed_out = token()
            assert timed_out.status_code == 500 and timed_out.json()["error"] == "server_error"
            assert gate.held == 1
            assert _metrics(server.base_url) == {"authpool_hook_threads_capacity": 1, "authpool_hook_threads_busy": 1,
                                                 "authpool_hook_threads_stuck": 1,
                                                 "authpool_hook_threads_refused_total": 0}

            refused = sign_in()
            assert refused.status_code == 400 and refused.json()["__type"] == "UnexpectedLambdaException"
            assert "HookThreadsExhausted" in refused.json()["message"]
            again = token()
            assert again.status_code == 500 and again.json()["error"] == "server_error"
            assert gate.held == 1  # neither call reached the handler
            assert _metrics(server.base_url)["authpool_hook_threads_refused_total"] == 2

            # everything that runs no hook is served as usual meanwhile
            assert http.get("/health").status_code == 200
            assert http.get(f"/{pool_id}/.well-known/jwks.json").status_code == 200
            assert http.get(f"/{pool_id}/.well-known/openid-configuration").status_code == 200

            gate.release()
            wait_until(lambda: _metrics(server.base_url)["authpool_hook_threads_busy"] == 0, timeout=15.0)
            issued = token()
            assert issued.status_code == 200 and issued.json()["access_token"]
            assert sign_in().json()["AuthenticationResult"]["AccessToken"]
            log = server.log()
        assert "runs a handler past its timeout" in log and "stuck authpool-hook thread returned" in log
        assert "alice" not in log and machine.secret not in log and "eyJ" not in log
    finally:
        ctx.db.dispose()
