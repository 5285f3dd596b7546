"""Node.js interop suites (amazon-cognito-identity-js, Amplify JS): each lives in its own folder with a
package.json and a registry-free package-lock.json that pin the library, installed with ``npm ci`` on
first use (node_modules is never committed). A suite is skipped only when ``node``/``npm`` are missing
or the npm registry cannot be reached; any other install failure fails it."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

_OFFLINE = ("ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "ECONNREFUSED", "ECONNRESET", "network")


def locked_version(folder: Path, package: str) -> str:
    lock = json.loads((folder / "package-lock.json").read_text())
    return lock["packages"][f"node_modules/{package}"]["version"]


def installed_version(folder: Path, package: str) -> str | None:
    manifest = folder / "node_modules" / package / "package.json"
    return json.loads(manifest.read_text())["version"] if manifest.exists() else None


def node_with(folder: Path, package: str) -> str:
    """The ``node`` executable, after ``npm ci`` in ``folder`` unless ``package`` is already installed at
    the locked version; skips or fails the calling test as described above."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("node/npm are not installed")
    if installed_version(folder, package) != locked_version(folder, package):
        done = subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=folder,
                              capture_output=True, text=True, timeout=300, check=False)
        if done.returncode != 0:
            if any(word in done.stderr for word in _OFFLINE):
                pytest.skip(f"the npm registry is unreachable: {done.stderr.strip()[-200:]}")
            pytest.fail(f"npm ci failed in {folder}:\n{done.stderr}", pytrace=False)
    return node
