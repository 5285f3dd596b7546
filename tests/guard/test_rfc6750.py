"""RFC 6750: reading the bearer token from a request, and rendering every guard error in one place."""

from __future__ import annotations

import inspect

import pytest

import authpool.guard.errors as errors_module
from authpool.guard import (
    InsufficientScope,
    InvalidRequest,
    JwksUnavailable,
    MissingToken,
    TokenError,
    TokenExpired,
    WrongTokenType,
    rfc6750,
)

JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln"


class TestBearerToken:
    @pytest.mark.parametrize("header", [f"Bearer {JWT}", f"bearer {JWT}", f"BEARER   {JWT}", f" Bearer {JWT} "])
    def test_scheme_is_case_insensitive(self, header):
        assert rfc6750.bearer_token([header]) == JWT

    def test_b64token_syntax(self):
        assert rfc6750.bearer_token(["Bearer abc~+/=="]) == "abc~+/=="

    @pytest.mark.parametrize("headers", [[], ["Basic dXNlcjpwYXNz"], ["Token abc"], ["Bearerabc"]])
    def test_no_bearer_credentials(self, headers):
        with pytest.raises(MissingToken):
            rfc6750.bearer_token(headers)

    @pytest.mark.parametrize("headers", [["Bearer"], ["Bearer "], [f"Bearer {JWT} {JWT}"], ["Bearer a,b"],
                                         ['Bearer "abc"'], ["Bearer ab=c"], [f"Bearer {JWT}", f"Bearer {JWT}"]])
    def test_malformed(self, headers):
        with pytest.raises(InvalidRequest) as e:
            rfc6750.bearer_token(headers)
        assert e.value.status == 400 and e.value.error == "invalid_request"

    def test_query_token_only_when_enabled(self):
        with pytest.raises(InvalidRequest) as e:
            rfc6750.bearer_token([], [JWT])
        assert "Authorization header" in e.value.description
        assert rfc6750.bearer_token([], [JWT], allow_query=True) == JWT
        with pytest.raises(InvalidRequest):
            rfc6750.bearer_token([], [JWT, JWT], allow_query=True)
        with pytest.raises(InvalidRequest):  # one method per request (RFC 6750 §2)
            rfc6750.bearer_token([f"Bearer {JWT}"], [JWT], allow_query=True)
        assert rfc6750.bearer_token(["Basic x"], [JWT], allow_query=True) == JWT


class TestRender:
    def test_invalid_token(self):
        status, headers, body = rfc6750.render(TokenExpired("expired at 5"), realm="api")
        assert status == 401
        assert headers["WWW-Authenticate"] == ('Bearer realm="api", error="invalid_token", '
                                               'error_description="the access token has expired"')
        assert body == {"error": "invalid_token", "error_description": "the access token has expired"}
        assert headers["Cache-Control"] == "no-store"

    def test_insufficient_scope_names_the_scope(self):
        status, headers, body = rfc6750.render(InsufficientScope(expected={"b/write", "a/read"}))
        assert status == 403
        assert headers["WWW-Authenticate"].endswith('scope="a/read b/write"')
        assert body["scope"] == "a/read b/write" and body["error"] == "insufficient_scope"

    def test_missing_token_has_no_error_code(self):
        status, headers, body = rfc6750.render(MissingToken())
        assert (status, headers["WWW-Authenticate"]) == (401, "Bearer")
        assert "error" not in body

    def test_invalid_request(self):
        status, headers, _ = rfc6750.render(InvalidRequest())
        assert status == 400 and 'error="invalid_request"' in headers["WWW-Authenticate"]

    def test_jwks_unavailable_is_503(self):
        status, headers, _ = rfc6750.render(JwksUnavailable("connect refused"))
        assert status == 503 and headers["Retry-After"]

    def test_id_token_description(self):
        _, headers, body = rfc6750.render(WrongTokenType(id_token=True))
        assert "an ID token was presented where an access token is required" in body["error_description"]
        assert "ID token" in headers["WWW-Authenticate"]

    def test_attribute_values_are_sanitised(self):
        header = rfc6750.challenge(TokenExpired(description='bad "quote" \\ and \n newline'), realm='r"')
        assert '\\' not in header and "\n" not in header
        assert header.count('"') == 6

    def test_every_error_class_renders_safely(self):
        classes = [c for _, c in inspect.getmembers(errors_module, inspect.isclass) if issubclass(c, TokenError)]
        assert len(classes) >= 24
        codes = set()
        for cls in classes:
            err = cls("detail with a token eyJhbGciOi.eyJzdWIi.c2ln")
            status, headers, body = rfc6750.render(err)
            assert status in (400, 401, 403, 503)
            assert "eyJ" not in headers["WWW-Authenticate"] and "eyJ" not in str(body)
            codes.add(cls.code)
        assert len(codes) == len(classes), "every class has its own machine code"
