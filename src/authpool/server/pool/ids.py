"""Identifiers and generated secrets, all from the ``secrets`` module (a CSPRNG).

Shapes follow Cognito so clients that parse them keep working:
- pool id ``<region>_<9 alphanumerics>``, e.g. ``us-east-1_AbC123xyZ``; clients parse the region out
  of it (COGNITO.md §4.4; botocore ``UserPoolIdType`` pattern ``[\\w-]+_[0-9a-zA-Z]+``, max 55).
  9 characters of 62 give 53 bits: collisions are detected by the primary key and retried.
- client id: 26 lower-case alphanumerics (Cognito's look, e.g. ``57cbishk4j24pabc1234567890``), 134 bits.
- client secret: 51 lower-case alphanumerics (base36, Cognito's look), about 263 bits. Cognito
  secrets are generated, never chosen (COGNITO.md §3), and are used as the HMAC key of SECRET_HASH.
"""

from __future__ import annotations

import re
import secrets
import string
import uuid

from ..errors import InvalidParameter

ALNUM = string.ascii_letters + string.digits
LOWER_ALNUM = string.ascii_lowercase + string.digits
POOL_SUFFIX_LENGTH = 9
CLIENT_ID_LENGTH = 26
CLIENT_SECRET_LENGTH = 51
DEFAULT_REGION = "us-east-1"

REGION_RE = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d{1,2}$")
POOL_ID_RE = re.compile(r"^[\w-]+_[0-9a-zA-Z]+$")


def _random(alphabet: str, length: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


def new_pool_id(region: str = DEFAULT_REGION) -> str:
    if not REGION_RE.match(region):
        raise InvalidParameter("Region must look like us-east-1.")
    return f"{region}_{_random(ALNUM, POOL_SUFFIX_LENGTH)}"


def is_pool_id(value: str) -> bool:
    return len(value) <= 55 and POOL_ID_RE.match(value) is not None


def region_of(pool_id: str) -> str:
    """``us-east-1_AbC`` -> ``us-east-1`` (what aws-jwt-verify and Amplify do)."""
    return pool_id.split("_", 1)[0]


def new_client_id() -> str:
    return _random(LOWER_ALNUM, CLIENT_ID_LENGTH)


def new_client_secret() -> str:
    return _random(LOWER_ALNUM, CLIENT_SECRET_LENGTH)


def new_sub() -> str:
    return str(uuid.uuid4())
