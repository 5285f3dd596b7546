"""The PASSWORD_VERIFIER challenge's ``SECRET_BLOCK``: the server's SRP state, sealed for the client
to carry (COGNITO.md §4.3: "opaque, server-encrypted state").

Cognito hands the client an opaque ``SECRET_BLOCK`` and wants it back, unchanged, in
``PASSWORD_CLAIM_SECRET_BLOCK``; its bytes are also part of the signed message. authpool puts its
whole challenge state in it, so any server process can answer and nothing is stored until the
answer arrives:

    {"v": 1, "id": <128-bit random hex>, "sub": <user's sub | null>, "name": USER_ID_FOR_SRP,
     "A": <client public>, "b": <server secret>, "u": <scrambler>, "exp": <epoch seconds>}

sealed with AES-256-GCM under the master key (``authpool.server.secrets``) with the associated
context ``srp-secret-block:<pool_id>:<client_id>``, then standard base64 (the clients decode it with
``Buffer.from(.., 'base64')`` / ``base64.standard_b64decode``). So the block is confidential (``b``
never leaves the server in clear), integrity-protected (any change fails to open), bound to its pool
and app client, expires with the client's ``AuthSessionValidity`` (3 minutes by default), and is
single-use through its ``id`` (``store/srp.py`` records answered ids). ``sub`` is null for a decoy
challenge (unknown user, or no verifier yet), which can never verify.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field

from ..secrets import DecryptionError, MasterKey

_VERSION = 1
MAX_BLOCK_CHARS = 4096  # ChallengeResponses values are bounded to this by the Cognito API


class InvalidBlock(Exception):
    """Malformed, tampered, foreign (another pool or client) or from another master key."""


@dataclass(frozen=True, slots=True)
class ChallengeState:
    id: str
    sub: str | None  # None: a decoy challenge that never verifies
    username: str  # USER_ID_FOR_SRP, signed by the client
    expires_at: int
    A: int = field(repr=False)
    b: int = field(repr=False)
    u: int = field(repr=False)


def _context(pool_id: str, client_id: str) -> str:
    return f"srp-secret-block:{pool_id}:{client_id}"


def seal(key: MasterKey, state: ChallengeState, *, pool_id: str, client_id: str) -> str:
    body = json.dumps({"v": _VERSION, "id": state.id, "sub": state.sub, "name": state.username,
                       "A": format(state.A, "x"), "b": format(state.b, "x"), "u": format(state.u, "x"),
                       "exp": state.expires_at}, separators=(",", ":")).encode()
    return base64.b64encode(key.encrypt(body, _context(pool_id, client_id))).decode("ascii")


def raw_bytes(block: str) -> bytes:
    """The bytes the client signed (strict standard base64). Raises InvalidBlock."""
    if not isinstance(block, str) or not 1 <= len(block) <= MAX_BLOCK_CHARS:
        raise InvalidBlock()
    try:
        return base64.b64decode(block, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidBlock() from None


def open_block(key: MasterKey, block: str, *, pool_id: str, client_id: str) -> ChallengeState:
    """The state sealed in ``block`` for this pool and client. Raises InvalidBlock."""
    try:
        data = json.loads(key.decrypt(raw_bytes(block), _context(pool_id, client_id)))
        if not isinstance(data, dict) or data.get("v") != _VERSION:
            raise InvalidBlock()
        sub, name, exp = data["sub"], data["name"], data["exp"]
        if not (sub is None or isinstance(sub, str)) or not isinstance(name, str) or type(exp) is not int:
            raise InvalidBlock()
        return ChallengeState(id=str(data["id"]), sub=sub, username=name, expires_at=exp,
                              A=int(data["A"], 16), b=int(data["b"], 16), u=int(data["u"], 16))
    except (DecryptionError, ValueError, KeyError, TypeError):
        raise InvalidBlock() from None
