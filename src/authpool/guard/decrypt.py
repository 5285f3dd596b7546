"""Reading encrypted claims at the resource server: ``claims.decrypt(name)`` / ``await claims.adecrypt(name)``.

    decryptor = ClaimDecryptor(audience="https://kyc.example.com",          # this API's identifier
                               resource_keys=ResourceKeys([private_jwk]),    # and/or
                               key_service=AuthpoolKeyService(ISSUER, client_id=..., client_secret=...),
                               kms=AwsKms(key_ids=["arn:aws:kms:..."]))
    verifier = AccessTokenVerifier(..., decryptor=decryptor)
    national_id = claims.decrypt("custom:national_id")

The check order, after the token itself verified (verifier.py's eleven steps); the first failure decides:

1. the claim is present (``default=`` returns a default instead)          -> EncryptedClaimMissing
2. a string of at most ``max_claim_size`` (a list: one per audience)       -> MalformedEncryptedClaim
3. strict compact JWE (jose/jwe.py): five parts, base64url, header rules, ``enc`` A256GCM, ``alg`` one
   of the three an encrypted claim may have (ECDH-ES+A256KW, A256KW, dir)  -> MalformedEncryptedClaim
4. ``aud`` header is this API (RFC 7519 §5.3 replicated claim)             -> EncryptedClaimWrongAudience
5. ``ctx`` header equals the binding of (the token's ``iss``, its ``sub``, the name read, this API)
   (tokens/encrypted.py): a ciphertext moved to another user, claim or issuer stops here
                                                                           -> EncryptedClaimTampered
6. the key: own private key by ``kid`` / authpool's decrypt endpoint / KMS ``Decrypt``, with the same
   context; a key service this guard was not given (the resource server's backend changed, say)
   fails closed                                     -> DecryptionKeyUnavailable, DecryptionNotAllowed,
                                                       EncryptedClaimTampered
7. AES-GCM with the header as AAD, then strict JSON                        -> EncryptedClaimTampered

Nothing is cached: not the value, not the content key (a resource server decrypts once per request
that reads the claim; keep the value in a local variable for the request). Errors never carry the
ciphertext or the value. They are guard errors (``TokenError`` subclasses), so every adapter renders
them (401/403/503, RFC 6750) when a route lets them propagate.
"""

from __future__ import annotations

import hmac
from typing import TYPE_CHECKING, Any

from ..jose import (
    CompactJWE,
    DecryptionFailed,
    InvalidKey,
    JoseError,
    b64url_decode,
    b64url_encode,
    decrypt_compact_jwe,
    parse_compact_jwe,
)
from ..tokens.encrypted import (
    ALG_BY_BACKEND,
    AUD_HEADER,
    BINDING_HEADER,
    CLAIM_ENC,
    EDK_HEADER,
    ClaimContext,
    decode_value,
)
from .errors import (
    DecryptionKeyUnavailable,
    EncryptedClaimMissing,
    EncryptedClaimTampered,
    EncryptedClaimWrongAudience,
    MalformedEncryptedClaim,
)
from .keysources import AuthpoolKeyService, AwsKms, ResourceKeys

if TYPE_CHECKING:
    from .claims import AccessClaims

MAX_CLAIM_SIZE = 8 * 1024
_RAISE: Any = object()
_RESOURCE, _LOCAL, _KMS = ALG_BY_BACKEND["resource-key"], ALG_BY_BACKEND["local"], ALG_BY_BACKEND["aws-kms"]
_CLAIM_ALGS = frozenset((_RESOURCE, _LOCAL, _KMS))


class ClaimDecryptor:
    """Decrypts the claims encrypted for ``audience`` with the key services given (at least one)."""

    def __init__(self, *, audience: str, resource_keys: ResourceKeys | None = None,
                 key_service: AuthpoolKeyService | None = None, kms: AwsKms | None = None,
                 max_claim_size: int = MAX_CLAIM_SIZE) -> None:
        if not isinstance(audience, str) or not audience:
            raise TypeError("audience must be this API's resource server identifier")
        if resource_keys is None and key_service is None and kms is None:
            raise TypeError("give resource_keys=..., key_service=... and/or kms=...")
        self.audience, self.max_claim_size = audience, max_claim_size
        self.resource_keys, self.key_service, self.kms = resource_keys, key_service, kms
        self.algorithms = frozenset(alg for alg, source in ((_RESOURCE, resource_keys), (_LOCAL, key_service),
                                                            (_KMS, kms)) if source is not None)
        self._sources = {_RESOURCE: resource_keys, _LOCAL: key_service, _KMS: kms}

    def __repr__(self) -> str:
        return (f"ClaimDecryptor(audience={self.audience!r}, algorithms={sorted(self.algorithms)}, "
                f"resource_keys={self.resource_keys!r}, key_service={self.key_service!r}, kms={self.kms!r})")

    # -- steps 1-5: no key involved ------------------------------------------------------------------------
    def prepare(self, claims: AccessClaims, name: str) -> tuple[CompactJWE, ClaimContext] | None:
        """The JWE meant for this API under ``name``, and the context it must be bound to; None if absent."""
        value = claims.get(name)
        if value is None:
            return None
        candidates = value if isinstance(value, list) and value else [value]
        if len(candidates) > 16 or not all(isinstance(c, str) for c in candidates):
            raise MalformedEncryptedClaim(f"claim {name!r} is not an encrypted claim", claim=name)
        found = [self._parse(c, name) for c in candidates]
        ours = [jwe for jwe in found if jwe.header.get(AUD_HEADER) == self.audience]
        if not ours:
            raise EncryptedClaimWrongAudience(f"claim {name!r} is encrypted for another API", claim=name,
                                              actual=[j.header.get(AUD_HEADER) for j in found], expected=self.audience)
        jwe = ours[0]
        subject = claims.get("sub")
        if not isinstance(subject, str):
            raise EncryptedClaimTampered("the token has no subject to bind the claim to", claim="sub")
        context = ClaimContext(claims.issuer, subject, name, self.audience)
        binding = jwe.header.get(BINDING_HEADER)
        if not isinstance(binding, str) or not hmac.compare_digest(binding.encode(), context.binding().encode()):
            raise EncryptedClaimTampered(f"claim {name!r} is not bound to this token, claim name and API",
                                         claim=name)
        return jwe, context

    def _parse(self, text: str, name: str) -> CompactJWE:
        try:
            return parse_compact_jwe(text, algorithms=_CLAIM_ALGS, encryptions=(CLAIM_ENC,),
                                     max_size=self.max_claim_size)
        except JoseError as exc:
            raise MalformedEncryptedClaim(f"claim {name!r}: {exc}", claim=name) from None

    # -- steps 6-7 -----------------------------------------------------------------------------------------
    def decrypt(self, claims: AccessClaims, name: str, default: Any = _RAISE) -> Any:
        prepared = self.prepare(claims, name)
        if prepared is None:
            return self._missing(name, default)
        jwe, context = prepared
        alg = self._source_for(jwe, name)
        if alg == _RESOURCE:
            key: Any = self.resource_keys.get(jwe.kid)  # type: ignore[union-attr]
        elif alg == _LOCAL:
            key = self.key_service.unwrap(jwe.kid or "", _encrypted_key(jwe), context)  # type: ignore[union-attr]
        else:
            key = self.kms.decrypt(_edk(jwe), context)  # type: ignore[union-attr]
        return self._open(jwe, key, alg, name)

    async def adecrypt(self, claims: AccessClaims, name: str, default: Any = _RAISE) -> Any:
        prepared = self.prepare(claims, name)
        if prepared is None:
            return self._missing(name, default)
        jwe, context = prepared
        alg = self._source_for(jwe, name)
        if alg == _RESOURCE:
            key: Any = self.resource_keys.get(jwe.kid)  # type: ignore[union-attr]
        elif alg == _LOCAL:
            key = await self.key_service.aunwrap(jwe.kid or "", _encrypted_key(jwe), context)  # type: ignore[union-attr]
        else:
            key = await self.kms.adecrypt(_edk(jwe), context)  # type: ignore[union-attr]
        return self._open(jwe, key, alg, name)

    def _source_for(self, jwe: CompactJWE, name: str) -> str:
        if self._sources.get(jwe.alg) is None:
            raise DecryptionKeyUnavailable(f"claim {name!r} is encrypted with {jwe.alg}, and this guard has no "
                                           f"key service for it", claim=name, actual=jwe.alg,
                                           expected=sorted(self.algorithms))
        return jwe.alg

    @staticmethod
    def _missing(name: str, default: Any) -> Any:
        if default is _RAISE:
            raise EncryptedClaimMissing(f"the token has no claim {name!r}", claim=name)
        return default

    @staticmethod
    def _open(jwe: CompactJWE, key: Any, alg: str, name: str) -> Any:
        if alg == _LOCAL:  # the endpoint gave the content key itself: decrypt as 'dir' under the same AAD
            jwe = jwe._replace(header={**jwe.header, "alg": "dir"}, encrypted_key=b"")
            alg = "dir"
        try:
            _, plaintext = decrypt_compact_jwe(jwe, key, algorithms=(alg,), encryptions=(CLAIM_ENC,))
            return decode_value(plaintext)
        except (DecryptionFailed, ValueError, UnicodeDecodeError):
            raise EncryptedClaimTampered(f"claim {name!r} does not decrypt", claim=name) from None
        except InvalidKey as exc:
            raise DecryptionKeyUnavailable(f"claim {name!r}: {exc}", claim=name) from None


def _encrypted_key(jwe: CompactJWE) -> str:
    return b64url_encode(jwe.encrypted_key)


def _edk(jwe: CompactJWE) -> bytes:
    edk = jwe.header.get(EDK_HEADER)
    try:
        if isinstance(edk, str) and 0 < len(edk) <= 2048:
            return b64url_decode(edk)
    except JoseError:
        pass
    raise MalformedEncryptedClaim("the KMS-encrypted claim has no valid 'edk' header", claim=EDK_HEADER)
