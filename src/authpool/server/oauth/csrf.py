"""CSRF protection of the login forms (RFC 6749 §10.12; RFC 9700 §4.7 covers the client side).

A login CSRF would sign the victim in as the attacker. Each form carries a token that only this
server can make and that is bound to a random value in a ``SameSite=Strict`` ``HttpOnly`` cookie
of the same browser (the "synchronizer token" bound to a cookie): the token is the sealed expiry
with the cookie's value in the AES-GCM associated data, so a token taken from another browser, or
a cookie planted without its token, does not verify. Tokens live as long as the client's
``AuthSessionValidity`` allows a sign-in to take (we use its 15-minute maximum).
"""

from __future__ import annotations

import secrets

from starlette.requests import Request
from starlette.responses import Response

from ..sealed import seal, unseal
from ..secrets import MasterKey

COOKIE = "authpool_csrf"
FIELD = "_csrf"
TOKEN_SECONDS = 15 * 60


def _context(pool_id: str, nonce: str) -> str:
    return f"csrf:{pool_id}:{nonce}"


def browser_nonce(request: Request) -> tuple[str, bool]:
    """The browser's CSRF cookie value, and whether it must be (re)set."""
    nonce = request.cookies.get(COOKIE)
    if nonce and 20 <= len(nonce) <= 64 and nonce.isascii():
        return nonce, False
    return secrets.token_urlsafe(24), True


def issue(key: MasterKey, pool_id: str, nonce: str, *, now: int) -> str:
    return seal(key, {"exp": now + TOKEN_SECONDS}, _context(pool_id, nonce))


def verify(request: Request, key: MasterKey, pool_id: str, token: str | None, *, now: int) -> bool:
    nonce = request.cookies.get(COOKIE)
    if not nonce or not token:
        return False
    data = unseal(key, token, _context(pool_id, nonce))
    return bool(data) and isinstance(data.get("exp"), int) and data["exp"] > now


def set_cookie(response: Response, pool_id: str, nonce: str, *, secure: bool) -> None:
    response.set_cookie(COOKIE, nonce, path=f"/{pool_id}", httponly=True, samesite="strict", secure=secure)
