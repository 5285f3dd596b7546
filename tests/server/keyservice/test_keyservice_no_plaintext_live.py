"""The plaintext of an encrypted claim appears in no log and no audit row: the server's log (at DEBUG), the
logs captured in this process (the guard and the FastAPI app run here), moto's log, and every audit row of
the store, after successes and every kind of refusal on every backend."""

from __future__ import annotations

import json
import logging

import jwt as pyjwt
from tests.server.keyservice.live import HOOK, KMS, LOCAL, NATIONAL_ID, RK

from authpool.jose import b64url_decode, b64url_encode

ROUTES = {RK: "rk", LOCAL: "local", KMS: "kms", HOOK: "hook"}


def tampered(live, token: str) -> str:
    claims = pyjwt.decode(token, options={"verify_signature": False})
    parts = claims["custom:national_id"].split(".")
    raw = bytearray(b64url_decode(parts[3]))
    raw[0] ^= 1
    parts[3] = b64url_encode(bytes(raw))
    claims["custom:national_id"] = ".".join(parts)
    return live.ctx.keys.minter(live.pool_id, live.issuer).sign_access_token(claims)


def test_no_plaintext_in_logs_or_audit(live, caplog):
    caplog.set_level(logging.DEBUG)
    for audience, route in ROUTES.items():
        token = live.token_for(audience)
        for kind in ("sync", "async"):
            assert live.api.get(f"/{route}/{kind}", token).json() == {"national_id": NATIONAL_ID}
        assert live.api.get(f"/{route}/sync", tampered(live, token)).status_code == 401
    local = live.token_for(LOCAL)
    assert live.api.get("/local-other/sync", local).status_code == 403
    assert live.api.get("/kms-otherkey/sync", live.token_for(KMS)).status_code == 403
    assert live.api.get("/wrongaud/sync", live.token_for(HOOK)).status_code == 401
    moved = pyjwt.decode(local, options={"verify_signature": False})
    moved["sub"] = "someone-else"
    assert live.api.get("/local/sync", live.ctx.keys.minter(live.pool_id, live.issuer)
                        .sign_access_token(moved)).status_code == 401

    forms = {NATIONAL_ID, json.dumps(NATIONAL_ID), NATIONAL_ID.replace(".", "")}
    server_log = live.server.log()
    assert "keys/decrypt" in server_log  # the log did record the decrypt requests ...
    captured = caplog.text + "".join(repr(vars(r)) for r in caplog.records)
    moto_log = (live.server.data_dir / "moto.log").read_text(errors="replace")
    with live.ctx.db.engine.connect() as conn:
        audit_rows = [json.dumps([row.type, row.actor, row.target, row.detail], default=str)
                      for row in conn.exec_driver_sql("SELECT type, actor, target, detail FROM audit_events")]
    assert any('"keys.decrypt"' in row for row in audit_rows) and any('"keys.encrypt"' in row for row in audit_rows)
    for name, text in (("server log", server_log), ("captured logs", captured), ("moto log", moto_log),
                       ("audit rows", "\n".join(audit_rows))):
        for form in forms:
            assert form not in text, f"the plaintext appears in the {name}"
