"""Key agreement for JWE: ECDH-ES keys (RFC 7518 §4.6, §6.2; RFC 8037 §2-§3.2) and the Concat KDF.

:class:`ECDHKey` is one key-agreement key: an EC key on P-256, P-384 or P-521, or an X25519 key
(``{"kty": "OKP", "crv": "X25519"}``, RFC 8037 §2). Signing keys (:class:`authpool.jose.JWK`) and
key-agreement keys are different types on purpose: a JWK marked ``use: sig`` is refused here, and an
X25519 key can never sign.

Public keys are checked on import, because an ECDH key agreement with a point that is not on the
curve leaks the private key (the "invalid curve" attack; RFC 7518 §4.6 asks the recipient to
validate it): pyca/cryptography refuses EC points off the curve, and an X25519 agreement that yields
the all-zero value (a small-order point, RFC 7748 §6.1) is refused by :meth:`ECDHKey.exchange`.

:func:`concat_kdf` is RFC 7518 §4.6.2's use of the Concat KDF of NIST SP 800-56A §5.8.1, through
pyca's ``ConcatKDFHash`` with SHA-256: ``otherinfo = AlgorithmID || PartyUInfo || PartyVInfo ||
SuppPubInfo``, each of the first three a 32-bit big-endian length and its octets, ``SuppPubInfo`` the
key length in bits as 32 bits, ``SuppPrivInfo`` empty.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, x25519
from cryptography.hazmat.primitives.kdf.concatkdf import ConcatKDFHash

from . import jwk
from .b64 import b64url_encode
from .errors import InvalidKey

#: Curves usable for ECDH-ES: the NIST curves of signing keys (pyca curve, coordinate size in bytes) ...
EC_CURVES = jwk.EC_CURVES
CURVES = (*EC_CURVES, "X25519")  # ... and X25519 (RFC 8037 §3.1)
_BY_PYCA_NAME = {cls.name: name for name, (cls, _) in EC_CURVES.items()}


class ECDHKey:
    """One ECDH-ES key (private or public). Build it with :meth:`generate` or :meth:`from_dict`."""

    __slots__ = ("_kid", "crv", "kty", "private_key", "public_key")

    def __init__(self, key: Any, *, kid: str | None = None) -> None:
        if isinstance(key, ec.EllipticCurvePrivateKey | x25519.X25519PrivateKey):
            self.private_key, self.public_key = key, key.public_key()
        elif isinstance(key, ec.EllipticCurvePublicKey | x25519.X25519PublicKey):
            self.private_key, self.public_key = None, key
        else:
            raise InvalidKey("ECDH-ES needs an EC (P-256, P-384, P-521) or X25519 key")
        if isinstance(self.public_key, x25519.X25519PublicKey):
            self.kty, self.crv = "OKP", "X25519"
        else:
            crv = _BY_PYCA_NAME.get(self.public_key.curve.name)
            if crv is None:
                raise InvalidKey("unsupported elliptic curve for ECDH-ES")
            self.kty, self.crv = "EC", crv
        self._kid = kid  # None: the RFC 7638 thumbprint, computed when first asked for (an epk never is)

    @property
    def kid(self) -> str:
        if self._kid is None:
            self._kid = self.thumbprint()
        return self._kid

    # -- construction ---------------------------------------------------------------------------------
    @classmethod
    def generate(cls, crv: str = "X25519", *, kid: str | None = None) -> ECDHKey:
        if crv == "X25519":
            return cls(x25519.X25519PrivateKey.generate(), kid=kid)
        if crv not in EC_CURVES:
            raise InvalidKey(f"cannot generate an ECDH key on {crv!r}; use one of {CURVES}")
        return cls(ec.generate_private_key(EC_CURVES[crv][0]()), kid=kid)

    def ephemeral(self) -> ECDHKey:
        """A fresh private key on this key's curve (the ``epk`` of RFC 7518 §4.6.1.1)."""
        return ECDHKey.generate(self.crv, kid="")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, allow_private: bool = True) -> ECDHKey:
        """Import a JWK (RFC 7517 §4). ``use`` must be ``enc`` when present (RFC 7517 §4.2)."""
        if not isinstance(data, Mapping):
            raise InvalidKey("a JWK must be a JSON object")
        if "d" in data and not allow_private:
            raise InvalidKey("private key material where a public key was expected")
        for member in ("kid", "use", "alg"):
            if member in data and not isinstance(data[member], str):
                raise InvalidKey(f"JWK member {member!r} must be a string")
        if data.get("use", "enc") != "enc":
            raise InvalidKey("this JWK is not for encryption ('use' is not 'enc')")
        if "alg" in data and not str(data["alg"]).startswith("ECDH-ES"):
            raise InvalidKey("this JWK is not for ECDH-ES key agreement")
        kty, crv = data.get("kty"), data.get("crv")
        try:
            if kty == "OKP" and crv == "X25519":
                key: Any = cls._x25519(data)
            elif kty == "EC" and crv in EC_CURVES:
                key = jwk.ec_key(data, crv, "d" in data)  # the point checked on its curve
            else:
                raise InvalidKey("ECDH-ES keys are EC P-256/P-384/P-521 or OKP X25519")
        except InvalidKey:
            raise
        except (ValueError, TypeError):  # pyca: point not on the curve, bad scalar, ...
            raise InvalidKey("JWK parameters do not form a valid key") from None
        return cls(key, kid=data.get("kid"))

    @staticmethod
    def _x25519(data: Mapping[str, Any]) -> Any:
        x = jwk.member_bytes(data.get("x"), "x")
        if len(x) != 32:
            raise InvalidKey("X25519 'x' must be 32 bytes")
        public = x25519.X25519PublicKey.from_public_bytes(x)
        if "d" not in data:
            return public
        d = jwk.member_bytes(data["d"], "d")
        if len(d) != 32:
            raise InvalidKey("X25519 'd' must be 32 bytes")
        private = x25519.X25519PrivateKey.from_private_bytes(d)
        if private.public_key().public_bytes_raw() != x:
            raise InvalidKey("X25519 private key does not match 'x'")
        return private

    # -- export ---------------------------------------------------------------------------------------
    def _public_members(self) -> dict[str, str]:
        if self.kty == "OKP":
            return {"kty": "OKP", "crv": "X25519", "x": b64url_encode(self.public_key.public_bytes_raw())}
        numbers = self.public_key.public_numbers()
        size = EC_CURVES[self.crv][1]
        return {"kty": "EC", "crv": self.crv, "x": jwk.int_to_b64url(numbers.x, size),
                "y": jwk.int_to_b64url(numbers.y, size)}

    def epk(self) -> dict[str, str]:
        """The bare public members, as carried in a JWE ``epk`` header (no kid, no use)."""
        return self._public_members()

    def to_public_dict(self) -> dict[str, str]:
        out = {"kid": self.kid, "use": "enc"} if self.kid else {"use": "enc"}
        return {**out, **self._public_members()}

    def to_private_dict(self) -> dict[str, str]:
        """The private JWK. Store it only encrypted."""
        if self.private_key is None:
            raise InvalidKey("this key holds no private key")
        out = self.to_public_dict()
        if self.kty == "OKP":
            out["d"] = b64url_encode(self.private_key.private_bytes_raw())
        else:
            out["d"] = jwk.int_to_b64url(self.private_key.private_numbers().private_value, EC_CURVES[self.crv][1])
        return out

    def thumbprint(self) -> str:
        """RFC 7638 SHA-256 thumbprint (RFC 8037 §2 for OKP), by :func:`authpool.jose.jwk.thumbprint`."""
        return jwk.thumbprint(self._public_members())

    @property
    def is_private(self) -> bool:
        return self.private_key is not None

    def public(self) -> ECDHKey:
        return ECDHKey(self.public_key, kid=self.kid)

    # -- use ------------------------------------------------------------------------------------------
    def exchange(self, peer: ECDHKey) -> bytes:
        """The shared secret Z with ``peer``'s public key. Raises InvalidKey for a key on another
        curve, and for the all-zero X25519 result of a small-order point (RFC 7748 §6.1)."""
        if self.private_key is None:
            raise InvalidKey("key agreement needs a private key")
        if peer.crv != self.crv:
            raise InvalidKey("the two keys are on different curves")
        try:
            if self.kty == "OKP":
                z = self.private_key.exchange(peer.public_key)
            else:
                z = self.private_key.exchange(ec.ECDH(), peer.public_key)
        except ValueError:  # OpenSSL refuses some degenerate inputs itself
            raise InvalidKey("key agreement failed") from None
        if not any(z):
            raise InvalidKey("key agreement produced the all-zero value")
        return z

    def __repr__(self) -> str:  # never print key material
        return f"ECDHKey(crv={self.crv!r}, kid={self.kid!r}, private={self.is_private})"


def _length_prefixed(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def concat_kdf(z: bytes, algorithm_id: str, key_bytes: int, apu: bytes = b"", apv: bytes = b"") -> bytes:
    """The key-encryption (or content-encryption) key of RFC 7518 §4.6.2.

    ``algorithm_id`` is ``enc`` for direct ECDH-ES and ``alg`` for ECDH-ES+AxxxKW (§4.6.2, "AlgorithmID").
    """
    other_info = (_length_prefixed(algorithm_id.encode("ascii")) + _length_prefixed(apu)
                  + _length_prefixed(apv) + struct.pack(">I", key_bytes * 8))
    return ConcatKDFHash(algorithm=hashes.SHA256(), length=key_bytes, otherinfo=other_info).derive(z)


__all__ = ["CURVES", "EC_CURVES", "ECDHKey", "concat_kdf"]
