"""The opt-in verified-token cache: bounded, expiry checked on every hit, custom check re-run."""

from __future__ import annotations

import pytest

from authpool.guard import (
    AccessTokenVerifier,
    CustomCheckFailed,
    InsufficientScope,
    InvalidSignature,
    TokenExpired,
    VerifiedTokenCache,
)

from .helpers import CLIENT, ISS, NOW, Clock, token


def make(key, clock, **kwargs) -> AccessTokenVerifier:
    return AccessTokenVerifier(issuer=ISS, client_ids=[CLIENT], jwks={"keys": [key.to_public_dict()]},
                               algorithms=["RS256"], clock=clock, **kwargs)


def test_off_by_default(rsa_key):
    assert make(rsa_key, Clock()).cache is None


def test_hit_returns_the_verified_claims(rsa_key):
    v = make(rsa_key, Clock(), cache=10)
    t = token(rsa_key)
    assert v.verify(t) is v.verify(t) and len(v.cache) == 1


def test_expiry_is_checked_on_every_hit(rsa_key):
    clock = Clock()
    v = make(rsa_key, clock, cache=VerifiedTokenCache(10), leeway=5)
    t = token(rsa_key, exp=NOW + 10)
    v.verify(t)
    clock.advance(14)
    assert v.verify(t)
    clock.advance(1)  # exp + leeway
    with pytest.raises(TokenExpired):
        v.verify(t)


def test_bounded_first_in_first_out(rsa_key):
    v = make(rsa_key, Clock(), cache=3)
    tokens = [token(rsa_key, jti=str(i)) for i in range(5)]
    for t in tokens:
        v.verify(t)
    assert list(v.cache.entries) == tokens[2:]


def test_only_verified_tokens_are_cached(rsa_key):
    v = make(rsa_key, Clock(), cache=10, scopes=["admin"])
    t = token(rsa_key)
    with pytest.raises(InsufficientScope):
        v.verify(t)
    head, payload, _ = t.split(".")
    with pytest.raises(InvalidSignature):
        v.verify(f"{head}.{payload}.AAAA")
    assert len(v.cache) == 0


def test_custom_check_runs_on_every_hit(rsa_key):
    revoked: set[str] = set()
    v = make(rsa_key, Clock(), cache=10, custom_check=lambda c: c.jti not in revoked)
    t = token(rsa_key, jti="j1")
    v.verify(t)
    revoked.add("j1")
    with pytest.raises(CustomCheckFailed):
        v.verify(t)
    assert v.signals.counts == {"custom_check_failed": 1}


@pytest.mark.anyio
async def test_async_hits(rsa_key):
    clock = Clock()
    v = make(rsa_key, clock, cache=10)
    t = token(rsa_key, exp=NOW + 10)
    first = await v.averify(t)
    assert await v.averify(t) is first
    clock.advance(10)
    with pytest.raises(TokenExpired):
        await v.averify(t)


def test_one_cache_per_verifier(rsa_key):
    """Entries are one verifier's verdicts: a verifier with other settings must not reuse them."""
    shared = VerifiedTokenCache(10)
    make(rsa_key, Clock(), cache=shared)
    with pytest.raises(ValueError, match="another verifier"):
        make(rsa_key, Clock(), cache=shared, scopes=["admin"])


def test_bad_size():
    with pytest.raises(ValueError):
        VerifiedTokenCache(0)
