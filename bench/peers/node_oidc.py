"""node-oidc-provider (npm ``oidc-provider``, pinned in node_oidc/package.json) for the token benchmark.

Installed with ``npm install`` into ``bench/peers/.work/node`` on first use (nothing is committed);
started as ``node server.mjs`` with ``NODE_ENV=production`` on 127.0.0.1 with N cluster workers;
client_credentials for one confidential client (``client_secret_basic``), JWT access tokens through
resource indicators (the default resource), RS256 with a 2048-bit key. See node_oidc/server.mjs.
"""

from __future__ import annotations

import json
import secrets
import shutil
import subprocess
from pathlib import Path

from .common import WORK, Server, basic, free_port, spawn

SOURCE = Path(__file__).resolve().parent / "node_oidc"
DIR = WORK / "node"


def install() -> str:
    """npm install (once per package.json change); returns the installed oidc-provider version."""
    DIR.mkdir(parents=True, exist_ok=True)
    wanted = (SOURCE / "package.json").read_text()
    stamp = DIR / ".installed"
    if not stamp.exists() or stamp.read_text() != wanted:
        shutil.copy(SOURCE / "package.json", DIR / "package.json")
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--omit=dev", "--loglevel=error"], cwd=DIR,
                       check=True, capture_output=True, timeout=600)
        stamp.write_text(wanted)
    shutil.copy(SOURCE / "server.mjs", DIR / "server.mjs")
    return json.loads((DIR / "node_modules" / "oidc-provider" / "package.json").read_text())["version"]


def node_version() -> str:
    return subprocess.run(["node", "--version"], capture_output=True, text=True, check=True).stdout.strip()


def start(*, workers: int) -> Server:
    version = install()
    port = free_port()
    client_id, secret = "bench-node", secrets.token_urlsafe(32)
    log = WORK / "logs" / f"node-{port}.log"
    process = spawn(["node", "server.mjs"], cwd=DIR, log_path=log, env={
        "NODE_ENV": "production", "PORT": str(port), "WORKERS": str(workers), "CLIENT_ID": client_id,
        "CLIENT_SECRET": secret})
    server = Server(name="node-oidc-provider", process=process, url=f"http://127.0.0.1:{port}/token",
                    authorization=basic(client_id, secret), body="grant_type=client_credentials&scope=read",
                    log_path=log)
    server.notes.append(f"oidc-provider {version} on Node.js {node_version()}, NODE_ENV=production, "
                        f"{workers} cluster worker(s); JWT access tokens (resource indicators), RS256 2048-bit")
    return server
