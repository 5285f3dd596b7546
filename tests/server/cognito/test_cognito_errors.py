"""authpool.server.cognito.errors: the one map from domain errors to Cognito's wire errors."""

from __future__ import annotations

import logging

import pytest

from authpool.server import errors as e
from authpool.server.cognito.errors import INTERNAL_ERROR_MESSAGE, CognitoError, to_cognito_error
from authpool.server.hooks.errors import HookRejected, HookTimeout, InvalidHookResponse, TokenTooLarge
from authpool.server.issuance import InvalidRefreshToken, RefreshTokenReused, UserDisabled
from authpool.server.pool.codes import CodeMismatch, ExpiredCode
from authpool.server.pool.password_work import PasswordWorkBusy
from authpool.server.pool.signin import InvalidSession
from authpool.server.ratelimit import ThrottleUnavailable


@pytest.mark.parametrize(("error", "wire"), [
    (e.NotFound(e.Kind.USER), "UserNotFoundException"),
    (e.NotFound(e.Kind.POOL), "ResourceNotFoundException"),
    (e.NotFound(e.Kind.CLIENT), "ResourceNotFoundException"),
    (e.NotFound(e.Kind.GROUP), "ResourceNotFoundException"),
    (e.NotFound(e.Kind.RESOURCE_SERVER), "ResourceNotFoundException"),
    (e.AlreadyExists(e.Kind.USER), "UsernameExistsException"),
    (e.AlreadyExists(e.Kind.GROUP), "GroupExistsException"),
    (e.AlreadyExists(e.Kind.ALIAS, "An account with the given email already exists."), "AliasExistsException"),
    (e.AlreadyExists(e.Kind.RESOURCE_SERVER), "InvalidParameterException"),
    (e.AlreadyExists(e.Kind.ATTRIBUTE), "InvalidParameterException"),
    (e.InvalidParameter(), "InvalidParameterException"),
    (e.InvalidPassword(), "InvalidPasswordException"),
    (e.NotAuthorized(), "NotAuthorizedException"),
    (e.UserNotConfirmed(), "UserNotConfirmedException"),
    (e.PasswordResetRequired(), "PasswordResetRequiredException"),
    (e.TooManyRequests(), "TooManyRequestsException"),
    (e.ServiceUnavailable(), "TooManyRequestsException"),
    (PasswordWorkBusy(), "TooManyRequestsException"),
    (ThrottleUnavailable(), "TooManyRequestsException"),
    (e.LimitExceeded(), "LimitExceededException"),
    (e.Conflict(), "ConcurrentModificationException"),
    (InvalidRefreshToken(), "NotAuthorizedException"),
    (UserDisabled(), "NotAuthorizedException"),
    (RefreshTokenReused(), "RefreshTokenReuseException"),
    (InvalidSession(), "NotAuthorizedException"),
    (CodeMismatch(), "CodeMismatchException"),
    (ExpiredCode(), "ExpiredCodeException"),
    (HookRejected("no tenant"), "UserLambdaValidationException"),
    (InvalidHookResponse(), "InvalidLambdaResponseException"),
    (TokenTooLarge(), "InvalidLambdaResponseException"),
    (HookTimeout(), "UnexpectedLambdaException"),
])
def test_domain_errors_map_to_cognito_types(error, wire):
    mapped = to_cognito_error(error)
    assert (mapped.type, mapped.status, mapped.message) == (wire, 400, error.message)
    assert mapped.body() == {"__type": wire, "message": error.message}


def test_cognito_errors_pass_through():
    error = CognitoError("UnknownOperationException", "nope")
    assert to_cognito_error(error) is error


@pytest.mark.parametrize("error", [e.ConfigurationError("master key missing at /secret/path"),
                                   KeyError("alice@example.com"), RuntimeError("password=hunter2")])
def test_anything_else_is_an_internal_error_with_a_fixed_message(error, caplog):
    with caplog.at_level(logging.ERROR, logger="authpool.cognito"):
        mapped = to_cognito_error(error)
    assert (mapped.type, mapped.status, mapped.message) == ("InternalErrorException", 500, INTERNAL_ERROR_MESSAGE)
    assert str(error) not in mapped.message
    assert caplog.records[-1].error_type == type(error).__name__
