"""What an ID token and an access token contain, and why (DESIGN.md "Token profiles"; COGNITO.md §1).

* ID token: who the user is, for the client's UI. ``aud`` = the client id (a string), ``token_use: id``,
  ``cognito:username``, the user's readable attributes (PII), ``nonce`` / ``at_hash`` in OAuth flows.
* Access token: what the bearer may do, for resource servers. ``client_id`` (not ``aud``),
  ``token_use: access``, ``username``, ``scope`` as one space-separated string, ``cognito:groups``,
  ``version: 2``, header ``typ: at+jwt`` (RFC 9068 §2.1). No PII; ``aud`` only for a named resource
  (RFC 8707) or a pool that opts into the RFC 9068 profile.
"""

from __future__ import annotations

#: RFC 9068 §2.1: the media type of a JWT access token, in its short form for the ``typ`` header.
ACCESS_TOKEN_TYP = "at+jwt"

#: The one scope API sign-in (InitiateAuth & co.) grants, as Cognito does (COGNITO.md §1.4).
COGNITO_ADMIN_SCOPE = "aws.cognito.signin.user.admin"

#: OIDC Core §5.1 standard claims that describe a person, plus Cognito's identity extras.
PII_CLAIMS = frozenset({
    "name", "given_name", "family_name", "middle_name", "nickname", "preferred_username", "profile",
    "picture", "website", "email", "email_verified", "gender", "birthdate", "zoneinfo", "locale",
    "phone_number", "phone_number_verified", "address", "identities", "cognito:username",
})

#: Claims whose values Cognito forces to booleans in tokens, though attributes are strings.
BOOLEAN_ATTRIBUTES = frozenset({"email_verified", "phone_number_verified"})

#: Claims a pre-token-generation hook may never add, override or suppress (COGNITO.md §2, §7.7).
RESERVED_CLAIMS = frozenset({
    "acr", "amr", "aud", "at_hash", "auth_time", "azp", "cognito:username", "exp", "iat", "identities",
    "iss", "jti", "nbf", "nonce", "origin_jti", "sub", "token_use", "client_id", "scope", "username",
    "event_id", "version",
})

#: Claims that only an ID token carries: seeing one in a token that claims to be an access token
#: is a sign of an ID token presented in the wrong place.
ID_TOKEN_ONLY_CLAIMS = frozenset({"nonce", "at_hash", "c_hash", "cognito:username"})


def is_pii_claim(name: str) -> bool:
    """True for personal data: OIDC profile claims and every user-defined ``custom:`` attribute."""
    return name in PII_CLAIMS or name.startswith("custom:")
