"""End to end, per backend: sign in through the hosted login page -> an access token with an encrypted
claim -> a FastAPI app behind authpool.guard decrypts it (sync and async routes). Real processes and
real HTTP on 127.0.0.1: ``authpool serve``, moto's KMS, uvicorn (live.py)."""

from __future__ import annotations

import jwt as pyjwt
import pytest
from tests.server.keyservice.live import HOOK, KMS, LOCAL, NATIONAL_ID, RK

ROUTES = {RK: "rk", LOCAL: "local", KMS: "kms", HOOK: "hook"}
ALGS = {RK: "ECDH-ES+A256KW", LOCAL: "A256KW", KMS: "dir", HOOK: "ECDH-ES+A256KW"}


@pytest.mark.parametrize("audience", [RK, LOCAL, KMS, HOOK], ids=["resource-key", "local", "aws-kms", "hook"])
def test_sign_in_token_guard_decrypts(live, audience):
    token = live.token_for(audience)
    assert NATIONAL_ID not in token
    sealed = pyjwt.decode(token, options={"verify_signature": False})["custom:national_id"]
    header = pyjwt.get_unverified_header(token)
    assert header["typ"] == "at+jwt"
    import json

    from authpool.jose import b64url_decode
    jwe_header = json.loads(b64url_decode(sealed.split(".")[0]))
    assert jwe_header["alg"] == ALGS[audience] and jwe_header["enc"] == "A256GCM" and jwe_header["aud"] == audience
    for kind in ("sync", "async"):
        response = live.api.get(f"/{ROUTES[audience]}/{kind}", token)
        assert response.status_code == 200, response.text
        assert response.json() == {"national_id": NATIONAL_ID}


def test_every_backend_is_audited(live):
    live.token_for(LOCAL)
    encrypts = {e.detail["backend"] for e in live.audit("keys.encrypt") if e.detail["outcome"] == "ok"}
    assert {"resource-key", "local", "aws-kms"} <= encrypts
    token = live.token_for(LOCAL)
    before = len(live.audit("keys.decrypt"))
    assert live.api.get("/local/sync", token).status_code == 200
    events = live.audit("keys.decrypt")[before:]
    assert len(events) == 1
    detail = events[0].detail
    assert events[0].actor == live.kycapi.client_id and detail["outcome"] == "ok" and detail["version"] >= 1
    assert detail["context"]["aud"] == LOCAL and detail["context"]["claim"] == "custom:national_id"
