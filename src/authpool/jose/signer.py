"""A compact-JWS signer for one key and header, for minting many tokens fast.

The header never changes between tokens signed by the same key, so it is serialised and encoded once;
each token then costs one JSON dump of the claims, one base64url encoding and the signature itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .b64 import b64url_encode_bytes
from .errors import UnsupportedAlgorithm
from .jsonutil import dumps_compact
from .jwk import JWK


class CompactSigner:
    """Signs claim sets as compact JWS with a fixed header ``{"kid", "alg"[, "typ"]}``."""

    __slots__ = ("_algorithm", "_prefix", "_private", "alg", "key")

    def __init__(self, key: JWK, *, alg: str | None = None, typ: str | None = None) -> None:
        alg = alg or key.alg
        if alg is None:
            raise UnsupportedAlgorithm("the key has no 'alg'; name one")
        if not key.is_private:
            raise UnsupportedAlgorithm("signing needs a private key")
        self.key, self.alg = key, alg
        self._algorithm = key.algorithm_for(alg)
        self._private = key.private_key
        header: dict[str, Any] = {"kid": key.kid, "alg": alg}
        if typ is not None:
            header["typ"] = typ
        self._prefix = b64url_encode_bytes(dumps_compact(header)) + b"."

    def sign(self, claims: Mapping[str, Any] | bytes) -> str:
        body = claims if isinstance(claims, bytes) else dumps_compact(claims)
        signing_input = self._prefix + b64url_encode_bytes(body)
        signature = self._algorithm.sign(self._private, signing_input)
        return (signing_input + b"." + b64url_encode_bytes(signature)).decode("ascii")
