"""The JWKS cache against a real HTTP server on 127.0.0.1: TTL from Cache-Control within bounds, key
rotation, the penalty box, an outage with its stale window, coalesced refetches, discovery."""

from __future__ import annotations

import threading

import anyio
import pytest

from authpool.guard import AccessTokenVerifier, JwksUnavailable, KeyNotFound, RemoteJwks, rfc6750
from authpool.guard.jwks import check_uri, ttl_from_headers
from authpool.jose import JWK

from .helpers import CLIENT, Clock, JwksServer, token

OPTIONS = {"cooldown": 10.0, "stale_window": 100.0, "min_ttl": 60.0, "default_ttl": 120.0, "max_ttl": 1000.0,
           "timeout": 2.0}


def verifier(server: JwksServer, clock: Clock, **options) -> AccessTokenVerifier:
    jwks_options = {**OPTIONS, **options.pop("jwks_options", {})}
    return AccessTokenVerifier(issuer=server.issuer, client_ids=[CLIENT], jwks_uri=server.jwks_uri,
                               algorithms=["RS256", "ES256"], clock=clock, jwks_options=jwks_options, **options)


def tok(key: JWK, server: JwksServer) -> str:
    return token(key, iss=server.issuer)


class TestFreshness:
    @pytest.mark.parametrize("headers, ttl", [
        ({}, 120), ({"cache-control": "max-age=300"}, 300), ({"cache-control": "public, max-age=5"}, 60),
        ({"cache-control": "max-age=99999"}, 1000), ({"cache-control": "no-store"}, 60),
        ({"cache-control": "max-age=300, no-cache"}, 60), ({"cache-control": "max-age=300", "age": "200"}, 100),
        ({"cache-control": "Max-Age=\"400\""}, 400), ({"cache-control": "s-maxage=400"}, 120),
    ])
    def test_ttl_from_headers(self, headers, ttl):
        assert ttl_from_headers(headers, default_ttl=120, min_ttl=60, max_ttl=1000) == ttl

    def test_fetched_once_then_cached_until_max_age(self, jwks_server, rsa_key):
        jwks_server.keys = [rsa_key]
        clock = Clock()
        v = verifier(jwks_server, clock)
        t = tok(rsa_key, jwks_server)
        for _ in range(5):
            assert v.verify(t)
        assert jwks_server.count() == 1
        clock.advance(299)
        v.verify(t)
        assert jwks_server.count() == 1
        clock.advance(1)  # max-age=300 reached: refreshed on the next verification
        v.verify(t)
        assert jwks_server.count() == 2

    def test_min_ttl_bounds_a_tiny_max_age(self, jwks_server, rsa_key):
        jwks_server.keys, jwks_server.cache_control = [rsa_key], "max-age=0"
        clock = Clock()
        v = verifier(jwks_server, clock)
        for _ in range(3):
            v.verify(tok(rsa_key, jwks_server))
            clock.advance(20)
        assert jwks_server.count() == 1


class TestRotation:
    def test_new_kid_is_fetched_and_removed_kid_refused(self, jwks_server, rsa_key, rsa_key2):
        jwks_server.keys = [rsa_key]
        clock = Clock()
        v = verifier(jwks_server, clock)
        v.verify(tok(rsa_key, jwks_server))
        jwks_server.keys = [rsa_key, rsa_key2]  # the IdP publishes a new key and starts using it
        clock.advance(11)
        assert v.verify(tok(rsa_key2, jwks_server))
        assert jwks_server.count() == 2
        jwks_server.keys = [rsa_key2]  # the old key is retired
        clock.advance(300)
        with pytest.raises(KeyNotFound):
            v.verify(tok(rsa_key, jwks_server))
        assert v.verify(tok(rsa_key2, jwks_server))
        assert jwks_server.count() == 3

    def test_penalty_box(self, jwks_server, rsa_key):
        jwks_server.keys = [rsa_key]
        clock = Clock()
        v = verifier(jwks_server, clock)
        v.verify(tok(rsa_key, jwks_server))
        forged = [tok(JWK.generate("ES256", kid=f"forged-{i}"), jwks_server) for i in range(20)]
        for t in forged:  # within the cooldown: no request at all
            with pytest.raises(KeyNotFound):
                v.verify(t)
        assert jwks_server.count() == 1
        clock.advance(10)
        for t in forged:  # after it: one refetch, then the box closes again
            with pytest.raises(KeyNotFound):
                v.verify(t)
        assert jwks_server.count() == 2
        assert v.signals.counts["key_not_found"] == 40
        assert v.verify(tok(rsa_key, jwks_server))  # known keys keep working throughout

    @pytest.mark.anyio
    async def test_rotation_async(self, jwks_server, rsa_key, rsa_key2):
        jwks_server.keys = [rsa_key]
        clock = Clock()
        v = verifier(jwks_server, clock)
        await v.averify(tok(rsa_key, jwks_server))
        jwks_server.keys = [rsa_key, rsa_key2]
        with pytest.raises(KeyNotFound):  # penalty box: the last fetch was 0 s ago
            await v.averify(tok(rsa_key2, jwks_server))
        clock.advance(10)
        assert await v.averify(tok(rsa_key2, jwks_server))
        assert jwks_server.count() == 2


class TestOutage:
    def test_stale_window_then_fail_closed_then_recover(self, jwks_server, rsa_key):
        jwks_server.keys = [rsa_key]
        clock = Clock()
        v = verifier(jwks_server, clock)
        t = tok(rsa_key, jwks_server)
        v.verify(t)
        jwks_server.stop()  # the IdP goes down (connection refused)
        clock.advance(300)  # keys are due for refresh; refreshing fails; stale keys still serve
        assert v.verify(t)
        clock.advance(99)
        assert v.verify(t)
        clock.advance(1)  # 300 + 100: past the stale window
        with pytest.raises(JwksUnavailable) as e:
            v.verify(t)
        assert rfc6750.render(e.value)[0] == 503 and "ConnectError" in str(e.value)
        jwks_server.start()  # same port
        clock.advance(10)
        assert v.verify(t)

    def test_failed_refresh_is_retried_at_most_once_per_cooldown(self, jwks_server, rsa_key):
        jwks_server.keys = [rsa_key]
        clock = Clock()
        v = verifier(jwks_server, clock)
        t = tok(rsa_key, jwks_server)
        v.verify(t)
        jwks_server.status = 500
        clock.advance(300)
        for _ in range(10):
            assert v.verify(t)
            clock.advance(1)
        assert jwks_server.count() == 2  # the first fetch and one failed retry in 10 s
        v.verify(t)
        assert jwks_server.count() == 3

    def test_nothing_fetched_and_idp_down(self, rsa_key):
        server = JwksServer()
        server.keys = [rsa_key]
        server.stop()
        v = verifier(server, Clock())
        with pytest.raises(JwksUnavailable):
            v.verify(tok(rsa_key, server))
        with pytest.raises(JwksUnavailable):
            v.hydrate()


class TestCoalescing:
    def test_threads_share_one_fetch(self, jwks_server, rsa_key):
        jwks_server.keys, jwks_server.delay = [rsa_key], 0.3
        v = verifier(jwks_server, Clock())
        t = tok(rsa_key, jwks_server)
        barrier, results = threading.Barrier(8), []

        def run() -> None:
            barrier.wait()
            results.append(v.verify(t))

        threads = [threading.Thread(target=run) for _ in range(8)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        assert len(results) == 8 and jwks_server.count() == 1

    @pytest.mark.anyio
    async def test_tasks_share_one_fetch(self, jwks_server, rsa_key):
        jwks_server.keys, jwks_server.delay = [rsa_key], 0.3
        v = verifier(jwks_server, Clock())
        t = tok(rsa_key, jwks_server)
        results = []

        async def run() -> None:
            results.append(await v.averify(t))

        async with anyio.create_task_group() as tg:
            for _ in range(8):
                tg.start_soon(run)
        assert len(results) == 8 and jwks_server.count() == 1


class TestDiscoveryAndTransport:
    def test_discovery(self, jwks_server, ec_key):
        jwks_server.keys = [ec_key]
        v = AccessTokenVerifier(issuer=jwks_server.issuer, client_ids=[CLIENT], discovery=True, algorithms=["ES256"],
                                clock=Clock())
        assert v.verify(tok(ec_key, jwks_server))
        assert (jwks_server.count("discovery"), jwks_server.count()) == (1, 1)

    def test_discovery_issuer_must_match(self, jwks_server, ec_key):
        jwks_server.keys, jwks_server.discovery_issuer = [ec_key], "https://evil.example"
        v = AccessTokenVerifier(issuer=jwks_server.issuer, client_ids=[CLIENT], discovery=True, algorithms=["ES256"],
                                clock=Clock())
        with pytest.raises(JwksUnavailable, match="issuer does not match"):
            v.verify(tok(ec_key, jwks_server))
        assert jwks_server.count() == 0

    @pytest.mark.parametrize("status, body, extra, reason", [
        (404, None, {}, "HTTP 404"), (200, b"not json", {}, "not valid"), (200, b"[]", {}, "not a JSON object"),
        (200, b'{"keys": 1}', {}, "'keys' array"), (302, b"{}", {"Location": "https://evil.example/"}, "HTTP 302"),
        (200, b'{"keys": [], "pad": "' + b"x" * 2000 + b'"}', {}, "more than"),
    ])
    def test_bad_answers_fail_closed(self, jwks_server, rsa_key, status, body, extra, reason):
        jwks_server.status, jwks_server.body, jwks_server.extra_headers = status, body, extra
        v = verifier(jwks_server, Clock(), jwks_options={"max_bytes": 1024})
        with pytest.raises(JwksUnavailable, match=reason):
            v.verify(tok(rsa_key, jwks_server))

    def test_hydrate(self, jwks_server, rsa_key):
        jwks_server.keys = [rsa_key]
        v = verifier(jwks_server, Clock())
        v.hydrate()
        assert jwks_server.count() == 1
        v.verify(tok(rsa_key, jwks_server))
        assert jwks_server.count() == 1

    @pytest.mark.anyio
    async def test_ahydrate_and_async_failures(self, jwks_server, rsa_key):
        jwks_server.keys = [rsa_key]
        v = verifier(jwks_server, Clock())
        await v.ahydrate()
        assert jwks_server.count() == 1
        jwks_server.status = 500
        with pytest.raises(JwksUnavailable):
            await verifier(jwks_server, Clock()).averify(tok(rsa_key, jwks_server))

    def test_injected_http_client(self, jwks_server, rsa_key):
        import httpx
        jwks_server.keys = [rsa_key]
        with httpx.Client() as client:
            keys = RemoteJwks(jwks_server.jwks_uri, http_client=client, clock=Clock())
            keys.hydrate()
        assert keys.kids() == {"rsa-1"} and keys.fetch_count == 1

    @pytest.mark.parametrize("uri, ok", [
        ("https://idp.example/jwks", True), ("http://127.0.0.1:1/jwks", True), ("http://localhost/jwks", True),
        ("http://[::1]:8/jwks", True), ("http://idp.example/jwks", False), ("ftp://idp.example/jwks", False),
        ("https:///jwks", False), ("http://10.0.0.1/jwks", False),
    ])
    def test_uri_rule(self, uri, ok):
        if ok:
            assert check_uri(uri, allow_http=False) == uri
        else:
            with pytest.raises(ValueError):
                check_uri(uri, allow_http=False)


class TestVerifiedTokenCacheWithRemoteKeys:
    def test_flushed_when_the_key_leaves_the_jwks(self, jwks_server, rsa_key, rsa_key2):
        jwks_server.keys = [rsa_key, rsa_key2]
        clock = Clock()
        v = verifier(jwks_server, clock, cache=100)
        t1, t2 = tok(rsa_key, jwks_server), tok(rsa_key2, jwks_server)
        first = v.verify(t1)
        v.verify(t2)
        assert v.verify(t1) is first and len(v.cache) == 2
        jwks_server.keys = [rsa_key2]
        clock.advance(300)  # the set is due: the next verification refreshes it and rsa-1 is gone
        assert v.verify(t2)
        assert len(v.cache) == 1
        with pytest.raises(KeyNotFound):
            v.verify(t1)
