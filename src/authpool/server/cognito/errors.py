"""Cognito's wire errors, and the one place domain errors become them.

Wire shape (COGNITO.md §4.1; botocore's JSON protocol parser): HTTP status, content type
``application/x-amz-json-1.1`` and the body ``{"__type": "NotAuthorizedException", "message": "..."}``;
botocore raises ``client.exceptions.<__type>``. Every Cognito error is HTTP 400 except
``InternalErrorException`` (500) (Cognito API Reference, "Errors" of each action).

:func:`to_cognito_error` maps the domain errors of ``authpool.server.errors``, the issuance errors,
the pre-token hook errors (``hooks/errors.py``) and the code errors here, and nowhere else.
Anything unexpected becomes ``InternalErrorException`` with a fixed message; its detail goes to the
log (type only, plus the traceback for foreign exceptions), never to the client.
"""

from __future__ import annotations

import logging

from ..errors import (
    AlreadyExists,
    AuthpoolError,
    Conflict,
    InvalidParameter,
    InvalidPassword,
    Kind,
    LimitExceeded,
    NotAuthorized,
    NotFound,
    PasswordResetRequired,
    TooManyRequests,
    UserNotConfirmed,
)
from ..hooks.errors import HookRejected, HookUnavailable, InvalidHookResponse
from ..issuance.errors import RefreshTokenReused
from ..pool.codes import CodeMismatch, ExpiredCode
from ..pool.mfa import EnableSoftwareTokenMfaFailed, SoftwareTokenMfaNotFound

log = logging.getLogger("authpool.cognito")

INTERNAL_ERROR_MESSAGE = "An internal error occurred."


class CognitoError(Exception):
    """An error already in Cognito's terms: ``type`` is the ``__type``, ``message`` is safe to send."""

    def __init__(self, type: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.type, self.message, self.status = type, message, status

    def body(self) -> dict[str, str]:
        return {"__type": self.type, "message": self.message}


def invalid_parameter(message: str) -> CognitoError:
    return CognitoError("InvalidParameterException", message)


_NOT_FOUND = {Kind.USER: "UserNotFoundException", Kind.ATTRIBUTE: "InvalidParameterException"}
_EXISTS = {
    Kind.USER: "UsernameExistsException",
    Kind.GROUP: "GroupExistsException",
    Kind.ALIAS: "AliasExistsException",
}
_BY_CLASS: tuple[tuple[type[AuthpoolError], str], ...] = (  # most specific first
    (RefreshTokenReused, "RefreshTokenReuseException"),
    (HookRejected, "UserLambdaValidationException"),  # pre-token hooks: hooks/errors.py's table
    (InvalidHookResponse, "InvalidLambdaResponseException"),
    (HookUnavailable, "UnexpectedLambdaException"),
    (NotAuthorized, "NotAuthorizedException"),  # includes InvalidRefreshToken, UserDisabled, InvalidSession
    (InvalidPassword, "InvalidPasswordException"),
    (InvalidParameter, "InvalidParameterException"),
    (UserNotConfirmed, "UserNotConfirmedException"),
    (PasswordResetRequired, "PasswordResetRequiredException"),
    (TooManyRequests, "TooManyRequestsException"),
    (LimitExceeded, "LimitExceededException"),
    (Conflict, "ConcurrentModificationException"),
    (CodeMismatch, "CodeMismatchException"),
    (ExpiredCode, "ExpiredCodeException"),
    (SoftwareTokenMfaNotFound, "SoftwareTokenMFANotFoundException"),
    (EnableSoftwareTokenMfaFailed, "EnableSoftwareTokenMFAException"),
)


def to_cognito_error(exc: BaseException) -> CognitoError:
    if isinstance(exc, CognitoError):
        return exc
    if isinstance(exc, NotFound):
        return CognitoError(_NOT_FOUND.get(exc.kind, "ResourceNotFoundException"), exc.message)
    if isinstance(exc, AlreadyExists):
        return CognitoError(_EXISTS.get(exc.kind, "InvalidParameterException"), exc.message)
    if isinstance(exc, AuthpoolError):
        for cls, type_ in _BY_CLASS:
            if isinstance(exc, cls):
                return CognitoError(type_, exc.message)
    # ConfigurationError, unknown domain errors and every foreign exception: no detail leaves.
    foreign = not isinstance(exc, AuthpoolError)
    log.error("internal error in the Cognito API", extra={"error_type": type(exc).__name__},
              exc_info=exc if foreign else None)
    return CognitoError("InternalErrorException", INTERNAL_ERROR_MESSAGE, 500)
