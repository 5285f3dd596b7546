"""JSON logs: structure, request ids, and the redaction safety net (authpool/server/logs.py)."""

from __future__ import annotations

import io
import json
import logging

import pytest

from authpool.server.logs import configure_logging, redact, request_id_var

JWT = "eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl"


@pytest.mark.parametrize("text,leak", [
    (f"token is {JWT}", JWT),
    ("Authorization: Bearer abc.def.ghi", "abc.def.ghi"),
    ("Authorization: Basic dXNlcjpwYXNz", "dXNlcjpwYXNz"),
    ("password=hunter2 rest", "hunter2"),
    ('{"client_secret": "s3cr3t-value"}', "s3cr3t-value"),
    ("refresh_token=opaqueOPAQUEopaque", "opaqueOPAQUEopaque"),
    ("code=SplxlOBeZQQYbYS6WxSbIA&state=x", "SplxlOBeZQQYbYS6WxSbIA"),
    ("user alice@example.com failed", "alice@example.com"),
])
def test_redact_removes_credentials_and_emails(text, leak):
    assert leak not in redact(text)


def test_log_lines_are_json_with_request_id_and_no_secrets():
    stream = io.StringIO()
    configure_logging("INFO", stream=stream)
    log = logging.getLogger("authpool.test")
    token = request_id_var.set("req-1")
    try:
        log.info("issued %s to %s", JWT, "bob@example.com", extra={"client_id": "c1"})
        try:
            raise ValueError(f"bad token {JWT}")
        except ValueError:
            log.exception("failed")
    finally:
        request_id_var.reset(token)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert lines[0]["request_id"] == "req-1" and lines[0]["client_id"] == "c1"
    assert lines[0]["level"] == "info" and lines[0]["logger"] == "authpool.test"
    assert lines[1]["error_type"] == "ValueError"
    assert JWT not in stream.getvalue() and "bob@example.com" not in stream.getvalue()


def test_redact_fast_path_gives_the_full_result():
    """redact() skips patterns that cannot match (ASCII text); on any mix of the patterns' pieces it
    must answer exactly as running every pattern does."""
    import random

    from authpool.server.logs import _redact

    pieces = ["password", "PassWord", "secret", "client_secret", "token", "Token", "refresh_token", "code",
              "code_verifier", "x9token", "=", ":", '"', " ", "  ", "\t", "&", ",", "}", "{", "Bearer", "basic",
              "BASIC", "abc", "QWxh", JWT, "eyJ", "eYj", "alice@example.com", "@", ".", "/", "-", "é", "ſecret"]
    rng = random.Random(1234)
    for _ in range(5000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 12)))
        assert redact(text) == _redact(text), text


def test_access_log_lines_are_what_logger_info_would_write():
    """AccessLog writes straight to configure_logging's handler: same keys, order, values, redaction."""
    from authpool.server.logs import AccessLog

    stream = io.StringIO()
    configure_logging("INFO", stream=stream)
    logger = logging.getLogger("authpool.http")
    token = request_id_var.set("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln")  # a client-chosen id that is a JWT
    try:
        AccessLog(logger).write("POST", "/{pool_id}/oauth2/token", 200, 0.42)
        logger.info("request", extra={"method": "POST", "route": "/{pool_id}/oauth2/token", "status": 200,
                                      "duration_ms": 0.42})
    finally:
        request_id_var.reset(token)
    direct, through_logging = stream.getvalue().splitlines()
    assert direct.split(", ", 1)[1] == through_logging.split(", ", 1)[1]  # all but the time
    assert list(json.loads(direct)) == ["time", "level", "logger", "message", "request_id", "method", "route",
                                        "status", "duration_ms"]
    assert "eyJ" not in direct


def test_access_log_goes_through_logging_where_logging_is_set_up_otherwise(caplog):
    from authpool.server.logs import AccessLog

    logger = logging.getLogger("embedding-app.access")  # not under configure_logging's "authpool" logger
    with caplog.at_level(logging.INFO, logger="embedding-app.access"):
        AccessLog(logger).write("GET", "/health", 200, 1.0)
    assert [(r.message, r.route, r.status) for r in caplog.records] == [("request", "/health", 200)]


def test_access_log_direct_lines_match_logging_for_any_fields():
    """The direct line is assembled from pieces and skips redact() for a 32-hex-digit request id; over
    request ids (made, client-chosen, JWT-like, none), methods, routes, statuses and durations it must
    be exactly what logger.info writes, time aside."""
    import random

    from authpool.server.logs import AccessLog

    stream = io.StringIO()
    configure_logging("INFO", stream=stream)
    logger = logging.getLogger("authpool.http")
    access = AccessLog(logger)
    rng = random.Random(99)
    ids = [None, "", "0123456789abcdef0123456789abcdef", "abc-123", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln",
           "eyJhbGciOiJ9", "0123456789ABCDEF0123456789ABCDEF", "basic", "token", "code_verifier", "a.b_c-d"]
    methods = ["POST", "GET", "DELETE", "PATCH", "password=x", "token:", "bearer x", "é"]
    routes = ["/{pool_id}/oauth2/token", "/health", "unmatched", "/x/code", "/secret=1", "/mail@example.com",
              '/q"uote', "/basic abc", "/ünïcode"]
    statuses = [200, 400, 401, 404, 413, 500]
    durations = [0.0, 0.42, 1.5, 12.34, 1e-05, 123456.78, 3.0]
    for _ in range(400):
        fields = (rng.choice(methods), rng.choice(routes), rng.choice(statuses), rng.choice(durations))
        token = request_id_var.set(rng.choice(ids))
        try:
            access.write(*fields)
            logger.info("request", extra=dict(zip(("method", "route", "status", "duration_ms"), fields)))
        finally:
            request_id_var.reset(token)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 800
    for direct, through_logging in zip(lines[::2], lines[1::2]):
        assert direct.split(", ", 1)[1] == through_logging.split(", ", 1)[1]
        assert direct.split(", ", 1)[0][:10] == through_logging.split(", ", 1)[0][:10]
