"""JWS signature algorithms (RFC 7518 §3) over pyca/cryptography.

Each algorithm knows the key type (and curve) it needs, so a key pins the algorithms it may be used
with (RFC 8725 §3.1): an RSA key can never verify an HMAC or ECDSA signature. HMAC is deliberately
absent: authpool never shares signing secrets, which also rules out the HS256-over-a-public-key
confusion attack.
"""

from __future__ import annotations

from cryptography.exceptions import InvalidSignature as _CryptoInvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature


class Algorithm:
    """One JWS ``alg``: signs with a private key, verifies with a public key."""

    name: str
    kty: str
    crv: str | None = None

    def sign(self, private_key, data: bytes) -> bytes:  # pragma: no cover - interface
        raise NotImplementedError

    def verify(self, public_key, signature: bytes, data: bytes) -> bool:  # pragma: no cover
        raise NotImplementedError


class RSAPKCS1(Algorithm):
    """RSASSA-PKCS1-v1_5 (RFC 7518 §3.3)."""

    kty = "RSA"

    def __init__(self, name: str, hash_alg: hashes.HashAlgorithm) -> None:
        self.name, self._hash, self._padding = name, hash_alg, padding.PKCS1v15()

    def sign(self, private_key: rsa.RSAPrivateKey, data: bytes) -> bytes:
        return private_key.sign(data, self._padding, self._hash)

    def verify(self, public_key: rsa.RSAPublicKey, signature: bytes, data: bytes) -> bool:
        try:
            public_key.verify(signature, data, self._padding, self._hash)
        except _CryptoInvalidSignature:
            return False
        return True


class RSAPSS(RSAPKCS1):
    """RSASSA-PSS with MGF1 and a salt as long as the hash (RFC 7518 §3.5)."""

    def __init__(self, name: str, hash_alg: hashes.HashAlgorithm) -> None:
        self.name, self._hash = name, hash_alg
        self._padding = padding.PSS(mgf=padding.MGF1(hash_alg), salt_length=hash_alg.digest_size)


class ECDSA(Algorithm):
    """ECDSA with the JWS fixed-width ``R || S`` signature encoding (RFC 7518 §3.4)."""

    kty = "EC"

    def __init__(self, name: str, hash_alg: hashes.HashAlgorithm, crv: str, size: int) -> None:
        self.name, self.crv, self._size = name, crv, size
        self._ecdsa = ec.ECDSA(hash_alg)

    def sign(self, private_key: ec.EllipticCurvePrivateKey, data: bytes) -> bytes:
        return der_to_raw(private_key.sign(data, self._ecdsa), self._size)

    def verify(self, public_key: ec.EllipticCurvePublicKey, signature: bytes, data: bytes) -> bool:
        size = self._size
        if len(signature) != 2 * size:
            return False
        der = raw_to_der(signature, size)
        if der is None:  # CVE-2022-21449 ("psychic signatures"): never let r = 0 or s = 0 through
            return False
        try:
            public_key.verify(der, data, self._ecdsa)
        except _CryptoInvalidSignature:
            return False
        return True


def der_to_raw(der: bytes, size: int) -> bytes:
    """An ECDSA signature from pyca/cryptography's DER ``SEQUENCE {INTEGER r, INTEGER s}`` to JWS's
    fixed-width ``R || S``.

    For P-256 and P-384 the DER always uses one-byte lengths, so ``r`` and ``s`` are sliced out
    directly: bench/bench_mint.py showed ``decode_dss_signature`` + ``int.to_bytes`` at 1.5 us, 5% of
    an ES256 mint, against 0.35 us here. The slices are exact, not parsed guesses: the layout is
    checked, and anything else (P-521's long-form lengths) takes the library's decoder.
    tests/jose/test_algorithms.py compares both paths on thousands of signatures.
    """
    if size <= 48 and der[0] == 0x30 and der[1] == len(der) - 2 and der[2] == 0x02:
        r_len = der[3]
        if der[4 + r_len] == 0x02 and der[5 + r_len] == len(der) - 6 - r_len:
            r, s = der[4 : 4 + r_len], der[6 + r_len :]
            return r[-size:].rjust(size, b"\0") + s[-size:].rjust(size, b"\0")
    r, s = decode_dss_signature(der)
    return r.to_bytes(size, "big") + s.to_bytes(size, "big")


_SEQUENCE = [bytes((0x30, n)) for n in range(128)]  # DER tag + short-form length
_INTEGER = [bytes((0x02, n)) for n in range(128)]


def raw_to_der(signature: bytes, size: int) -> bytes | None:
    """A JWS ``R || S`` ECDSA signature (``size`` bytes each) as the DER ``SEQUENCE {INTEGER r, INTEGER s}``
    that pyca/cryptography verifies; None when ``r`` or ``s`` is zero, which no valid signature has.

    The inverse of :func:`der_to_raw`, and for the same reason: ``int.from_bytes`` twice and
    ``encode_dss_signature`` cost 0.83 us a call against 0.30 us here, about 1.5% of an ES256
    verification (bench/bench_verify.py). Each integer is the minimal big-endian form with a 0x00 in
    front when its top bit is set (X.690 §8.3); for P-256 and P-384 every length fits DER's short form.
    P-521 takes the library's encoder. tests/jose/test_algorithms.py compares both on thousands of
    values, leading zeros and high bits included.
    """
    r, s = signature[:size].lstrip(b"\0"), signature[size:].lstrip(b"\0")
    if not r or not s:
        return None
    if size > 48:
        return encode_dss_signature(int.from_bytes(r, "big"), int.from_bytes(s, "big"))
    if r[0] > 127:
        r = b"\0" + r
    if s[0] > 127:
        s = b"\0" + s
    return _SEQUENCE[len(r) + len(s) + 4] + _INTEGER[len(r)] + r + _INTEGER[len(s)] + s


class EdDSA(Algorithm):
    """EdDSA over Ed25519 (RFC 8037 §3.1)."""

    kty, crv = "OKP", "Ed25519"

    def __init__(self, name: str = "EdDSA") -> None:
        self.name = name

    def sign(self, private_key: ed25519.Ed25519PrivateKey, data: bytes) -> bytes:
        return private_key.sign(data)

    def verify(self, public_key: ed25519.Ed25519PublicKey, signature: bytes, data: bytes) -> bool:
        try:
            public_key.verify(signature, data)
        except _CryptoInvalidSignature:
            return False
        return True


ALGORITHMS: dict[str, Algorithm] = {
    alg.name: alg
    for alg in (
        RSAPKCS1("RS256", hashes.SHA256()),
        RSAPKCS1("RS384", hashes.SHA384()),
        RSAPKCS1("RS512", hashes.SHA512()),
        RSAPSS("PS256", hashes.SHA256()),
        RSAPSS("PS384", hashes.SHA384()),
        RSAPSS("PS512", hashes.SHA512()),
        ECDSA("ES256", hashes.SHA256(), "P-256", 32),
        ECDSA("ES384", hashes.SHA384(), "P-384", 48),
        ECDSA("ES512", hashes.SHA512(), "P-521", 66),
        EdDSA("EdDSA"),
        EdDSA("Ed25519"),  # the fully specified name (RFC 9864)
    )
}

#: What authpool signs with by default: RS256 like Cognito; ES256 and EdDSA selectable per pool.
SIGNING_ALGORITHMS = ("RS256", "ES256", "EdDSA")
