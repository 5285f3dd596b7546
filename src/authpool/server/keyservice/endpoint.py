"""``POST /{pool_id}/keys/decrypt``: the local key service's decrypt endpoint (docs/encrypted-claims.md).

A resource server that received a claim encrypted by the ``local`` backend asks for its content key,
in the shape of AWS KMS ``Decrypt``::

    POST /us-east-1_AbC/keys/decrypt
    Authorization: Basic <client id:secret>            (client_secret_basic, RFC 6749 §2.3.1)
    Content-Type: application/json

    {"KeyId": "<the JWE's kid>", "EncryptedKey": "<the JWE's encrypted key, base64url>",
     "EncryptionContext": {"iss": ..., "sub": ..., "claim": ..., "aud": ...}}

    200 {"KeyId": "<kid>", "KeyVersion": 3, "Plaintext": "<content key, base64url>"}

Steps, in order: the client authenticates with HTTP Basic (only confidential clients of this pool;
anything else 401 ``invalid_client``); its rate (ratelimit.py; 429 ``slow_down`` with Retry-After);
the body (JSON object of at most 4 KiB, exactly these members; 400 ``invalid_request``); the key
version (unknown or past its life: 400 ``invalid_ciphertext``); the **key policy**: the client must
be in the key's resource server's ``DecryptClients`` (403 ``access_denied``); the unwrap under the
context (another audience, subject, claim or issuer, or a tampered key: 400 ``invalid_ciphertext``).
Every answer after authentication is audited (``keys.decrypt``: who, key, version, context,
outcome; never the key); if the audit cannot be written, no key leaves (500). Answers carry
``Cache-Control: no-store``.
"""

from __future__ import annotations

import logging
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ...jose import JoseError, b64url_decode, b64url_encode, loads_object
from ...tokens.encrypted import ClaimContext
from ..oauth.clientauth import BASIC, authenticate
from ..oauth.errors import NO_STORE, InvalidClient, InvalidRequest, json_error
from . import audit
from .errors import ClaimEncryptionError, DecryptDenied, DecryptRefused, DecryptThrottled
from .local import NAME as LOCAL

log = logging.getLogger("authpool.keyservice")
MAX_BODY = 4096
_MEMBERS = {"KeyId", "EncryptedKey", "EncryptionContext"}


async def decrypt(request: Request) -> Response:
    ctx = request.app.state.ctx
    authorization = request.headers.get("authorization")
    try:
        body = await _body(request)
        answer = await ctx.run(_decrypt, ctx, request.path_params["pool_id"], authorization, body)
    except DecryptRefused as refused:
        headers = dict(NO_STORE)
        if isinstance(refused, DecryptThrottled):
            headers["Retry-After"] = str(max(1, round(refused.retry_after + 0.5)))
        return JSONResponse({"error": refused.error, "error_description": refused.description},
                            status_code=refused.status, headers=headers)
    except Exception as exc:  # noqa: BLE001 - one renderer: OAuth errors as such, anything else server_error
        return json_error(exc, basic_auth=True)
    return JSONResponse(answer, headers=NO_STORE)


async def _body(request: Request) -> bytes:
    content_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if content_type != "application/json":
        raise InvalidRequest("Content-Type must be application/json.")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise InvalidRequest("The request body is too large.")
    return body


def _parse(body: bytes) -> tuple[str, bytes, str, ClaimContext]:
    try:
        data = loads_object(body, "request")
        if set(data) != _MEMBERS:
            raise ValueError
        kid, wrapped = data["KeyId"], data["EncryptedKey"]
        if not isinstance(kid, str) or not isinstance(wrapped, str) or not 0 < len(wrapped) <= 128:
            raise ValueError
        context = ClaimContext.from_dict(data["EncryptionContext"]) if isinstance(
            data["EncryptionContext"], dict) else None
        if context is None:
            raise ValueError
        return kid, b64url_decode(wrapped), wrapped, context
    except (JoseError, ValueError):
        raise InvalidRequest("The body must be {KeyId, EncryptedKey, EncryptionContext{iss, sub, claim, aud}}.") \
            from None


def _decrypt(ctx, pool_id: str, authorization: str | None, body: bytes) -> dict[str, Any]:
    auth = authenticate(ctx.clients.find, pool_id, authorization, {})
    if auth.method != BASIC:
        raise InvalidClient("The decrypt endpoint needs client_secret_basic.")
    client = auth.client.client_id
    verdict = ctx.decrypt_limiter.take(f"{pool_id}\x00{client}")
    if not verdict.allowed:
        refused = DecryptThrottled(verdict.retry_after)
        if verdict.first:
            _audit(ctx, pool_id, client, None, None, refused.outcome, None)
        log.warning("decrypt requests throttled", extra={"pool_id": pool_id, "client": client})
        raise refused
    kid, wrapped, wrapped_text, context = _parse(body)
    record = None
    try:
        record = ctx.keyservice.local.find(pool_id, kid)
        try:
            settings = ctx.keyservice.settings(pool_id, record.audience)
        except ClaimEncryptionError:  # the resource server is gone: nobody is named by a policy
            raise DecryptDenied() from None
        if client not in settings.decrypt_clients:
            raise DecryptDenied()
        content_key = ctx.keyservice.local.unwrap(record, wrapped, context)
    except DecryptRefused as refused:
        _audit(ctx, pool_id, client, record, context, refused.outcome, wrapped_text)
        log.info("decrypt refused", extra={"pool_id": pool_id, "client": client, "outcome": refused.outcome})
        raise
    _audit(ctx, pool_id, client, record, context, "ok", wrapped_text)
    return {"KeyId": kid, "KeyVersion": record.version, "Plaintext": b64url_encode(content_key)}


def _audit(ctx, pool_id: str, client: str, record, context: ClaimContext | None, outcome: str,
           wrapped: str | None) -> None:
    detail = audit.event_detail(client=client, backend=LOCAL, key=record.key_id if record else None,
                                version=record.version if record else None, context=context, outcome=outcome,
                                ct=audit.fingerprint(wrapped) if wrapped else None)
    audit.record(ctx.db, audit.DECRYPT, pool_id, actor=client, events=[detail])
