"""authpool.client: the ID-token helper for client apps (web back ends, desktop and CLI apps).

    validator = IdTokenValidator(issuer=..., client_id=..., jwks_uri=... | jwks=...)
    profile = validator.validate(id_token, nonce=..., access_token=...)   # or await .avalidate(...)
    profile.display_name, profile.email, profile.groups, profile.in_group("admin"),
    profile.attribute("custom:tier")

**The decisions a client makes from a Profile are cosmetic.** They choose what the UI shows (a greeting,
an admin menu, premium features); they protect nothing, because a user can change anything that runs on
their side. Every real check happens at the API, on the *access token*, with ``authpool.guard``.
Never send the ID token to an API: it carries personal data and its audience is this app.

Importing it loads only the standard library, pyca/cryptography and ``authpool.jose`` / ``authpool.tokens``;
a validator's keys come from the guard's JWKS cache (``authpool.guard.jwks``, loaded when one is built) and
httpx is loaded on the first key fetch (docs/client.md).
"""

from .errors import (
    AtHashMismatch,
    AudienceMismatch,
    AuthorizedPartyMismatch,
    AuthTooOld,
    ClaimInvalid,
    IdTokenError,
    IssuedInFuture,
    IssuerMismatch,
    KeyNotFound,
    KeysUnavailable,
    MalformedClaim,
    MalformedIdToken,
    NonceMismatch,
    NotAnIdToken,
    SignatureInvalid,
    TokenExpired,
)
from .idtoken import IdTokenValidator
from .keys import RemoteKeys, StaticKeys
from .profile import Profile

__all__ = [
    "AtHashMismatch",
    "AudienceMismatch",
    "AuthTooOld",
    "AuthorizedPartyMismatch",
    "ClaimInvalid",
    "IdTokenError",
    "IdTokenValidator",
    "IssuedInFuture",
    "IssuerMismatch",
    "KeyNotFound",
    "KeysUnavailable",
    "MalformedClaim",
    "MalformedIdToken",
    "NonceMismatch",
    "NotAnIdToken",
    "Profile",
    "RemoteKeys",
    "SignatureInvalid",
    "StaticKeys",
    "TokenExpired",
]
