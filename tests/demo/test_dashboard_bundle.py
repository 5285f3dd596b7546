"""The dashboard bundle shipped in the Python package is built from the source in the repository.

No Node.js needed: the build records a SHA-256 of the dashboard's source (scripts/record-source-hash.mjs)
and authpool.demo.bundle recomputes it the same way.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest

from authpool.demo import bundle

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(not bundle.DASHBOARD.is_dir(), reason="the dashboard source is not in an installed package")
def test_shipped_bundle_is_built_from_the_current_source():
    info = bundle.build_info()
    assert info["files"] == bundle.source_files(), "the set of dashboard source files changed"
    assert info["source_sha256"] == bundle.source_hash(), (
        "src/authpool/demo/static/ is older than src/authpool/demo/dashboard/: "
        "run `npm ci && npm run build` in src/authpool/demo/dashboard and commit static/")


def test_source_hash_notices_a_change(tmp_path):
    root = tmp_path / "dashboard"
    (root / "src").mkdir(parents=True)
    for name in bundle.TOP_LEVEL:
        (root / name).write_text(name)
    (root / "src" / "main.ts").write_text("console.log(1)")
    first = bundle.source_hash(root)
    (root / "src" / "main.ts").write_text("console.log(2)")
    assert bundle.source_hash(root) != first
    (root / "src" / "extra.ts").write_text("")
    assert "src/extra.ts" in bundle.source_files(root)


def test_index_references_only_shipped_assets():
    index = (bundle.STATIC / "index.html").read_text()
    assets = re.findall(r'(?:src|href)="/demo/assets/([^"]+)"', index)
    assert assets and all((bundle.STATIC / "assets" / a).is_file() for a in assets)
    assert "<script>" not in index  # no inline script: the CSP allows 'self' only


def test_built_with_oidc_client_ts():
    assert bundle.build_info()["built_with"]["oidc-client-ts"].startswith("3.")


@pytest.mark.skipif(not bundle.DASHBOARD.is_dir(), reason="the dashboard source is not in an installed package")
def test_lockfile_records_no_registry_addresses():
    text = (bundle.DASHBOARD / "package-lock.json").read_text()
    assert "registry" not in text and '"resolved"' not in text  # funding links may remain
    lock = json.loads(text)
    assert "oidc-client-ts" in lock["packages"][""]["dependencies"]


def test_package_data_ships_the_bundle():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "demo/static/**/*" in pyproject["tool"]["setuptools"]["package-data"]["authpool"]
