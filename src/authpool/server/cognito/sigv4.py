"""AWS Signature Version 4 verification for the Cognito API's admin operations.

The admin operations (every ``Admin*`` and pool/client/group/resource-server management call) are
SigV4-signed with the admin key pair (DESIGN.md contracts; COGNITO.md §4.1). The check follows the
AWS General Reference, "Signature Version 4 signing process" (create a canonical request, create
the string to sign, derive the signing key, compute the signature):

    CanonicalRequest = Method \\n CanonicalURI \\n CanonicalQuery \\n CanonicalHeaders \\n
                       SignedHeaders \\n hex(SHA256(body))
    StringToSign     = "AWS4-HMAC-SHA256" \\n X-Amz-Date \\n Scope \\n hex(SHA256(CanonicalRequest))
    SigningKey       = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, yyyymmdd), region), "cognito-idp"), "aws4_request")

Rules enforced: the ``Authorization`` header names ``AWS4-HMAC-SHA256``, a credential scoped to
``<date>/<region>/cognito-idp/aws4_request`` whose date is the date of ``X-Amz-Date``; the signed
headers include ``host``, ``x-amz-date`` and ``x-amz-target`` (so the operation cannot be swapped);
``X-Amz-Date`` is within 5 minutes of the server clock; a given ``X-Amz-Content-SHA256`` matches
the body; the signature is compared in constant time (``hmac.compare_digest``). Refusals use AWS's
common error types (``MissingAuthenticationTokenException``, ``IncompleteSignatureException``,
``UnrecognizedClientException``, ``InvalidSignatureException``), HTTP 400 as Cognito sends them.
Presigned URLs (the signature in the query string) are not accepted.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote

from ..admin_credentials import AdminCredentials
from .errors import CognitoError

ALGORITHM = "AWS4-HMAC-SHA256"
SERVICE = "cognito-idp"
MAX_SKEW_SECONDS = 300
REQUIRED_SIGNED_HEADERS = frozenset({"host", "x-amz-date", "x-amz-target"})
_AMZ_DATE = "%Y%m%dT%H%M%SZ"
_HEX64 = re.compile(r"[0-9a-f]{64}")
_REGION = re.compile(r"[a-z0-9-]{1,32}")
_SPACES = re.compile(r"\s+")
MISMATCH = ("The request signature we calculated does not match the signature you provided. Check your AWS "
            "Secret Access Key and signing method. Consult the service documentation for details.")


@dataclass(frozen=True, slots=True)
class SignedRequest:
    method: str
    path: str
    query: str
    headers: list[tuple[str, str]]  # as received (names any case, repeats allowed)
    body: bytes

    def header(self, name: str) -> str | None:
        values = [v for k, v in self.headers if k.lower() == name]
        return ",".join(values) if values else None


def _incomplete(message: str) -> CognitoError:
    return CognitoError("IncompleteSignatureException", message)


def _invalid(message: str) -> CognitoError:
    return CognitoError("InvalidSignatureException", message)


def parse_authorization(value: str) -> tuple[list[str], list[str], str]:
    """``(credential parts, signed header names, signature)`` of an ``Authorization`` header."""
    if not value.startswith(ALGORITHM + " "):
        raise _incomplete(f"Authorization header requires the '{ALGORITHM}' algorithm.")
    fields: dict[str, str] = {}
    for part in value[len(ALGORITHM) + 1:].split(","):
        key, sep, val = part.strip().partition("=")
        if not sep or key in fields:
            raise _incomplete("Authorization header is malformed.")
        fields[key] = val
    if set(fields) != {"Credential", "SignedHeaders", "Signature"}:
        raise _incomplete("Authorization header requires 'Credential', 'SignedHeaders' and 'Signature'.")
    credential = fields["Credential"].split("/")
    signed = fields["SignedHeaders"].split(";")
    if len(credential) != 5 or credential[4] != "aws4_request" or not _HEX64.fullmatch(fields["Signature"]):
        raise _incomplete("Authorization header is malformed.")
    if signed != sorted(set(signed)) or not all(signed):
        raise _incomplete("SignedHeaders must be lower-case header names, sorted and unique.")
    return credential, signed, fields["Signature"]


def canonical_request(req: SignedRequest, signed_headers: Iterable[str], payload_hash: str) -> str:
    signed_headers = list(signed_headers)
    path = quote(req.path or "/", safe="/~")
    pairs = sorted((quote(k, safe="-_.~"), quote(v, safe="-_.~"))
                   for k, v in parse_qsl(req.query, keep_blank_values=True))
    query = "&".join(f"{k}={v}" for k, v in pairs)
    headers = ""
    for name in signed_headers:
        values = [_SPACES.sub(" ", v.strip()) for k, v in req.headers if k.lower() == name]
        headers += f"{name}:{','.join(values)}\n"
    return "\n".join([req.method.upper(), path, query, headers, ";".join(signed_headers), payload_hash])


def signing_key(secret: str, date: str, region: str, service: str = SERVICE) -> bytes:
    key = ("AWS4" + secret).encode()
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def signature(req: SignedRequest, *, signed_headers: list[str], secret: str, amz_date: str, region: str,
              service: str = SERVICE, payload_hash: str | None = None) -> str:
    """The hex SigV4 signature of ``req`` (what the client should have sent)."""
    payload_hash = payload_hash or hashlib.sha256(req.body).hexdigest()
    scope = f"{amz_date[:8]}/{region}/{service}/aws4_request"
    digest = hashlib.sha256(canonical_request(req, signed_headers, payload_hash).encode()).hexdigest()
    string_to_sign = f"{ALGORITHM}\n{amz_date}\n{scope}\n{digest}"
    key = signing_key(secret, amz_date[:8], region, service)
    return hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()


def verify(req: SignedRequest, admin: AdminCredentials, *, now: float) -> None:
    """Return if ``req`` is signed by the admin key pair; raise CognitoError otherwise."""
    authorization = req.header("authorization")
    if authorization is None:
        raise CognitoError("MissingAuthenticationTokenException", "Missing Authentication Token")
    credential, signed, given = parse_authorization(authorization)
    key_id, date, region, service, _ = credential
    missing = REQUIRED_SIGNED_HEADERS - set(signed)
    if missing:
        raise _incomplete(f"SignedHeaders must include {', '.join(sorted(missing))}.")
    if any(req.header(name) is None for name in signed):
        raise _incomplete("A signed header is missing from the request.")
    amz_date = req.header("x-amz-date") or ""
    try:
        when = datetime.datetime.strptime(amz_date, _AMZ_DATE).replace(tzinfo=datetime.UTC).timestamp()
    except ValueError:
        raise _incomplete("X-Amz-Date must be in the ISO 8601 basic format YYYYMMDD'T'HHMMSS'Z'.") from None
    if service != SERVICE:
        raise _invalid(f"Credential should be scoped to correct service: '{SERVICE}'.")
    if date != amz_date[:8] or not _REGION.fullmatch(region):
        raise _invalid("Credential should be scoped to a valid region and to the date of X-Amz-Date.")
    if abs(now - when) > MAX_SKEW_SECONDS:
        stamp = datetime.datetime.fromtimestamp(now, datetime.UTC).strftime(_AMZ_DATE)
        raise _invalid(f"Signature expired or not yet current: {amz_date} is more than 5 minutes from {stamp}.")
    if not hmac.compare_digest(key_id.encode(), admin.access_key_id.encode()) or not admin.secret_access_key:
        raise CognitoError("UnrecognizedClientException", "The security token included in the request is invalid.")
    payload_hash = hashlib.sha256(req.body).hexdigest()
    declared = req.header("x-amz-content-sha256")
    if declared is not None and not hmac.compare_digest(declared.encode(), payload_hash.encode()):
        raise _invalid("The provided 'x-amz-content-sha256' header does not match what was computed.")
    expected = signature(req, signed_headers=signed, secret=admin.secret_access_key, amz_date=amz_date,
                         region=region, service=service, payload_hash=payload_hash)
    if not hmac.compare_digest(expected.encode(), given.encode()):
        raise _invalid(MISMATCH)
