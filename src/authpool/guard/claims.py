"""The verified claims of an access token, read-only, with the authorization views an API uses.

``scope`` is one space-separated string (RFC 9068 §2.2.3, RFC 8693 §4.2; Cognito the same); an
issuer that sends ``scp`` as an array (some RFC 9068 issuers) is read too, when ``scope`` is absent.
Groups come from ``cognito:groups`` (Cognito, authpool) or else ``groups`` (RFC 9068 §2.2.3.1,
from SCIM). Malformed values read as empty: an authorization check then fails closed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .decrypt import ClaimDecryptor

_EMPTY: frozenset[str] = frozenset()


def _string_set(value: Any) -> frozenset[str]:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return frozenset(value)
    return _EMPTY


class AccessClaims(Mapping[str, Any]):
    """A verified access token's claim set. Behaves as a read-only mapping of the raw claims."""

    __slots__ = ("_claims", "_decryptor", "_groups", "_scopes", "header")

    def __init__(self, claims: dict[str, Any], header: Mapping[str, Any] | None = None,
                 decryptor: ClaimDecryptor | None = None) -> None:
        self._claims = claims
        self.header: Mapping[str, Any] = header or {}
        self._scopes: frozenset[str] | None = None
        self._groups: frozenset[str] | None = None
        self._decryptor = decryptor

    # -- mapping -------------------------------------------------------------------------------------
    def __getitem__(self, name: str) -> Any:
        return self._claims[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._claims)

    def __len__(self) -> int:
        return len(self._claims)

    def __contains__(self, name: object) -> bool:
        return name in self._claims

    def get(self, name: str, default: Any = None) -> Any:
        return self._claims.get(name, default)

    def to_dict(self) -> dict[str, Any]:
        """A shallow copy of the claims."""
        return dict(self._claims)

    def __repr__(self) -> str:  # no claim values: they may be personal data
        return f"AccessClaims(iss={self.issuer!r}, client_id={self.client_id!r}, claims={sorted(self._claims)})"

    # -- views -------------------------------------------------------------------------------------------
    @property
    def issuer(self) -> str:
        return self._claims["iss"]

    @property
    def subject(self) -> str | None:
        return self._claims.get("sub")

    sub = subject

    @property
    def client_id(self) -> str | None:
        """``client_id`` (Cognito, RFC 9068 §2.2); ``azp`` for issuers that only send that."""
        value = self._claims.get("client_id", self._claims.get("azp"))
        return value if isinstance(value, str) else None

    @property
    def username(self) -> str | None:
        value = self._claims.get("username")
        return value if isinstance(value, str) else None

    @property
    def audience(self) -> tuple[str, ...]:
        aud = self._claims.get("aud")
        if isinstance(aud, str):
            return (aud,)
        if isinstance(aud, list):
            return tuple(a for a in aud if isinstance(a, str))
        return ()

    @property
    def expires_at(self) -> int | float:
        return self._claims["exp"]

    @property
    def jti(self) -> str | None:
        return self._claims.get("jti")

    @property
    def scopes(self) -> frozenset[str]:
        scopes = self._scopes
        if scopes is None:
            value = self._claims.get("scope")
            if type(value) is str:
                scopes = frozenset(value.split())
            elif value is None:
                scopes = _string_set(self._claims.get("scp"))
            else:
                scopes = _EMPTY
            self._scopes = scopes
        return scopes

    @property
    def groups(self) -> frozenset[str]:
        groups = self._groups
        if groups is None:
            value = self._claims.get("cognito:groups")
            groups = self._groups = _string_set(value if value is not None else self._claims.get("groups"))
        return groups

    # -- encrypted claims (decrypt.py) --------------------------------------------------------------------
    def decrypt(self, name: str, *, default: Any = ...) -> Any:
        """The value of the encrypted claim ``name``, for this API; raises a DecryptionError subclass
        (``default`` instead of EncryptedClaimMissing when given). Nothing is cached: call it once per
        request and keep the value for the request only."""
        return self._need_decryptor().decrypt(self, name, *(() if default is ... else (default,)))

    async def adecrypt(self, name: str, *, default: Any = ...) -> Any:
        """:meth:`decrypt` for async code: a call to the key service does not block the loop."""
        return await self._need_decryptor().adecrypt(self, name, *(() if default is ... else (default,)))

    def _need_decryptor(self) -> ClaimDecryptor:
        if self._decryptor is None:
            from .errors import DecryptionKeyUnavailable

            raise DecryptionKeyUnavailable("this verifier has no decryptor: AccessTokenVerifier(..., "
                                           "decryptor=ClaimDecryptor(...))")
        return self._decryptor

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    def in_group(self, group: str) -> bool:
        return group in self.groups
