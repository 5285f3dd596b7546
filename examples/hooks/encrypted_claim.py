"""Put the user's national id into the access token, encrypted so that only the KYC API can read it.

A V2_0 or V3_0 pre-token-generation handler. The access token is for authorization and carries no
personal data in clear; when one API truly needs a piece of it to decide (here: a national id, for a
know-your-customer check), the hook adds it as an encrypted claim:

    claims[ATTRIBUTE] = encrypt_claim(ATTRIBUTE, value, audience=KYC_API)

``encrypt_claim`` returns a placeholder, not ciphertext: after the hook, authpool encrypts the value
for the resource server ``KYC_API`` with that resource server's key service (its registered public
key by default), bound to this token's issuer and subject, the claim name and the audience. So the
hook needs no key, no issuer and no subject (the only context it needs is the value, from
``event.request.userAttributes``, and the audience, which it knows), and it cannot get the binding
wrong. The placeholder is plain JSON: the same handler works as a webhook or an AWS Lambda function
returning to authpool. The resource server reads it with ``claims.decrypt("custom:national_id")``
(authpool.guard); every other API sees ciphertext.

Only tokens that carry one of the KYC API's scopes get the claim (least exposure). Set ``KYC_API`` to
the resource server's identifier; it must be a resource server of the pool, ready for encrypted
claims (``authpool encryption set``), or the sign-in fails closed.

    authpool hooks set --pool <id> --version V2_0 --arn python:examples.hooks.encrypted_claim:handler
"""

from __future__ import annotations

import os

from authpool.tokens.encrypted import encrypt_claim

ATTRIBUTE = "custom:national_id"
KYC_API_ENV = "KYC_API"
DEFAULT_KYC_API = "https://kyc.example.com"


def handler(event, context):
    audience = os.environ.get(KYC_API_ENV, DEFAULT_KYC_API)
    scopes = event["request"].get("scopes", [])
    value = event["request"]["userAttributes"].get(ATTRIBUTE)
    if not value or not any(scope.startswith(audience + "/") for scope in scopes):
        return event  # no national id, or a token not meant for the KYC API: nothing to add
    event["response"]["claimsAndScopeOverrideDetails"] = {
        "accessTokenGeneration": {
            "claimsToAddOrOverride": {ATTRIBUTE: encrypt_claim(ATTRIBUTE, value, audience=audience)},
        }
    }
    return event
