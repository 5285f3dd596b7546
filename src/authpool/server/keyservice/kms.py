"""``aws-kms``: a KMS data key per claim (``GenerateDataKey``), bound to the claim by the encryption context.

At issuance ``GenerateDataKey(KeyId, KeySpec=AES_256, EncryptionContext={iss, sub, claim, aud})`` gives a
256-bit data key and its KMS ciphertext; the claim is a JWE with ``alg: dir`` under the data key, the
KMS ciphertext in the ``edk`` header. The resource server's guard calls ``Decrypt`` with the same
encryption context (rebuilt from the verified token), so KMS refuses a ciphertext moved to another
subject, claim or audience, its key policy decides who may decrypt, and CloudTrail records each call
with the context (AWS KMS developer guide, "Encryption context").

boto3 is imported on first use (``pip install 'authpool[aws]'``); credentials, region and endpoint
come from boto3's usual chain (``AWS_ENDPOINT_URL_KMS`` for an emulator). A key ARN's own region wins.
"""

from __future__ import annotations

import threading
from typing import Any

from ...jose import b64url_encode, encrypt_compact_jwe
from ...tokens.encrypted import ALG_BY_BACKEND, CLAIM_ENC, EDK_HEADER, ClaimContext, aws_error_code
from .base import Encrypted, binding_headers
from .errors import ClaimEncryptionError, KeyServiceUnavailable
from .settings import EncryptionSettings

NAME = "aws-kms"
TIMEOUT = 3.0


def region_of(key_id: str) -> str | None:
    """``arn:aws:kms:<region>:<account>:key/<id>`` -> region; None for a bare id or alias name."""
    parts = key_id.split(":")
    return parts[3] or None if len(parts) >= 6 and parts[0] == "arn" and parts[2] == "kms" else None


class KmsClients:
    """One boto3 KMS client per region, made on first use (shared by the server and the guard)."""

    def __init__(self, *, region_name: str | None = None, endpoint_url: str | None = None,
                 timeout: float = TIMEOUT) -> None:
        self.region_name, self.endpoint_url, self.timeout = region_name, endpoint_url, timeout
        self._clients: dict[str | None, Any] = {}
        self._lock = threading.Lock()

    def for_key(self, key_id: str) -> Any:
        region = region_of(key_id) or self.region_name
        client = self._clients.get(region)
        if client is None:
            with self._lock:
                client = self._clients.get(region)
                if client is None:
                    client = self._clients[region] = self._make(region)
        return client

    def _make(self, region: str | None) -> Any:
        try:
            import boto3
            from botocore.config import Config
        except ImportError as exc:
            raise ClaimEncryptionError("aws-kms needs boto3: pip install 'authpool[aws]'") from exc
        config = Config(connect_timeout=self.timeout, read_timeout=self.timeout,
                        retries={"max_attempts": 2, "mode": "standard"})
        kwargs: dict[str, Any] = {"config": config}
        if region:
            kwargs["region_name"] = region
        if self.endpoint_url:
            kwargs["endpoint_url"] = self.endpoint_url
        return boto3.client("kms", **kwargs)


class KmsBackend:
    name = NAME

    def __init__(self, clients: KmsClients | None = None) -> None:
        self.clients = clients or KmsClients()

    def encrypt(self, settings: EncryptionSettings, context: ClaimContext, plaintext: bytes) -> Encrypted:
        if not settings.kms_key_id:
            raise ClaimEncryptionError(f"resource server {settings.audience!r} names no KMS key")
        try:
            answer = self.clients.for_key(settings.kms_key_id).generate_data_key(
                KeyId=settings.kms_key_id, KeySpec="AES_256", EncryptionContext=context.as_dict())
        except ClaimEncryptionError:
            raise
        except Exception as exc:  # noqa: BLE001 - botocore's ClientError, BotoCoreError, timeouts: fail closed
            raise KeyServiceUnavailable(f"KMS GenerateDataKey failed: {aws_error_code(exc)}") from None
        data_key = answer["Plaintext"]
        try:
            token = encrypt_compact_jwe(plaintext, data_key, alg=ALG_BY_BACKEND[NAME], enc=CLAIM_ENC,
                                        headers={**binding_headers(context),
                                                 EDK_HEADER: b64url_encode(answer["CiphertextBlob"])})
        finally:
            del data_key, answer
        return Encrypted(token, NAME, settings.kms_key_id)

