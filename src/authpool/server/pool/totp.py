"""Time-based one-time passwords for software-token MFA (RFC 6238 over RFC 4226 HOTP).

What authenticator apps and Cognito's ``SOFTWARE_TOKEN_MFA`` use (Cognito developer guide, "TOTP
software token MFA"): HMAC-SHA1, 6 digits, a 30-second time step, the shared secret shown to the
user in base32 (RFC 4648 §6, what ``otpauth://`` URIs and authenticator apps take). authpool draws
160-bit secrets (RFC 4226 §4 R6 recommends 160 bits) from :mod:`secrets`.

The code itself is pyca/cryptography's ``TOTP`` (``hazmat.primitives.twofactor.totp``), which compares
in constant time; nothing here computes an HMAC. :func:`matching_step` accepts the current step and
one either side (RFC 6238 §5.2: "at most one time step" of network delay / clock drift) and returns
*which* step matched, so the caller can refuse a code whose step is not later than the last one
accepted (RFC 6238 §5.2: "the verifier MUST NOT accept the second attempt of the same OTP").
"""

from __future__ import annotations

import base64
import binascii
import secrets
from urllib.parse import quote, urlencode

from cryptography.hazmat.primitives.hashes import SHA1
from cryptography.hazmat.primitives.twofactor import InvalidToken
from cryptography.hazmat.primitives.twofactor.totp import TOTP

SECRET_BYTES = 20  # 160 bits
DIGITS = 6
STEP_SECONDS = 30
WINDOW = 1  # steps accepted either side of now


def new_secret() -> bytes:
    return secrets.token_bytes(SECRET_BYTES)


def to_base32(secret: bytes) -> str:
    """The secret as authenticator apps take it: base32, upper case, no padding."""
    return base64.b32encode(secret).decode("ascii").rstrip("=")


def from_base32(text: str) -> bytes:
    """Inverse of :func:`to_base32` (tolerates lower case, spaces and missing padding). ValueError."""
    cleaned = text.replace(" ", "").upper()
    try:
        return base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))
    except (binascii.Error, ValueError):
        raise ValueError("not a base32 secret") from None


def _totp(secret: bytes) -> TOTP:
    return TOTP(secret, DIGITS, SHA1(), STEP_SECONDS)


def step_of(now: float) -> int:
    return int(now) // STEP_SECONDS


def code_at(secret: bytes, now: float) -> str:
    """The code for the step containing ``now`` (tests, the demo; the server never shows codes)."""
    return _totp(secret).generate(int(now)).decode("ascii")


def well_formed(code: object) -> bool:
    return isinstance(code, str) and len(code) == DIGITS and code.isascii() and code.isdigit()


def matching_step(secret: bytes, code: str, now: float) -> int | None:
    """The time step (``now // 30`` +/- 1) whose code ``code`` is, or None. Every step of the
    window is checked, whichever matches, so the time taken does not say which one did."""
    if not well_formed(code):
        return None
    totp, base, matched = _totp(secret), step_of(now), None
    for step in range(base - WINDOW, base + WINDOW + 1):
        try:
            totp.verify(code.encode("ascii"), step * STEP_SECONDS)
        except InvalidToken:
            continue
        matched = step if matched is None else matched
    return matched



def provisioning_uri(secret: bytes, *, account: str, issuer: str) -> str:
    """The ``otpauth://totp/ISSUER:ACCOUNT?secret=...`` URI authenticator apps take (Google
    Authenticator's "Key Uri Format"): base32 secret, issuer, SHA1, 6 digits, period 30."""
    label = quote(f"{issuer}:{account}", safe=":@")
    query = urlencode({"secret": to_base32(secret), "issuer": issuer, "algorithm": "SHA1", "digits": DIGITS,
                       "period": STEP_SECONDS})
    return f"otpauth://totp/{label}?{query}"
