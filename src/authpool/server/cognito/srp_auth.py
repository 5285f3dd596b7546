"""USER_SRP_AUTH and its PASSWORD_VERIFIER answer on the Cognito API (COGNITO.md §4.3; docs/srp.md).

- InitiateAuth / AdminInitiateAuth with ``AuthFlow=USER_SRP_AUTH`` and ``AuthParameters``
  ``USERNAME``, ``SRP_A`` (and ``SECRET_HASH`` for a client with a secret) answer
  ``{"ChallengeName": "PASSWORD_VERIFIER", "ChallengeParameters": {SALT, SRP_B, SECRET_BLOCK,
  USERNAME, USER_ID_FOR_SRP}}`` with no ``Session``, as Cognito does.
- (Admin)RespondToAuthChallenge with ``ChallengeName=PASSWORD_VERIFIER`` and ``ChallengeResponses``
  ``USERNAME``, ``PASSWORD_CLAIM_SECRET_BLOCK``, ``PASSWORD_CLAIM_SIGNATURE``, ``TIMESTAMP``
  (``SECRET_HASH``; ``DEVICE_KEY`` is ignored: authpool remembers no devices) yields the sign-in
  outcome, which ``auth.py`` turns into tokens or the NEW_PASSWORD_REQUIRED challenge.
- Both steps need ``ALLOW_USER_SRP_AUTH`` in the client's ExplicitAuthFlows (``clientauth``).
The work is ``ctx.srp`` (``pool/srp_signin.py``).
"""

from __future__ import annotations

from typing import Any

from ..pool.signin import SignInOutcome
from ..store import ClientRecord
from .clientauth import check_secret_hash, require_flow
from .params import required_members

PASSWORD_VERIFIER = "PASSWORD_VERIFIER"
_RESPONSES = ("USERNAME", "PASSWORD_CLAIM_SECRET_BLOCK", "PASSWORD_CLAIM_SIGNATURE", "TIMESTAMP")


def initiate(call, client: ClientRecord, params: dict[str, str], source_ip: str | None) -> dict[str, Any]:
    require_flow(client, "ALLOW_USER_SRP_AUTH", "USER_SRP_AUTH")
    username, srp_a = required_members(params, "USERNAME", "SRP_A")
    check_secret_hash(client, params.get("SECRET_HASH"), [username])
    challenge = call.ctx.srp.start(client.pool_id, username, srp_a, client=client, source_ip=source_ip)
    return {"ChallengeName": PASSWORD_VERIFIER, "ChallengeParameters": challenge}


def respond(call, client: ClientRecord, source_ip: str | None) -> SignInOutcome:
    require_flow(client, "ALLOW_USER_SRP_AUTH", "USER_SRP_AUTH")
    responses = call.params.str_map("ChallengeResponses")
    required_members(responses, *_RESPONSES)
    check_secret_hash(client, responses.get("SECRET_HASH"), [responses["USERNAME"]])
    return call.ctx.srp.verify(client.pool_id, username=responses["USERNAME"],
                               secret_block=responses["PASSWORD_CLAIM_SECRET_BLOCK"],
                               signature=responses["PASSWORD_CLAIM_SIGNATURE"], timestamp=responses["TIMESTAMP"],
                               client=client, source_ip=source_ip)
