"""``python -m authpool`` runs the CLI."""

from .cli import main

raise SystemExit(main())
