"""Why an issuance was refused. Subclasses of the domain errors, so both front doors map them:
the Cognito API to ``NotAuthorizedException`` / ``RefreshTokenReuseException``, OAuth to
``invalid_grant``."""

from __future__ import annotations

from ..errors import NotAuthorized


class InvalidRefreshToken(NotAuthorized):
    """Unknown, expired or revoked refresh token, or one issued to another client."""

    code = "invalid_refresh_token"
    default_message = "Invalid Refresh Token"


class RefreshTokenReused(InvalidRefreshToken):
    """An already-rotated refresh token was presented again: its whole family is now revoked
    (RFC 9700 §4.14.2, refresh token rotation with reuse detection)."""

    code = "refresh_token_reused"
    default_message = "The refresh token was already used; the session is revoked."


class UserDisabled(NotAuthorized):
    code = "user_disabled"
    default_message = "User is disabled."
