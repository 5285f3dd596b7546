"""Where a resource server's guard gets the key for an encrypted claim, one class per key service.

* :class:`ResourceKeys`: its own private key(s) (``resource-key`` backend, ``ECDH-ES+A256KW``): no call.
  Give every private key whose public half may still be registered, so a rotated key keeps decrypting
  tokens issued before the rotation until they expire.
* :class:`AuthpoolKeyService`: authpool's decrypt endpoint (``local`` backend, ``A256KW``), as a
  confidential client the key policy names (``client_secret_basic``). The content key it returns is
  used for this one claim and dropped.
* :class:`AwsKms`: AWS KMS ``Decrypt`` with the claim's encryption context (``aws-kms`` backend, ``dir``),
  with the resource server's own AWS credentials; boto3 is imported on first use.

Every failure maps to a guard error (errors.py): refused by the policy -> DecryptionNotAllowed;
refused as the wrong ciphertext for this context -> EncryptedClaimTampered; anything else (no answer,
throttled, bad credentials, an unexpected answer) -> DecryptionKeyUnavailable. Fail closed.
httpx and boto3 are imported only when a call is made (``import authpool.guard`` stays light).
"""

from __future__ import annotations

import json
import threading
import weakref
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote_plus

from ..jose import ECDHKey, JoseError, b64url_decode
from ..tokens.encrypted import ClaimContext, aws_error_code
from .errors import DecryptionKeyUnavailable, DecryptionNotAllowed, EncryptedClaimTampered
from .jwks import check_uri

MAX_ANSWER_BYTES = 4096


class ResourceKeys:
    """The resource server's private ECDH-ES keys, by ``kid`` (JWK dicts or :class:`ECDHKey`)."""

    def __init__(self, keys: Iterable[Mapping[str, Any] | ECDHKey]) -> None:
        loaded = [k if isinstance(k, ECDHKey) else ECDHKey.from_dict(k) for k in keys]
        if not loaded or not all(k.is_private for k in loaded):
            raise ValueError("ResourceKeys needs one or more private keys")
        self._by_kid = {k.kid: k for k in loaded}

    def get(self, kid: str | None) -> ECDHKey:
        key = self._by_kid.get(kid) if kid is not None else None
        if key is None:
            raise DecryptionKeyUnavailable(f"no private key with kid {kid!r} is configured", claim="kid", actual=kid)
        return key

    def __repr__(self) -> str:
        return f"ResourceKeys(kids={sorted(self._by_kid)})"


class AuthpoolKeyService:
    """authpool's ``POST {issuer}/keys/decrypt`` (local backend) as client ``client_id``."""

    def __init__(self, issuer: str, *, client_id: str, client_secret: str, timeout: float = 5.0,
                 allow_http: bool = False) -> None:
        if not client_id or not client_secret:
            raise ValueError("the decrypt endpoint needs a confidential client: client_id and client_secret")
        self.url = check_uri(issuer.rstrip("/") + "/keys/decrypt", allow_http=allow_http)
        self.client_id, self._secret, self.timeout = client_id, client_secret, timeout
        # RFC 6749 §2.3.1: each part is form-urlencoded before Basic joins them with ':'.
        self._auth = (quote_plus(client_id), quote_plus(client_secret))
        self._http: Any = None
        self._ahttp: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def __repr__(self) -> str:  # never the secret
        return f"AuthpoolKeyService(url={self.url!r}, client_id={self.client_id!r})"

    def _request(self, kid: str, encrypted_key: str, context: ClaimContext) -> dict[str, Any]:
        return {"KeyId": kid, "EncryptedKey": encrypted_key, "EncryptionContext": context.as_dict()}

    def unwrap(self, kid: str, encrypted_key: str, context: ClaimContext) -> bytes:
        import httpx

        with self._lock:
            if self._http is None:
                self._http = httpx.Client(timeout=self.timeout, follow_redirects=False, trust_env=False,
                                          auth=self._auth)
            client = self._http
        try:
            with client.stream("POST", self.url, json=self._request(kid, encrypted_key, context)) as resp:
                body = bytearray()
                for chunk in resp.iter_bytes():
                    body += chunk
                    if len(body) > MAX_ANSWER_BYTES:
                        raise DecryptionKeyUnavailable("the key service answered too much")
                return _answer(resp.status_code, bytes(body))
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise DecryptionKeyUnavailable(f"the key service did not answer ({type(exc).__name__})") from None

    async def aunwrap(self, kid: str, encrypted_key: str, context: ClaimContext) -> bytes:
        import asyncio

        import httpx

        loop = asyncio.get_running_loop()
        client = self._ahttp.get(loop)
        if client is None:  # one client per event loop: an AsyncClient may not cross loops
            client = self._ahttp[loop] = httpx.AsyncClient(timeout=self.timeout, follow_redirects=False,
                                                           trust_env=False, auth=self._auth)
        try:
            async with client.stream("POST", self.url, json=self._request(kid, encrypted_key, context)) as resp:
                body = bytearray()
                async for chunk in resp.aiter_bytes():
                    body += chunk
                    if len(body) > MAX_ANSWER_BYTES:
                        raise DecryptionKeyUnavailable("the key service answered too much")
                return _answer(resp.status_code, bytes(body))
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise DecryptionKeyUnavailable(f"the key service did not answer ({type(exc).__name__})") from None

    def close(self) -> None:
        if self._http is not None:
            self._http.close()

    async def aclose(self) -> None:
        """Close this event loop's client (call it at the application's shutdown)."""
        import asyncio

        client = self._ahttp.pop(asyncio.get_running_loop(), None)
        if client is not None:
            await client.aclose()


def _answer(status: int, body: bytes) -> bytes:
    try:
        data = json.loads(body) if body else {}
    except ValueError:
        data = {}
    error = data.get("error") if isinstance(data, dict) else None
    if status == 200:
        plaintext = data.get("Plaintext") if isinstance(data, dict) else None
        try:
            key = b64url_decode(plaintext) if isinstance(plaintext, str) else b""
        except JoseError:
            key = b""
        if len(key) != 32:
            raise DecryptionKeyUnavailable("the key service answered without a usable key")
        return key
    if status == 403:
        raise DecryptionNotAllowed("the key policy does not name this client", actual=error)
    if status == 400 and error == "invalid_ciphertext":
        raise EncryptedClaimTampered("the key service refused the ciphertext for this context")
    raise DecryptionKeyUnavailable(f"the key service answered {status} {error or ''}".strip(), actual=status)


class AwsKms:
    """KMS ``Decrypt`` for claims encrypted under ``key_ids`` (ARNs; an alias or bare id works with one key)."""

    def __init__(self, *, key_ids: Iterable[str], region_name: str | None = None, endpoint_url: str | None = None,
                 timeout: float = 3.0, client_kwargs: Mapping[str, Any] | None = None) -> None:
        """``client_kwargs`` go to ``boto3.client("kms", ...)`` (credentials, a profile's session...);
        by default boto3's usual chain is used."""
        self.key_ids = tuple(key_ids)
        self.client_kwargs = dict(client_kwargs or {})
        if not self.key_ids or not all(isinstance(k, str) and k for k in self.key_ids):
            raise ValueError("name the KMS key(s) the claims are encrypted under: key_ids=[...]")
        self.region_name, self.endpoint_url, self.timeout = region_name, endpoint_url, timeout
        self._clients: Any = None

    def __repr__(self) -> str:
        return f"AwsKms(key_ids={list(self.key_ids)!r})"

    def _client(self) -> Any:
        if self._clients is None:
            try:
                import boto3
                from botocore.config import Config
            except ImportError:
                raise DecryptionKeyUnavailable("AwsKms needs boto3: pip install 'authpool[aws]'") from None
            config = Config(connect_timeout=self.timeout, read_timeout=self.timeout,
                            retries={"max_attempts": 2, "mode": "standard"})
            parts = self.key_ids[0].split(":")
            region = parts[3] if len(parts) >= 6 and parts[0] == "arn" else self.region_name
            kwargs: dict[str, Any] = {"config": config, **self.client_kwargs}
            if region:
                kwargs["region_name"] = region
            if self.endpoint_url:
                kwargs["endpoint_url"] = self.endpoint_url
            self._clients = boto3.client("kms", **kwargs)
        return self._clients

    def decrypt(self, edk: bytes, context: ClaimContext) -> bytes:
        kwargs: dict[str, Any] = {"CiphertextBlob": edk, "EncryptionContext": context.as_dict()}
        if len(self.key_ids) == 1:
            kwargs["KeyId"] = self.key_ids[0]  # KMS itself refuses a blob made under another key
        try:
            answer = self._client().decrypt(**kwargs)
        except DecryptionKeyUnavailable:
            raise
        except Exception as exc:  # noqa: BLE001 - botocore errors, mapped by their code below
            code = aws_error_code(exc)
            if code in ("AccessDeniedException", "DisabledException", "KMSInvalidStateException"):
                raise DecryptionNotAllowed(f"KMS refused: {code}", actual=code) from None
            if code in ("InvalidCiphertextException", "IncorrectKeyException"):
                raise EncryptedClaimTampered(f"KMS refused the ciphertext: {code}", actual=code) from None
            raise DecryptionKeyUnavailable(f"KMS Decrypt failed: {code}", actual=code) from None
        key_arn = str(answer.get("KeyId", ""))
        if len(self.key_ids) > 1 and not any(key_arn == k or key_arn.endswith("/" + k) for k in self.key_ids):
            raise DecryptionNotAllowed("the claim was encrypted under a KMS key this API does not accept")
        plaintext = answer.get("Plaintext")
        if not isinstance(plaintext, bytes) or len(plaintext) != 32:
            raise DecryptionKeyUnavailable("KMS answered without a 256-bit key")
        return plaintext

    async def adecrypt(self, edk: bytes, context: ClaimContext) -> bytes:
        import asyncio

        return await asyncio.to_thread(self.decrypt, edk, context)

