"""One Amplify JS v6 app session (tests/interop/amplify/amplify_app.mjs in Node) driven from a test: each
call sends one request line and waits for its answer line, so the test can act between two calls
(read a code from the outbox, check a token with boto3) while Amplify keeps its signed-in state."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import tempfile
import threading
from pathlib import Path
from typing import Any

AMPLIFY_DIR = Path(__file__).parent / "amplify"
ANSWER_TIMEOUT = 60.0


class AmplifyError(Exception):
    """What an Amplify API threw: ``name`` is the Cognito error type (or Amplify's own), as apps see it."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"{name}: {message}")
        self.name, self.message = name, message


class AmplifyApp:
    """``Amplify.configure`` with the pool's ``userPoolEndpoint``, then ``call(op, **input)``."""

    def __init__(self, node: str, *, endpoint: str, pool_id: str, client_id: str) -> None:
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the process; close()
        self._process = subprocess.Popen(
            [node, str(AMPLIFY_DIR / "amplify_app.mjs")], cwd=AMPLIFY_DIR, stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=self._stderr, text=True, env={**os.environ, "NODE_NO_WARNINGS": "1"})
        self._answers: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()
        self.call("configure", endpoint=endpoint, poolId=pool_id, clientId=client_id)

    def _pump(self) -> None:
        for line in self._process.stdout:
            self._answers.put(line)
        self._answers.put(None)

    def call(self, op: str, **input: Any) -> Any:
        """The API's resolved value; raises AmplifyError with the name and message it rejected with."""
        self._process.stdin.write(json.dumps({"op": op, "input": input or None}) + "\n")
        self._process.stdin.flush()
        try:
            line = self._answers.get(timeout=ANSWER_TIMEOUT)
        except queue.Empty:
            raise AssertionError(f"Amplify did not answer {op} in {ANSWER_TIMEOUT} s:\n{self.stderr()}") from None
        if line is None:
            raise AssertionError(f"the Amplify process ended during {op}:\n{self.stderr()}")
        answer = json.loads(line)
        if not answer["ok"]:
            raise AmplifyError(answer["name"], answer["message"])
        return answer["value"]

    def stderr(self) -> str:
        self._stderr.seek(0)
        return self._stderr.read().decode(errors="replace")

    def close(self) -> None:
        if self._process.poll() is None:
            self._process.stdin.close()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._stderr.close()
