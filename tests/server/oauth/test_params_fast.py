"""oauth/params.py parses every token request without urllib's per-field calls; it must read exactly
what ``urllib.parse.parse_qsl`` reads, and client authentication must unquote as ``unquote_plus``."""

from __future__ import annotations

import random
import urllib.parse

import pytest

from authpool.server.oauth import clientauth
from authpool.server.oauth.params import MAX_FIELDS, parse_qsl

PIECES = ["grant_type", "client_credentials", "scope", "https%3A%2F%2Fapi.example%2Fread", "a+b", "%20", "%2B",
          "+", "=", "==", "&", "&&", "%", "%zz", "%e2%82%ac", "%ff", "é", "x", "", " ", ";", "%3D", "%26"]


def reference(text: str):
    try:
        return urllib.parse.parse_qsl(text, keep_blank_values=True, strict_parsing=False, max_num_fields=MAX_FIELDS,
                                      encoding="utf-8", errors="strict")
    except (ValueError, UnicodeDecodeError) as exc:
        return type(exc)


def ours(text: str):
    try:
        return parse_qsl(text)
    except (ValueError, UnicodeDecodeError) as exc:
        return type(exc)


def test_same_as_parse_qsl_on_random_forms():
    rng = random.Random(9)
    for _ in range(20_000):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 14)))
        assert ours(text) == reference(text), text


@pytest.mark.parametrize("fields", [MAX_FIELDS - 1, MAX_FIELDS, MAX_FIELDS + 1])
def test_same_field_bound(fields):
    text = "&".join(f"f{i}=v" for i in range(fields))
    assert ours(text) == reference(text)
    assert ours("&" * fields) == reference("&" * fields)


def test_basic_credentials_unquote_as_unquote_plus():
    import base64

    for raw in ["plain", "a+b", "a%2Bb", "%3A", "caf%C3%A9", "+%20+", "%", "%zz"]:
        header = "Basic " + base64.b64encode(f"{raw}:{raw}+s".encode()).decode()
        assert clientauth.basic_credentials(header) == (urllib.parse.unquote_plus(raw),
                                                        urllib.parse.unquote_plus(raw + "+s"))


def test_remembered_forms_are_parse_form_and_never_keep_a_secret():
    """params.parse_remembered_form (the token endpoint's reader) answers as parse_form, and keeps only
    bodies made of non-secret parameters, each handed out as a fresh dict."""
    from authpool.server.oauth import params
    from authpool.server.oauth.errors import InvalidRequest

    params._remembered.clear()
    rng = random.Random(11)
    names = ["grant_type", "scope", "resource", "client_id", "client_secret", "code", "refresh_token", "password"]
    values = ["client_credentials", "https%3A%2F%2Fapi.example%2Fread", "a+b", "", "s3cr3t", "%zz", "%ff"]
    for _ in range(3000):
        body = "&".join(f"{rng.choice(names)}={rng.choice(values)}" for _ in range(rng.randint(0, 4))).encode()
        for _ in range(2):  # the second time from memory where it was kept
            try:
                expected = params.parse_form(body)
            except InvalidRequest as exc:
                expected = ("error", exc.description)
            try:
                got = params.parse_remembered_form(body)
            except InvalidRequest as exc:
                got = ("error", exc.description)
            assert got == expected, body
            if isinstance(got, dict):
                got["scope"] = "changed"  # a caller's change is not remembered
    assert params._remembered and len(params._remembered) <= params.MAX_REMEMBERED_BODIES
    for body, kept in params._remembered.items():
        assert kept == params.parse_form(body)
        sent = {name for name, value in parse_qsl(body.decode()) if value}
        assert sent <= params.REMEMBERED_NAMES, body  # no secret, code or token is ever kept
