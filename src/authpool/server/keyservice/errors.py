"""Why the key service refused, on the issuing side and at the decrypt endpoint.

At issuance every failure is closed (no token is issued): :class:`ClaimEncryptionError` and its
subclasses are :class:`~authpool.server.errors.ConfigurationError`\\ s, which both front doors answer
with a fixed message (Cognito ``InternalErrorException``, OAuth ``server_error``); the reason goes to
the log. A malformed placeholder from a hook is the hook's fault and raises the hooks'
``InvalidHookResponse`` instead (hooks/errors.py maps it).

At the decrypt endpoint (endpoint.py) the refusals are wire errors with a status:

==========================  ======  =====================  =================================================
class                       status  ``error``              when
==========================  ======  =====================  =================================================
:class:`DecryptDenied`      403     ``access_denied``      the key policy does not name the client
:class:`InvalidCiphertext`  400     ``invalid_ciphertext`` unknown key or version, wrong context, tampered
:class:`DecryptThrottled`   429     ``slow_down``          over the client's rate
==========================  ======  =====================  =================================================
"""

from __future__ import annotations

from typing import ClassVar

from ..errors import ConfigurationError


class ClaimEncryptionError(ConfigurationError):
    """An encrypted claim could not be produced: the issuance fails closed."""

    code = "claim_encryption_failed"
    default_message = "An encrypted claim could not be produced."


class KeyServiceUnavailable(ClaimEncryptionError):
    """The key service (the store's KEKs, AWS KMS) did not answer or refused."""

    code = "key_service_unavailable"
    default_message = "The key service is unavailable."


class DecryptRefused(Exception):
    """Base of the decrypt endpoint's refusals (rendered by endpoint.py)."""

    error: ClassVar[str] = "invalid_request"
    status: ClassVar[int] = 400
    outcome: ClassVar[str] = "invalid"  # written to the audit
    description: ClassVar[str] = "The request is invalid."


class DecryptDenied(DecryptRefused):
    error, status, outcome = "access_denied", 403, "denied"
    description = "The key policy does not allow this client to decrypt with this key."


class InvalidCiphertext(DecryptRefused):
    error, status, outcome = "invalid_ciphertext", 400, "invalid"
    description = "The ciphertext cannot be decrypted with this key and context."


class DecryptThrottled(DecryptRefused):
    error, status, outcome = "slow_down", 429, "throttled"
    description = "Too many decrypt requests; slow down."

    def __init__(self, retry_after: float) -> None:
        super().__init__(self.description)
        self.retry_after = retry_after
