"""Mixed client load against a cluster, recording every call: refresh-token chains (rotation on,
alternating the OAuth and Cognito doors and the nodes), client credentials, and sign-in + revoke
cycles. A failed call is retried by its client with the same input, as a real client would; the
record says what each call got, when and how fast. Used by the fault tests and bench/soak.py."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Self

import httpx
from tests.cluster.support import PASSWORD, Api, ApiError, Cluster, World

RETRY_PAUSE = 0.05


@dataclass(frozen=True, slots=True)
class Call:
    op: str
    node: int
    started: float  # time.monotonic()
    elapsed: float
    outcome: str  # "ok", "<status> <code>" or "conn <ExceptionType>"
    request_id: str = ""  # the server's x-request-id, to find a failure in its log

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"


@dataclass
class Chain:
    """One signed-in user's refresh-token chain."""

    user: str
    token: str
    origin_jti: str
    successes: int = 0
    retries: int = 0
    issued: list[str] = field(default_factory=list)  # every refresh token this client received


class Load:
    def __init__(self, cluster: Cluster, world: World, *, chains: list[Chain], m2m_threads: int = 1,
                 signin_threads: int = 0, nodes: list[int] | None = None, pause: float = 0.0) -> None:
        self.cluster, self.world, self.chains = cluster, world, chains
        self.nodes = nodes if nodes is not None else list(range(len(cluster.nodes)))
        self.pause = pause
        self.calls: list[Call] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._chain, args=(i, c), daemon=True) for i, c in enumerate(chains)]
        self._threads += [threading.Thread(target=self._m2m, args=(i,), daemon=True) for i in range(m2m_threads)]
        self._threads += [threading.Thread(target=self._signin, args=(i,), daemon=True) for i in range(signin_threads)]

    @staticmethod
    def sign_in_chains(cluster: Cluster, world: World, users: list[str]) -> list[Chain]:
        from tests.cluster.support import claims

        api = cluster.api(0)
        try:
            chains = []
            for user in users:
                result = api.sign_in(world, user)
                chains.append(Chain(user, result["RefreshToken"], claims(result["AccessToken"])["origin_jti"],
                                    issued=[result["RefreshToken"]]))
            return chains
        finally:
            api.close()

    # -- control ------------------------------------------------------------------------------------------
    def __enter__(self) -> Self:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(30)

    def between(self, start: float, end: float) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if start <= c.started < end]

    # -- clients ------------------------------------------------------------------------------------------
    def _record(self, op: str, node: int, started: float, outcome: str, request_id: str = "") -> None:
        call = Call(op, node, started, time.monotonic() - started, outcome, request_id)
        with self._lock:
            self.calls.append(call)

    def _do(self, op: str, node: int, fn):
        started = time.monotonic()
        try:
            result = fn()
        except ApiError as exc:
            self._record(op, node, started, f"{exc.status} {exc.code}", exc.request_id)
            return None
        except httpx.HTTPError as exc:
            self._record(op, node, started, f"conn {type(exc).__name__}")
            return None
        self._record(op, node, started, "ok")
        return result

    @contextmanager
    def _connections(self) -> Iterator[dict[int, Api]]:
        """One client thread's connections, one per node, closed when the thread ends."""
        apis = {n: self.cluster.api(n, timeout=30) for n in self.nodes}
        try:
            yield apis
        finally:
            for api in apis.values():
                api.close()

    def _node(self, i: int) -> int:
        return self.nodes[i % len(self.nodes)]

    def _chain(self, index: int, chain: Chain) -> None:
        i = index
        with self._connections() as apis:
            while not self._stop.is_set():
                node = self._node(i)
                i += 1
                if i % 2:
                    result = self._do("refresh", node, lambda a=apis[node]: a.refresh(self.world, chain.token))
                    new = result and result["refresh_token"]
                else:
                    result = self._do("refresh", node, lambda a=apis[node]: a.refresh_cognito(self.world, chain.token))
                    new = result and result["RefreshToken"]
                if new:
                    chain.token, chain.successes = new, chain.successes + 1
                    chain.issued.append(new)
                else:
                    chain.retries += 1
                    self._stop.wait(RETRY_PAUSE)
                if self.pause:
                    self._stop.wait(self.pause)

    def _m2m(self, index: int) -> None:
        i = index
        with self._connections() as apis:
            while not self._stop.is_set():
                node = self._node(i)
                i += 1
                if self._do("client_credentials", node, lambda a=apis[node]: a.client_credentials(self.world)) is None:
                    self._stop.wait(RETRY_PAUSE)
                if self.pause:
                    self._stop.wait(self.pause)

    def _signin(self, index: int) -> None:
        """Sign in, refresh once at another node, revoke, and check the revoked token is refused."""
        i = index
        users = self.world.users
        with self._connections() as apis:
            while not self._stop.is_set():
                first, second = self._node(i), self._node(i + 1)
                user = users[i % len(users)]
                i += 1
                result = self._do("sign_in", first, lambda a=apis[first], u=user: a.sign_in(self.world, u, PASSWORD))
                if result is None:
                    self._stop.wait(RETRY_PAUSE)
                    continue
                token = result["RefreshToken"]
                refreshed = None
                while refreshed is None and not self._stop.is_set():
                    refreshed = self._do("refresh", second, lambda a=apis[second], t=token: a.refresh(self.world, t))
                    if refreshed is None:
                        self._stop.wait(RETRY_PAUSE)
                token = refreshed["refresh_token"] if refreshed else token
                while self._do("revoke", first, lambda a=apis[first], t=token: a.revoke(self.world, t) or True) is None:
                    if self._stop.wait(RETRY_PAUSE):
                        return
                self._expect_refused(apis[second], second, token)
                if self.pause:
                    self._stop.wait(self.pause)

    def _expect_refused(self, api: Api, node: int, token: str) -> None:
        started = time.monotonic()
        try:
            api.refresh(self.world, token)
        except ApiError as exc:
            outcome = "ok" if (exc.status, exc.code) == (400, "invalid_grant") else f"{exc.status} {exc.code}"
        except httpx.HTTPError as exc:
            outcome = f"conn {type(exc).__name__}"
        else:
            outcome = "200 revoked-token-accepted"
        self._record("revoked_refresh", node, started, outcome)


def chain_problems(cluster: Cluster, chains: list[Chain]) -> list[str]:
    """What is wrong in the store with each chain's family (empty when all is consistent): nothing
    half-written, nothing lost, nothing duplicated."""
    from authpool.server.store._base import hash_secret_value

    problems = []
    with cluster.ctx.db.transaction(readonly=True) as tx:
        for chain in chains:
            family = tx.token_families.get_family(chain.origin_jti)
            tokens = tx.refresh_tokens.list_for_family(chain.origin_jti)
            live = {t.token_hash for t in tokens if t.rotated_at is None and t.revoked_at is None}
            name = f"{chain.user}/{chain.origin_jti[:8]}"
            if family is None or family.revoked_at is not None:
                problems.append(f"{name}: family revoked or missing")
            if hash_secret_value(chain.token) not in live:
                problems.append(f"{name}: the client's current token is not live")
            if not chain.successes + 1 <= len(tokens) <= chain.successes + 1 + chain.retries:
                problems.append(f"{name}: {len(tokens)} tokens stored for {chain.successes} rotations "
                                f"and {chain.retries} retries")
            if not 1 <= len(live) <= 1 + chain.retries:
                problems.append(f"{name}: {len(live)} live tokens after {chain.retries} retries")
            if len(set(chain.issued)) != len(chain.issued):
                problems.append(f"{name}: the same refresh token was issued twice")
    with cluster.ctx.db.engine.connect() as conn:  # a family without any refresh token: a half-written sign-in
        orphans = conn.exec_driver_sql("SELECT count(*) FROM token_families f WHERE NOT EXISTS "
                                       "(SELECT 1 FROM refresh_tokens r WHERE r.origin_jti = f.origin_jti)").scalar()
    if orphans:
        problems.append(f"{orphans} token families without a refresh token")
    return problems
