"""Domain errors of the user-pool server.

One hierarchy for everything the store and the pool services can refuse. Each class carries a
stable machine ``code`` (never renamed: front doors and tests key on it) and a message that is safe
to show a client: it never contains a secret, password, token, code or personal data such as a
user name or e-mail address. Identifiers that are not personal (a pool id, a client id, a group
name chosen by an administrator) may appear.

There is deliberately no wire mapping here. The Cognito JSON API (``__type``/``message``, COGNITO.md
§4.1) and the OAuth endpoints (RFC 6749 §5.2) each render these in one place of their own.
"""

from __future__ import annotations

import enum
from typing import ClassVar


class Kind(enum.StrEnum):
    """What a :class:`NotFound` / :class:`AlreadyExists` is about."""

    POOL = "pool"
    USER = "user"
    GROUP = "group"
    CLIENT = "client"
    RESOURCE_SERVER = "resource_server"
    SIGNING_KEY = "signing_key"
    TOKEN = "token"
    AUTH_CODE = "auth_code"
    ATTRIBUTE = "attribute"
    ALIAS = "alias"  # a sign-in alias (e-mail, phone number, preferred_username) held by another user


_NOT_FOUND_MESSAGES = {
    Kind.POOL: "User pool does not exist.",
    Kind.USER: "User does not exist.",
    Kind.GROUP: "Group not found.",
    Kind.CLIENT: "User pool client does not exist.",
    Kind.RESOURCE_SERVER: "Resource server does not exist.",
    Kind.SIGNING_KEY: "Signing key does not exist.",
    Kind.TOKEN: "Token does not exist.",
    Kind.AUTH_CODE: "Authorization code does not exist.",
    Kind.ATTRIBUTE: "Attribute does not exist.",
    Kind.ALIAS: "Alias does not exist.",
}

_EXISTS_MESSAGES = {
    Kind.POOL: "User pool already exists.",
    Kind.USER: "User account already exists.",  # Cognito's UsernameExistsException message
    Kind.GROUP: "A group with this name already exists in the user pool.",
    Kind.CLIENT: "User pool client already exists.",
    Kind.RESOURCE_SERVER: "A resource server with this identifier already exists in the user pool.",
    Kind.SIGNING_KEY: "Signing key already exists.",
    Kind.TOKEN: "Token already exists.",
    Kind.AUTH_CODE: "Authorization code already exists.",
    Kind.ATTRIBUTE: "Attribute already exists.",
    Kind.ALIAS: "An account with the given alias already exists.",
}


class AuthpoolError(Exception):
    """Base of every domain error. ``code`` is stable; ``message`` is safe to show a client."""

    code: ClassVar[str] = "internal_error"
    default_message: ClassVar[str] = "An internal error occurred."

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)


class NotFound(AuthpoolError):
    code = "not_found"

    def __init__(self, kind: Kind, message: str | None = None) -> None:
        self.kind = Kind(kind)
        super().__init__(message or _NOT_FOUND_MESSAGES[self.kind])


class AlreadyExists(AuthpoolError):
    code = "already_exists"

    def __init__(self, kind: Kind, message: str | None = None) -> None:
        self.kind = Kind(kind)
        super().__init__(message or _EXISTS_MESSAGES[self.kind])


class InvalidParameter(AuthpoolError):
    """A request value is malformed or not allowed (Cognito: InvalidParameterException)."""

    code = "invalid_parameter"
    default_message = "Invalid parameter."


class InvalidPassword(AuthpoolError):
    """A new password breaks the pool's password policy (Cognito: InvalidPasswordException)."""

    code = "invalid_password"
    default_message = "Password did not conform with policy."


class NotAuthorized(AuthpoolError):
    """Sign-in refused (Cognito: NotAuthorizedException). Keep the message generic on purpose."""

    code = "not_authorized"
    default_message = "Incorrect username or password."


class UserNotConfirmed(AuthpoolError):
    code = "user_not_confirmed"
    default_message = "User is not confirmed."


class PasswordResetRequired(AuthpoolError):
    code = "password_reset_required"
    default_message = "Password reset required for the user"


class TooManyRequests(AuthpoolError):
    code = "too_many_requests"
    default_message = "Too many requests."


class ServiceUnavailable(TooManyRequests):
    """The server cannot do this now, through no fault of the caller (a shared dependency is down, a
    capacity bound is reached); retrying later may succeed. Cognito has no better type than
    TooManyRequestsException; OAuth answers ``temporarily_unavailable`` (503), and the hosted login page
    says the service is unavailable rather than blaming the user's attempts."""

    code = "service_unavailable"
    default_message = "The service is temporarily unavailable; try again later."


class LimitExceeded(AuthpoolError):
    code = "limit_exceeded"
    default_message = "Limit exceeded."


class Conflict(AuthpoolError):
    """A concurrent change won; the caller may retry (e.g. a single-use item already consumed)."""

    code = "conflict"
    default_message = "The resource was changed concurrently."


class ConfigurationError(AuthpoolError):
    """The server is misconfigured (e.g. no master key where one is needed). Never a client's fault."""

    code = "configuration_error"
    default_message = "The server is misconfigured."


__all__ = [
    "AlreadyExists",
    "AuthpoolError",
    "ConfigurationError",
    "Conflict",
    "InvalidParameter",
    "InvalidPassword",
    "Kind",
    "LimitExceeded",
    "NotAuthorized",
    "NotFound",
    "PasswordResetRequired",
    "ServiceUnavailable",
    "TooManyRequests",
    "UserNotConfirmed",
]
