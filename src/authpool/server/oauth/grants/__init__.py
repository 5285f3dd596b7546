"""One module per grant type, each exposing ``GRANT_TYPE``, ``PARAMETERS`` (what it reads) and
``handle(ctx, client, params) -> dict`` (the RFC 6749 §5.1 response body). ``GRANTS`` is the
token endpoint's lookup table."""

from __future__ import annotations

from types import ModuleType

from . import authorization_code, client_credentials, refresh_token

GRANTS: dict[str, ModuleType] = {m.GRANT_TYPE: m for m in (authorization_code, refresh_token, client_credentials)}

__all__ = ["GRANTS"]
