"""JSON logs with request ids, and never a token, secret, password or PII.

Two layers keep secrets out: call sites log only ids and codes (never request bodies, headers or
query strings), and :class:`RedactingFilter` scrubs anything that still looks like a JWT, a bearer
credential or a ``password=``/``secret=``/``token=`` pair, in case a message slips through.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
import time

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("authpool_request_id", default=None)

_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*\.?[A-Za-z0-9_-]*")
_BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+")
_PAIR = re.compile(r"(?i)\b([a-z_]*(?:password|secret|token|code_verifier|code))(\"?\s*[:=]\s*\"?)([^\s\"&,}]+)")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
# What _PAIR needs to match, found without its costly leading \b[a-z_]* scan (ASCII text, lowercased).
_PAIR_HINT = re.compile(r'(?:password|secret|token|code_verifier|code)"?\s*[:=]')
_HEX_ID = re.compile(r"[0-9a-f]{32}")  # a request id the middleware made (os.urandom(16).hex())


def redact(text: str) -> str:
    """Replace credentials and e-mail addresses in ``text`` with markers.

    ASCII text (every access-log line) skips each pattern that cannot match: the same result at a
    tenth of the cost (25 us -> 3 us a line), which the access log pays on every request."""
    if not text.isascii():
        return _redact(text)
    lower = text.lower()
    if "eyj" in lower:
        text = _JWT.sub("[jwt]", text)
    if "bearer" in lower or "basic" in lower:
        text = _BEARER.sub(lambda m: f"{m.group(1)} [redacted]", text)
    if _PAIR_HINT.search(lower):
        text = _PAIR.sub(lambda m: f"{m.group(1)}{m.group(2)}[redacted]", text)
    if "@" in text:
        text = _EMAIL.sub("[email]", text)
    return text


def _redact(text: str) -> str:
    text = _JWT.sub("[jwt]", text)
    text = _BEARER.sub(lambda m: f"{m.group(1)} [redacted]", text)
    text = _PAIR.sub(lambda m: f"{m.group(1)}{m.group(2)}[redacted]", text)
    return _EMAIL.sub("[email]", text)


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


class JSONFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id and structured extras."""

    _STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "color_message"}
    _second: tuple[int, str] = (-1, "")  # the formatted time of the last second seen

    def time_of(self, second: int, msecs: int) -> str:
        if second != self._second[0]:
            self._second = (second, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second)))
        return f"{self._second[1]}.{msecs:03d}Z"

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.time_of(int(record.created), int(record.msecs)),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = request_id_var.get()
        if request_id:
            entry["request_id"] = request_id
        for key, value in vars(record).items():
            if key not in self._STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info and record.exc_info[0] is not None:
            entry["error_type"] = record.exc_info[0].__name__
            entry["traceback"] = redact(self.formatException(record.exc_info))
        return redact(json.dumps(entry, default=str, ensure_ascii=False))


class AccessLog:
    """The access log: one line a request (middleware.py). The same JSON object JSONFormatter writes for
    ``logger.info("request", extra={"method", "route", "status", "duration_ms"})``, key for key and in
    the same order, redacted the same way, through the same handler; but when ``logger``'s records go
    only to configure_logging's handler, the line is written without making a LogRecord and running it
    through the logging machinery, a third of the cost (bench/bench_token_endpoint.py). Anywhere else
    (tests capturing records, an application with its own logging set-up) it is ``logger.info``.

    The direct line is put together from pieces instead of ``json.dumps`` of a dict (8 us -> 3 us a
    line, bench/bench_token_endpoint.py): the part after the request id is dumped once per method,
    route and status, and ``redact`` is skipped where it cannot change anything (below)."""

    def __init__(self, logger: logging.Logger) -> None:
        self.logger = logger
        self._head = f'", "level": "info", "logger": {_json_str(logger.name)}, "message": "request"'
        self._tails: dict[tuple[str, str, int], tuple[str, bool]] = {}

    def write(self, method: str, route: str, status: int, duration_ms: float) -> None:
        logger = self.logger
        if not logger.isEnabledFor(logging.INFO):
            return
        handler = self._direct_handler()
        if handler is None or type(duration_ms) is not float or duration_ms - duration_ms != 0.0:  # nan, inf
            logger.info("request", extra={"method": method, "route": route, "status": status,
                                          "duration_ms": duration_ms})
            return
        now = time.time_ns()
        stamp = handler.formatter.time_of(now // 1_000_000_000, now % 1_000_000_000 // 1_000_000)
        tail, clean = self._tail(method, route, status)
        request_id = request_id_var.get()
        if not request_id:
            line = f'{{"time": "{stamp}{self._head}{tail}{duration_ms!r}}}'
        elif _HEX_ID.fullmatch(request_id):
            line = f'{{"time": "{stamp}{self._head}, "request_id": "{request_id}"{tail}{duration_ms!r}}}'
        else:  # chosen by the client
            clean = False
            line = f'{{"time": "{stamp}{self._head}, "request_id": {_json_str(request_id)}{tail}{duration_ms!r}}}'
        if not clean:
            line = redact(line)
        line += handler.terminator
        with handler.lock:  # StreamHandler.emit's write and flush, under the lock it holds
            stream = handler.stream
            stream.write(line)
            stream.flush()

    def _tail(self, method: str, route: str, status: int) -> tuple[str, bool]:
        """``, "method": .., "route": .., "status": .., "duration_ms": `` as json.dumps writes it, and
        whether it is clean: ``redact`` leaves a line of it, a time, a 32-hex-digit request id and a
        number as it is (no pattern can match across those: none of them holds a letter of "eyJ",
        "bearer", "basic", a ``:``/``=`` after a keyword, or an ``@``)."""
        key = (method, route, status)
        found = self._tails.get(key)
        if found is None:
            tail = json.dumps({"method": method, "route": route, "status": status}, default=str,
                              ensure_ascii=False)[1:-1]
            text = f", {tail}, \"duration_ms\": "
            sample = f'{{"time": "2000-01-01T00:00:00.000Z{self._head}, "request_id": "{"0" * 32}"{text}0.0}}'
            found = (text, redact(sample) == sample and "eyj" not in text.lower())
            if len(self._tails) < 1000:  # routes are templates; a flood of odd methods is not kept
                self._tails[key] = found
        return found

    def _direct_handler(self) -> logging.StreamHandler | None:
        """configure_logging's handler when it alone receives this logger's INFO records, else None."""
        logger: logging.Logger | None = self.logger
        if logger.disabled or logger.filters:
            return None
        while logger is not None and not logger.handlers and logger.propagate:
            logger = logger.parent
        if logger is None or len(logger.handlers) != 1 or logger.propagate:
            return None
        handler = logger.handlers[0]
        if (not getattr(handler, "_authpool_json", False) or handler.level > logging.INFO
                or not all(isinstance(f, RedactingFilter) for f in handler.filters)):
            return None
        return handler


def _json_str(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def configure_logging(level: str = "INFO", stream=None) -> None:
    """Route authpool's and uvicorn's logs through one JSON handler. uvicorn's own access log is
    turned off: it prints query strings, which can hold codes and tokens; ours does not.

    The process's log records skip what the JSON lines never show (the caller's file and line, thread
    and process names): the logging HOWTO's "Optimization" switches, since a server logs every request."""
    logging._srcfile = None
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JSONFormatter())
    handler.addFilter(RedactingFilter())
    handler._authpool_json = True  # AccessLog may write to it directly
    for name in ("authpool", "uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(level.upper())
        logger.propagate = False
    logging.getLogger("uvicorn.access").disabled = True
