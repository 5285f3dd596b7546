"""``arn:aws:lambda:...`` hooks, invoked through boto3 (the ``[aws]`` extra) as Cognito invokes them:
synchronously (``InvocationType=RequestResponse``), the event as the payload.

Credentials and endpoint come from boto3's usual chain (environment, shared config, instance
role; ``AWS_ENDPOINT_URL_LAMBDA`` points it at a local emulator). No retries: Cognito retries a
timed-out function up to three times within its 5 s, which authpool leaves to the function. A
function error (``FunctionError`` set, payload ``{"errorMessage": ...}``) refuses the sign-in with the
function's message; AWS errors (not found, access denied, throttling) make the hook unavailable.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from ....jose.jsonutil import dumps_compact
from ..config import lambda_region
from ..errors import HookRejected, HookTimeout, HookUnavailable, InvalidHookResponse
from .base import MAX_RESPONSE_BYTES, Target
from .webhook import error_message, parse_json


class LambdaInvoker:
    kind = "lambda"

    def __init__(self, *, endpoint_url: str | None = None) -> None:
        self._endpoint_url = endpoint_url
        self._clients: dict[tuple[str, float], Any] = {}
        self._lock = threading.Lock()

    def _client(self, region: str, timeout: float):
        key = (region, timeout)
        client = self._clients.get(key)
        if client is None:
            try:
                import boto3
                from botocore.config import Config
            except ImportError:
                raise HookUnavailable("AwsExtraNotInstalled", invoker=self.kind) from None
            config = Config(connect_timeout=timeout, read_timeout=timeout, retries={"total_max_attempts": 1})
            client = boto3.session.Session().client("lambda", region_name=region, endpoint_url=self._endpoint_url,
                                                    config=config)
            with self._lock:
                self._clients[key] = client
        return client

    def invoke(self, target: Target, event: dict[str, Any]) -> Any:
        client = self._client(lambda_region(target.arn), target.timeout)  # first: it reports a missing boto3
        from botocore.exceptions import BotoCoreError, ClientError, ConnectTimeoutError, ReadTimeoutError

        started = time.monotonic()
        try:
            result = client.invoke(FunctionName=target.arn, InvocationType="RequestResponse",
                                   Payload=dumps_compact(event))
            payload = result["Payload"].read(MAX_RESPONSE_BYTES + 1)
        except (ReadTimeoutError, ConnectTimeoutError):
            raise HookTimeout(invoker=self.kind) from None
        except ClientError as exc:
            raise HookUnavailable(str(exc.response.get("Error", {}).get("Code") or "ClientError"),
                                  invoker=self.kind) from None
        except BotoCoreError as exc:
            raise HookUnavailable(type(exc).__name__, invoker=self.kind) from None
        if time.monotonic() - started > target.timeout:
            raise HookTimeout(invoker=self.kind)
        if len(payload) > MAX_RESPONSE_BYTES:
            raise InvalidHookResponse("Unrecognizable lambda output: the response is too large.", invoker=self.kind)
        if result.get("FunctionError"):
            raise HookRejected(error_message(payload) or result["FunctionError"], invoker=self.kind)
        return parse_json(payload, invoker=self.kind)

    def close(self) -> None:
        with self._lock:
            clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            client.close()
