"""Why an ID token was refused: one small typed hierarchy under :class:`IdTokenError`.

Each class has a stable machine ``code``. ``str(error)`` is for logs and developers and may name the
claim and the expected value; it never contains the token, and never the claim values that are personal
data. A refused ID token only means the client app should not show a signed-in UI: the *API* decides
what the user may do, from the access token (docs/client.md).

    IdTokenError
    +-- MalformedIdToken         not a compact JWS, bad header, too large
    +-- NotAnIdToken             an access token (or another kind of token) presented as an ID token
    +-- KeysUnavailable          the issuer's JWKS could not be fetched
    +-- SignatureInvalid         bad signature, algorithm not allowed or not fitting the key
    |   +-- KeyNotFound          no key with the token's ``kid``
    +-- ClaimInvalid             ``claim`` / ``expected`` say which check failed
        +-- MalformedClaim       a required claim is missing or has the wrong JSON type
        +-- IssuerMismatch       OIDC Core §3.1.3.7 step 2
        +-- AudienceMismatch     step 3
        +-- AuthorizedPartyMismatch  step 4-5 (``azp``)
        +-- TokenExpired         step 9
        +-- IssuedInFuture       step 10
        +-- NonceMismatch        step 11
        +-- AuthTooOld           step 13 (``max_age``)
        +-- AtHashMismatch       §3.1.3.8
"""

from __future__ import annotations

from typing import Any, ClassVar


class IdTokenError(Exception):
    """Base of every refusal of :meth:`authpool.client.IdTokenValidator.validate`."""

    code: ClassVar[str] = "invalid_id_token"

    def __init__(self, message: str, *, claim: str | None = None, expected: Any = None) -> None:
        super().__init__(message)
        self.claim, self.expected = claim, expected


class MalformedIdToken(IdTokenError):
    code = "malformed"


class NotAnIdToken(IdTokenError):
    """The token is an access token (or says it is not an ID token). Access tokens go to APIs; a client
    app learns who the user is from the ID token only."""

    code = "not_an_id_token"


class KeysUnavailable(IdTokenError):
    code = "keys_unavailable"


class SignatureInvalid(IdTokenError):
    code = "invalid_signature"


class KeyNotFound(SignatureInvalid):
    code = "key_not_found"


class ClaimInvalid(IdTokenError):
    code = "invalid_claim"


class MalformedClaim(ClaimInvalid):
    code = "malformed_claim"


class IssuerMismatch(ClaimInvalid):
    code = "invalid_issuer"


class AudienceMismatch(ClaimInvalid):
    code = "invalid_audience"


class AuthorizedPartyMismatch(ClaimInvalid):
    code = "invalid_azp"


class TokenExpired(ClaimInvalid):
    code = "expired"


class IssuedInFuture(ClaimInvalid):
    code = "issued_in_future"


class NonceMismatch(ClaimInvalid):
    code = "nonce_mismatch"


class AuthTooOld(ClaimInvalid):
    code = "auth_too_old"


class AtHashMismatch(ClaimInvalid):
    code = "at_hash_mismatch"


__all__ = [
    "AtHashMismatch",
    "AudienceMismatch",
    "AuthTooOld",
    "AuthorizedPartyMismatch",
    "ClaimInvalid",
    "IdTokenError",
    "IssuedInFuture",
    "IssuerMismatch",
    "KeyNotFound",
    "KeysUnavailable",
    "MalformedClaim",
    "MalformedIdToken",
    "NonceMismatch",
    "NotAnIdToken",
    "SignatureInvalid",
    "TokenExpired",
]
