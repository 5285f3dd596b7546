"""A DecryptionError raised inside a route is answered by every adapter like any guard error (RFC 6750).

No ``from __future__ import annotations`` here: FastAPI must see the ``Depends`` in each annotation.
"""

from typing import Annotated

import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient
from flask import Flask
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import JSONResponse
from starlette.routing import Route

from authpool.guard import AccessClaims, AccessTokenVerifier, ClaimDecryptor, ResourceKeys
from authpool.guard.fastapi import Guard
from authpool.guard.flask import FlaskGuard, current_claims
from authpool.guard.starlette import GuardMiddleware, get_claims
from authpool.jose import ECDHKey

from .helpers import ISS, NOW, access_claims, token
from .test_decrypt import API, NATIONAL_ID, OTHER_API, seal


@pytest.fixture(scope="module")
def rs_key():
    return ECDHKey.generate("X25519", kid="kyc-adapters")


@pytest.fixture
def verifier(rsa_key, rs_key):
    return AccessTokenVerifier(issuer=ISS, client_ids=None, jwks=[rsa_key.public()], algorithms=["RS256"],
                               clock=lambda: NOW, decryptor=ClaimDecryptor(
                                   audience=API, resource_keys=ResourceKeys([rs_key])))


def cases(rsa_key, rs_key):
    """(token, expected status, expected error) per case."""
    good = token(rsa_key, access_claims(**{"custom:national_id": seal(NATIONAL_ID, rs_key)}))
    other = token(rsa_key, access_claims(**{"custom:national_id": seal(NATIONAL_ID, rs_key, aud=OTHER_API)}))
    missing = token(rsa_key, access_claims())
    stranger = token(rsa_key, access_claims(**{"custom:national_id": seal(NATIONAL_ID, ECDHKey.generate("X25519"))}))
    return [(good, 200, None), (other, 401, "invalid_token"), (missing, 403, "insufficient_scope"),
            (stranger, 503, "temporarily_unavailable")]


def check(response, status, error, *, body=None, text=None):
    body = response.json() if body is None else body
    text = response.text if text is None else text
    assert response.status_code == status, text
    if error is None:
        assert body == {"national_id": NATIONAL_ID}
        return
    assert body["error"] == error
    assert f'error="{error}"' in response.headers["www-authenticate"]
    assert response.headers["cache-control"] == "no-store"
    assert NATIONAL_ID not in text


def test_fastapi(verifier, rsa_key, rs_key):
    app = FastAPI()
    guard = Guard(verifier, app=app)

    @app.get("/kyc")
    async def kyc(claims: Annotated[AccessClaims, Depends(guard.require())]):
        return {"national_id": await claims.adecrypt("custom:national_id")}

    @app.get("/kyc-sync")
    def kyc_sync(claims: Annotated[AccessClaims, Depends(guard.require())]):
        return {"national_id": claims.decrypt("custom:national_id")}

    with TestClient(app) as client:
        for bearer, status, error in cases(rsa_key, rs_key):
            for path in ("/kyc", "/kyc-sync"):
                check(client.get(path, headers={"Authorization": f"Bearer {bearer}"}), status, error)


def test_starlette(verifier, rsa_key, rs_key):
    async def kyc(request):
        return JSONResponse({"national_id": await get_claims(request).adecrypt("custom:national_id")})

    app = Starlette(routes=[Route("/kyc", kyc)], middleware=[Middleware(GuardMiddleware, verifier=verifier)])
    with TestClient(app) as client:
        for bearer, status, error in cases(rsa_key, rs_key):
            check(client.get("/kyc", headers={"Authorization": f"Bearer {bearer}"}), status, error)


def test_flask(verifier, rsa_key, rs_key):
    app = Flask(__name__)
    guard = FlaskGuard(app, verifier)

    @app.get("/kyc")
    @guard.require()
    def kyc():
        return {"national_id": current_claims().decrypt("custom:national_id")}

    client = app.test_client()
    for bearer, status, error in cases(rsa_key, rs_key):
        response = client.get("/kyc", headers={"Authorization": f"Bearer {bearer}"})
        check(response, status, error, body=response.get_json(), text=response.get_data(as_text=True))
