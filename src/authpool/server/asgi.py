"""ASGI entry points for process managers (``uvicorn --factory authpool.server.asgi:create_app_from_env``)."""

from __future__ import annotations

from .app import create_app, freeze_startup_objects
from .context import build_context
from .logs import configure_logging
from .settings import Settings


def create_app_from_env():
    """Build the app from ``AUTHPOOL_*`` settings. Migrations are the parent's (or a job's) business."""
    settings = Settings()
    configure_logging(settings.log_level)
    app = create_app(build_context(settings, migrate=False))
    freeze_startup_objects()
    return app
