"""A fresh interpreter: importing the guard loads no web framework, no database library, no server code."""

from __future__ import annotations

import json
import subprocess
import sys

FORBIDDEN = ("starlette", "fastapi", "flask", "werkzeug", "sqlalchemy", "psycopg", "alembic", "uvicorn",
             "authpool.server", "authpool.demo")


def loaded_after(statement: str) -> set[str]:
    code = f"import json, sys\n{statement}\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True, check=True, timeout=60)
    return set(json.loads(out.stdout))


def offenders(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == n or m.startswith(n + ".") for n in names))


def test_import_guard_is_light():
    modules = loaded_after("import authpool.guard")
    assert offenders(modules, FORBIDDEN) == []
    # httpx is a core dependency but is imported on the first JWKS fetch, to keep the import fast.
    assert offenders(modules, ("httpx", "anyio", "asyncio")) == []
    assert "cryptography" in modules and "authpool.jose" in modules


def test_each_adapter_imports_only_its_framework():
    modules = loaded_after("import authpool.guard.flask")
    assert "flask" in modules and offenders(modules, ("starlette", "fastapi", "sqlalchemy")) == []
    modules = loaded_after("import authpool.guard.starlette")
    assert "starlette" in modules and offenders(modules, ("flask", "fastapi", "sqlalchemy")) == []
