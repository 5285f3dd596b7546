"""Signatures on webhook calls, so a receiver knows the event came from this pool's authpool.

Each POST carries two headers::

    X-Authpool-Timestamp: <epoch seconds>
    X-Authpool-Signature: v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>

The timestamp is inside the signed bytes, so a receiver that refuses old timestamps refuses replays
(:func:`verify_signature` allows 5 minutes by default). The secret is per pool, 256 random bits,
shown once by ``authpool hooks set`` and stored encrypted under the master key. ``v1=`` names the
scheme so that a second one can be added alongside later.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping

TIMESTAMP_HEADER = "X-Authpool-Timestamp"
SIGNATURE_HEADER = "X-Authpool-Signature"
SCHEME = "v1"
DEFAULT_TOLERANCE = 300


class SignatureError(Exception):
    """The request is not signed by the secret, or its timestamp is too old or malformed."""


def new_secret() -> str:
    """A fresh webhook secret (base64url, 256 bits)."""
    return secrets.token_urlsafe(32)


def signature(secret: bytes, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret, timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return f"{SCHEME}={mac.hexdigest()}"


def signed_headers(secret: bytes, body: bytes, *, now: float) -> dict[str, str]:
    timestamp = str(int(now))
    return {TIMESTAMP_HEADER: timestamp, SIGNATURE_HEADER: signature(secret, timestamp, body)}


def verify_signature(secret: bytes | str, headers: Mapping[str, str], body: bytes, *, now: float,
                     tolerance: int = DEFAULT_TOLERANCE) -> None:
    """For receivers: raise :class:`SignatureError` unless ``body`` was signed with ``secret`` within
    ``tolerance`` seconds of ``now``. ``headers`` is looked up case-insensitively."""
    key = secret.encode("utf-8") if isinstance(secret, str) else secret
    lowered = {k.lower(): v for k, v in headers.items()}
    timestamp = lowered.get(TIMESTAMP_HEADER.lower(), "")
    given = lowered.get(SIGNATURE_HEADER.lower(), "")
    if not timestamp.isdigit() or len(timestamp) > 12:
        raise SignatureError("missing or malformed timestamp")
    if abs(now - int(timestamp)) > tolerance:
        raise SignatureError("timestamp outside the allowed window")
    if not hmac.compare_digest(given.encode("ascii", "replace"), signature(key, timestamp, body).encode("ascii")):
        raise SignatureError("signature mismatch")
