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


@pytest.mark.parametrize("statement", ["import authpool.jose", "import authpool.tokens",
                                       "import authpool.cli; authpool.cli.build_parser()"])
def test_core_imports_nothing_heavy(statement):
    loaded = _loaded_after(statement)
    offenders = sorted(m for m in loaded if m.split(".")[0] in HEAVY or m.startswith("authpool.server"))
    assert offenders == []
