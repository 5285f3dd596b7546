"""Compact JWE (RFC 7516 §3.1, §5, §7.1) over pyca/cryptography, parsed as strictly as jws.py parses JWS.

Algorithms (RFC 7518): content encryption ``A128GCM``, ``A192GCM``, ``A256GCM`` (§5.3); key
management ``dir`` (§4.5), ``A128KW``/``A192KW``/``A256KW`` (AES Key Wrap, RFC 3394; §4.4) and
``ECDH-ES``, ``ECDH-ES+A128KW``/``+A192KW``/``+A256KW`` (§4.6, P-256/P-384/P-521 and X25519 of RFC 8037).
The caller always passes both allow-lists (``algorithms`` and ``encryptions``): there is no default.

:func:`parse_compact_jwe` checks, in this order: the size bound before any decoding; exactly five
parts; strict base64url; a JSON-object header without duplicate names; ``alg`` and ``enc`` present and
in the allow-lists; no ``zip`` (RFC 8725 §3.6: compressing before encrypting leaks the plaintext's
content through the length); no ``crit`` (we understand no extension, RFC 7516 §4.1.13); no key
carried in or pointed to by the header (``jwk``, ``jku``, ``x5c``, ``x5u``; RFC 8725 §3.10); a string
``kid``; for ECDH-ES a public ``epk`` object and base64url ``apu``/``apv``; then the lengths the
algorithms fix: an empty encrypted key for ``dir`` and ``ECDH-ES`` (RFC 7516 §5.1 step 5), a wrapped
key of exactly the content key's length plus 8 for AES Key Wrap, a 96-bit IV and a 128-bit tag for
AES-GCM (RFC 7518 §5.3).

The additional authenticated data is ``ASCII(BASE64URL(UTF8(JWE Protected Header)))`` exactly as
received (RFC 7516 §5.2 step 14), so any change to the header breaks the tag. Every cryptographic
failure (unwrap, key agreement, tag) raises the one opaque :class:`DecryptionFailed` (Fernet's
lesson: detail would be an oracle); after a failed AES Key Wrap unwrap, decryption goes on with a
random key and fails at the tag, so the time taken does not tell which step failed (RFC 7516 §11.5).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Mapping
from typing import Any, NamedTuple

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap, aes_key_wrap

from .b64 import b64url_decode, b64url_encode
from .ecdh import ECDHKey, concat_kdf
from .errors import (
    InvalidKey,
    JoseError,
    MalformedJWS,
    TokenTooLarge,
    UnknownCritical,
    UnsupportedAlgorithm,
    UntrustedHeaderKey,
)
from .jsonutil import dumps_compact, loads_object

#: Content encryption (``enc``): key length in bytes (RFC 7518 §5.3).
ENCRYPTIONS = {"A128GCM": 16, "A192GCM": 24, "A256GCM": 32}
#: AES Key Wrap (``alg``): key-encryption key length in bytes (RFC 7518 §4.4).
KEY_WRAP = {"A128KW": 16, "A192KW": 24, "A256KW": 32}
#: ECDH-ES (``alg``): the wrapping key's length in bytes, None for direct agreement (RFC 7518 §4.6).
ECDH_ES = {"ECDH-ES": None, "ECDH-ES+A128KW": 16, "ECDH-ES+A192KW": 24, "ECDH-ES+A256KW": 32}
KEY_MANAGEMENT = ("dir", *KEY_WRAP, *ECDH_ES)
#: Default bound on a compact JWE, checked before anything is decoded.
MAX_JWE_SIZE = 8 * 1024
IV_BYTES, TAG_BYTES = 12, 16
_KEY_HEADERS = ("jwk", "jku", "x5c", "x5u")
_RESERVED = frozenset({"alg", "enc", "zip", "epk", "apu", "apv", "crit", *_KEY_HEADERS})
_MAX_PARTY_INFO = 256


class MalformedJWE(MalformedJWS):
    """Not a compact JWE: wrong number of parts, bad base64url, bad JSON, wrong lengths (RFC 7516 §9).

    A subclass of :class:`MalformedJWS`, so one ``except`` catches any malformed compact input.
    """

    code = "malformed_jwe"


class DecryptionFailed(JoseError):
    """The JWE does not decrypt under this key: wrong key, tampered header or ciphertext, failed
    unwrap or key agreement. One opaque error on purpose (RFC 7516 §11.4, §11.5)."""

    code = "decryption_failed"


class CompactJWE(NamedTuple):
    """A parsed (not yet decrypted) compact JWE. ``protected`` is the encoded header: the AAD."""

    header: dict[str, Any]
    protected: bytes
    encrypted_key: bytes
    iv: bytes
    ciphertext: bytes
    tag: bytes

    @property
    def alg(self) -> str:
        return self.header["alg"]

    @property
    def enc(self) -> str:
        return self.header["enc"]

    @property
    def kid(self) -> str | None:
        return self.header.get("kid")


def _decode(part: bytes, what: str) -> bytes:
    try:
        return b64url_decode(part)
    except MalformedJWS:
        raise MalformedJWE(f"the JWE {what} is not canonical base64url") from None


def parse_compact_jwe(token: str | bytes, *, algorithms: Collection[str], encryptions: Collection[str],
                      max_size: int = MAX_JWE_SIZE) -> CompactJWE:
    """Split and decode a compact JWE and check its header and part lengths; nothing is decrypted."""
    if isinstance(token, str):
        if len(token) > max_size:
            raise TokenTooLarge(f"JWE is larger than {max_size} bytes")
        try:
            token = token.encode("ascii")
        except UnicodeEncodeError:
            raise MalformedJWE("JWE has non-ASCII characters") from None
    elif isinstance(token, bytes | bytearray):
        if len(token) > max_size:
            raise TokenTooLarge(f"JWE is larger than {max_size} bytes")
        token = bytes(token)
    else:
        raise MalformedJWE("a JWE must be a string")
    parts = token.split(b".")
    if len(parts) != 5:
        raise MalformedJWE("not a compact JWE (five dot-separated parts)")
    protected, raw_key, raw_iv, raw_ciphertext, raw_tag = parts
    try:
        header = loads_object(_decode(protected, "header"), "JWE header")
    except MalformedJWE:
        raise
    except MalformedJWS as exc:
        raise MalformedJWE(str(exc)) from None
    check_jwe_header(header, algorithms, encryptions)
    jwe = CompactJWE(header, protected, _decode(raw_key, "encrypted key"), _decode(raw_iv, "IV"),
                     _decode(raw_ciphertext, "ciphertext"), _decode(raw_tag, "tag"))
    _check_lengths(jwe)
    return jwe


def check_jwe_header(header: Mapping[str, Any], algorithms: Collection[str], encryptions: Collection[str]) -> None:
    """The header rules of RFC 7516 §4 and RFC 8725 §3 listed in this module's docstring."""
    for what, allowed in (("algorithms", algorithms), ("encryptions", encryptions)):
        if isinstance(allowed, str) or allowed is None:  # "A256" in "A256GCM" is True: no string allow-lists
            raise TypeError(f"{what} must be a collection of names, not {type(allowed).__name__}")
    alg, enc = header.get("alg"), header.get("enc")
    if not isinstance(alg, str) or not alg or not isinstance(enc, str) or not enc:
        raise MalformedJWE("JWE header needs string 'alg' and 'enc'")
    if alg not in KEY_MANAGEMENT or alg not in algorithms:
        raise UnsupportedAlgorithm(f"key management algorithm {alg!r} is not allowed")
    if enc not in ENCRYPTIONS or enc not in encryptions:
        raise UnsupportedAlgorithm(f"content encryption {enc!r} is not allowed")
    if "zip" in header:
        raise UnsupportedAlgorithm("compressed JWEs ('zip') are refused (RFC 8725 §3.6)")
    if "crit" in header:
        raise UnknownCritical("the 'crit' header names extensions this implementation does not understand")
    for name in _KEY_HEADERS:
        if name in header:
            raise UntrustedHeaderKey(f"the '{name}' header is never trusted")
    if "kid" in header and not isinstance(header["kid"], str):
        raise MalformedJWE("JWE header 'kid' must be a string")
    if alg in ECDH_ES:
        epk = header.get("epk")
        if not isinstance(epk, Mapping) or "d" in epk:
            raise MalformedJWE("ECDH-ES needs a public 'epk' object in the header (RFC 7518 §4.6.1.1)")
        for name in ("apu", "apv"):
            value = header.get(name)
            if value is not None and (not isinstance(value, str) or len(value) > _MAX_PARTY_INFO):
                raise MalformedJWE(f"JWE header '{name}' must be a short base64url string")
            if value is not None:
                _decode(value, name)
    elif "epk" in header:
        raise MalformedJWE("'epk' belongs only to ECDH-ES")


def _check_lengths(jwe: CompactJWE) -> None:
    alg, cek_bytes = jwe.alg, ENCRYPTIONS[jwe.enc]
    if alg == "dir" or alg == "ECDH-ES":
        if jwe.encrypted_key:
            raise MalformedJWE(f"the encrypted key must be empty for {alg} (RFC 7516 §5.1)")
    elif len(jwe.encrypted_key) != cek_bytes + 8:
        raise MalformedJWE("the wrapped content key has the wrong length")
    if len(jwe.iv) != IV_BYTES or len(jwe.tag) != TAG_BYTES:
        raise MalformedJWE("AES-GCM needs a 96-bit IV and a 128-bit tag (RFC 7518 §5.3)")


# -- key management -------------------------------------------------------------------------------------
JWEKey = bytes | ECDHKey
KeyLookup = JWEKey | Callable[[CompactJWE], JWEKey]


def _party_info(header: Mapping[str, Any], name: str) -> bytes:
    value = header.get(name)
    return b64url_decode(value) if isinstance(value, str) else b""


def _agreed_key(private: ECDHKey, peer: ECDHKey, header: Mapping[str, Any], alg: str, enc: str) -> bytes:
    wrap_bytes = ECDH_ES[alg]
    algorithm_id, length = (enc, ENCRYPTIONS[enc]) if wrap_bytes is None else (alg, wrap_bytes)
    z = private.exchange(peer)
    return concat_kdf(z, algorithm_id, length, _party_info(header, "apu"), _party_info(header, "apv"))


def _content_key(jwe: CompactJWE, key: JWEKey) -> bytes:
    """The content-encryption key (RFC 7516 §5.2 steps 9-10); a random one after a failed unwrap."""
    alg, cek_bytes = jwe.alg, ENCRYPTIONS[jwe.enc]
    if alg in ECDH_ES:
        if not isinstance(key, ECDHKey) or not key.is_private:
            raise InvalidKey("ECDH-ES needs the recipient's private ECDHKey")
        try:
            peer = ECDHKey.from_dict(jwe.header["epk"], allow_private=False)
            kek = _agreed_key(key, peer, jwe.header, alg, jwe.enc)
        except InvalidKey:
            raise DecryptionFailed("the JWE could not be decrypted") from None
        if ECDH_ES[alg] is None:
            return kek
    else:
        if not isinstance(key, bytes | bytearray):
            raise InvalidKey(f"{alg} needs a symmetric key (bytes)")
        kek = bytes(key)
        if alg == "dir":
            if len(kek) != cek_bytes:
                raise InvalidKey(f"{jwe.enc} needs a {cek_bytes * 8}-bit key")
            return kek
        if len(kek) != KEY_WRAP[alg]:
            raise InvalidKey(f"{alg} needs a {KEY_WRAP[alg] * 8}-bit key")
    try:
        return aes_key_unwrap(kek, jwe.encrypted_key)
    except InvalidUnwrap:
        return os.urandom(cek_bytes)  # fail at the tag instead (RFC 7516 §11.5)


def decrypt_compact_jwe(token: str | bytes | CompactJWE, key: KeyLookup, *, algorithms: Collection[str],
                        encryptions: Collection[str], max_size: int = MAX_JWE_SIZE) -> tuple[dict[str, Any], bytes]:
    """Parse (unless given a :class:`CompactJWE`), choose the key (a key, or a callable given the parsed
    JWE), decrypt. Returns ``(header, plaintext)``; raises :class:`DecryptionFailed` on any crypto failure."""
    jwe = token if isinstance(token, CompactJWE) else parse_compact_jwe(
        token, algorithms=algorithms, encryptions=encryptions, max_size=max_size)
    if isinstance(token, CompactJWE):
        check_jwe_header(jwe.header, algorithms, encryptions)
    chosen = key(jwe) if callable(key) else key
    if chosen is None:
        raise InvalidKey("no key was found for this JWE")
    cek = _content_key(jwe, chosen)
    try:
        plaintext = AESGCM(cek).decrypt(jwe.iv, jwe.ciphertext + jwe.tag, jwe.protected)
    except InvalidTag:
        raise DecryptionFailed("the JWE could not be decrypted") from None
    return jwe.header, plaintext


def encrypt_compact_jwe(plaintext: bytes, key: JWEKey, *, alg: str, enc: str, kid: str | None = None,
                        headers: Mapping[str, Any] | None = None) -> str:
    """Encrypt ``plaintext`` to ``key`` (the CEK for ``dir``, the KEK for AxxxKW, the recipient's
    public :class:`ECDHKey` for ECDH-ES). ``headers`` adds members to the protected header; the
    algorithm's own (``alg``, ``enc``, ``epk``, ``zip``, ``crit``, keys) cannot be set through it."""
    return _encrypt(plaintext, key, alg=alg, enc=enc, kid=kid, headers=headers)


def _encrypt(plaintext: bytes, key: JWEKey, *, alg: str, enc: str, kid: str | None = None,
             headers: Mapping[str, Any] | None = None, cek: bytes | None = None, iv: bytes | None = None,
             epk: ECDHKey | None = None) -> str:
    """:func:`encrypt_compact_jwe` with injectable randomness (``cek``, ``iv``, ``epk``) for test vectors."""
    if alg not in KEY_MANAGEMENT or enc not in ENCRYPTIONS:
        raise UnsupportedAlgorithm(f"cannot encrypt with {alg!r}/{enc!r}")
    extra = dict(headers or {})
    if _RESERVED & extra.keys():
        raise ValueError(f"headers may not set {sorted(_RESERVED & extra.keys())}")
    cek_bytes = ENCRYPTIONS[enc]
    header: dict[str, Any] = {"alg": alg, "enc": enc}
    if kid is not None:
        header["kid"] = kid
    header.update(extra)
    encrypted_key = b""
    if alg in ECDH_ES:
        if not isinstance(key, ECDHKey):
            raise InvalidKey("ECDH-ES encrypts to the recipient's public ECDHKey")
        epk = epk or key.ephemeral()
        header["epk"] = epk.epk()
        kek = _agreed_key(epk, key, header, alg, enc)
        if ECDH_ES[alg] is None:
            cek = kek
        else:
            cek = cek or os.urandom(cek_bytes)
            encrypted_key = aes_key_wrap(kek, cek)
    else:
        if not isinstance(key, bytes | bytearray):
            raise InvalidKey(f"{alg} needs a symmetric key (bytes)")
        if alg == "dir":
            if len(key) != cek_bytes:
                raise InvalidKey(f"{enc} needs a {cek_bytes * 8}-bit key")
            cek = bytes(key)
        else:
            if len(key) != KEY_WRAP[alg]:
                raise InvalidKey(f"{alg} needs a {KEY_WRAP[alg] * 8}-bit key")
            cek = cek or os.urandom(cek_bytes)
            encrypted_key = aes_key_wrap(bytes(key), cek)
    iv = iv or os.urandom(IV_BYTES)
    protected = b64url_encode(dumps_compact(header))
    sealed = AESGCM(cek).encrypt(iv, bytes(plaintext), protected.encode("ascii"))
    return ".".join((protected, b64url_encode(encrypted_key), b64url_encode(iv), b64url_encode(sealed[:-TAG_BYTES]),
                     b64url_encode(sealed[-TAG_BYTES:])))


__all__ = [
    "ECDH_ES",
    "ENCRYPTIONS",
    "KEY_MANAGEMENT",
    "KEY_WRAP",
    "MAX_JWE_SIZE",
    "CompactJWE",
    "DecryptionFailed",
    "MalformedJWE",
    "check_jwe_header",
    "decrypt_compact_jwe",
    "encrypt_compact_jwe",
    "parse_compact_jwe",
]
