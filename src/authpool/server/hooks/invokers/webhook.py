"""``http://`` / ``https://`` hooks: the event POSTed as JSON, signed; the answer is the event with
``response`` filled in.

Request: ``POST <url>``, ``Content-Type: application/json``, the event as compact JSON, and the
signature headers of :mod:`authpool.server.hooks.signing`. Redirects are not followed, and proxy
environment variables are not used (hooks are usually internal services).

Answer:

* ``200`` with a JSON object (at most 256 KiB, read with the deadline running): the returned event.
* ``4xx`` with a JSON body holding a string ``errorMessage`` (the shape a failing Lambda returns): the
  handler refuses the sign-in with that message (Cognito: ``UserLambdaValidationException``).
* anything else (other statuses, a connection failure, a redirect): the hook is unavailable.

The whole exchange, body included, must finish within the pool's timeout.
"""

from __future__ import annotations

import time
from typing import Any

import httpx

from ....jose.errors import JoseError
from ....jose.jsonutil import dumps_compact, loads_object
from ..errors import HookRejected, HookTimeout, HookUnavailable, InvalidHookResponse
from ..signing import signed_headers
from .base import MAX_RESPONSE_BYTES, Target

USER_AGENT = "authpool-hooks/1"


def read_bounded(chunks, deadline: float, *, invoker: str) -> bytes:
    """Join ``chunks`` while under :data:`MAX_RESPONSE_BYTES` and before ``deadline``."""
    body = bytearray()
    for chunk in chunks:
        body += chunk
        if len(body) > MAX_RESPONSE_BYTES:
            raise InvalidHookResponse("Unrecognizable lambda output: the response is too large.", invoker=invoker)
        if time.monotonic() > deadline:
            raise HookTimeout(invoker=invoker)
    return bytes(body)


def parse_json(body: bytes, *, invoker: str) -> dict[str, Any]:
    """A JSON object (duplicate names, NaN and Infinity refused), else InvalidHookResponse."""
    try:
        return loads_object(body, "hook response")
    except JoseError:
        raise InvalidHookResponse("Unrecognizable lambda output: the response is not a JSON object.",
                                  invoker=invoker) from None


def error_message(body: bytes) -> str | None:
    """The ``errorMessage`` of a Lambda-style error body, if there is one."""
    try:
        value = loads_object(body, "hook error")
    except JoseError:
        return None
    message = value.get("errorMessage")
    return message if isinstance(message, str) else None


class WebhookInvoker:
    kind = "webhook"

    def __init__(self, *, clock=time.time, transport: httpx.BaseTransport | None = None) -> None:
        self._clock = clock
        self._client = httpx.Client(follow_redirects=False, trust_env=False, transport=transport,
                                    headers={"User-Agent": USER_AGENT},
                                    limits=httpx.Limits(max_connections=64, max_keepalive_connections=16))

    def invoke(self, target: Target, event: dict[str, Any]) -> Any:
        if not target.secret:
            raise HookUnavailable("WebhookSecretMissing", invoker=self.kind)
        deadline = time.monotonic() + target.timeout
        body = dumps_compact(event)
        headers = {"Content-Type": "application/json", **signed_headers(target.secret, body, now=self._clock())}
        try:
            with self._client.stream("POST", target.arn, content=body, headers=headers,
                                     timeout=httpx.Timeout(target.timeout)) as response:
                answer = read_bounded(response.iter_bytes(), deadline, invoker=self.kind)
                status = response.status_code
        except httpx.TimeoutException:
            raise HookTimeout(invoker=self.kind) from None
        except httpx.HTTPError as exc:
            raise HookUnavailable(type(exc).__name__, invoker=self.kind) from None
        if status == 200:
            return parse_json(answer, invoker=self.kind)
        if 400 <= status < 500:
            message = error_message(answer)
            if message is not None:
                raise HookRejected(message, invoker=self.kind)
        raise HookUnavailable(f"HTTP{status}", invoker=self.kind)

    def close(self) -> None:
        self._client.close()
