"""``AccessTokenVerifier``: the checks a resource server runs on a bearer access token, in a fixed order.

 1. size bound (before any decoding)                              -> TokenTooLarge
 2. compact JWS form: three base64url parts, JSON-object header and claims, no duplicate member
    names; a JWE or nested JWT is refused                         -> MalformedToken, UnsupportedTokenFormat
 3. header: ``alg`` not ``none`` and in the allow-list; no ``crit``; no ``jwk``/``jku``/``x5c``/``x5u``
    (RFC 8725 §3.1, §3.10; RFC 7515 §4.1.11)                      -> AlgorithmNotAllowed, InvalidHeader
 4. key: with several issuers, the token's ``iss`` picks whose keys to use (unknown -> InvalidIssuer);
    the ``kid`` picks the key from that issuer's JWKS (cached, refetched under the penalty box); the
    key's type pins the algorithm                                  -> KeyNotFound, JwksUnavailable,
                                                                      AlgorithmMismatch
 5. signature (pyca/cryptography)                                 -> InvalidSignature
 6. ``iss`` exactly equal to the configured issuer (RFC 9068 §4)  -> InvalidIssuer
 7. ``exp`` (required), ``nbf``, ``iat`` with ``leeway``          -> TokenExpired, TokenNotYetValid,
                                                                      IssuedInFuture
 8. token type: ID tokens refused; profile cognito/rfc9068/auto   -> WrongTokenType
 9. ``client_id`` in ``client_ids``; ``aud`` meets ``audience``   -> InvalidClient, InvalidAudience
10. required scopes, then groups                                  -> InsufficientScope, InsufficientGroup
11. the custom check                                              -> CustomCheckFailed
A claim a step needs that is missing or mistyped raises MalformedClaim at that step.

Security-relevant settings have no silent defaults (aws-jwt-verify's rule): ``issuer`` and
``algorithms`` are required, and the client/audience check must be configured or switched off on
purpose with ``client_ids=None`` (or ``audience=None``).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any

from ..jose import ALGORITHMS, JWK, JoseError, JWKSet, loads_object, parse_compact
from ..jose import errors as jose_errors
from ..jose.jws import MAX_COMPACT_SIZE, CompactJWS
from .cache import Entry, VerifiedTokenCache
from .claims import AccessClaims
from .decrypt import ClaimDecryptor
from .errors import (
    AlgorithmMismatch,
    AlgorithmNotAllowed,
    CustomCheckFailed,
    InvalidAudience,
    InvalidClient,
    InvalidHeader,
    InvalidIssuer,
    InvalidSignature,
    IssuedInFuture,
    KeyNotFound,
    MalformedClaim,
    MalformedToken,
    TokenError,
    TokenExpired,
    TokenNotYetValid,
    TokenTooLarge,
    UnsupportedTokenFormat,
    WrongTokenType,
)
from .issuer import _UNSET, CustomCheck, Issuer
from .jwks import RemoteJwks
from .signals import GuardSignals
from .tokentype import check_token_type

log = logging.getLogger("authpool.guard")

_JOSE_ERRORS: tuple[tuple[type[JoseError], type[TokenError]], ...] = (
    (jose_errors.TokenTooLarge, TokenTooLarge),
    (jose_errors.UnsupportedSerialization, UnsupportedTokenFormat),
    (jose_errors.MalformedJWS, MalformedToken),
    (jose_errors.UnsupportedAlgorithm, AlgorithmNotAllowed),
    (jose_errors.AlgorithmMismatch, AlgorithmMismatch),
    (jose_errors.InvalidSignature, InvalidSignature),
    (jose_errors.UnknownCritical, InvalidHeader),
    (jose_errors.UntrustedHeaderKey, InvalidHeader),
)


def from_jose(exc: JoseError) -> TokenError:
    """The guard error for a JOSE error (the two families stay apart; STYLE.md habit 3)."""
    for jose_cls, guard_cls in _JOSE_ERRORS:
        if isinstance(exc, jose_cls):
            return guard_cls(str(exc))
    return InvalidHeader(str(exc))

def _number(claims: Mapping[str, Any], name: str, required: bool) -> float | None:
    value = claims.get(name)
    if value is None and not required:
        return None
    t = type(value)
    if t is int or (t is float and math.isfinite(value)):  # bool is not int here
        return value
    raise MalformedClaim(f"'{name}' must be a number of seconds since the epoch", claim=name,
                         actual=None if value is None else t.__name__, expected="NumericDate")


def _client_of(claims: Mapping[str, Any]) -> str | None:
    for name in ("client_id", "azp", "aud"):
        value = claims.get(name)
        if isinstance(value, str):
            return value
        if isinstance(value, list) and value and isinstance(value[0], str):
            return value[0]
    return None


class AccessTokenVerifier:
    """Verifies bearer access tokens for one issuer, or several (:meth:`for_issuers`).

    >>> verifier = AccessTokenVerifier(issuer="https://idp.example/us-east-1_abc", client_ids=["app1"],
    ...                                jwks_uri="https://idp.example/us-east-1_abc/.well-known/jwks.json",
    ...                                algorithms=["RS256"])  # doctest: +SKIP
    >>> claims = verifier.verify(token)  # doctest: +SKIP
    """

    def __init__(self, *, issuer: str, algorithms: Iterable[str], client_ids: Iterable[str] | None = _UNSET,
                 audience: str | Iterable[str] | None = _UNSET, jwks_uri: str | RemoteJwks | None = None,
                 jwks: Mapping[str, Any] | JWKSet | Iterable[JWK] | None = None, discovery: bool = False,
                 leeway: float = 0, token_type: str = "auto", scopes: Iterable[str] | None = None,
                 any_scopes: Iterable[str] | None = None, groups: Iterable[str] | None = None,
                 any_groups: Iterable[str] | None = None, custom_check: CustomCheck | None = None,
                 allow_http: bool = False, jwks_options: Mapping[str, Any] | None = None,
                 cache: VerifiedTokenCache | int | None = None, max_token_size: int = MAX_COMPACT_SIZE,
                 clock: Callable[[], float] = time.time, signals: GuardSignals | None = None,
                 decryptor: ClaimDecryptor | None = None) -> None:
        one = Issuer(issuer, algorithms=algorithms, client_ids=client_ids, audience=audience, jwks_uri=jwks_uri,
                     jwks=jwks, discovery=discovery, leeway=leeway, token_type=token_type, scopes=scopes,
                     any_scopes=any_scopes, groups=groups, any_groups=any_groups, custom_check=custom_check,
                     allow_http=allow_http, jwks_options=jwks_options, decryptor=decryptor)
        self._setup([one], cache=cache, max_token_size=max_token_size, clock=clock, signals=signals)

    @classmethod
    def for_issuers(cls, issuers: Iterable[Issuer], *, cache: VerifiedTokenCache | int | None = None,
                    max_token_size: int = MAX_COMPACT_SIZE, clock: Callable[[], float] = time.time,
                    signals: GuardSignals | None = None) -> AccessTokenVerifier:
        """One verifier for several issuers (user pools, IdPs), each with its own settings."""
        self = cls.__new__(cls)
        self._setup(list(issuers), cache=cache, max_token_size=max_token_size, clock=clock, signals=signals)
        return self

    def _setup(self, issuers: list[Issuer], *, cache: VerifiedTokenCache | int | None, max_token_size: int,
               clock: Callable[[], float], signals: GuardSignals | None) -> None:
        if not issuers or not all(isinstance(i, Issuer) for i in issuers):
            raise TypeError("give one or more Issuer(...) objects")
        by_iss = {i.iss: i for i in issuers}
        if len(by_iss) != len(issuers):
            raise ValueError("each issuer may be configured once")
        self.issuers: dict[str, Issuer] = by_iss
        self._single = issuers[0] if len(issuers) == 1 else None
        self._algorithms = frozenset().union(*(i.algorithms for i in issuers))
        if isinstance(cache, int) and not isinstance(cache, bool):
            cache = VerifiedTokenCache(cache)
        if cache is not None:
            cache.claim()
        self.cache: VerifiedTokenCache | None = cache
        self.max_token_size = max_token_size
        self.clock = clock
        self.signals = signals if signals is not None else GuardSignals()

    def __repr__(self) -> str:
        return f"AccessTokenVerifier(issuers={list(self.issuers.values())!r}, cache={self.cache is not None})"

    # -- key preloading (aws-jwt-verify's hydrate) ---------------------------------------------------------
    def hydrate(self) -> None:
        """Fetch every remote JWKS now; raise :class:`JwksUnavailable` if one cannot be loaded."""
        for issuer in self.issuers.values():
            if isinstance(issuer.keys, RemoteJwks):
                issuer.keys.hydrate()

    async def ahydrate(self) -> None:
        for issuer in self.issuers.values():
            if isinstance(issuer.keys, RemoteJwks):
                await issuer.keys.ahydrate()

    # -- verification -----------------------------------------------------------------------------------------
    def verify(self, token: str, *, route: str | None = None, now: float | None = None) -> AccessClaims:
        """Verify ``token`` (the bare JWT, no ``Bearer``) and return its claims, or raise a TokenError.

        ``route`` (e.g. ``"GET /items/{id}"``) only labels the misuse signals; ``now`` overrides the clock.
        """
        if now is None:
            now = self.clock()
        try:
            if self.cache is not None:
                hit = self._cached(token, now)
                if hit is not None:
                    return hit
            jws, claims, issuer, key = self._decode(token, now)
            if key is None:
                key = issuer.keys.get(jws.header["kid"], now)
            return self._finish(token, jws, claims, issuer, key, now)
        except TokenError as err:
            self.signals.rejected(err, route)
            raise

    async def averify(self, token: str, *, route: str | None = None, now: float | None = None) -> AccessClaims:
        """:meth:`verify` for async code: a JWKS fetch, when one is needed, does not block the loop."""
        if now is None:
            now = self.clock()
        try:
            if self.cache is not None:
                hit = self._cached(token, now)
                if hit is not None:
                    return hit
            jws, claims, issuer, key = self._decode(token, now)
            if key is None:
                key = await issuer.keys.aget(jws.header["kid"], now)
            return self._finish(token, jws, claims, issuer, key, now)
        except TokenError as err:
            self.signals.rejected(err, route)
            raise

    def _cached(self, token: str, now: float) -> AccessClaims | None:
        """The verified-token cache's claims for ``token`` (custom check run again), or None."""
        cache = self.cache
        if cache is not None and type(token) is str and len(token) <= self.max_token_size:
            entry = cache.entries.get(token)
            if entry is not None and now < entry.deadline and now < entry.source.fresh_until:
                if entry.issuer.custom_check is not None:
                    self._custom(entry.issuer, entry.claims)
                return entry.claims
        return None

    def _decode(self, token: str, now: float) -> tuple[CompactJWS, dict[str, Any], Issuer, JWK | None]:
        """Steps 1-3, the choice of issuer, a ``kid`` in the header (step 4's first half), and the key if the
        issuer's fresh cached keys have it (None: ask the key source, which may fetch)."""
        try:
            jws = parse_compact(token, algorithms=self._algorithms, max_size=self.max_token_size)
            claims = loads_object(jws.payload, "JWT claims set")
        except JoseError as exc:
            raise from_jose(exc) from None
        issuer = self._single
        if issuer is None:
            iss = claims.get("iss")
            issuer = self.issuers.get(iss) if type(iss) is str else None
            if issuer is None:
                raise InvalidIssuer("the token's issuer is not one this verifier trusts", claim="iss",
                                    actual=iss if type(iss) is str else None, expected=sorted(self.issuers))
            if jws.header["alg"] not in issuer.algorithms:
                raise AlgorithmNotAllowed(f"algorithm {jws.header['alg']!r} is not allowed for this issuer")
        kid = jws.header.get("kid")  # a string when present (checked at step 3)
        if kid is None:
            raise KeyNotFound("the token header has no 'kid'", claim="kid")
        return jws, claims, issuer, issuer.keys.lookup(kid, now)

    def _finish(self, token: str, jws: CompactJWS, claims: dict[str, Any], issuer: Issuer, key: JWK,
                now: float) -> AccessClaims:
        """Steps 4 (algorithm pinned by the key) to 11."""
        header, _, signing_input, signature = jws
        alg = header["alg"]
        if alg not in key.algorithms:
            raise AlgorithmMismatch(f"the key {header['kid']!r} does not allow {alg!r}", claim="alg", actual=alg,
                                    expected=sorted(key.algorithms))
        # The key allows ``alg`` (checked above), so its algorithm object is called directly.
        if not ALGORITHMS[alg].verify(key.public_key, signature, signing_input):
            raise InvalidSignature("signature verification failed")
        iss = claims.get("iss")
        if iss != issuer.iss:
            if type(iss) is not str:
                raise MalformedClaim("'iss' must be a string", claim="iss", actual=type(iss).__name__,
                                     expected=issuer.iss)
            raise InvalidIssuer("'iss' is not the configured issuer", claim="iss", actual=iss, expected=issuer.iss)
        leeway = issuer.leeway
        exp = claims.get("exp")
        if type(exp) is not int:
            exp = _number(claims, "exp", True)
        if now >= exp + leeway:  # type: ignore[operator]
            raise TokenExpired(f"the token expired at {exp}", claim="exp", actual=exp, expected=f"> {now}")
        if "nbf" in claims:
            nbf = _number(claims, "nbf", True)
            if now + leeway < nbf:  # type: ignore[operator]
                raise TokenNotYetValid(f"the token is not valid before {nbf}", claim="nbf", actual=nbf,
                                       expected=f"<= {now}")
        iat = claims.get("iat")
        if iat is not None or "iat" in claims:
            if type(iat) is not int:
                iat = _number(claims, "iat", True)
            if iat > now + leeway:  # type: ignore[operator]
                raise IssuedInFuture(f"the token was issued at {iat}, in the future", claim="iat", actual=iat,
                                     expected=f"<= {now}")
        if claims.get("token_use") == "access" and issuer.profile != "rfc9068":
            needs_aud = False  # the common Cognito case of check_token_type, without the call
        else:
            try:
                needs_aud = check_token_type(issuer.profile, header, claims, issuer.client_ids)
            except WrongTokenType as err:
                err.issuer, err.client = issuer.iss, _client_of(claims)
                raise
        if issuer.client_ids is not None:
            client_id = claims.get("client_id")
            if type(client_id) is not str or client_id not in issuer.client_ids:
                if client_id is not None and type(client_id) is not str:
                    raise MalformedClaim("'client_id' must be a string", claim="client_id",
                                         actual=type(client_id).__name__, expected=sorted(issuer.client_ids))
                raise InvalidClient("'client_id' is not an accepted client", claim="client_id", actual=client_id,
                                    expected=sorted(issuer.client_ids))
        if issuer.audience is not None or needs_aud:
            self._check_audience(claims, issuer.audience)
        result = AccessClaims(claims, header, issuer.decryptor)
        if issuer.has_requirement:
            issuer.requirement.check(result)
        if issuer.custom_check is not None:
            self._custom(issuer, result)
        if self.cache is not None and type(token) is str:
            self.cache.put(token, Entry(result, exp + leeway, issuer.keys, header["kid"], issuer))  # type: ignore[operator]
        return result

    @staticmethod
    def _check_audience(claims: Mapping[str, Any], audience: Collection[str] | None) -> None:
        aud = claims.get("aud")
        if type(aud) is str:
            auds: Collection[Any] = (aud,)
        elif type(aud) is list and aud and all(type(a) is str for a in aud):
            auds = aud
        elif aud is None:
            raise InvalidAudience("the token has no 'aud' (RFC 9068 §2.2 requires one)", claim="aud", actual=None,
                                  expected=sorted(audience) if audience else "present")
        else:
            raise MalformedClaim("'aud' must be a string or a non-empty array of strings", claim="aud",
                                 actual=type(aud).__name__)
        if audience is not None and not any(a in audience for a in auds):
            raise InvalidAudience("'aud' does not name this API", claim="aud", actual=list(auds),
                                  expected=sorted(audience))

    @staticmethod
    def _custom(issuer: Issuer, claims: AccessClaims) -> None:
        try:
            ok = issuer.custom_check(claims)  # type: ignore[misc]
        except TokenError:
            raise
        except Exception as exc:
            log.exception("custom check raised; refusing the token")
            raise CustomCheckFailed(f"the custom check raised {type(exc).__name__}") from None
        if ok is False:
            raise CustomCheckFailed("the custom check returned False")
