"""JSON Web Keys and key sets (RFC 7517, RFC 7518 §6, RFC 8037 §2) and thumbprints (RFC 7638).

A :class:`JWK` wraps one pyca/cryptography key, loaded once, and knows which JWS algorithms it may be
used with: its ``alg`` member when present, otherwise what its type and curve allow (RFC 8725 §3.1).
RSA keys shorter than 2048 bits are refused (RFC 7518 §3.3).

:func:`thumbprint` is RFC 7638's JWK thumbprint for every key type authpool has (RSA, EC, OKP: the
signing keys here and the key-agreement keys of :mod:`.ecdh`); :data:`EC_CURVES` and
:func:`int_to_b64url` are the curve table and the fixed-length integer encoding both modules use.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from .algorithms import ALGORITHMS, Algorithm
from .b64 import b64url_decode, b64url_encode
from .errors import AlgorithmMismatch, InvalidKey, JoseError, UnsupportedAlgorithm

MIN_RSA_BITS = 2048
#: The NIST curves of RFC 7518 §6.2.1.1: (pyca curve, coordinate size in bytes, RFC 7518 §6.2.1.2).
EC_CURVES: dict[str, tuple[type[ec.EllipticCurve], int]] = {
    "P-256": (ec.SECP256R1, 32),
    "P-384": (ec.SECP384R1, 48),
    "P-521": (ec.SECP521R1, 66),
}
_CURVE_NAMES = {cls.name: (crv, size) for crv, (cls, size) in EC_CURVES.items()}
#: RFC 7638 §3.2 (RSA, EC) and RFC 8037 §2 (OKP): the required members a thumbprint hashes.
THUMBPRINT_MEMBERS: dict[str, tuple[str, ...]] = {
    "RSA": ("e", "kty", "n"),
    "EC": ("crv", "kty", "x", "y"),
    "OKP": ("crv", "kty", "x"),
}
_PRIVATE_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "oth", "k")


def int_to_b64url(value: int, length: int | None = None) -> str:
    """Base64url of the big-endian octets of ``value``: exactly ``length`` octets when given (EC
    coordinates and ``d``, RFC 7518 §6.2.1.2, §6.2.2.1), else the fewest (RSA, §6.3.1.1)."""
    length = length or max(1, (value.bit_length() + 7) // 8)
    return b64url_encode(value.to_bytes(length, "big"))


def thumbprint(members: Mapping[str, Any]) -> str:
    """RFC 7638 §3: the SHA-256 JWK thumbprint, base64url without padding.

    The hash input is a JSON object of only the members required for the key's ``kty`` (§3.2;
    RFC 8037 §2 for OKP), "in lexicographic order" of their names with "no whitespace or line breaks"
    and unescaped characters (§3.3), encoded in UTF-8; optional and private members (``kid``, ``alg``,
    ``use``, ``d`` ...) never change it. ``members`` is a JWK object or a key's public members; pass
    canonical values (a key's own export) where the input may encode one number several ways."""
    kty = members.get("kty")
    required = THUMBPRINT_MEMBERS.get(kty) if isinstance(kty, str) else None
    if required is None:
        raise InvalidKey(f"no RFC 7638 thumbprint is defined for kty {kty!r}")
    values = {}
    for name in required:
        value = members.get(name)
        if not isinstance(value, str):
            raise InvalidKey(f"JWK member {name!r} is required for a thumbprint")
        values[name] = value
    canonical = json.dumps(values, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    return b64url_encode(hashlib.sha256(canonical.encode("utf-8")).digest())


def member_bytes(value: Any, member: str) -> bytes:
    """The bytes of a JWK's base64url member (``x``, ``d``, ...; ``ecdh.py`` reads its keys with it too),
    or InvalidKey naming the member."""
    if not isinstance(value, str):
        raise InvalidKey(f"JWK member {member!r} must be a base64url string")
    try:
        return b64url_decode(value)
    except JoseError:
        raise InvalidKey(f"JWK member {member!r} is not base64url") from None


def _b64_to_int(value: Any, member: str) -> int:
    return int.from_bytes(member_bytes(value, member), "big")


def ec_key(data: Mapping[str, Any], crv: str, has_private: bool) -> Any:
    """The pyca key of an EC JWK on curve ``crv`` (one of :data:`EC_CURVES`), from its ``x``, ``y``
    and, when ``has_private``, ``d`` (RFC 7518 §6.2), for signing keys and ECDH-ES keys (``ecdh.py``)
    alike. pyca's ``public_key()`` refuses a point that is not on the curve (the invalid-curve
    attack) with ValueError."""
    curve_cls, size = EC_CURVES[crv]
    x, y = member_bytes(data.get("x"), "x"), member_bytes(data.get("y"), "y")
    if len(x) != size or len(y) != size:
        raise InvalidKey("EC coordinates have the wrong length for the curve")
    public = ec.EllipticCurvePublicNumbers(int.from_bytes(x, "big"), int.from_bytes(y, "big"), curve_cls())
    if not has_private:
        return public.public_key()
    d = member_bytes(data["d"], "d")
    if len(d) != size:  # RFC 7518 §6.2.2.1: "MUST be ceiling(log-base-2(n)/8) octets"
        raise InvalidKey("EC 'd' has the wrong length for the curve")
    return ec.EllipticCurvePrivateNumbers(int.from_bytes(d, "big"), public).private_key()


class JWK:
    """One asymmetric key usable for JWS. Build it with :meth:`generate`, :meth:`from_dict` or
    :meth:`from_key`; never from a token header."""

    __slots__ = ("alg", "algorithms", "crv", "kid", "kty", "private_key", "public_key", "use")

    def __init__(self, key: Any, *, kid: str | None = None, alg: str | None = None, use: str | None = None):
        if isinstance(key, rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey):
            self.private_key, self.public_key = key, key.public_key()
        else:
            self.private_key, self.public_key = None, key
        pub = self.public_key
        if isinstance(pub, rsa.RSAPublicKey):
            if pub.key_size < MIN_RSA_BITS:
                raise InvalidKey(f"RSA keys must be at least {MIN_RSA_BITS} bits")
            self.kty, self.crv = "RSA", None
        elif isinstance(pub, ec.EllipticCurvePublicKey):
            if pub.curve.name not in _CURVE_NAMES:
                raise InvalidKey("unsupported elliptic curve")
            self.kty, self.crv = "EC", _CURVE_NAMES[pub.curve.name][0]
        elif isinstance(pub, ed25519.Ed25519PublicKey):
            self.kty, self.crv = "OKP", "Ed25519"
        else:
            raise InvalidKey("unsupported key type")
        fitting = frozenset(a.name for a in ALGORITHMS.values() if a.kty == self.kty and a.crv in (None, self.crv))
        if alg is not None:
            if alg not in fitting:
                raise InvalidKey(f"algorithm {alg!r} does not fit a {self.kty} key")
            fitting = frozenset({alg})
        self.alg, self.use, self.algorithms = alg, use, fitting
        self.kid = kid if kid is not None else self.thumbprint()

    # -- construction ---------------------------------------------------------------------------
    @classmethod
    def generate(cls, alg: str, *, kid: str | None = None) -> JWK:
        """A new private key for ``alg`` (RS256: RSA-2048, ES256: P-256, EdDSA: Ed25519)."""
        algorithm = ALGORITHMS.get(alg)
        if algorithm is None:
            raise UnsupportedAlgorithm(f"cannot generate a key for {alg!r}")
        if algorithm.kty == "RSA":
            key: Any = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        elif algorithm.kty == "EC":
            key = ec.generate_private_key(EC_CURVES[algorithm.crv][0]())
        else:
            key = ed25519.Ed25519PrivateKey.generate()
        return cls(key, kid=kid, alg=alg, use="sig")

    @classmethod
    def from_key(cls, key: Any, *, kid: str | None = None, alg: str | None = None) -> JWK:
        return cls(key, kid=kid, alg=alg)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, allow_private: bool = True) -> JWK:
        """Import a JWK object (RFC 7517 §4). Raises :class:`InvalidKey` for anything unusable."""
        if not isinstance(data, Mapping):
            raise InvalidKey("a JWK must be a JSON object")
        kty = data.get("kty")
        has_private = "d" in data
        if has_private and not allow_private:
            raise InvalidKey("private key material where a public key was expected")
        for member in ("kid", "alg", "use"):
            if member in data and not isinstance(data[member], str):
                raise InvalidKey(f"JWK member {member!r} must be a string")
        try:
            if kty == "RSA":
                key = cls._rsa_from_dict(data, has_private)
            elif kty == "EC":
                key = cls._ec_from_dict(data, has_private)
            elif kty == "OKP":
                key = cls._okp_from_dict(data, has_private)
            else:
                raise InvalidKey("unsupported or missing 'kty'")
        except InvalidKey:
            raise
        except (ValueError, TypeError):
            raise InvalidKey("JWK parameters do not form a valid key") from None
        return cls(key, kid=data.get("kid"), alg=data.get("alg"), use=data.get("use"))

    @staticmethod
    def _rsa_from_dict(data: Mapping[str, Any], has_private: bool) -> Any:
        public = rsa.RSAPublicNumbers(_b64_to_int(data.get("e"), "e"), _b64_to_int(data.get("n"), "n"))
        if not has_private:
            return public.public_key()
        d = _b64_to_int(data["d"], "d")
        if all(m in data for m in ("p", "q", "dp", "dq", "qi")):
            p, q = _b64_to_int(data["p"], "p"), _b64_to_int(data["q"], "q")
            dp, dq, qi = (_b64_to_int(data[m], m) for m in ("dp", "dq", "qi"))
        else:
            p, q = rsa.rsa_recover_prime_factors(public.n, public.e, d)
            dp, dq, qi = rsa.rsa_crt_dmp1(d, p), rsa.rsa_crt_dmq1(d, q), rsa.rsa_crt_iqmp(p, q)
        return rsa.RSAPrivateNumbers(p, q, d, dp, dq, qi, public).private_key()

    @staticmethod
    def _ec_from_dict(data: Mapping[str, Any], has_private: bool) -> Any:
        crv = data.get("crv")
        if crv not in EC_CURVES:
            raise InvalidKey("unsupported or missing EC 'crv'")
        return ec_key(data, crv, has_private)

    @staticmethod
    def _okp_from_dict(data: Mapping[str, Any], has_private: bool) -> Any:
        if data.get("crv") != "Ed25519":
            raise InvalidKey("unsupported or missing OKP 'crv' (only Ed25519)")
        x = member_bytes(data.get("x"), "x")
        public = ed25519.Ed25519PublicKey.from_public_bytes(x)
        if not has_private:
            return public
        private = ed25519.Ed25519PrivateKey.from_private_bytes(member_bytes(data["d"], "d"))
        if private.public_key().public_bytes_raw() != x:
            raise InvalidKey("OKP private key does not match 'x'")
        return private

    # -- export ---------------------------------------------------------------------------------
    def _public_members(self) -> dict[str, str]:
        pub = self.public_key
        if self.kty == "RSA":
            numbers = pub.public_numbers()
            return {"kty": "RSA", "n": int_to_b64url(numbers.n), "e": int_to_b64url(numbers.e)}
        if self.kty == "EC":
            numbers = pub.public_numbers()
            size = EC_CURVES[self.crv][1]
            return {"kty": "EC", "crv": self.crv, "x": int_to_b64url(numbers.x, size), "y": int_to_b64url(numbers.y, size)}
        return {"kty": "OKP", "crv": "Ed25519", "x": b64url_encode(pub.public_bytes_raw())}

    def _metadata(self) -> dict[str, str]:
        meta = {"kid": self.kid}
        if self.alg:
            meta["alg"] = self.alg
        if self.use:
            meta["use"] = self.use
        return meta

    def to_public_dict(self) -> dict[str, str]:
        """The public JWK, safe to publish in a JWKS."""
        return {**self._metadata(), **self._public_members()}

    def to_private_dict(self) -> dict[str, str]:
        """The full private JWK. Store it only encrypted."""
        if self.private_key is None:
            raise InvalidKey("this JWK holds no private key")
        out = self.to_public_dict()
        key = self.private_key
        if self.kty == "RSA":
            n = key.private_numbers()
            out.update(d=int_to_b64url(n.d), p=int_to_b64url(n.p), q=int_to_b64url(n.q),
                       dp=int_to_b64url(n.dmp1), dq=int_to_b64url(n.dmq1), qi=int_to_b64url(n.iqmp))
        elif self.kty == "EC":
            out["d"] = int_to_b64url(key.private_numbers().private_value, EC_CURVES[self.crv][1])
        else:
            out["d"] = b64url_encode(key.private_bytes_raw())
        return out

    def thumbprint(self) -> str:
        """RFC 7638 SHA-256 thumbprint of this key's canonical public members (module :func:`thumbprint`)."""
        return thumbprint(self._public_members())

    @property
    def is_private(self) -> bool:
        return self.private_key is not None

    def public(self) -> JWK:
        """The same key without its private half."""
        return JWK(self.public_key, kid=self.kid, alg=self.alg, use=self.use)

    # -- use --------------------------------------------------------------------------------------
    def algorithm_for(self, alg: str) -> Algorithm:
        """The algorithm object for ``alg``, if and only if this key may be used with it."""
        if alg not in self.algorithms:
            raise AlgorithmMismatch("the token's algorithm does not fit the key")
        return ALGORITHMS[alg]

    def sign(self, data: bytes, alg: str | None = None) -> bytes:
        if self.private_key is None:
            raise InvalidKey("signing needs a private key")
        alg = alg or self.alg
        if alg is None:
            raise UnsupportedAlgorithm("the key has no 'alg'; name one")
        return self.algorithm_for(alg).sign(self.private_key, data)

    def verify(self, signature: bytes, data: bytes, alg: str) -> bool:
        return self.algorithm_for(alg).verify(self.public_key, signature, data)

    def __repr__(self) -> str:  # never print key material
        return f"JWK(kty={self.kty!r}, kid={self.kid!r}, alg={self.alg!r}, private={self.is_private})"


class JWKSet:
    """A JWK Set (RFC 7517 §5) indexed by ``kid``.

    Keys that are unusable for signatures (``use: enc``, unknown ``kty``, too weak) are skipped,
    not fatal, so one exotic key in an IdP's JWKS doesn't break verification with the others.
    """

    __slots__ = ("_by_kid", "_keys")

    def __init__(self, keys: Iterable[JWK] = ()):
        self._keys = list(keys)
        self._by_kid = {k.kid: k for k in self._keys}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> JWKSet:
        if not isinstance(data, Mapping) or not isinstance(data.get("keys"), list):
            raise InvalidKey("a JWK Set must be an object with a 'keys' array")
        keys = []
        for entry in data["keys"]:
            if not isinstance(entry, Mapping) or entry.get("use", "sig") != "sig":
                continue
            try:
                keys.append(JWK.from_dict(entry, allow_private=False))
            except InvalidKey:
                continue
        return cls(keys)

    def to_dict(self) -> dict[str, list[dict[str, str]]]:
        return {"keys": [k.to_public_dict() for k in self._keys]}

    def get(self, kid: str | None) -> JWK | None:
        return self._by_kid.get(kid) if kid is not None else None

    def kids(self) -> frozenset[str]:
        return frozenset(self._by_kid)

    def __iter__(self) -> Iterator[JWK]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)
