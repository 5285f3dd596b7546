"""One real server process for the OAuth endpoint tests (see world.py; shared with tests/security and tests/e2e)."""

from __future__ import annotations

import httpx
import pytest
from tests.server.oauth.world import shared_world


@pytest.fixture(scope="session")
def world(tmp_path_factory, pytestconfig):
    return shared_world(tmp_path_factory, pytestconfig)


@pytest.fixture
def browser():
    """A cookie-keeping HTTP client: what a browser does, without rendering."""
    with httpx.Client(timeout=10) as http:
        yield http
