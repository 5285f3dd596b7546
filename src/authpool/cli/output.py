"""Terminal output: rich tables and colours when rich is installed and stdout is a terminal, plain
text otherwise (so scripts and tests read stable output)."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence


def console():
    """A rich console, or None on a core install without rich (then output is plain text)."""
    if not sys.stdout.isatty():
        return None
    try:
        from rich.console import Console
    except ImportError:  # pragma: no cover - core install without the server extra
        return None
    return Console(highlight=False, soft_wrap=True)


def table(title: str, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    rows = [[("" if c is None else str(c)) for c in row] for row in rows]
    out = console()
    if out is not None:
        from rich.table import Table

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
