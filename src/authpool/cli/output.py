"""Terminal output: rich tables and colours when rich is installed and stdout is a terminal, plain
text otherwise (so scripts and tests read stable output)."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence

try:
    from rich.console import Console
    from rich.table import Table
except ImportError:  # pragma: no cover - core install without the server extra
    Console = Table = None  # type: ignore[assignment,misc]


def console():
    return Console(highlight=False, soft_wrap=True) if Console is not None else None


def table(title: str, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    rows = [[("" if c is None else str(c)) for c in row] for row in rows]
    out = console()
    if out is not None:
        t = Table(title=title, title_justify="left")
        for column in columns:
            t.add_column(column, overflow="fold")
        for row in rows:
            t.add_row(*row)
        out.print(t)
        return
    print(title)
    print("\t".join(columns))
    for row in rows:
        print("\t".join(row))


def say(text: str, style: str | None = None) -> None:
    out = console()
    if out is not None:
        out.print(text, style=style, markup=False)
    else:
        print(text)


def fail_line(text: str) -> None:
    print(f"authpool: {text}", file=sys.stderr)
