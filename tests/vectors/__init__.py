"""Published JOSE examples, typed in from the RFCs as JSON, and a loader for them.

Each file holds one RFC's examples (its ``source`` and ``url`` say where): ``rfc7515.json`` (JWS
Appendix A), ``rfc7517.json`` (JWK Appendix A), ``rfc7520.json`` (the JOSE cookbook, sections 3-4),
``rfc7638.json`` (thumbprint section 3.1) and ``rfc8037.json`` (Ed25519, Appendix A); for JWE
``rfc7516.json`` (Appendix A.1's A256GCM layer, A.3's A128KW, RFC 3394 §4.6), ``rfc7518.json``
(Appendix C's ECDH-ES Concat KDF, RFC 8037 A.6's X25519) and ``rfc7520_jwe.json`` (section 5.4, 5.6,
5.8, the examples whose algorithms authpool.jose implements; tests/jose/test_jwe_vectors.py). The values are
the RFCs' own with display line breaks removed; tests/jose/test_vectors.py runs every one of them.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
NAMES = ("rfc7515", "rfc7516", "rfc7517", "rfc7518", "rfc7520", "rfc7520_jwe", "rfc7638", "rfc8037")


@cache
def _read(name: str) -> str:
    return (HERE / f"{name}.json").read_text(encoding="utf-8")


def load(name: str) -> dict[str, Any]:
    """A fresh copy of one vector file (callers may mutate it)."""
    if name not in NAMES:
        raise KeyError(f"no vector file {name!r}; have {NAMES}")
    return json.loads(_read(name))
