"""Proof Key for Code Exchange (RFC 7636), S256 only.

* §4.1: ``code_verifier`` = 43..128 characters of ``[A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~"``.
* §4.2: S256 ``code_challenge = BASE64URL-ENCODE(SHA256(ASCII(code_verifier)))``, so a challenge is
  exactly 43 base64url characters.
* §4.3: without ``code_challenge_method`` the method is ``plain``. authpool refuses ``plain`` (and so
  a challenge without a method), as Cognito does ("Amazon Cognito authentication server supports
  only S256"; a code_challenge without code_challenge_method is ``invalid_request``, COGNITO.md §5)
  and as RFC 9700 §2.1.1 recommends.
* §4.4.1: a server that requires PKCE answers ``invalid_request`` when it is missing: authpool
  requires it from public clients (RFC 9700 §2.1.1 "Public clients MUST use PKCE").
* §4.6: the server recomputes the challenge from the verifier and compares; a mismatch is
  ``invalid_grant``. RFC 9700 §4.8.2 (PKCE downgrade): a token request with a ``code_verifier``
  for a code that was issued without a challenge is refused too.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from ...jose.b64 import b64url_encode
from .errors import InvalidGrant, InvalidRequest

S256 = "S256"
_VERIFIER = re.compile(r"[A-Za-z0-9\-._~]{43,128}")
_CHALLENGE = re.compile(r"[A-Za-z0-9_-]{43}")


def s256(verifier: str) -> str:
    return b64url_encode(hashlib.sha256(verifier.encode("ascii")).digest())


def check_challenge(challenge: str | None, method: str | None, *, public_client: bool) -> str | None:
    """Validate the authorization request's PKCE parameters; return the challenge to store."""
    if challenge is None:
        if method is not None:
            raise InvalidRequest("code_challenge is required with code_challenge_method.")
        if public_client:
            raise InvalidRequest("PKCE is required: send code_challenge with code_challenge_method=S256.")
        return None
    if method != S256:
        raise InvalidRequest("code_challenge_method must be S256 (plain is not supported).")
    if not _CHALLENGE.fullmatch(challenge):
        raise InvalidRequest("code_challenge must be 43 base64url characters (S256).")
    return challenge


def verify(stored_challenge: str | None, verifier: str | None) -> None:
    """Check the token request's ``code_verifier`` against the code's challenge (RFC 7636 §4.6)."""
    if stored_challenge is None:
        if verifier is not None:  # RFC 9700 §4.8.2: no verifier for a code issued without PKCE
            raise InvalidGrant("code_verifier was sent but the authorization request had no code_challenge.")
        return
    if verifier is None:
        raise InvalidGrant("code_verifier is required for this code.")
    if not _VERIFIER.fullmatch(verifier):
        raise InvalidGrant("code_verifier must be 43 to 128 unreserved characters.")
    if not hmac.compare_digest(s256(verifier).encode(), stored_challenge.encode()):
        raise InvalidGrant("code_verifier does not match the code_challenge.")
