"""The admin key pair that signs (SigV4) the Cognito API's admin operations (DESIGN.md contracts).

From env ``AUTHPOOL_ADMIN_ACCESS_KEY_ID`` / ``AUTHPOOL_ADMIN_SECRET_ACCESS_KEY`` when both are set;
otherwise generated at first start, kept in ``<data_dir>/admin.key`` encrypted under the master key
(mode 0600), and printed once. Deployments with several processes set the env pair.
"""

from __future__ import annotations

import json
import os
import secrets
import string
from dataclasses import dataclass
from pathlib import Path

from .secrets import MasterKey

FILE_NAME = "admin.key"
_CONTEXT = "admin-credentials"
_ID_ALPHABET = string.ascii_uppercase + string.digits


@dataclass(frozen=True)
class AdminCredentials:
    access_key_id: str
    secret_access_key: str = ""
    created_now: bool = False

    def __repr__(self) -> str:  # never print the secret by accident
        return f"AdminCredentials(access_key_id={self.access_key_id!r})"


def generate() -> AdminCredentials:
    """AWS-shaped: a 20-character id starting ``AKIA`` and a 40-character secret."""
    key_id = "AKIA" + "".join(secrets.choice(_ID_ALPHABET) for _ in range(16))
    secret = secrets.token_urlsafe(30)[:40]
    return AdminCredentials(key_id, secret, created_now=True)


def load_or_create(data_dir: Path, master_key: MasterKey, *, env_id: str | None, env_secret: str | None) -> AdminCredentials:
    if env_id and env_secret:
        return AdminCredentials(env_id, env_secret)
    path = Path(data_dir) / FILE_NAME
    if path.exists():
        data = json.loads(master_key.decrypt(path.read_bytes(), _CONTEXT))
        return AdminCredentials(data["access_key_id"], data["secret_access_key"])
    created = generate()
    blob = master_key.encrypt(json.dumps({"access_key_id": created.access_key_id,
                                          "secret_access_key": created.secret_access_key}).encode(), _CONTEXT)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{FILE_NAME}.{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(blob)
    try:
        os.link(tmp, path)  # fails, rather than overwrite, if another process won the race
    except FileExistsError:
        os.unlink(tmp)
        return load_or_create(data_dir, master_key, env_id=None, env_secret=None)
    os.unlink(tmp)
    return created
