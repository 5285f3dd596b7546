from __future__ import annotations

from collections.abc import Iterator

import pytest

from authpool.jose import JWK

from .helpers import JwksServer


@pytest.fixture(scope="session")
def rsa_key() -> JWK:
    return JWK.generate("RS256", kid="rsa-1")


@pytest.fixture(scope="session")
def rsa_key2() -> JWK:
    return JWK.generate("RS256", kid="rsa-2")


@pytest.fixture(scope="session")
def ec_key() -> JWK:
    return JWK.generate("ES256", kid="ec-1")


@pytest.fixture(scope="session")
def ed_key() -> JWK:
    return JWK.generate("EdDSA", kid="ed-1")


@pytest.fixture(scope="session")
def id_key() -> JWK:
    """Cognito signs ID tokens with a different key than access tokens (COGNITO.md §1.1)."""
    return JWK.generate("RS256", kid="rsa-id")


@pytest.fixture
def jwks_server() -> Iterator[JwksServer]:
    server = JwksServer()
    yield server
    server.stop()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
