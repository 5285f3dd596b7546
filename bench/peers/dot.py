"""django-oauth-toolkit for the token benchmark: its TokenView in a minimal Django project (dot/bench_dot).

Installed on first use into a virtualenv at ``bench/peers/.work/dot-venv`` with pip from PyPI (pinned
below; nothing is committed); served by gunicorn with the same number of workers as authpool (gthread
workers, so that connections are kept alive as wrk keeps them), on 127.0.0.1; SQLite (Django's
default database, in WAL mode) in ``.work/dot``, with persistent connections. Access tokens are RS256
JWTs signed with a 2048-bit key through DOT's ``ACCESS_TOKEN_GENERATOR`` (bench_dot/tokens.py); DOT
still stores each token, as it always does. The client's secret is stored unhashed
(``hash_client_secret=False``): DOT's default hashes it with Django's PBKDF2 password hasher, which
would cost far more per request than everything measured here.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

from .common import WORK, Server, basic, free_port, spawn

SOURCE = Path(__file__).resolve().parent / "dot"
VENV = WORK / "dot-venv"
DATA = WORK / "dot"
REQUIREMENTS = ["django-oauth-toolkit==3.4.1", "gunicorn==27.0.1", "pyjwt==2.15.1", "cryptography"]
THREADS = 8


def _python() -> str:
    return str(VENV / "bin" / "python")


def install() -> dict[str, str]:
    """Create the virtualenv and pip install (once per requirement change); the installed versions."""
    stamp = VENV / ".installed"
    wanted = "\n".join(REQUIREMENTS)
    if not stamp.exists() or stamp.read_text() != wanted:
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(VENV)], check=True, capture_output=True)
        subprocess.run([_python(), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *REQUIREMENTS],
                       check=True, capture_output=True, timeout=900)
        stamp.write_text(wanted)
    code = ("import importlib.metadata as m; "
            "print(*(m.version(p) for p in ('django-oauth-toolkit', 'django', 'gunicorn', 'oauthlib', 'pyjwt')))")
    out = subprocess.run([_python(), "-c", code], capture_output=True, text=True, check=True).stdout.split()
    return dict(zip(("django-oauth-toolkit", "django", "gunicorn", "oauthlib", "pyjwt"), out, strict=True))


def start(*, workers: int) -> Server:
    versions = install()
    DATA.mkdir(parents=True, exist_ok=True)
    for old in DATA.glob("dot.sqlite3*"):
        old.unlink()
    env = {"BENCH_DOT_DIR": str(DATA), "PYTHONPATH": str(SOURCE), "DJANGO_SETTINGS_MODULE": "bench_dot.settings"}
    client_id, secret = "bench-dot", secrets.token_urlsafe(32)
    subprocess.run([_python(), str(SOURCE / "setup_app.py"), client_id, secret], env={**os.environ, **env},
                   check=True, capture_output=True, timeout=120)
    port = free_port()
    log = WORK / "logs" / f"dot-{port}.log"
    process = spawn([str(VENV / "bin" / "gunicorn"), "--workers", str(workers), "--worker-class", "gthread",
                     "--threads", str(THREADS), "--no-control-socket", "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
                     "bench_dot.wsgi:application"], env=env, log_path=log, cwd=DATA)
    server = Server(name="django-oauth-toolkit", process=process, url=f"http://127.0.0.1:{port}/o/token/",
                    authorization=basic(client_id, secret), body="grant_type=client_credentials&scope=read",
                    log_path=log)
    server.notes.append(
        f"django-oauth-toolkit {versions['django-oauth-toolkit']} (Django {versions['django']}, oauthlib "
        f"{versions['oauthlib']}) under gunicorn {versions['gunicorn']}, {workers} gthread worker(s) x {THREADS} "
        f"threads, SQLite (WAL), persistent connections, no middleware, DEBUG off; RS256 JWT access tokens "
        f"(2048-bit, PyJWT {versions['pyjwt']}) through ACCESS_TOKEN_GENERATOR, each still stored by DOT; "
        f"client secret stored unhashed")
    return server
