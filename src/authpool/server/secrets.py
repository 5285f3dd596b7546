"""Secrets at rest: the master key and authenticated encryption of stored secrets.

Client secrets and private signing keys are stored encrypted under one 256-bit master key, with
AES-256-GCM from pyca/cryptography (its ``AESGCM`` recipe; nothing hand-rolled here).

Blob layout (all versions start with the version byte, so a later key can rotate in):

    version (1 byte) || nonce (12 random bytes) || ciphertext || tag (16 bytes)

The associated data is ``version || context``. ``context`` names what the secret is and whose it is
(``client-secret:<client_id>``, ``signing-key:<kid>``), so a blob copied into another row does not
decrypt there. Any failure to decrypt raises the one opaque :class:`DecryptionError`: as with
Fernet's ``InvalidToken``, detail about why would be an oracle.

Where the key comes from (:meth:`MasterKey.load`): env ``AUTHPOOL_MASTER_KEY`` (base64url of 32
bytes, padding optional) if set, else ``<data_dir>/master.key``, created on first start with mode
0600 and published atomically (written under a temporary name opened ``O_CREAT|O_EXCL``, then
hard-linked into place, which fails rather than overwrite a key another process just created).
A key file readable by group or others is refused.
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets as _random
import stat
from collections.abc import Mapping
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

ENV_VAR = "AUTHPOOL_MASTER_KEY"
KEY_FILE_NAME = "master.key"
KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
FORMAT_V1 = 1


class MasterKeyError(Exception):
    """The master key is missing, malformed or unsafely stored (message never contains the key)."""


class DecryptionError(Exception):
    """The blob was not produced by this key for this context (wrong key, tampering, truncation)."""

    def __init__(self) -> None:
        super().__init__("Stored secret could not be decrypted.")


def _b64url_decode(text: str) -> bytes:
    text = text.strip()
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise MasterKeyError("master key is not valid base64url") from None


def encode_key(key: bytes) -> str:
    """base64url without padding, the form used by the env variable and the key file."""
    return base64.urlsafe_b64encode(key).rstrip(b"=").decode("ascii")


class MasterKey:
    """A 256-bit AES-GCM key with a format version.

    ``previous`` maps older format versions to their keys, so blobs written before a rotation still
    decrypt while new ones are written under the current ``version``.
    """

    __slots__ = ("_aead", "_key", "_previous", "version")

    def __init__(self, key: bytes, *, version: int = FORMAT_V1, previous: Mapping[int, bytes] = ()) -> None:
        if len(key) != KEY_BYTES:
            raise MasterKeyError(f"master key must be {KEY_BYTES} bytes")
        if not 1 <= version <= 255:
            raise MasterKeyError("master key version must be 1..255")
        self.version = version
        self._key = key
        self._aead = AESGCM(key)
        self._previous = {v: AESGCM(k) for v, k in dict(previous).items()}

    def __repr__(self) -> str:
        return f"MasterKey(version={self.version})"

    @classmethod
    def generate(cls) -> MasterKey:
        return cls(AESGCM.generate_key(bit_length=256))

    @classmethod
    def from_text(cls, text: str) -> MasterKey:
        return cls(_b64url_decode(text))

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> MasterKey | None:
        value = (os.environ if environ is None else environ).get(ENV_VAR)
        return cls.from_text(value) if value else None

    @classmethod
    def from_file(cls, path: Path | str, *, create: bool = True) -> MasterKey:
        """Read the key file, creating it (0600, atomically) when missing and ``create`` is true."""
        path = Path(path)
        if create and not path.exists():
            _create_key_file(path)
        try:
            st = path.stat()
        except FileNotFoundError:
            raise MasterKeyError(f"master key file {path} does not exist") from None
        if st.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise MasterKeyError(
                f"master key file {path} must not be accessible by group or others (chmod 600)"
            )
        return cls.from_text(path.read_text("ascii"))

    @classmethod
    def load(cls, data_dir: Path | str, environ: Mapping[str, str] | None = None) -> MasterKey:
        """The env key if set, else ``<data_dir>/master.key`` (created on first start)."""
        key = cls.from_env(environ)
        if key is not None:
            return key
        data_dir = Path(data_dir)
        data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        return cls.from_file(data_dir / KEY_FILE_NAME)

    def derive(self, purpose: str, length: int = 32) -> bytes:
        """A key for ``purpose`` derived from the current key (HKDF-SHA256, RFC 5869, with
        ``info = "authpool:" + purpose``): deterministic, and independent of the AES-GCM use and
        of every other purpose. It changes when the master key does."""
        hkdf = HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=f"authpool:{purpose}".encode())
        return hkdf.derive(self._key)

    def encrypt(self, plaintext: bytes, context: str) -> bytes:
        header = bytes([self.version])
        nonce = os.urandom(NONCE_BYTES)
        return header + nonce + self._aead.encrypt(nonce, plaintext, header + context.encode("utf-8"))

    def decrypt(self, blob: bytes, context: str) -> bytes:
        blob = bytes(blob)
        if len(blob) < 1 + NONCE_BYTES + TAG_BYTES:
            raise DecryptionError()
        version = blob[0]
        aead = self._aead if version == self.version else self._previous.get(version)
        if aead is None:
            raise DecryptionError()
        nonce, body = blob[1 : 1 + NONCE_BYTES], blob[1 + NONCE_BYTES :]
        try:
            return aead.decrypt(nonce, body, blob[:1] + context.encode("utf-8"))
        except InvalidTag:
            raise DecryptionError() from None


def _create_key_file(path: Path) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{_random.token_hex(8)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        os.fchmod(fd, 0o600)  # in case the umask removed owner bits
        os.write(fd, (encode_key(AESGCM.generate_key(bit_length=256)) + "\n").encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(tmp, path)  # atomic publish; fails if another process created the key first
    except FileExistsError:
        pass
    finally:
        os.unlink(tmp)


__all__ = ["ENV_VAR", "KEY_FILE_NAME", "DecryptionError", "MasterKey", "MasterKeyError", "encode_key"]
