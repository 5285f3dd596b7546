"""``POST /``: the Cognito Identity Provider JSON API (COGNITO.md §4.1).

A request names its operation in ``X-Amz-Target: AWSCognitoIdentityProviderService.<Operation>``
and carries a JSON object (``Content-Type: application/x-amz-json-1.1``). The steps, in order:

1. look the operation up in :data:`OPERATIONS` (one table, built from one module per operation
   family) -> ``UnknownOperationException`` (400) for anything else;
2. check the content type; the middleware has already bounded the body's size;
3. unless the operation is one of Cognito's unsigned ones (:data:`UNSIGNED`, botocore
   ``authtype: none``), verify the SigV4 signature of the admin key pair (``sigv4.py``); a
   signature on an unsigned operation is ignored, as Cognito does (boto3 signs them anyway);
4. parse the JSON object, run the handler off the event loop, render the result;
5. any exception becomes Cognito's error shape through ``errors.to_cognito_error``, the one map.

Every response, success or error, may be read by a page on any origin (``cors.py``, which also
answers the browsers' preflight ``OPTIONS /``).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ..logs import request_id_var
from ..middleware import RequestBodyTooLarge
from . import (
    attribute_verification,
    auth,
    clients,
    groups,
    mfa,
    pools,
    resource_servers,
    self_service,
    users_admin,
)
from .cors import RESPONSE_HEADERS
from .errors import CognitoError, invalid_parameter, to_cognito_error
from .params import Params
from .sigv4 import SignedRequest, verify

TARGET_PREFIX = "AWSCognitoIdentityProviderService"
CONTENT_TYPES = ("application/x-amz-json-1.1", "application/x-amz-json-1.0", "application/json")
AMZ_JSON = "application/x-amz-json-1.1"
_OPERATION_NAME = re.compile(r"[A-Za-z]{1,64}")

#: botocore service-2.json operations with ``authtype: none`` (no SigV4); everything else is signed.
UNSIGNED = frozenset({
    "AssociateSoftwareToken", "ChangePassword", "CompleteWebAuthnRegistration", "ConfirmDevice",
    "ConfirmForgotPassword", "ConfirmSignUp", "DeleteUser", "DeleteUserAttributes", "DeleteWebAuthnCredential",
    "ForgetDevice", "ForgotPassword", "GetDevice", "GetTokensFromRefreshToken", "GetUser",
    "GetUserAttributeVerificationCode", "GetUserAuthFactors", "GlobalSignOut", "InitiateAuth", "ListDevices",
    "ListUserSessions", "ListWebAuthnCredentials", "ResendConfirmationCode", "RespondToAuthChallenge",
    "RevokeToken", "RevokeUserSession", "SetUserMFAPreference", "SetUserSettings", "SignUp",
    "StartWebAuthnRegistration", "UpdateAuthEventFeedback", "UpdateDeviceStatus", "UpdateUserAttributes",
    "VerifySoftwareToken", "VerifyUserAttribute",
})  # fmt: skip


@dataclass(frozen=True, slots=True)
class Call:
    """What an operation handler gets: the server context, the checked body, the caller's address."""

    ctx: Any  # ServerContext
    params: Params
    source_ip: str | None
    operation: str


Handler = Callable[[Call], dict[str, Any]]

#: The one operation table.
OPERATIONS: dict[str, Handler] = {
    **pools.OPERATIONS, **clients.OPERATIONS, **resource_servers.OPERATIONS, **groups.OPERATIONS,
    **users_admin.OPERATIONS, **auth.OPERATIONS, **self_service.OPERATIONS, **mfa.OPERATIONS,
    **attribute_verification.OPERATIONS,
}


def _response(body: dict[str, Any], status: int = 200) -> Response:
    headers = {"Cache-Control": "no-store", **RESPONSE_HEADERS}
    request_id = request_id_var.get()
    if request_id:
        headers["x-amzn-RequestId"] = request_id
    return Response(json.dumps(body, separators=(",", ":")).encode(), status_code=status, media_type=AMZ_JSON,
                    headers=headers)


def _operation(request: Request) -> tuple[str, Handler]:
    prefix, _, name = request.headers.get("x-amz-target", "").partition(".")
    handler = OPERATIONS.get(name) if prefix == TARGET_PREFIX else None
    if handler is None:
        shown = name if _OPERATION_NAME.fullmatch(name) and prefix == TARGET_PREFIX else "The operation"
        raise CognitoError("UnknownOperationException", f"{shown} is not supported by authpool.")
    return name, handler


def _parse(body: bytes) -> Params:
    if not body.strip():
        return Params({})
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        raise invalid_parameter("The request body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise invalid_parameter("The request body must be a JSON object.")
    return Params(data)


async def cognito_endpoint(request: Request) -> Response:
    ctx = request.app.state.ctx
    try:
        name, handler = _operation(request)
        media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media_type not in CONTENT_TYPES:
            raise invalid_parameter(f"Content-Type must be {AMZ_JSON}.")
        body = await request.body()
        if name not in UNSIGNED:
            signed = SignedRequest(method=request.method, path=request.url.path,
                                   query=request.url.query, body=body,
                                   headers=[(k.decode("latin-1"), v.decode("latin-1"))
                                            for k, v in request.scope["headers"]])
            verify(signed, ctx.admin, now=time.time())
        call = Call(ctx=ctx, params=_parse(body), source_ip=request.client.host if request.client else None,
                    operation=name)
        return _response(await ctx.run(handler, call))
    except RequestBodyTooLarge:
        raise  # the middleware answers 413
    except Exception as exc:  # noqa: BLE001 - every failure leaves in Cognito's error shape
        error = to_cognito_error(exc)
        return _response(error.body(), error.status)
