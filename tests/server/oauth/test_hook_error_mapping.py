"""Pre-token hook failures on the OAuth endpoints: a refusal is access_denied, a failure server_error."""

from __future__ import annotations

from authpool.server.hooks.errors import HookRejected, HookTimeout, InvalidHookResponse
from authpool.server.oauth.errors import AccessDenied, ServerError, as_oauth_error


def test_hook_refusal_is_access_denied_with_the_handlers_message():
    err = as_oauth_error(HookRejected("tenant suspended"))
    assert isinstance(err, AccessDenied) and err.error == "access_denied"
    assert "tenant suspended" in err.description


def test_hook_failures_are_server_errors_without_detail():
    for exc in (HookTimeout(), InvalidHookResponse()):
        err = as_oauth_error(exc)
        assert isinstance(err, ServerError) and err.status == 500
        assert "pre-token hook" in err.description


def test_aws_client_metadata_is_a_bounded_json_object_of_strings():
    import pytest

    from authpool.server.oauth.errors import InvalidRequest
    from authpool.server.oauth.grants.common import client_metadata

    assert client_metadata({}) == {}
    assert client_metadata({"aws_client_metadata": '{"env": "dev"}'}) == {"env": "dev"}
    for bad in ('{"n": 1}', "[]", "not json", '{"k": "' + "x" * 5000 + '"}'):
        with pytest.raises(InvalidRequest):
            client_metadata({"aws_client_metadata": bad})
