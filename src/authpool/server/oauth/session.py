"""The hosted UI's single sign-on session cookie.

After a password sign-in on the login page the browser gets one cookie per pool; while it is
valid, ``/oauth2/authorize`` for any client of the pool answers without asking for the password
again (SSO), unless the request says ``prompt=login`` or its ``max_age`` has passed (OIDC Core
§3.1.2.1). ``/logout`` clears it.

* Cookie attributes: ``HttpOnly``; ``SameSite=Lax`` (sent on the top-level navigation from the
  client to ``/authorize``, not on cross-site subrequests); ``Secure`` when served over https;
  ``Path=/{pool_id}`` so pools hosted on one server don't share sessions.
* Value: sealed (AES-GCM, context ``sso-session:{pool_id}``) ``{sub, auth_time, exp}``; nothing is
  stored server side. Lifetime one hour, Cognito's managed-login session (COGNITO.md §1.5, §5).
* A session is honoured only while the user still exists, is enabled and confirmed, and has not
  signed out globally since (``auth_time`` >= the user's ``tokens_valid_after``): an admin's
  disable or global sign-out ends SSO everywhere at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from ..sealed import seal, unseal
from ..secrets import MasterKey
from ..store import UserRecord, UserStatus

COOKIE = "authpool_session"
SESSION_SECONDS = 3600


@dataclass(frozen=True, slots=True)
class SsoSession:
    sub: str
    auth_time: int
    expires_at: int


def _context(pool_id: str) -> str:
    return f"sso-session:{pool_id}"


def is_https(request: Request, base_url: str) -> bool:
    return request.url.scheme == "https" or base_url.startswith("https://")


def read(request: Request, key: MasterKey, pool_id: str, *, now: int) -> SsoSession | None:
    data = unseal(key, request.cookies.get(COOKIE), _context(pool_id))
    if not data:
        return None
    sub, auth_time, exp = data.get("sub"), data.get("at"), data.get("exp")
    if not (isinstance(sub, str) and isinstance(auth_time, int) and isinstance(exp, int)) or exp <= now:
        return None
    return SsoSession(sub, auth_time, exp)


def still_valid(session: SsoSession, user: UserRecord | None) -> bool:
    """The user behind the cookie may still sign in without a password."""
    return (user is not None and user.sub == session.sub and user.enabled
            and user.status is UserStatus.CONFIRMED and session.auth_time >= user.tokens_valid_after)


def set_cookie(response: Response, key: MasterKey, pool_id: str, sub: str, *, now: int, secure: bool) -> None:
    value = seal(key, {"sub": sub, "at": now, "exp": now + SESSION_SECONDS}, _context(pool_id))
    response.set_cookie(COOKIE, value, max_age=SESSION_SECONDS, path=f"/{pool_id}", httponly=True,
                        samesite="lax", secure=secure)


def clear_cookie(response: Response, pool_id: str, *, secure: bool) -> None:
    response.delete_cookie(COOKIE, path=f"/{pool_id}", httponly=True, samesite="lax", secure=secure)
