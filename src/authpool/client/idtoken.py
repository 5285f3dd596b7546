"""``IdTokenValidator``: the checks a client app runs on an ID token (OIDC Core §3.1.3.7, §3.1.3.8).

The result is a :class:`Profile` for the app's UI. Validating an ID token says who signed in, for this
app; it authorizes nothing. Whatever the UI shows or hides, the API checks the *access token* on every
request, and only that check counts (docs/client.md).

Check order (first failure wins):

 1. size bound, compact JWS form, header rules of RFC 8725 (``alg`` in the allow-list, never ``none``;
    no ``crit``, no key in the header)                       -> MalformedIdToken, SignatureInvalid
 2. signature with the issuer's key for the header ``kid`` (§3.1.3.7 step 6; the key pins the
    algorithm)                                               -> KeyNotFound, KeysUnavailable, SignatureInvalid
 3. the token is an ID token: not ``typ: at+jwt``, ``token_use`` absent or ``"id"`` (an access token
    presented here is refused by name)                        -> NotAnIdToken
 4. ``iss`` exactly the configured issuer (step 2)            -> IssuerMismatch
 5. ``aud`` contains the client id, and holds no audience the client does not trust (step 3)
                                                             -> AudienceMismatch
 6. ``azp``: required when ``aud`` has several values; when present, equal to the client id
    (steps 4-5 of OIDC Core 1.0 incorporating errata set 1)   -> AuthorizedPartyMismatch
 7. ``exp`` in the future, ``iat`` not in the future, both with ``leeway`` (steps 9-10)
                                                             -> TokenExpired, IssuedInFuture
 8. ``nonce`` equal to the one sent in the authentication request, when one was sent (step 11)
                                                             -> NonceMismatch
 9. ``auth_time`` within ``max_age`` when the app asks for it (step 13)        -> AuthTooOld
10. ``at_hash`` matches the access token received with the ID token, when given (§3.1.3.8: the left
    half of the hash of the access token's ASCII octets, with the hash of the ID token's ``alg``)
                                                             -> AtHashMismatch
A required claim that is missing or of the wrong JSON type raises MalformedClaim at its step.
"""

from __future__ import annotations

import hmac
import math
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ..jose import JWK, JoseError, JWKSet, loads_object, parse_compact
from ..jose import errors as jose_errors
from ..jose.jws import MAX_COMPACT_SIZE, CompactJWS
from ..tokens.claims import token_hash
from ..tokens.inspect import classify
from .errors import (
    AtHashMismatch,
    AudienceMismatch,
    AuthorizedPartyMismatch,
    AuthTooOld,
    IssuedInFuture,
    IssuerMismatch,
    MalformedClaim,
    MalformedIdToken,
    NonceMismatch,
    NotAnIdToken,
    SignatureInvalid,
    TokenExpired,
)
from .keys import RemoteKeys, StaticKeys
from .profile import Profile

_ACCESS_TOKEN_HINT = ("this is an access token, not an ID token: access tokens are for APIs (send them in "
                      "the Authorization header); a client app reads who the user is from the ID token")


def _number(claims: Mapping[str, Any], name: str, *, required: bool) -> float | None:
    value = claims.get(name)
    if value is None and not required:
        return None
    if type(value) is int or (type(value) is float and math.isfinite(value)):
        return value
    raise MalformedClaim(f"'{name}' must be a NumericDate", claim=name, expected="NumericDate")


class IdTokenValidator:
    """Validates ID tokens issued by ``issuer`` to ``client_id``.

    >>> validator = IdTokenValidator(issuer="https://idp.example/us-east-1_abc", client_id="4m1s...",
    ...                              jwks_uri="https://idp.example/us-east-1_abc/.well-known/jwks.json")
    ... # doctest: +SKIP
    >>> profile = validator.validate(id_token, nonce=session["nonce"], access_token=access_token)
    ... # doctest: +SKIP
    >>> profile.in_group("admin")   # show the admin menu; the API still checks the access token
    ... # doctest: +SKIP
    """

    def __init__(self, *, issuer: str, client_id: str, jwks_uri: str | None = None,
                 jwks: Mapping[str, Any] | JWKSet | Iterable[JWK] | None = None,
                 algorithms: Iterable[str] = ("RS256",), leeway: float = 60.0,
                 trusted_audiences: Iterable[str] = (), max_token_size: int = MAX_COMPACT_SIZE,
                 clock: Callable[[], float] = time.time, allow_http: bool = False,
                 jwks_options: Mapping[str, Any] | None = None) -> None:
        if not isinstance(issuer, str) or not issuer:
            raise TypeError("issuer must be the exact issuer string (the tokens' 'iss')")
        if not isinstance(client_id, str) or not client_id:
            raise TypeError("client_id must be this app's client id (the ID token's 'aud')")
        if (jwks_uri is None) == (jwks is None):
            raise TypeError("give exactly one of jwks_uri=... or jwks=...")
        if isinstance(algorithms, str):
            raise TypeError(f"algorithms must be a list (did you mean [{algorithms!r}]?)")
        self.algorithms = frozenset(algorithms)
        if not self.algorithms or "none" in {a.lower() for a in self.algorithms}:
            raise ValueError("algorithms must name one or more signing algorithms")
        if not 0 <= leeway < math.inf:
            raise ValueError("leeway must be a non-negative number of seconds")
        if isinstance(trusted_audiences, str):
            raise TypeError(f"trusted_audiences must be a list (did you mean [{trusted_audiences!r}]?)")
        self.issuer, self.client_id, self.leeway = issuer, client_id, leeway
        self.trusted_audiences = frozenset(trusted_audiences) | {client_id}
        self.max_token_size, self.clock = max_token_size, clock
        self.keys: RemoteKeys | StaticKeys = (
            RemoteKeys(jwks_uri, allow_http=allow_http, clock=clock, **dict(jwks_options or {}))
            if jwks_uri is not None else StaticKeys(jwks))  # type: ignore[arg-type]

    @classmethod
    def from_discovery(cls, issuer: str, *, client_id: str, allow_http: bool = False, timeout: float = 5.0,
                       **options: Any) -> IdTokenValidator:
        """Read ``jwks_uri`` and the signing algorithms from ``{issuer}/.well-known/openid-configuration``
        (OIDC Discovery §4); the document's ``issuer`` must equal ``issuer`` exactly (§4.3)."""
        import httpx

        from ..guard.jwks import check_uri

        url = check_uri(issuer.rstrip("/") + "/.well-known/openid-configuration", allow_http=allow_http)
        response = httpx.get(url, timeout=timeout, follow_redirects=False)
        response.raise_for_status()
        if len(response.content) > 256 * 1024:
            raise ValueError("the discovery document is too large")
        config = response.json()
        if not isinstance(config, dict) or config.get("issuer") != issuer:
            raise ValueError("the discovery document's issuer does not match")
        options.setdefault("algorithms", config.get("id_token_signing_alg_values_supported") or ["RS256"])
        return cls(issuer=issuer, client_id=client_id, jwks_uri=config["jwks_uri"], allow_http=allow_http,
                   **options)

    # -- the checks -------------------------------------------------------------------------------------
    def _parse(self, token: str) -> tuple[CompactJWS, dict[str, Any]]:
        if not isinstance(token, str):
            raise MalformedIdToken("the ID token must be a string")
        try:
            jws = parse_compact(token, algorithms=self.algorithms, max_size=self.max_token_size)
            claims = loads_object(jws.payload, "JWT claims")
        except jose_errors.UnsupportedAlgorithm as exc:
            raise SignatureInvalid(f"the ID token's algorithm is not accepted ({exc})") from None
        except JoseError as exc:
            raise MalformedIdToken(f"the ID token is malformed ({exc})") from None
        return jws, claims

    def _verify_signature(self, jws: CompactJWS, key: JWK) -> None:
        try:
            ok = key.verify(jws.signature, jws.signing_input, jws.alg)
        except JoseError as exc:
            raise SignatureInvalid(f"the ID token's algorithm does not fit its key ({exc})") from None
        if not ok:
            raise SignatureInvalid("the ID token's signature does not verify")

    def _check_claims(self, jws: CompactJWS, claims: dict[str, Any], *, nonce: str | None,
                      access_token: str | None, max_age: float | None, now: float) -> Profile:
        kind, _ = classify(jws.header, claims)
        token_use = claims.get("token_use")
        if kind == "access" or token_use not in (None, "id"):
            raise NotAnIdToken(_ACCESS_TOKEN_HINT, claim="token_use", expected="id")
        if claims.get("iss") != self.issuer:
            raise IssuerMismatch("'iss' is not the configured issuer", claim="iss", expected=self.issuer)
        if not isinstance(claims.get("sub"), str) or not claims["sub"]:
            raise MalformedClaim("'sub' must be a non-empty string", claim="sub")
        aud = claims.get("aud")
        auds = [aud] if isinstance(aud, str) else aud if isinstance(aud, list) and aud else None
        if auds is None or not all(isinstance(a, str) for a in auds):
            raise MalformedClaim("'aud' must be a string or a non-empty array of strings", claim="aud")
        if self.client_id not in auds:
            raise AudienceMismatch("'aud' does not name this client", claim="aud", expected=self.client_id)
        if not set(auds) <= self.trusted_audiences:
            raise AudienceMismatch("'aud' names audiences this client does not trust", claim="aud",
                                   expected=sorted(self.trusted_audiences))
        azp = claims.get("azp")
        if len(auds) > 1 and azp is None:
            raise AuthorizedPartyMismatch("several audiences and no 'azp'", claim="azp", expected=self.client_id)
        if azp is not None and azp != self.client_id:
            raise AuthorizedPartyMismatch("'azp' is not this client", claim="azp", expected=self.client_id)
        exp = _number(claims, "exp", required=True)
        if now >= exp + self.leeway:  # type: ignore[operator]
            raise TokenExpired("the ID token has expired", claim="exp")
        iat = _number(claims, "iat", required=True)
        if iat > now + self.leeway:  # type: ignore[operator]
            raise IssuedInFuture("the ID token was issued in the future", claim="iat")
        if nonce is not None:
            got = claims.get("nonce")
            if not isinstance(got, str) or not hmac.compare_digest(got.encode(), nonce.encode()):
                raise NonceMismatch("'nonce' is missing or differs from the one sent in the request "
                                    "(a replayed or substituted ID token)", claim="nonce")
        if max_age is not None:
            auth_time = _number(claims, "auth_time", required=True)
            if now - auth_time > max_age + self.leeway:  # type: ignore[operator]
                raise AuthTooOld(f"the user authenticated more than {max_age} seconds ago", claim="auth_time")
        if access_token is not None:
            self._check_at_hash(jws.alg, claims, access_token)
        return Profile.from_claims(claims, client_id=self.client_id)

    @staticmethod
    def _check_at_hash(alg: str, claims: Mapping[str, Any], access_token: str) -> None:
        at_hash = claims.get("at_hash")
        if at_hash is None:
            return  # OPTIONAL in the code flow (§3.1.3.6); only a present value is checked
        if not isinstance(at_hash, str):
            raise MalformedClaim("'at_hash' must be a string", claim="at_hash")
        try:
            expected = token_hash(access_token, alg)
        except (KeyError, UnicodeEncodeError):
            raise AtHashMismatch("'at_hash' cannot be computed for this access token", claim="at_hash") from None
        if not hmac.compare_digest(at_hash.encode(), expected.encode()):
            raise AtHashMismatch("'at_hash' does not match the access token received with this ID token",
                                 claim="at_hash")

    # -- public -----------------------------------------------------------------------------------------
    def validate(self, id_token: str, *, nonce: str | None = None, access_token: str | None = None,
                 max_age: float | None = None, now: float | None = None) -> Profile:
        """Validate ``id_token`` and return the user's :class:`Profile`, or raise an ``IdTokenError``.

        ``nonce``: the value this app sent in the authentication request (pass it whenever you sent one).
        ``access_token``: the access token received with the ID token, to check ``at_hash``.
        ``max_age``: seconds; refuse a sign-in older than that (``auth_time``).
        """
        jws, claims = self._parse(id_token)
        self._verify_signature(jws, self.keys.get(jws.kid))
        return self._check_claims(jws, claims, nonce=nonce, access_token=access_token, max_age=max_age,
                                  now=self.clock() if now is None else now)

    async def avalidate(self, id_token: str, *, nonce: str | None = None, access_token: str | None = None,
                        max_age: float | None = None, now: float | None = None) -> Profile:
        """:meth:`validate` for async apps (the JWKS is fetched with ``httpx.AsyncClient``)."""
        jws, claims = self._parse(id_token)
        self._verify_signature(jws, await self.keys.aget(jws.kid))
        return self._check_claims(jws, claims, nonce=nonce, access_token=access_token, max_age=max_age,
                                  now=self.clock() if now is None else now)

    def __repr__(self) -> str:
        return (f"IdTokenValidator(issuer={self.issuer!r}, client_id={self.client_id!r}, "
                f"algorithms={sorted(self.algorithms)}, keys={self.keys!r})")


__all__ = ["IdTokenValidator"]
