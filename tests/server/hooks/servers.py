"""Real HTTP servers on 127.0.0.1 for the webhook and Lambda invokers (stdlib http.server, a thread).

``HookServer.respond`` decides each answer from the request: ``(status, headers, body)``. The Lambda
server speaks the part of the AWS Lambda Invoke REST API boto3 uses
(``POST /2015-03-31/functions/<name>/invocations``; ``X-Amz-Function-Error`` on a function error).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: bytes


Responder = Callable[[Request], tuple[int, dict[str, str], bytes | list[bytes]]]


def echo(request: Request) -> tuple[int, dict[str, str], bytes]:
    return 200, {"Content-Type": "application/json"}, request.body


@dataclass
class HookServer:
    respond: Responder = echo
    requests: list[Request] = field(default_factory=list)

    def start(self) -> HookServer:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                request = Request(self.path, {k: v for k, v in self.headers.items()}, body)
                owner.requests.append(request)
                status, headers, answer = owner.respond(request)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                chunks = answer if isinstance(answer, list) else [answer]  # a list: sent slowly, chunk by chunk
                self.send_header("Content-Length", str(sum(len(c) for c in chunks)))
                self.end_headers()
                try:
                    for i, chunk in enumerate(chunks):
                        if i:
                            time.sleep(0.1)
                        self.wfile.write(chunk)
                        self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def lambda_api(functions: dict[str, Callable[[dict], dict]]) -> Responder:
    """A Responder acting as the Lambda Invoke API for ``functions`` (name -> handler(event))."""

    def respond(request: Request) -> tuple[int, dict[str, str], bytes]:
        parts = request.path.split("/")  # /2015-03-31/functions/<name or ARN>/invocations
        name = parts[3].rsplit(":", 1)[-1] if len(parts) > 4 else ""
        handler = functions.get(name.replace("%3A", ":").rsplit(":", 1)[-1])
        if handler is None:
            body = {"Type": "User", "message": "Function not found", "__type": "ResourceNotFoundException"}
            return 404, {"x-amzn-ErrorType": "ResourceNotFoundException"}, json.dumps(body).encode()
        try:
            result = handler(json.loads(request.body))
        except Exception as exc:  # noqa: BLE001 - a function error, as Lambda reports it
            error = {"errorMessage": str(exc), "errorType": type(exc).__name__, "stackTrace": ["line 1"]}
            return 200, {"X-Amz-Function-Error": "Unhandled", "X-Amz-Executed-Version": "$LATEST"}, \
                json.dumps(error).encode()
        return 200, {"X-Amz-Executed-Version": "$LATEST"}, json.dumps(result).encode()

    return respond
