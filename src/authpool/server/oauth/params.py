"""Reading OAuth request parameters: bounded, form-encoded, each at most once.

* RFC 6749 §3.1 / §3.2: "Parameters sent without a value MUST be treated as if they were omitted
  from the request" and "Request and response parameters MUST NOT be included more than once."
  Unrecognized parameters are ignored (§3.1), but even those may not repeat.
* RFC 6749 §3.2 / §4.1.3: the token endpoint takes ``application/x-www-form-urlencoded`` bodies
  (Cognito: "Content-Type must always be application/x-www-form-urlencoded", COGNITO.md §5).
* Every input is size-bounded before it is parsed: the body by the server middleware and here,
  the number of fields here, each value by :data:`MAX_VALUE`.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.requests import Request

from .errors import InvalidRequest

MAX_FIELDS = 40
#: Longest accepted value: an access token is bounded by authpool.jose at 16 KiB.
MAX_VALUE = 16 * 1024
FORM_TYPE = "application/x-www-form-urlencoded"


def parse_pairs(text: str) -> dict[str, str]:
    """Parse an urlencoded string; refuse repeats, drop empty values, bound sizes."""
    try:
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=False, max_num_fields=MAX_FIELDS,
                          encoding="utf-8", errors="strict")
    except ValueError:
        raise InvalidRequest("Too many or malformed parameters.") from None
    out: dict[str, str] = {}
    seen: set[str] = set()
    for name, value in pairs:
        if name in seen:
            raise InvalidRequest(f"Parameter {name[:40]} is included more than once.")
        seen.add(name)
        if len(value) > MAX_VALUE or len(name) > 64:
            raise InvalidRequest("A parameter is too long.")
        if value != "":
            out[name] = value
    return out


def query_params(request: Request) -> dict[str, str]:
    query = request.scope.get("query_string", b"")
    if len(query) > 8 * 1024:
        raise InvalidRequest("The query string is too long.")
    try:
        return parse_pairs(query.decode("ascii"))
    except UnicodeDecodeError:
        raise InvalidRequest("The query string is not valid.") from None


async def form_params(request: Request, *, max_bytes: int = 64 * 1024) -> dict[str, str]:
    """The form body of a POST. Refuses other content types (RFC 6749 §3.2)."""
    content_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if content_type != FORM_TYPE:
        raise InvalidRequest(f"Content-Type must be {FORM_TYPE}.")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > max_bytes:
            raise InvalidRequest("The request body is too large.")
    try:
        return parse_pairs(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise InvalidRequest("The request body is not valid UTF-8.") from None
