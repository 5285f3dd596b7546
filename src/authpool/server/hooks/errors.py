"""Why a pre-token-generation hook made an issuance fail (COGNITO.md §2.7).

Failure is closed: when a hook fails, nothing is issued. Each class has a stable ``code`` and a
message that is safe to show a client (never a stack trace, token or secret). The front doors map
them, each in its one place:

================================  =====================================  ==================
class                             Cognito API ``__type``                 OAuth ``error``
================================  =====================================  ==================
:class:`HookRejected`             ``UserLambdaValidationException``      ``access_denied``
:class:`InvalidHookResponse`      ``InvalidLambdaResponseException``     ``server_error``
:class:`HookUnavailable`          ``UnexpectedLambdaException``          ``server_error``
================================  =====================================  ==================

Subclasses (:class:`ForbiddenClaim`, :class:`TokenTooLarge`, :class:`HookTimeout`) map as their
parent does. Cognito lists these three exceptions on every operation that issues tokens
(InitiateAuth, RespondToAuthChallenge, GetTokensFromRefreshToken; botocore service-2.json).
"""

from __future__ import annotations

import re

from ..errors import AuthpoolError

#: Longest handler message passed on to a client (Cognito passes the handler's message through).
MAX_HANDLER_MESSAGE = 256
_UNSAFE = re.compile(r"[\x00-\x1f\x7f]+")


def safe_handler_message(text: object) -> str:
    """The first line of a handler's own error message, control characters removed, bounded.

    Cognito shows a throwing handler's message to the caller ("PreTokenGeneration failed with error
    <message>."); apps use that to tell users why. The text is the handler author's choice; authpool
    only makes sure it is one short printable line, and the log filter redacts e-mails and tokens.
    """
    message = str(text).strip().splitlines()[0] if str(text).strip() else ""
    message = _UNSAFE.sub(" ", message)
    return message[:MAX_HANDLER_MESSAGE] or "unknown error"


class HookError(AuthpoolError):
    """Base of every hook failure. ``invoker`` (python, webhook, lambda) is for logs and audit."""

    code = "hook_error"
    default_message = "PreTokenGeneration failed."

    def __init__(self, message: str | None = None, *, invoker: str | None = None) -> None:
        super().__init__(message)
        self.invoker = invoker


class HookRejected(HookError):
    """The handler raised (or, for a webhook or Lambda, reported) an error: the sign-in is refused
    with the handler's message, as Cognito's ``UserLambdaValidationException``."""

    code = "hook_rejected"

    def __init__(self, handler_message: object, *, invoker: str | None = None) -> None:
        super().__init__(f"PreTokenGeneration failed with error {safe_handler_message(handler_message)}.",
                         invoker=invoker)


class InvalidHookResponse(HookError):
    """The handler answered, but not with a usable event: not JSON, not an object, a wrong type for a
    field, an oversized body (Cognito: ``InvalidLambdaResponseException``)."""

    code = "invalid_hook_response"
    default_message = "Unrecognizable lambda output"


class ForbiddenClaim(InvalidHookResponse):
    """Strict mode only: the handler tried to add, override or suppress a reserved claim. Without
    strict mode the change is ignored (as Cognito ignores it), logged and audited."""

    code = "hook_forbidden_claim"

    def __init__(self, claim: str, *, invoker: str | None = None) -> None:
        super().__init__(f"PreTokenGeneration tried to change the reserved claim {claim!r}.", invoker=invoker)
        self.claim = claim


class TokenTooLarge(InvalidHookResponse):
    """After the hook's changes a token would exceed the pool's size limit."""

    code = "hook_token_too_large"
    default_message = "PreTokenGeneration made the token larger than the pool allows."


class HookUnavailable(HookError):
    """The hook could not be run: not importable, unreachable, misconfigured, answered with an HTTP
    error (Cognito: ``UnexpectedLambdaException``). ``reason`` names the kind of failure only."""

    code = "hook_unavailable"

    def __init__(self, reason: str, *, invoker: str | None = None) -> None:
        super().__init__(f"PreTokenGeneration invocation failed due to error {reason}.", invoker=invoker)
        self.reason = reason


class HookTimeout(HookUnavailable):
    """The handler did not answer within the pool's timeout (5 s by default, as Cognito's)."""

    code = "hook_timeout"

    def __init__(self, *, invoker: str | None = None) -> None:
        super().__init__("TimeoutError", invoker=invoker)


__all__ = [
    "ForbiddenClaim",
    "HookError",
    "HookRejected",
    "HookTimeout",
    "HookUnavailable",
    "InvalidHookResponse",
    "TokenTooLarge",
    "safe_handler_message",
]
