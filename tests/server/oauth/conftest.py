"""One real server process for the OAuth endpoint tests of this directory (see world.py)."""

from __future__ import annotations

import httpx
import pytest
from tests.server.oauth.world import start, stop


@pytest.fixture(scope="package")
def world(tmp_path_factory):
    w = start(tmp_path_factory.mktemp("oauth"))
    yield w
    stop(w)


@pytest.fixture
def browser():
    """A cookie-keeping HTTP client: what a browser does, without rendering."""
    with httpx.Client(timeout=10) as http:
        yield http
