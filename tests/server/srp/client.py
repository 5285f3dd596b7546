"""The client side of an SRP sign-in for the service-level tests, computed by pycognito (``AWSSRP``:
A, the HKDF key, the SECRET_HASH), with the TIMESTAMP taken from the test's fake clock instead of
the wall clock. The only thing assembled here is the signed message, whose layout is the one both
pycognito's ``process_challenge`` and amazon-cognito-identity-js's ``CognitoUser`` use."""

from __future__ import annotations

import base64
import hashlib
import hmac

from pycognito.aws_srp import AWSSRP

from authpool.server.pool import srp


class SrpClient:
    def __init__(self, pool_id: str, username: str, password: str, client_id: str = "client") -> None:
        self.pool_id, self.password = pool_id, password
        self.aws = AWSSRP(username, password, pool_id, client_id, client=object())

    @property
    def srp_a(self) -> str:
        return self.aws.get_auth_params()["SRP_A"]

    def answer(self, challenge: dict[str, str], *, now: int, timestamp: str | None = None,
               password: str | None = None) -> dict[str, str]:
        """The PASSWORD_VERIFIER responses for ``challenge``, signed at ``now`` (or ``timestamp``)."""
        user_id = challenge["USER_ID_FOR_SRP"]
        key = self.aws.get_password_authentication_key(user_id, password or self.password,
                                                       int(challenge["SRP_B"], 16), challenge["SALT"])
        stamp = timestamp if timestamp is not None else srp.format_timestamp(now)
        message = (self.pool_id.split("_")[1].encode() + user_id.encode()
                   + base64.standard_b64decode(challenge["SECRET_BLOCK"]) + stamp.encode())
        signature = base64.standard_b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()
        return {"username": challenge["USERNAME"], "secret_block": challenge["SECRET_BLOCK"],
                "signature": signature, "timestamp": stamp}
