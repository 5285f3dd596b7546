"""authpool.server.cognito.sigv4: the AWS SigV4 test suite's vectors, botocore's own signatures,
and every refusal (missing, malformed, unknown key, wrong secret, stale or future date, tampering)."""

from __future__ import annotations

import datetime
import json
from unittest import mock

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from authpool.server.admin_credentials import AdminCredentials
from authpool.server.cognito.errors import CognitoError
from authpool.server.cognito.sigv4 import SignedRequest, canonical_request, signature, verify

# The AWS SigV4 test suite (aws-sig-v4-test-suite): credentials, date and published signatures.
SUITE_SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
SUITE_DATE = "20150830T123600Z"
SUITE_HEADERS = [("Host", "example.amazonaws.com"), ("X-Amz-Date", SUITE_DATE)]
ADMIN = AdminCredentials("AKIAADMINADMINADMIN1", "admin-secret-" + "x" * 27)
HOST = "127.0.0.1:8123"
NOW = datetime.datetime(2026, 11, 27, 12, 0, 0, tzinfo=datetime.UTC)


@pytest.mark.parametrize(("method", "query", "headers", "expected"), [
    ("GET", "", [], "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),  # get-vanilla
    ("POST", "", [], "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"),  # post-vanilla
    ("GET", "Param2=value2&Param1=value1", [],  # get-vanilla-query-order-key-case
     "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"),
    ("POST", "Param1=value1", [],  # post-vanilla-empty-query-value
     "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11"),
    ("POST", "", [("My-Header1", "VALUE1")],  # post-header-value-case
     "cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d"),
])
def test_aws_test_suite_vectors(method, query, headers, expected):
    req = SignedRequest(method=method, path="/", query=query, headers=SUITE_HEADERS + headers, body=b"")
    signed = sorted(["host", "x-amz-date", *(k.lower() for k, _ in headers)])
    assert signature(req, signed_headers=signed, secret=SUITE_SECRET, amz_date=SUITE_DATE, region="us-east-1",
                     service="service") == expected


def test_post_vanilla_canonical_request():
    req = SignedRequest(method="POST", path="/", query="", headers=SUITE_HEADERS, body=b"")
    assert canonical_request(req, ["host", "x-amz-date"],
                             "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855") == (
        "POST\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n"
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")


def botocore_signed(body: dict | bytes = b"{}", *, operation="ListUserPools", key_id=ADMIN.access_key_id,
                    secret=ADMIN.secret_access_key, when=NOW, region="us-east-1", service="cognito-idp"):
    """A request signed by botocore itself, as boto3 sends it (botocore's clock pinned to ``when``)."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = AWSRequest(method="POST", url=f"http://{HOST}/", data=data, headers={
        "X-Amz-Target": f"AWSCognitoIdentityProviderService.{operation}",
        "Content-Type": "application/x-amz-json-1.1"})
    signer = SigV4Auth(Credentials(key_id, secret), service, region)
    with mock.patch("botocore.auth.get_current_datetime", return_value=when.replace(tzinfo=None)):
        signer.add_auth(request)
    headers = [("host", HOST)] + [(k, v) for k, v in request.headers.items()]
    return SignedRequest(method="POST", path="/", query="", headers=headers, body=data)


def refused(req: SignedRequest, *, now=NOW) -> CognitoError:
    with pytest.raises(CognitoError) as excinfo:
        verify(req, ADMIN, now=now.timestamp())
    assert excinfo.value.status == 400
    return excinfo.value


def _replace(req: SignedRequest, name: str, value: str | None) -> SignedRequest:
    headers = [(k, v) for k, v in req.headers if k.lower() != name]
    if value is not None:
        headers.append((name, value))
    return SignedRequest(req.method, req.path, req.query, headers, req.body)


def test_botocore_signatures_verify():
    verify(botocore_signed({"MaxResults": 10}), ADMIN, now=NOW.timestamp())
    verify(botocore_signed(region="eu-west-3"), ADMIN, now=NOW.timestamp())  # any region the client picked
    verify(botocore_signed(), ADMIN, now=NOW.timestamp() + 299)


def test_missing_and_malformed_authorization():
    req = botocore_signed()
    assert refused(_replace(req, "authorization", None)).type == "MissingAuthenticationTokenException"
    malformed = (
        "Bearer x",
        "AWS4-HMAC-SHA256 Credential=a",
        "AWS4-HMAC-SHA256 Credential=a/b/c/d/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, Signature=zz",
        "AWS4-HMAC-SHA256 Credential=a/b/c/d/aws4_request, SignedHeaders=x-amz-date;host;x-amz-target, Signature="
        + "0" * 64,  # signed headers not sorted
    )
    for value in malformed:
        assert refused(_replace(req, "authorization", value)).type == "IncompleteSignatureException"


def test_required_signed_headers():
    req = botocore_signed()
    auth = req.header("authorization")
    for without in ("host;", "x-amz-target"):
        changed = auth.replace(without, "").replace(";,", ",").replace(";;", ";")
        error = refused(_replace(req, "authorization", changed))
        assert error.type == "IncompleteSignatureException" and "SignedHeaders must include" in error.message


def test_unknown_key_and_wrong_secret():
    assert refused(botocore_signed(key_id="AKIASOMEONEELSE00000")).type == "UnrecognizedClientException"
    error = refused(botocore_signed(secret="not-the-secret"))
    assert error.type == "InvalidSignatureException" and "does not match" in error.message


@pytest.mark.parametrize("skew", [-301, 301, -86400])
def test_stale_or_future_dates(skew):
    error = refused(botocore_signed(when=NOW + datetime.timedelta(seconds=skew)))
    assert error.type == "InvalidSignatureException" and "5 minutes" in error.message


def test_wrong_service_scope():
    assert refused(botocore_signed(service="s3")).type == "InvalidSignatureException"


@pytest.mark.parametrize("change", ["body", "target", "host", "date", "query"])
def test_tampering_breaks_the_signature(change):
    req = botocore_signed({"MaxResults": 10})
    if change == "body":
        req = SignedRequest(req.method, req.path, req.query, req.headers, b'{"MaxResults": 60}')
    elif change == "target":
        req = _replace(req, "x-amz-target", "AWSCognitoIdentityProviderService.DeleteUserPool")
    elif change == "host":
        req = _replace(req, "host", "evil.example")
    elif change == "date":
        req = _replace(req, "x-amz-date", (NOW + datetime.timedelta(seconds=1)).strftime("%Y%m%dT%H%M%SZ"))
    else:
        req = SignedRequest(req.method, req.path, "a=b", req.headers, req.body)
    assert refused(req).type == "InvalidSignatureException"


def test_content_sha256_must_match_the_body():
    req = _replace(botocore_signed(), "x-amz-content-sha256", "0" * 64)
    assert "x-amz-content-sha256" in refused(req).message
