"""``local``: key-encryption keys in authpool's store, unwrapped only by its decrypt endpoint.

Each (pool, resource server) has one KEK, in versions (store/encryption_keys.py). An encrypted claim
is a JWE with ``alg: A256KW`` and ``kid: <key id>.<version>``: its random content key is wrapped
(RFC 3394) under a key derived from the KEK and the claim's binding,

    wrapping key = HKDF-SHA256(KEK, salt = none, info = "authpool/local-kek/1" || key id || version || context)

(RFC 5869; ``context`` is :meth:`ClaimContext.encoded`: issuer, subject, claim name, audience). AES
Key Wrap has no associated data; deriving the wrapping key from the context gives the same binding:
asked to unwrap with any other context, the endpoint derives another key and the unwrap fails. Only
the endpoint holds KEKs; it hands the content key (never the KEK) to the clients the key policy
names, and the guard decrypts the claim itself.

Rotation (``authpool keys rotate --encryption``) adds version n+1 as the active one and retires n,
which keeps unwrapping until every access token it protected has expired (one day plus leeway), then
is purged.
"""

from __future__ import annotations

import secrets
import struct
import threading
import time
from collections.abc import Callable

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap

from ...jose import encrypt_compact_jwe
from ...tokens.encrypted import ALG_BY_BACKEND, CLAIM_ENC, ClaimContext
from ..errors import Conflict
from ..keys.service import MAX_TOKEN_LIFETIME
from ..store.encryption_keys import ACTIVE, EncryptionKeyRecord
from .base import Encrypted, binding_headers
from .errors import InvalidCiphertext, KeyServiceUnavailable
from .settings import EncryptionSettings

NAME = "local"
KEK_BYTES = 32
ACTIVE_TTL = 2.0  # seconds a process may keep using the active version it read (a rotation elsewhere)
_INFO_LABEL = b"authpool/local-kek/1"


def wrapping_key(kek: bytes, key_id: str, version: int, context: ClaimContext) -> bytes:
    info = _INFO_LABEL + struct.pack(">I", len(key_id)) + key_id.encode("ascii") + struct.pack(">I", version)
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info + context.encoded()).derive(kek)


def kid_of(record: EncryptionKeyRecord) -> str:
    return f"{record.key_id}.{record.version}"


def parse_kid(kid: object) -> tuple[str, int] | None:
    if not isinstance(kid, str) or len(kid) > 48 or "." not in kid:
        return None
    key_id, _, version = kid.rpartition(".")
    if not key_id or not version.isdigit() or len(version) > 9 or not key_id.isascii():
        return None
    return key_id, int(version)


class LocalKeyBackend:
    name = NAME

    def __init__(self, db, *, clock: Callable[[], float] = time.time) -> None:
        self._db, self._clock = db, clock
        self._active: dict[tuple[str, str], tuple[float, EncryptionKeyRecord]] = {}
        self._lock = threading.Lock()

    def clear(self) -> None:
        with self._lock:
            self._active.clear()

    # -- issuing ----------------------------------------------------------------------------------------
    def encrypt(self, settings: EncryptionSettings, context: ClaimContext, plaintext: bytes) -> Encrypted:
        record = self.active(settings.pool_id, settings.audience)
        key = wrapping_key(record.material, record.key_id, record.version, context)
        token = encrypt_compact_jwe(plaintext, key, alg=ALG_BY_BACKEND[NAME], enc=CLAIM_ENC, kid=kid_of(record),
                                    headers=binding_headers(context))
        return Encrypted(token, NAME, record.key_id, record.version)

    def active(self, pool_id: str, audience: str) -> EncryptionKeyRecord:
        """The active version for ``audience`` (created on first use), cached for ACTIVE_TTL seconds."""
        now = time.monotonic()
        cached = self._active.get((pool_id, audience))
        if cached is not None and now - cached[0] < ACTIVE_TTL:
            return cached[1]
        try:
            with self._db.transaction(readonly=True) as tx:
                record = tx.encryption_keys.active(pool_id, audience)
            if record is None:
                record = self._create(pool_id, audience)
        except Conflict:
            with self._db.transaction(readonly=True) as tx:  # another process created it first
                record = tx.encryption_keys.active(pool_id, audience)
        except Exception as exc:  # noqa: BLE001 - the store or the master key: fail the issuance closed
            raise KeyServiceUnavailable(f"the local key store failed: {type(exc).__name__}") from None
        if record is None:
            raise KeyServiceUnavailable("no active local key")
        with self._lock:
            self._active[(pool_id, audience)] = (now, record)
        return record

    def _create(self, pool_id: str, audience: str) -> EncryptionKeyRecord:
        with self._db.transaction() as tx:
            return tx.encryption_keys.add(pool_id, key_id=new_key_id(), version=1, audience=audience,
                                          material=secrets.token_bytes(KEK_BYTES))

    # -- the decrypt endpoint ---------------------------------------------------------------------------
    def find(self, pool_id: str, kid: object) -> EncryptionKeyRecord:
        """The key version named by a JWE ``kid``; InvalidCiphertext if unknown or past its life."""
        parsed = parse_kid(kid)
        if parsed is None:
            raise InvalidCiphertext("malformed key id")
        with self._db.transaction(readonly=True) as tx:
            record = tx.encryption_keys.get(pool_id, *parsed)
        if record is None or (record.state != ACTIVE and (record.remove_after or 0) <= self._clock()):
            raise InvalidCiphertext("unknown or expired key version")
        return record

    @staticmethod
    def unwrap(record: EncryptionKeyRecord, encrypted_key: bytes, context: ClaimContext) -> bytes:
        """The content key; InvalidCiphertext for another audience, another context, or tampering."""
        if context.audience != record.audience:
            raise InvalidCiphertext("the context names another audience than the key's")
        if len(encrypted_key) != 40:
            raise InvalidCiphertext("the wrapped key has the wrong length")
        try:
            return aes_key_unwrap(wrapping_key(record.material, record.key_id, record.version, context),
                                  encrypted_key)
        except InvalidUnwrap:
            raise InvalidCiphertext("unwrap failed") from None

    # -- rotation ---------------------------------------------------------------------------------------
    def rotate(self, pool_id: str, audiences: list[str]) -> list[tuple[str, str, int]]:
        """For each audience: a new active version (the first, if it has none); the previous one retired
        until every token it protected has expired. One transaction; returns (audience, key id, version)."""
        rotated = []
        with self._db.transaction() as tx:
            tx.pools.require(pool_id)
            remove_after = int(self._clock()) + MAX_TOKEN_LIFETIME
            for audience in audiences:
                current = tx.encryption_keys.active(pool_id, audience)
                if current is None:
                    key_id, version = new_key_id(), 1
                else:
                    tx.encryption_keys.retire(pool_id, current.key_id, current.version, remove_after=remove_after)
                    key_id, version = current.key_id, current.version + 1
                tx.encryption_keys.add(pool_id, key_id=key_id, version=version, audience=audience,
                                       material=secrets.token_bytes(KEK_BYTES))
                rotated.append((audience, key_id, version))
            tx.encryption_keys.purge(now=int(self._clock()))
        with self._lock:
            self._active.clear()
        return rotated


def new_key_id() -> str:
    return "lk" + secrets.token_hex(6)
