"""A resource server's encryption settings: which key service, which attributes, which key policy.

Stored under ``Encryption`` in the resource server's settings (authpool's own member, beside
Cognito's; UpdateResourceServer leaves it alone)::

    "Encryption": {
      "Backend": "resource-key" | "local" | "aws-kms",     # default: resource-key
      "Attributes": ["custom:national_id", "birthdate"],     # declarative: into its access tokens, encrypted
      "PublicJwk": {"kty": "OKP", "crv": "X25519", ...},     # resource-key: the recipient key
      "KmsKeyId": "arn:aws:kms:eu-west-1:...:key/...",       # aws-kms: the KMS key
      "DecryptClients": ["<client id>", ...]                 # local: the key policy
    }

``DecryptClients`` is the key policy of the local backend: the confidential app clients (a resource
server authenticates as one) that may ask authpool's decrypt endpoint for this resource server's
keys. Nobody else may, whatever credentials they hold. For ``aws-kms`` the policy is the KMS key's
own (IAM); for ``resource-key`` it is possession of the private key.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ...jose import ECDHKey, InvalidKey
from ...tokens.profiles import RESERVED_CLAIMS
from ..errors import InvalidParameter

SETTINGS_KEY = "Encryption"
BACKENDS = ("resource-key", "local", "aws-kms")
#: The fastest choice (no call at issuance or at the resource server): the default.
DEFAULT_BACKEND = "resource-key"
MAX_ATTRIBUTES = 25
MAX_DECRYPT_CLIENTS = 25
_ATTRIBUTE = re.compile(r"^(custom:)?[\w.:-]{1,256}$")
_KMS_KEY = re.compile(r"^[A-Za-z0-9:/_+=,.@-]{1,2048}$")


@dataclass(frozen=True, slots=True)
class EncryptionSettings:
    pool_id: str
    audience: str
    backend: str = DEFAULT_BACKEND
    attributes: tuple[str, ...] = ()
    public_jwk: Mapping[str, Any] | None = None
    kms_key_id: str | None = None
    decrypt_clients: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"Backend": self.backend, "Attributes": list(self.attributes)}
        if self.public_jwk is not None:
            out["PublicJwk"] = dict(self.public_jwk)
        if self.kms_key_id is not None:
            out["KmsKeyId"] = self.kms_key_id
        if self.decrypt_clients:
            out["DecryptClients"] = list(self.decrypt_clients)
        return out


def _strings(value: Any, what: str, pattern: re.Pattern[str], limit: int) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list | tuple) or len(value) > limit:
        raise InvalidParameter(f"{what} must be a list of at most {limit} names.")
    if not all(isinstance(v, str) and pattern.match(v) for v in value):
        raise InvalidParameter(f"{what} has an invalid name.")
    return tuple(dict.fromkeys(value))


def parse_settings(pool_id: str, audience: str, raw: Mapping[str, Any] | None) -> EncryptionSettings:
    """The settings from a resource server's ``Encryption`` member (absent: the defaults).

    Raises InvalidParameter for anything malformed; a public key must be a public ECDH-ES key.
    """
    raw = raw or {}
    if not isinstance(raw, Mapping):
        raise InvalidParameter("Encryption must be an object.")
    unknown = set(raw) - {"Backend", "Attributes", "PublicJwk", "KmsKeyId", "DecryptClients"}
    if unknown:
        raise InvalidParameter(f"Unknown Encryption settings: {sorted(unknown)}.")
    backend = raw.get("Backend", DEFAULT_BACKEND)
    if backend not in BACKENDS:
        raise InvalidParameter(f"Backend must be one of {', '.join(BACKENDS)}.")
    public_jwk = raw.get("PublicJwk")
    if public_jwk is not None:
        try:
            ECDHKey.from_dict(public_jwk, allow_private=False)
        except InvalidKey as exc:
            raise InvalidParameter(f"PublicJwk is not a usable public encryption key: {exc}") from None
    kms_key_id = raw.get("KmsKeyId")
    if kms_key_id is not None and (not isinstance(kms_key_id, str) or not _KMS_KEY.match(kms_key_id)):
        raise InvalidParameter("KmsKeyId must be a KMS key id, ARN or alias.")
    attributes = _strings(raw.get("Attributes"), "Attributes", _ATTRIBUTE, MAX_ATTRIBUTES)
    if any(a in RESERVED_CLAIMS or a.startswith("cognito:") or a == "sub" for a in attributes):
        raise InvalidParameter("Attributes may not name a reserved claim (sub, iss, cognito:...).")
    return EncryptionSettings(
        pool_id=pool_id, audience=audience, backend=backend, attributes=attributes,
        public_jwk=dict(public_jwk) if public_jwk is not None else None, kms_key_id=kms_key_id,
        decrypt_clients=_strings(raw.get("DecryptClients"), "DecryptClients", re.compile(r"^[\w+]{1,128}$"),
                                 MAX_DECRYPT_CLIENTS))


def settings_of(record: Any) -> EncryptionSettings:
    """The encryption settings of a :class:`ResourceServerRecord`."""
    return parse_settings(record.pool_id, record.identifier, (record.settings or {}).get(SETTINGS_KEY))


def ready(settings: EncryptionSettings) -> str | None:
    """None when the backend has what it needs to encrypt, else why not (for errors and ``show``)."""
    if settings.backend == "resource-key" and settings.public_jwk is None:
        return "no public key is registered (PublicJwk)"
    if settings.backend == "aws-kms" and not settings.kms_key_id:
        return "no KMS key is named (KmsKeyId)"
    if settings.backend == "local" and not settings.decrypt_clients:
        return "no client may decrypt (DecryptClients is empty)"
    return None
