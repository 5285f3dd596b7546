"""A minimal Django project serving django-oauth-toolkit's token endpoint for bench_token_endpoint.py.

Lean on purpose (the peer at its cheapest): no middleware, DEBUG off, SQLite (WAL) with persistent
connections in the scratch dir BENCH_DOT_DIR, RS256 JWT access tokens from :mod:`bench_dot.tokens`.
"""

import os
from pathlib import Path

WORK = Path(os.environ["BENCH_DOT_DIR"])
SECRET_KEY = "bench-only-not-a-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "oauth2_provider"]
MIDDLEWARE: list[str] = []
ROOT_URLCONF = "bench_dot.urls"
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
DATABASES = {"default": {
    "ENGINE": "django.db.backends.sqlite3", "NAME": str(WORK / "dot.sqlite3"),
    "CONN_MAX_AGE": 600,  # persistent connections (Django's default, 0, reconnects for every request)
    "OPTIONS": {"init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE", "timeout": 20}}}
OAUTH2_PROVIDER = {
    "ACCESS_TOKEN_EXPIRE_SECONDS": 3600,
    "ACCESS_TOKEN_GENERATOR": "bench_dot.tokens.generate",
    "SCOPES": {"read": "read"},
    "DEFAULT_SCOPES": ["read"],
}
LOGGING = {"version": 1, "disable_existing_loggers": False}
