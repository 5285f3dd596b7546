"""Serve any Cognito-style pre-token handler as an authpool webhook (standard library only).

    AUTHPOOL_HOOK_SECRET=<secret from `authpool hooks set`> \\
        python examples/hooks/webhook_server.py examples.hooks.group_scope:handler --port 9000

then ``authpool hooks set --pool <id> --arn http://127.0.0.1:9000/``. Each POST is checked before the
handler sees it: the body size, the ``X-Authpool-Signature`` (HMAC-SHA256 of ``timestamp + "." +
body`` with the pool's secret) and the timestamp's age (5 minutes). The handler's answer is returned
as JSON; an exception becomes ``400 {"errorMessage": ...}``, which authpool turns into a refused
sign-in carrying that message (Cognito's ``UserLambdaValidationException``).
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import importlib
import json
import os
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_BODY = 1024 * 1024
TOLERANCE = 300


def signature_ok(secret: bytes, headers, body: bytes, now: float) -> bool:
    timestamp = headers.get("X-Authpool-Timestamp", "")
    given = headers.get("X-Authpool-Signature", "")
    if not timestamp.isdigit() or abs(now - int(timestamp)) > TOLERANCE:
        return False
    expected = "v1=" + hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(given.encode("ascii", "replace"), expected.encode("ascii"))


def make_server(handler, secret: bytes, host: str = "127.0.0.1", port: int = 0, *,
                clock=time.time) -> ThreadingHTTPServer:
    """A server calling ``handler(event, None)``; ``server.secret`` may be changed while it runs."""

    class Webhook(BaseHTTPRequestHandler):
        def reply(self, status: int, value) -> None:
            body = json.dumps(value).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                return self.reply(413, {"message": "too large"})
            body = self.rfile.read(length)
            if not signature_ok(server.secret, self.headers, body, clock()):
                return self.reply(401, {"message": "bad signature"})
            try:
                return self.reply(200, handler(json.loads(body), None))
            except Exception as exc:  # noqa: BLE001 - the handler refuses: authpool shows the message to the caller
                return self.reply(400, {"errorMessage": str(exc), "errorType": type(exc).__name__})

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer((host, port), Webhook)
    server.secret = secret
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("handler", help="module:function, e.g. examples.hooks.group_scope:handler")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9000)
    args = parser.parse_args()
    module, _, name = args.handler.partition(":")
    handler = getattr(importlib.import_module(module), name)
    make_server(handler, os.environ["AUTHPOOL_HOOK_SECRET"].encode(), args.host, args.port).serve_forever()


if __name__ == "__main__":
    main()
