"""In-process pre-token hooks for the encrypted-claims tests (``python:tests.server.keyservice.handlers:<name>``),
each the misuse (or use) its name says."""

from __future__ import annotations

from authpool.tokens.encrypted import encrypt_claim

KYC = "https://kyc.example.com"
BILLING = "https://billing.example.com"


def _access(event, claims, **more):
    event["response"]["claimsAndScopeOverrideDetails"] = {
        "accessTokenGeneration": {"claimsToAddOrOverride": claims, **more}}
    return event


def birthdate_for_billing(event, context):
    value = event["request"]["userAttributes"]["birthdate"]
    return _access(event, {"birthdate": encrypt_claim("birthdate", value, audience=BILLING)})


def in_id_token(event, context):
    value = event["request"]["userAttributes"]["birthdate"]
    event["response"]["claimsAndScopeOverrideDetails"] = {
        "idTokenGeneration": {"claimsToAddOrOverride": {"birthdate": encrypt_claim("birthdate", value, audience=KYC)}}}
    return event


def under_another_name(event, context):
    return _access(event, {"custom:tag": encrypt_claim("birthdate", "1985-04-12", audience=KYC)})


def nested(event, context):
    return _access(event, {"profile": {"dob": encrypt_claim("profile", "1985-04-12", audience=KYC)}})


def malformed(event, context):
    return _access(event, {"birthdate": {"authpool:encrypt": {"claim": "birthdate", "value": "x"}}})


def unknown_audience(event, context):
    return _access(event, {"birthdate": encrypt_claim("birthdate", "1985-04-12", audience="https://nobody.example")})


def suppress_declared(event, context):
    return _access(event, {}, claimsToSuppress=["custom:national_id"])


def clear_text_overridden(event, context):
    """A hook that puts a declared attribute back in clear: it is encrypted anyway (declared wins)."""
    return _access(event, {"custom:national_id": event["request"]["userAttributes"]["custom:national_id"]})
