"""Step 8: is this an access token? Profiles ``cognito``, ``rfc9068`` and ``auto``; ID tokens refused.

First, ID-token recognition (every profile), which makes the refusal say "ID token":

1. ``token_use`` is ``"id"`` (Cognito's marker, COGNITO.md §1.3); or
2. ``token_use`` is absent, the token carries a claim only ID tokens have (``nonce``, ``at_hash``,
   ``c_hash``, ``s_hash``: OIDC Core §2, §3.1.3.6, §3.3.2.11; FAPI ``s_hash``; ``cognito:username``),
   and its ``aud`` names a client: the token's own ``azp`` or ``client_id``, or one of the verifier's
   ``client_ids``. This is how a plain OIDC ID token (Keycloak, Auth0, ...) looks; it would
   otherwise pass as an access token only because it lacks Cognito's ``token_use``.

A token that says ``token_use: "access"`` is taken at its (signed) word. Then the profile's own rule:

* ``cognito``: ``token_use == "access"`` (aws-jwt-verify's ``tokenUse: "access"``).
* ``rfc9068``: header ``typ`` is ``at+jwt`` or ``application/at+jwt``, compared case-insensitively
  (RFC 9068 §4: "verify that the typ header value is at+jwt or application/at+jwt and reject tokens
  carrying any other value"), and ``aud`` is present (RFC 9068 §2.2, checked at step 9); a
  ``token_use`` other than ``"access"`` is refused as well.
* ``auto``: either of the two; a token accepted only by its ``typ`` must carry ``aud``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any, Literal

from .errors import MalformedClaim, WrongTokenType

Profile = Literal["cognito", "rfc9068", "auto"]
PROFILES: tuple[str, ...] = ("cognito", "rfc9068", "auto")
ID_TOKEN_ONLY_CLAIMS = ("nonce", "at_hash", "c_hash", "s_hash", "cognito:username")


def is_at_jwt(typ: Any) -> bool:
    """RFC 9068 §4 with RFC 7515 §4.1.9: media types compare case-insensitively, prefix optional."""
    if not isinstance(typ, str):
        return False
    typ = typ.lower()
    return typ == "at+jwt" or typ == "application/at+jwt"


def _aud_names_a_client(claims: Mapping[str, Any], client_ids: Collection[str] | None) -> bool:
    aud = claims.get("aud")
    auds = (aud,) if isinstance(aud, str) else tuple(aud) if isinstance(aud, list) else ()
    if not auds:
        return False
    for name in ("azp", "client_id"):
        value = claims.get(name)
        if isinstance(value, str) and value in auds:
            return True
    return bool(client_ids) and any(a in client_ids for a in auds if isinstance(a, str))


def looks_like_id_token(claims: Mapping[str, Any], client_ids: Collection[str] | None) -> bool:
    """Rule 2 above (``token_use`` absent)."""
    return any(name in claims for name in ID_TOKEN_ONLY_CLAIMS) and _aud_names_a_client(claims, client_ids)


def _refuse_id_token(why: str) -> WrongTokenType:
    return WrongTokenType(f"an ID token was presented where an access token is required ({why})",
                          claim="token_use", actual="id", expected="access", id_token=True)


def check_token_type(profile: str, header: Mapping[str, Any], claims: Mapping[str, Any],
                     client_ids: Collection[str] | None) -> bool:
    """Raise :class:`WrongTokenType` unless the token is an access token under ``profile``.

    Returns True when the token was accepted as an RFC 9068 token, whose ``aud`` step 9 requires.
    """
    token_use = claims.get("token_use")
    if token_use == "access":
        if profile == "rfc9068":
            if not is_at_jwt(header.get("typ")):
                raise WrongTokenType("RFC 9068 access tokens carry the header typ 'at+jwt'", claim="typ",
                                     actual=header.get("typ"), expected="at+jwt")
            return True
        return False
    if token_use == "id":
        raise _refuse_id_token("its token_use is 'id'")
    if token_use is not None:
        if not isinstance(token_use, str):
            raise MalformedClaim("'token_use' must be a string", claim="token_use", actual=type(token_use).__name__,
                                 expected="access")
        raise WrongTokenType(f"token_use is {token_use!r}, not 'access'", claim="token_use", actual=token_use,
                             expected="access")
    if looks_like_id_token(claims, client_ids):
        raise _refuse_id_token("it has no token_use, carries ID-token claims and its aud is a client id")
    if profile == "cognito":
        raise WrongTokenType("a Cognito access token has token_use 'access'; this token has none",
                             claim="token_use", actual=None, expected="access")
    if not is_at_jwt(header.get("typ")):
        raise WrongTokenType("the token has neither token_use 'access' nor the header typ 'at+jwt'",
                             claim="typ", actual=header.get("typ"), expected="at+jwt")
    return True
