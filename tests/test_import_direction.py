"""Dependencies point one way (DESIGN.md): jose <- tokens <- (guard, client, server).

Checked in a fresh interpreter, since this test process has imported everything already.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("starlette", "fastapi", "flask", "sqlalchemy", "alembic", "psycopg", "uvicorn", "argon2", "rich",
         "authpool.server")


def _loaded_after(statement: str) -> list[str]:
    code = f"import sys, json; {statement}; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return json.loads(out)


@pytest.mark.parametrize("statement", ["import authpool.jose", "import authpool.tokens", "import authpool.client",
                                       "import authpool.cli; authpool.cli.build_parser()"])
def test_core_imports_nothing_heavy(statement):
    loaded = _loaded_after(statement)
    offenders = sorted(m for m in loaded if m.split(".")[0] in HEAVY or m.startswith("authpool.server"))
    assert offenders == []


def test_client_loads_only_core_dependencies():
    """authpool.client: stdlib, cryptography, httpx, authpool.jose/tokens; not the guard, no framework."""
    loaded = _loaded_after("import authpool.client")
    ours = sorted({m.split(".")[1] for m in loaded if m.startswith("authpool.") and m.count(".") >= 1})
    assert set(ours) <= {"client", "jose", "tokens"}, ours
