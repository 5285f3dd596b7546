"""Small sealed values for cookies and hidden form fields: JSON encrypted and authenticated with the
master key (AES-256-GCM, ``authpool.server.secrets``), base64url without padding. The ``context``
(associated data) binds a value to its purpose and owner, so one kind can never pass for another."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from .secrets import DecryptionError, MasterKey

MAX_SEALED = 2048


def seal(key: MasterKey, value: dict[str, Any], context: str) -> str:
    blob = key.encrypt(json.dumps(value, separators=(",", ":")).encode(), context)
    return base64.urlsafe_b64encode(blob).decode().rstrip("=")


def unseal(key: MasterKey, text: str | None, context: str) -> dict[str, Any] | None:
    """The sealed object, or None for anything missing, oversized, tampered or foreign."""
    if not text or len(text) > MAX_SEALED:
        return None
    try:
        blob = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        value = json.loads(key.decrypt(blob, context))
    except (binascii.Error, ValueError, DecryptionError):
        return None
    return value if isinstance(value, dict) else None
