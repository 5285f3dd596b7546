"""The hosted login page, ``{issuer}/login`` (Cognito's managed login, COGNITO.md §5).

``GET /login?<authorize parameters>`` shows a form with ``input[name=username]``,
``input[name=password]`` and a submit button; ``POST`` to the same URL signs in through the
shared :class:`authpool.server.pool.signin.SignInService` (the same password check, throttling and
``NEW_PASSWORD_REQUIRED`` challenge as the Cognito API's InitiateAuth; nothing is reimplemented
here), then sets the SSO session cookie and answers like the authorization endpoint (a 303 to
the client with a code).

* The request is re-validated on every step (:mod:`.authrequest`): the page never trusts a hidden
  field for the client or redirect URI.
* CSRF token on every form (:mod:`.csrf`, RFC 6749 §10.12); clickjacking and Referer headers on
  every page (:mod:`.pages`, RFC 9700 §4.16, §4.2.4).
* Errors never say whether a user exists: an unknown user and a wrong password read the same
  ("Incorrect username or password."), whatever the client's ``PreventUserExistenceErrors``
  (the sign-in service still spends a full password hash on unknown names, so timing matches).
* A refusal that is not the user's doing (:class:`~authpool.server.errors.ServiceUnavailable`: the
  shared throttle's store (Redis) unreachable, every password-hashing slot busy) reads "temporarily
  unavailable" with status 503 (RFC 9110 §15.6.4); only the throttle's refusal of this user or
  address says "too many attempts" (429).
* ``NEW_PASSWORD_REQUIRED``: the second form carries the service's sealed challenge session; the
  new password must be typed twice and meet the pool's policy (shown on the page).
* MFA (``pool/mfa_signin.py``, as the Cognito API's challenges): after the password (or the new
  password), a user with TOTP enabled, or anyone in a pool whose ``MfaConfiguration`` is ON, gets a
  code form carrying the sealed ``SOFTWARE_TOKEN_MFA`` session; a wrong code keeps the form
  ("That code is not right."), counted by the sign-in throttle. An ON pool's user without a token
  gets the set-up form: the new secret as a QR code (inline SVG drawn on the server, :mod:`.qr`), as
  text and as an ``otpauth://`` link, then a code of it (AssociateSoftwareToken, VerifySoftwareToken and the MFA_SETUP answer in one step).
"""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import Response

from ..errors import (
    InvalidParameter,
    InvalidPassword,
    NotAuthorized,
    NotFound,
    PasswordResetRequired,
    ServiceUnavailable,
    TooManyRequests,
    UserNotConfirmed,
)
from ..pool import password_policy, totp
from ..pool.codes import CodeMismatch
from ..pool.mfa import MFA_SETUP, SOFTWARE_TOKEN_MFA, EnableSoftwareTokenMfaFailed
from ..pool.signin import NEW_PASSWORD_REQUIRED, InvalidSession, SignInOutcome
from ..ratelimit import PASSWORD_ATTEMPTS_EXCEEDED
from . import csrf, qr, session
from .authorize import complete, error_redirect, guarded
from .authrequest import AuthorizationRequest, PageError, RedirectError, validate
from .errors import OAuthError
from .pages import describe_policy, error_page, render
from .params import form_params, query_params
from .redirect import origin_of

log = logging.getLogger("authpool.oauth")
GENERIC = "Incorrect username or password."
TOO_MANY = "Too many failed attempts. Wait a little and try again."
#: ServiceUnavailable (throttle store down, password-hashing slots busy): not the user's doing, so not TOO_MANY.
UNAVAILABLE = "The service is temporarily unavailable. Please try again in a moment."
EXPIRED = "Your sign-in took too long. Please sign in again."
WRONG_CODE = "That code is not right. Enter the current code from your authenticator app."


class _Browser:
    """What the handlers need from the request, read once on the event loop."""

    def __init__(self, request: Request, ctx, pool_id: str) -> None:
        self.action = f"/{pool_id}/login?{request.url.query}"
        self.nonce, self.new_nonce = csrf.browser_nonce(request)
        self.ip = request.client.host if request.client else None
        self.secure = session.is_https(request, ctx.settings.public_base_url())
        self.request = request


def _page(ctx, req: AuthorizationRequest, browser: _Browser, template: str, *, status: int = 200,
          **values) -> Response:
    token = csrf.issue(ctx.master_key, req.pool.id, browser.nonce, now=ctx.db.now())
    response = render(template, status=status, form_action=[origin_of(req.redirect_uri)], action=browser.action,
                      csrf=token, client_name=req.client.name, pool_name=req.pool.name, **values)
    if browser.new_nonce:
        csrf.set_cookie(response, req.pool.id, browser.nonce, secure=browser.secure)
    return response


def _login_form(ctx, req, browser, *, error: str | None = None, username: str = "", status: int = 200) -> Response:
    return _page(ctx, req, browser, "login.html", status=status, error=error, username=username)


def _new_password_form(ctx, req, browser, *, session_value: str, username: str, error: str | None = None,
                       status: int = 200) -> Response:
    return _page(ctx, req, browser, "new_password.html", status=status, error=error, session=session_value,
                 username=username, policy=describe_policy(password_policy(req.pool)))


def _mfa_form(ctx, req, browser, *, session_value: str, username: str, device: str | None = None,
              error: str | None = None, status: int = 200) -> Response:
    return _page(ctx, req, browser, "mfa.html", status=status, error=error, session=session_value,
                 username=username, device=device)


def _mfa_setup_form(ctx, req, browser, *, session_value: str, username: str, secret: str,
                    error: str | None = None, status: int = 200) -> Response:
    uri = totp.provisioning_uri(totp.from_base32(secret), account=username, issuer=req.pool.name)
    return _page(ctx, req, browser, "mfa_setup.html", status=status, error=error, session=session_value,
                 username=username, secret=secret, uri=uri, qr=qr.svg(uri))


def _next(ctx, req, browser, outcome: SignInOutcome, username: str) -> Response:
    """After a proven password: signed in, or the MFA step it leads to."""
    if outcome.challenge == SOFTWARE_TOKEN_MFA:
        return _mfa_form(ctx, req, browser, session_value=outcome.session, username=username,
                         device=outcome.friendly_name)
    if outcome.challenge == MFA_SETUP:
        secret, session_value = ctx.signin.mfa.associate(outcome.session)
        return _mfa_setup_form(ctx, req, browser, session_value=session_value, username=username, secret=secret)
    return _signed_in(ctx, req, browser, outcome.user)


def _signed_in(ctx, req: AuthorizationRequest, browser: _Browser, user) -> Response:
    now = ctx.db.now()
    response = complete(ctx, req, user, now, status=303)
    session.set_cookie(response, ctx.master_key, req.pool.id, user.sub, now=now, secure=browser.secure)
    log.info("hosted sign-in", extra={"pool_id": req.pool.id, "client_id": req.client.client_id})
    return response


def _password_step(ctx, req, browser, form: dict[str, str]) -> Response:
    username, password = form.get("username", ""), form.get("password", "")
    if not username or not password:
        return _login_form(ctx, req, browser, error="Enter your username and password.", username=username,
                           status=400)
    try:
        outcome = ctx.signin.password(req.pool.id, username, password, client=req.client, source_ip=browser.ip)
    except ServiceUnavailable:  # RFC 9110 §15.6.4: 503, the condition is temporary
        return _login_form(ctx, req, browser, error=UNAVAILABLE, username=username, status=503)
    except TooManyRequests:
        return _login_form(ctx, req, browser, error=TOO_MANY, username=username, status=429)
    except (NotAuthorized, NotFound) as exc:
        message = TOO_MANY if getattr(exc, "message", "") == PASSWORD_ATTEMPTS_EXCEEDED else GENERIC
        return _login_form(ctx, req, browser, error=message, username=username, status=400)
    except UserNotConfirmed:
        return _login_form(ctx, req, browser, error="This account is not confirmed yet.", username=username,
                           status=400)
    except PasswordResetRequired:
        return _login_form(ctx, req, browser, error="Your password has to be reset before you can sign in.",
                           username=username, status=400)
    except InvalidParameter:
        return _login_form(ctx, req, browser, error=GENERIC, username=username, status=400)
    if outcome.challenge == NEW_PASSWORD_REQUIRED:
        return _new_password_form(ctx, req, browser, session_value=outcome.session, username=username)
    return _next(ctx, req, browser, outcome, username)


def _new_password_step(ctx, req, browser, form: dict[str, str]) -> Response:
    challenge, username = form.get("session", ""), form.get("username", "")
    new, confirm = form.get("new_password", ""), form.get("confirm_password", "")
    if not new or new != confirm:
        return _new_password_form(ctx, req, browser, session_value=challenge, username=username,
                                  error="The two passwords do not match.", status=400)
    try:
        user = ctx.signin.complete_new_password(req.pool.id, challenge, new, client=req.client,
                                                username=username or None)
    except (InvalidPassword, InvalidParameter) as exc:  # policy text is safe to show
        return _new_password_form(ctx, req, browser, session_value=challenge, username=username,
                                  error=exc.message, status=400)
    except ServiceUnavailable:  # the session is still good: the same form, to try again
        return _new_password_form(ctx, req, browser, session_value=challenge, username=username,
                                  error=UNAVAILABLE, status=503)
    except (InvalidSession, NotAuthorized, NotFound):
        return _login_form(ctx, req, browser, error=EXPIRED, username=username, status=400)
    return _next(ctx, req, browser, ctx.signin.after_password(user, req.client), username)


def _mfa_step(ctx, req, browser, form: dict[str, str]) -> Response:
    challenge, username, code = form.get("session", ""), form.get("username", ""), form.get("code", "").strip()
    try:
        user = ctx.signin.mfa.respond(challenge, code, client=req.client, source_ip=browser.ip,
                                      username=username or None)
    except CodeMismatch:
        return _mfa_form(ctx, req, browser, session_value=challenge, username=username, error=WRONG_CODE, status=400)
    except ServiceUnavailable:
        return _mfa_form(ctx, req, browser, session_value=challenge, username=username, error=UNAVAILABLE,
                         status=503)
    except TooManyRequests:
        return _login_form(ctx, req, browser, error=TOO_MANY, username=username, status=429)
    except NotAuthorized as exc:  # an expired or used session, throttled, disabled since
        message = TOO_MANY if exc.message == PASSWORD_ATTEMPTS_EXCEEDED else EXPIRED
        return _login_form(ctx, req, browser, error=message, username=username, status=400)
    except (InvalidParameter, NotFound):
        return _login_form(ctx, req, browser, error=EXPIRED, username=username, status=400)
    return _signed_in(ctx, req, browser, user)


def _mfa_setup_step(ctx, req, browser, form: dict[str, str]) -> Response:
    challenge, username, code = form.get("session", ""), form.get("username", ""), form.get("code", "").strip()
    secret = form.get("secret", "")  # shown again on a wrong code; the server verifies its own copy
    try:
        verified = ctx.signin.mfa.verify(challenge, code)
        user = ctx.signin.mfa.complete_setup(verified, client=req.client, source_ip=browser.ip)
    except EnableSoftwareTokenMfaFailed:
        if not _shown_secret(secret):
            return _login_form(ctx, req, browser, error=EXPIRED, username=username, status=400)
        return _mfa_setup_form(ctx, req, browser, session_value=challenge, username=username, secret=secret,
                               error=WRONG_CODE, status=400)
    except ServiceUnavailable:
        return _login_form(ctx, req, browser, error=UNAVAILABLE, username=username, status=503)
    except (NotAuthorized, InvalidParameter, NotFound):
        return _login_form(ctx, req, browser, error=EXPIRED, username=username, status=400)
    return _signed_in(ctx, req, browser, user)


def _shown_secret(secret: str) -> bool:
    try:
        return len(secret) == 32 and len(totp.from_base32(secret)) == totp.SECRET_BYTES
    except ValueError:
        return False


def _handle(ctx, pool_id: str, params: dict[str, str], form: dict[str, str] | None, browser: _Browser) -> Response:
    try:
        with ctx.db.transaction(readonly=True) as tx:
            req = validate(tx, pool_id, params)
    except PageError as exc:
        return error_page(exc.message, exc.code, status=exc.status)
    except RedirectError as exc:
        return error_redirect(ctx, pool_id, exc, 302 if form is None else 303)
    if form is None:
        return _login_form(ctx, req, browser)
    if not csrf.verify(browser.request, ctx.master_key, pool_id, form.get(csrf.FIELD), now=ctx.db.now()):
        return _login_form(ctx, req, browser, error="This form has expired. Please try again.", status=400)
    step = form.get("step")
    if step == "new_password":
        return _new_password_step(ctx, req, browser, form)
    if step == "mfa":
        return _mfa_step(ctx, req, browser, form)
    if step == "mfa_setup":
        return _mfa_setup_step(ctx, req, browser, form)
    return _password_step(ctx, req, browser, form)


async def login(request: Request) -> Response:
    ctx = request.app.state.ctx
    pool_id = request.path_params["pool_id"]
    try:
        params = query_params(request)
        form = await form_params(request) if request.method == "POST" else None
    except OAuthError as exc:
        return error_page(exc.description, exc.error)
    return await guarded(ctx.run(_handle, ctx, pool_id, params, form, _Browser(request, ctx, pool_id)))
