"""Which source the shipped dashboard bundle was built from.

``npm run build`` (in ``dashboard/``) writes ``static/build-info.json`` with a SHA-256 over the
dashboard's source files (scripts/record-source-hash.mjs). :func:`source_hash` computes the same digest
in Python, so a test can tell, without Node.js, that the bundle in the package is older than its source:

    sha256( for each file, sorted by relative POSIX path:  path NUL sha256(content).hex LF )

over ``index.html``, ``package.json``, ``package-lock.json``, ``tsconfig.json``, ``vite.config.ts`` and
every file under ``src/``.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

HERE = Path(__file__).parent
DASHBOARD = HERE / "dashboard"
STATIC = HERE / "static"
TOP_LEVEL = ("index.html", "package.json", "package-lock.json", "tsconfig.json", "vite.config.ts")


def source_files(root: Path = DASHBOARD) -> list[str]:
    files = list(TOP_LEVEL) + [p.relative_to(root).as_posix() for p in (root / "src").rglob("*") if p.is_file()]
    return sorted(files)


def source_hash(root: Path = DASHBOARD) -> str:
    digest = hashlib.sha256()
    for name in source_files(root):
        content = hashlib.sha256((root / name).read_bytes()).hexdigest()
        digest.update(f"{name}\0{content}\n".encode())
    return digest.hexdigest()


def build_info(static: Path = STATIC) -> dict:
    return json.loads((static / "build-info.json").read_text())
