"""The size limit on a finished token after a hook changed it.

Cognito documents no byte limit, but warns that apps must "store tokens of varying sizes" and that
claims make tokens larger (COGNITO.md §2.7); what breaks in practice are HTTP header limits (8 KB a
line in common proxies) and 4 KB cookies. The claims are checked before signing, so the compact
token's length is bounded from above: ``header.payload.signature`` where the payload is measured
exactly (the same compact JSON the signer writes, RFC 7515 §7.1) and the header and signature are
taken at their largest (an RSA-4096 signature, a long ``kid``). A refused token is therefore at most
about 0.8 KB under the limit, never over it.
"""

from __future__ import annotations

from typing import Any

from ...jose.jsonutil import dumps_compact

HEADER_BOUND = 160  # base64url of {"kid":"<up to ~80 chars>","alg":"RS256","typ":"at+jwt"}
SIGNATURE_BOUND = 683  # base64url of a 512-byte (RSA-4096) signature
AT_HASH_BOUND = 100  # ,"at_hash":"<up to 64 chars>" added to ID tokens after the hook, as base64url


def b64url_length(n: int) -> int:
    """Unpadded base64url length of ``n`` bytes (RFC 7515 §2)."""
    return (4 * n + 2) // 3


def token_size_bound(claims: dict[str, Any], *, id_token: bool = False) -> int:
    """An upper bound on the compact JWS length of ``claims``."""
    payload = b64url_length(len(dumps_compact(claims)))
    return HEADER_BOUND + 1 + payload + (AT_HASH_BOUND if id_token else 0) + 1 + SIGNATURE_BOUND
