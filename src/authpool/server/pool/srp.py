"""Cognito's Secure Remote Password variant: the math, as pure functions (COGNITO.md §4.3).

Cognito's ``USER_SRP_AUTH`` is SRP-6a (RFC 5054 §2.5-2.6) with these differences, confirmed
against the clients that must work unchanged (amazon-cognito-identity-js
``src/AuthenticationHelper.js`` and ``src/CognitoUser.js``, pycognito ``aws_srp.py``):

- the group is the 3072-bit MODP prime of RFC 3526 §4 with **g = 2** (RFC 5054 Appendix A uses the
  same prime with g = 5), SHA-256 throughout;
- numbers are hashed as "padded hex": the minimal hex string, with ``0`` prepended to odd lengths
  and ``00`` when the top nibble is 8..f (the even-length two's-complement form of Java's
  ``BigInteger.toByteArray``), then decoded to bytes: :func:`hex_pad`;
- ``k = H(PAD(N) | PAD(g))``, ``u = H(PAD(A) | PAD(B))`` (RFC 5054 §2.5.3 pads to the length of N
  instead);
- ``x = H(PAD(salt) | H(poolName | userIdForSrp | ":" | password))`` where ``poolName`` is the pool
  id's part after ``_`` (RFC 5054 §2.4 hashes ``I ":" P`` with no pool name);
- the session key is not ``H(S)`` but HKDF-SHA256 (RFC 5869) with salt ``PAD(u)``, input
  ``PAD(S)``, info ``"Caldera Derived Key"``, 16 bytes;
- there is no M1/M2 proof. The client proves the key with ``PASSWORD_CLAIM_SIGNATURE =
  Base64(HMAC-SHA256(key, poolName | userIdForSrp | SECRET_BLOCK bytes | TIMESTAMP))``, the
  timestamp formatted ``"EEE MMM d HH:mm:ss UTC yyyy"`` in English with the day of month **not**
  zero-padded (``DateHelper.getNowString``; warrant's 2017 fix for "Apr 05").

Server side (RFC 5054 §2.5.3/§2.6): ``v = g^x``, ``B = (k*v + g^b) % N``,
``S = (A * v^u)^b % N``. A is refused when ``A % N == 0`` (RFC 5054 §2.5.4), u when it is 0.

Modular exponentiation is Python's three-argument ``pow`` and nothing else; hashing is hashlib and
hmac; HKDF is pyca/cryptography's. ``pow`` is not constant-time: docs/srp.md says why that is
acceptable here. Randomness is injected (``randbytes``) so tests can fix it.
"""

from __future__ import annotations

import calendar
import hashlib
import hmac
import os
import re
import time
from collections.abc import Callable

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

# RFC 3526 §4, the 3072-bit MODP group: 2^3072 - 2^3008 - 1 + 2^64 * ([2^2942 pi] + 1690314).
N_HEX = (
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C"
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"
)
N = int(N_HEX, 16)
G = 2
INFO = b"Caldera Derived Key"
KEY_BYTES = 16
SALT_BYTES = 16
# RFC 3526 §8 suggests 260-320 bit exponents for this group's ~130-bit strength; 384 bits is above.
SERVER_SECRET_BYTES = 48
MAX_PUBLIC_HEX = 2 * (len(N_HEX) // 2 + 1)  # a padded 3072-bit number: 770 hex digits

RandBytes = Callable[[int], bytes]


def hex_pad(value: int) -> str:
    """The padded hex form Cognito hashes (``AuthenticationHelper.padHex`` for values >= 0)."""
    if value < 0:
        raise ValueError("SRP values are never negative")
    text = format(value, "x")
    if len(text) % 2:
        text = "0" + text
    elif text[0] in "89abcdef":
        text = "00" + text
    return text


def _hash(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _hash_numbers(*values: int) -> int:
    return int.from_bytes(_hash(bytes.fromhex("".join(hex_pad(v) for v in values))), "big")


K = _hash_numbers(N, G)


def pool_name(pool_id: str) -> str:
    """The pool id's part after the ``_`` (``us-east-1_AbC123`` -> ``AbC123``), taken as the clients
    take it: ``poolId.split('_')[1]``."""
    parts = pool_id.split("_")
    if len(parts) < 2 or not parts[1]:
        raise ValueError("a user pool id has the form <region>_<name>")
    return parts[1]


def password_exponent(pool: str, user_id: str, password: str, salt: int) -> int:
    """``x = H(PAD(salt) | H(poolName | userIdForSrp | ":" | password))``."""
    inner = _hash(f"{pool}{user_id}:{password}".encode())
    return int.from_bytes(_hash(bytes.fromhex(hex_pad(salt)) + inner), "big")


def verifier(pool: str, user_id: str, password: str, salt: int) -> int:
    """``v = g^x mod N``: what the server stores instead of the password."""
    return pow(G, password_exponent(pool, user_id, password, salt), N)


def new_salt(randbytes: RandBytes = os.urandom) -> int:
    """A random 128-bit salt (never 0, so its hex form is never empty)."""
    while True:
        salt = int.from_bytes(randbytes(SALT_BYTES), "big")
        if salt:
            return salt


def new_server_secret(randbytes: RandBytes = os.urandom) -> int:
    """The server's ephemeral ``b``, fresh for every challenge."""
    while True:
        b = int.from_bytes(randbytes(SERVER_SECRET_BYTES), "big") % N
        if b > 1:
            return b


def server_public(v: int, b: int) -> int:
    """``B = (k*v + g^b) mod N`` (RFC 5054 §2.5.3)."""
    return (K * v + pow(G, b, N)) % N


def scrambler(A: int, B: int) -> int:
    """``u = H(PAD(A) | PAD(B))``."""
    return _hash_numbers(A, B)


def parse_public(text: str) -> int:
    """The client's ``SRP_A``: bounded hex, and ``A mod N != 0`` (RFC 5054 §2.5.4). Raises ValueError."""
    if not isinstance(text, str) or not 1 <= len(text) <= MAX_PUBLIC_HEX or not _HEX.fullmatch(text):
        raise ValueError("SRP_A must be a hexadecimal number of at most 3072 bits")
    A = int(text, 16)
    if A % N == 0:
        raise ValueError("SRP_A mod N must not be 0")
    return A


_HEX = re.compile(r"[0-9a-fA-F]+")


def session_key(A: int, v: int, u: int, b: int) -> bytes:
    """``S = (A * v^u)^b mod N``, then HKDF-SHA256(salt=PAD(u), ikm=PAD(S), info, 16 bytes)."""
    if u == 0:
        raise ValueError("u must not be 0")
    S = pow(A * pow(v, u, N) % N, b, N)
    hkdf = HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=bytes.fromhex(hex_pad(u)), info=INFO)
    return hkdf.derive(bytes.fromhex(hex_pad(S)))


def claim_signature(key: bytes, pool: str, user_id: str, secret_block: bytes, timestamp: str) -> bytes:
    """``HMAC-SHA256(key, poolName | userIdForSrp | secret block | timestamp)``, raw bytes."""
    message = pool.encode() + user_id.encode() + secret_block + timestamp.encode()
    return hmac.new(key, message, hashlib.sha256).digest()


# -- the TIMESTAMP -----------------------------------------------------------------------------

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")  # time.struct_time.tm_wday order
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
TIMESTAMP_FORMAT_MESSAGE = "TIMESTAMP format should be EEE MMM d HH:mm:ss z yyyy in english."
_SHAPE = re.compile(r"([A-Za-z]{3}) ([A-Za-z]{3}) (\d{1,2}) (\d{2}):(\d{2}):(\d{2}) ([A-Za-z]{1,5}) (\d{4})")


class TimestampFormatError(ValueError):
    """Not shaped like ``EEE MMM d HH:mm:ss z yyyy`` (Cognito: InvalidParameterException)."""


def format_timestamp(epoch: int) -> str:
    """Cognito's form of ``epoch`` (UTC), e.g. ``"Sat Sep 5 09:03:07 UTC 2026"``."""
    t = time.gmtime(epoch)
    return (f"{WEEKDAYS[t.tm_wday]} {MONTHS[t.tm_mon - 1]} {t.tm_mday} "
            f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} UTC {t.tm_year}")


def parse_timestamp(text: str) -> int | None:
    """The epoch seconds of a Cognito TIMESTAMP, or None when it is shaped right but is not the
    canonical form of any instant (a padded day, a wrong weekday, a zone other than UTC, an
    impossible date): Cognito signs its own canonical re-formatting, so such a value can never
    verify (it answers NotAuthorized). Raises :class:`TimestampFormatError` for anything else."""
    match = _SHAPE.fullmatch(text) if isinstance(text, str) and len(text) <= 64 else None
    if match is None:
        raise TimestampFormatError(TIMESTAMP_FORMAT_MESSAGE)
    _, month, day, hour, minute, second, _, year = match.groups()
    if month.capitalize() not in MONTHS:  # month names parse case-insensitively, as in Java
        raise TimestampFormatError(TIMESTAMP_FORMAT_MESSAGE)
    # timegm normalises out-of-range fields (Feb 30 -> Mar 2); the round trip then refuses them.
    fields = (int(year), MONTHS.index(month.capitalize()) + 1, int(day), int(hour), int(minute), int(second))
    epoch = calendar.timegm(fields)
    return epoch if format_timestamp(epoch) == text else None
