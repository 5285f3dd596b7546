"""Client authentication at the token, revocation and introspection endpoints.

* RFC 6749 §2.3.1: ``client_secret_basic`` (HTTP Basic, where client id and secret are each
  ``application/x-www-form-urlencoded`` before joining with ``:``) and ``client_secret_post``
  (``client_id`` and ``client_secret`` in the body, "NOT RECOMMENDED"; Cognito accepts it).
  "The client MUST NOT use more than one authentication method in each request."
* RFC 6749 §3.2.1: a public client sends its ``client_id`` so the server can tell whom a code
  was issued to; it has no secret to send (authentication method ``none``).
* Secrets are compared in constant time (``pool.check_secret``); an unknown client spends the
  same comparison against a dummy value, so timing does not tell which client ids exist.
* The client must belong to the pool whose endpoint was called (the issuer in the path).
"""

from __future__ import annotations

import base64
import binascii
import hmac
from dataclasses import dataclass
from urllib.parse import unquote_plus

from ..pool import check_secret
from ..store import ClientRecord
from .errors import InvalidClient, InvalidRequest

BASIC = "client_secret_basic"
POST = "client_secret_post"
NONE = "none"
MAX_CLIENT_ID = 128
_DUMMY = b"x" * 51


@dataclass(frozen=True, slots=True)
class AuthenticatedClient:
    client: ClientRecord
    method: str  # client_secret_basic | client_secret_post | none

    @property
    def confidential(self) -> bool:
        return self.method != NONE


def basic_credentials(header: str | None) -> tuple[str, str] | None:
    """``(client_id, client_secret)`` from an ``Authorization: Basic`` header, or None if absent.
    Raises InvalidClient for a malformed one."""
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidClient("Malformed Basic credentials.") from None
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        raise InvalidClient("Malformed Basic credentials.")
    return _unquote_plus(client_id), _unquote_plus(secret)


def _unquote_plus(text: str) -> str:
    return unquote_plus(text) if "%" in text or "+" in text else text  # the same, without the call


def uses_basic(header: str | None) -> bool:
    return bool(header) and header.split(" ", 1)[0].lower() == "basic"


def authenticate(lookup, pool_id: str, authorization: str | None, params: dict[str, str]) -> AuthenticatedClient:
    """Identify and authenticate the client. ``lookup(client_id)`` returns a ClientRecord or None.

    Raises InvalidRequest (two methods at once) or InvalidClient (unknown client, wrong or missing
    secret, a secret for a public client, another pool's client).
    """
    basic = basic_credentials(authorization)
    body_id, body_secret = params.get("client_id"), params.get("client_secret")
    if basic is not None and body_secret is not None:
        raise InvalidRequest("Use one client authentication method, not Basic and client_secret together.")
    if basic is not None:
        client_id, secret, method = basic[0], basic[1], BASIC
        if body_id is not None and body_id != client_id:
            raise InvalidClient("client_id does not match the Basic credentials.")
    elif body_id is not None:
        client_id, secret, method = body_id, body_secret, POST if body_secret is not None else NONE
    else:
        raise InvalidClient("Client authentication is required.")
    client = lookup(client_id) if 0 < len(client_id) <= MAX_CLIENT_ID else None
    if client is None or client.pool_id != pool_id:
        hmac.compare_digest(_DUMMY, (secret or "").encode())
        raise InvalidClient()
    if client.has_secret:
        if secret is None or not check_secret(client, secret):
            raise InvalidClient()
        return AuthenticatedClient(client, method)
    if secret is not None:  # a public client has nothing to authenticate with
        raise InvalidClient("This client has no secret; send only client_id.")
    return AuthenticatedClient(client, NONE)
