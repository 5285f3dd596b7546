"""The demo: a seeded pool (``seed.py``), the orders API behind the guard (``api.py``), and the dashboard
(``web.py`` serves ``static/``, built from ``dashboard/``; ``bundle.py`` checks it is current). docs/demo.md."""
