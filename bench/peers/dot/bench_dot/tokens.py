"""RS256 JWT access tokens for django-oauth-toolkit (its ACCESS_TOKEN_GENERATOR setting).

oauthlib's own ``signed_token_generator`` hands PyJWT a PEM string, which is parsed again for every
token; this one loads the 2048-bit key once per process and passes the key object, so the peer pays
only for building the claims and signing. Claims as a JWT access token carries them (RFC 9068 §2.2).
"""

import os
import time
import uuid

import jwt
from cryptography.hazmat.primitives.serialization import load_pem_private_key

with open(os.path.join(os.environ["BENCH_DOT_DIR"], "rs256.pem"), "rb") as _pem:
    _KEY = load_pem_private_key(_pem.read(), None)
_HEADERS = {"kid": "bench-rs256", "typ": "at+jwt"}


def generate(request, refresh_token=False):
    now = int(time.time())
    claims = {"iss": "http://127.0.0.1/o", "sub": request.client_id, "aud": "https://api.bench.example",
              "client_id": request.client_id, "scope": " ".join(request.scopes or ()), "iat": now,
              "exp": now + request.expires_in, "jti": str(uuid.uuid4())}
    return jwt.encode(claims, _KEY, algorithm="RS256", headers=_HEADERS)
