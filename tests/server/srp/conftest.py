"""Fixtures for the SRP tests: the sign-in services over the shared ``database`` and pool-service
fixtures of tests/server/conftest.py (SQLite and PostgreSQL, with the injected ``clock``), and an SRP
client that nobody on the project wrote (pycognito's ``AWSSRP``, driven by hand so the TIMESTAMP
follows the fake clock)."""

from __future__ import annotations

import pytest

from authpool.server.pool.signin import SignInService
from authpool.server.pool.srp_signin import SrpSignIn
from authpool.server.ratelimit import SignInThrottle


@pytest.fixture
def pool(pools):
    return pools.create("srp", schema=[{"Name": "email", "Mutable": True}])


@pytest.fixture
def client(clients, pool):
    return clients.create(pool.id, "app")  # Cognito's default flows: SRP, refresh, custom


@pytest.fixture
def signin(database, users, master_key) -> SignInService:
    return SignInService(database, users, SignInThrottle.in_memory(), master_key)


@pytest.fixture
def srp(database, signin, master_key) -> SrpSignIn:
    return SrpSignIn(database, signin, master_key)
