"""The demo: a seeded pool (``seed.py``), and later the demo orders API and dashboard."""
