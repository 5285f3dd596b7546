"""Fixtures for the Cognito API's building blocks (sign-in, throttling, SigV4, errors): their pool, over
the shared ``database`` and pool-service fixtures of tests/server/conftest.py (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest


@pytest.fixture
def pool(pools):
    return pools.create("signin", schema=[{"Name": "email", "Mutable": True}])
