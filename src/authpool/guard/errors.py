"""Guard errors: one class per failed check, all under :class:`TokenError` (STYLE.md, habit 3).

Each class carries, as class attributes, its stable machine ``code``, the RFC 6750 §3.1 wire ``error``
(``invalid_request``, ``invalid_token``, ``insufficient_scope``, or ``None`` when the request carried
no credentials at all) and the HTTP ``status``. An instance adds:

* ``description``: a fixed, client-safe sentence sent in ``error_description``. It never contains
  token bytes, and never claim values either.
* ``detail`` (``str(error)``): for logs and developers; may name the claim and its actual and
  expected values (never the token itself).
* ``claim``, ``actual``, ``expected``: the same data, structured (panva/jose and aws-jwt-verify's
  habit), for tests and metrics.

The mapping to HTTP responses lives in one place, :mod:`authpool.guard.rfc6750`.
"""

from __future__ import annotations

from typing import Any, ClassVar


class TokenError(Exception):
    """Base of every guard failure. ``verify`` raises nothing else for a bad token."""

    code: ClassVar[str] = "invalid_token"
    error: ClassVar[str | None] = "invalid_token"
    status: ClassVar[int] = 401
    default_description: ClassVar[str] = "the access token is invalid"
    #: Set by the verifier once the signature is verified, for logs and signals (never sent).
    issuer: str | None = None
    client: str | None = None

    def __init__(self, detail: str | None = None, *, claim: str | None = None, actual: Any = None,
                 expected: Any = None, description: str | None = None) -> None:
        self.detail = detail or self.default_description
        self.claim, self.actual, self.expected = claim, actual, expected
        self.description = description or self.default_description
        super().__init__(self.detail)


# -- the request -----------------------------------------------------------------------------------
class MissingToken(TokenError):
    """No bearer credentials in the request (RFC 6750 §3.1: no ``error`` attribute then)."""

    code, error, status = "missing_token", None, 401
    default_description = "the request has no Bearer access token"


class InvalidRequest(TokenError):
    """A malformed ``Authorization`` header, two tokens, or a token where it may not be sent
    (RFC 6750 §2, §3.1 ``invalid_request``)."""

    code, error, status = "invalid_request", "invalid_request", 400
    default_description = "the request's bearer credentials are malformed"


# -- steps 1-3: size, form, header -------------------------------------------------------------------
class MalformedToken(TokenError):
    """Step 2: not a compact JWS with a JSON-object header and claim set (RFC 7515 §7.1, RFC 7519 §7.2)."""

    code = "malformed_token"
    default_description = "the access token is malformed"


class TokenTooLarge(MalformedToken):
    """Step 1: longer than the size bound, refused before any decoding (RFC 8725 §3.1 spirit)."""

    code = "token_too_large"
    default_description = "the access token is too large"


class UnsupportedTokenFormat(MalformedToken):
    """Step 2: a JWE or a nested JWT where a signed JWT is expected (RFC 8725 §2.7, §3.11)."""

    code = "unsupported_token_format"
    default_description = "the access token is not a signed JWT"


class InvalidHeader(TokenError):
    """Step 3: the JOSE header breaks a rule of RFC 8725 (unknown ``crit``, a key in the header...)."""

    code = "invalid_header"
    default_description = "the access token's header is not acceptable"


class AlgorithmNotAllowed(InvalidHeader):
    """Step 3: ``alg`` is ``none`` or not in the issuer's allow-list (RFC 8725 §3.1)."""

    code = "algorithm_not_allowed"
    default_description = "the access token's signing algorithm is not accepted"


# -- step 4: the key -----------------------------------------------------------------------------------
class KeyNotFound(TokenError):
    """Step 4: no key with the token's ``kid`` in the issuer's JWKS, even after the allowed refetch."""

    code = "key_not_found"
    default_description = "the access token was signed with an unknown key"


class AlgorithmMismatch(TokenError):
    """Step 4: the key found does not allow the token's ``alg`` (the key pins the algorithm)."""

    code = "algorithm_mismatch"
    default_description = "the access token's algorithm does not match its key"


class JwksUnavailable(TokenError):
    """Step 4: the issuer's keys could not be fetched and no cached keys are usable (fail closed).

    Not the client's fault, so it renders as 503 rather than 401.
    """

    code, error, status = "jwks_unavailable", "temporarily_unavailable", 503
    default_description = "the issuer's signing keys are unavailable; try again later"


# -- step 5: the signature -----------------------------------------------------------------------------
class InvalidSignature(TokenError):
    """Step 5: the signature does not verify under the issuer's key."""

    code = "invalid_signature"
    default_description = "the access token's signature is invalid"


# -- steps 6-11: claims ---------------------------------------------------------------------------------
class InvalidClaim(TokenError):
    """Base of the claim checks; ``claim``, ``actual`` and ``expected`` say what failed."""

    code = "invalid_claim"
    default_description = "the access token has an invalid claim"


class MalformedClaim(InvalidClaim):
    """A claim a check needs is missing or has the wrong JSON type (raised at that check's step)."""

    code = "malformed_claim"
    default_description = "the access token has a missing or malformed claim"


class InvalidIssuer(InvalidClaim):
    """Step 6 (or step 4 with several issuers): ``iss`` is not exactly a configured issuer."""

    code = "invalid_issuer"
    default_description = "the access token was issued by an issuer this API does not trust"


class TokenExpired(InvalidClaim):
    """Step 7: now is at or after ``exp`` + leeway (RFC 7519 §4.1.4)."""

    code = "token_expired"
    default_description = "the access token has expired"


class TokenNotYetValid(InvalidClaim):
    """Step 7: now + leeway is before ``nbf`` (RFC 7519 §4.1.5)."""

    code = "token_not_yet_valid"
    default_description = "the access token is not valid yet"


class IssuedInFuture(InvalidClaim):
    """Step 7: ``iat`` is later than now + leeway (RFC 9068 §4: reject tokens issued in the future)."""

    code = "issued_in_future"
    default_description = "the access token was issued in the future"


class WrongTokenType(InvalidClaim):
    """Step 8: the token is not an access token of the configured profile.

    ``id_token`` is True when the token is recognisably an ID token; the description then says so and
    why that is refused (DESIGN.md, "the one rule").
    """

    code = "wrong_token_type"
    default_description = "the token is not an access token"
    id_token_description = ("an ID token was presented where an access token is required; ID tokens tell "
                            "the client app who the user is and are never accepted by APIs, send the "
                            "access token instead")

    def __init__(self, detail: str | None = None, *, id_token: bool = False, **kwargs: Any) -> None:
        self.id_token = id_token
        if id_token and "description" not in kwargs:
            kwargs["description"] = self.id_token_description
        super().__init__(detail, **kwargs)


class InvalidClient(InvalidClaim):
    """Step 9: ``client_id`` is not in the allow-list (Cognito access tokens carry no ``aud``)."""

    code = "invalid_client"
    default_description = "the access token was issued to a client this API does not accept"


class InvalidAudience(InvalidClaim):
    """Step 9: ``aud`` does not name this API (RFC 9068 §4, RFC 7519 §4.1.3)."""

    code = "invalid_audience"
    default_description = "the access token is not intended for this API"


class InsufficientScope(InvalidClaim):
    """Step 10: a required scope is missing (RFC 6750 §3.1 ``insufficient_scope``, 403)."""

    code, error, status = "insufficient_scope", "insufficient_scope", 403
    default_description = "the access token lacks a scope this request requires"

    @property
    def required_scope(self) -> str | None:
        """The ``scope`` attribute for the challenge: the scopes the route needs, space-separated."""
        if not self.expected:
            return None
        return " ".join(sorted(self.expected))


class InsufficientGroup(InvalidClaim):
    """Step 10: the user is not in a required group (403, like a missing scope)."""

    code, error, status = "insufficient_group", "insufficient_scope", 403
    default_description = "the user is not in a group this request requires"


class CustomCheckFailed(InvalidClaim):
    """Step 11: the verifier's custom check returned False or raised a non-guard exception."""

    code = "custom_check_failed"
    default_description = "the access token was refused by this API's rules"


class RouteNotAllowed(TokenError):
    """A route policy with default-deny has no rule for this method and path (403)."""

    code, error, status = "route_not_allowed", "insufficient_scope", 403
    default_description = "no access policy allows this route"


# -- encrypted claims (claims.decrypt, decrypt.py): after verification, at the route's request ------------
class DecryptionError(TokenError):
    """Base of every failure to read an encrypted claim (docs/encrypted-claims.md). The token itself
    verified; nothing is returned in clear, nothing is cached."""

    code = "claim_decryption_failed"
    default_description = "an encrypted claim of the access token could not be read"


class EncryptedClaimMissing(DecryptionError):
    """The token does not carry the encrypted claim the route reads (403: it may be fine for others)."""

    code, error, status = "encrypted_claim_missing", "insufficient_scope", 403
    default_description = "the access token does not carry a claim this request needs"


class EncryptedClaimWrongAudience(DecryptionError):
    """The claim was encrypted for another resource server (its ``aud`` header names another API)."""

    code = "encrypted_claim_wrong_audience"
    default_description = "an encrypted claim of the access token is intended for another API"


class EncryptedClaimTampered(DecryptionError):
    """Moved or altered: the binding (issuer, subject, claim name, audience) does not match where the
    ciphertext was found, or it does not decrypt (tag, unwrap, key service's verdict)."""

    code = "encrypted_claim_tampered"
    default_description = "an encrypted claim of the access token was moved or altered"


class MalformedEncryptedClaim(EncryptedClaimTampered):
    """Not a compact JWE this guard accepts (size, form, header rules, algorithms)."""

    code = "malformed_encrypted_claim"
    default_description = "an encrypted claim of the access token is malformed"


class DecryptionNotAllowed(DecryptionError):
    """The key service's policy does not let this API decrypt with the claim's key (403)."""

    code, error, status = "decryption_not_allowed", "insufficient_scope", 403
    default_description = "this API is not allowed to read an encrypted claim of the access token"


class DecryptionKeyUnavailable(DecryptionError):
    """No key to decrypt with: the key service or KMS did not answer, or the key is not configured
    here (503, fail closed, like an unavailable JWKS)."""

    code, error, status = "decryption_key_unavailable", "temporarily_unavailable", 503
    default_description = "the key to read an encrypted claim is unavailable; try again later"


__all__ = [
    "AlgorithmMismatch",
    "AlgorithmNotAllowed",
    "CustomCheckFailed",
    "DecryptionError",
    "DecryptionKeyUnavailable",
    "DecryptionNotAllowed",
    "EncryptedClaimMissing",
    "EncryptedClaimTampered",
    "EncryptedClaimWrongAudience",
    "InsufficientGroup",
    "InsufficientScope",
    "InvalidAudience",
    "InvalidClaim",
    "InvalidClient",
    "InvalidHeader",
    "InvalidIssuer",
    "InvalidRequest",
    "InvalidSignature",
    "IssuedInFuture",
    "JwksUnavailable",
    "KeyNotFound",
    "MalformedClaim",
    "MalformedEncryptedClaim",
    "MalformedToken",
    "MissingToken",
    "RouteNotAllowed",
    "TokenError",
    "TokenExpired",
    "TokenNotYetValid",
    "TokenTooLarge",
    "UnsupportedTokenFormat",
    "WrongTokenType",
]
