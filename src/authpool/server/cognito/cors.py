"""Cross-origin calls to the Cognito API (``/``) from web pages, as Cognito's own endpoint allows them:
Amplify JS or amazon-cognito-identity-js in a front end served from another origin (a dev server on
``http://localhost:5173``, the app's own domain) than the authpool server.

Such a call is a "non-simple" request in the CORS protocol (WHATWG Fetch standard, §3.2): it is a
POST with ``Content-Type: application/x-amz-json-1.1`` and headers of its own (``X-Amz-Target``,
``x-amz-user-agent``, ``cache-control``, whatever an app adds), so the browser first sends a
preflight, ``OPTIONS /`` with ``Origin``, ``Access-Control-Request-Method`` and
``Access-Control-Request-Headers``, and sends the call only if the answer allows that method and
every one of those headers; then it hands the call's response to the page only if it carries
``Access-Control-Allow-Origin``.

The answer is ``*`` for every origin, and never ``Access-Control-Allow-Credentials``: no operation
relies on anything a browser attaches by itself (cookies, HTTP authentication, client
certificates). Each request carries its own proof in its headers or body (a SigV4 signature, a
token, a password or SRP proof, a client secret), which a page on another origin can neither read
nor forge, so letting any origin send one grants that origin nothing it did not already hold.
"""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import Response

#: RFC 9110 §5.1 field names (tokens); a preflight lists the request's non-safelisted ones, lower case.
_FIELD_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}")
MAX_REQUESTED_HEADERS = 32
PREFLIGHT_MAX_AGE = 600  # seconds a browser may reuse the preflight's answer (Chromium caps it at 7200)

#: On every response of ``POST /``: readable by any page, with the request id (``$metadata.requestId``).
RESPONSE_HEADERS = {"Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": "x-amzn-RequestId"}


def allowed_headers(requested: str) -> str | None:
    """The ``Access-Control-Request-Headers`` value, normalised, when it is a list of field names; None
    for anything else (too many names, a name that is not a token), which the browser then refuses."""
    names = [name.strip().lower() for name in requested.split(",") if name.strip()]
    if len(names) > MAX_REQUESTED_HEADERS or not all(_FIELD_NAME.fullmatch(name) for name in names):
        return None
    return ",".join(dict.fromkeys(names))


async def cognito_preflight(request: Request) -> Response:
    """``OPTIONS /``: allows POST with the headers the browser asks for, from any origin."""
    headers = {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "POST",
               "Access-Control-Max-Age": str(PREFLIGHT_MAX_AGE), "Cache-Control": "no-store",
               "Vary": "Access-Control-Request-Headers"}
    names = allowed_headers(request.headers.get("access-control-request-headers", ""))
    if names:
        headers["Access-Control-Allow-Headers"] = names
    return Response(status_code=204, headers=headers)
