"""Shared by the SRP interop suites (pycognito, amazon-cognito-identity-js): one pool with the clients
and users they sign in with, and authpool.guard's AccessTokenVerifier for the tokens they get."""

from __future__ import annotations

import base64
import hashlib
import hmac

from botocore import UNSIGNED
from botocore.config import Config
from pycognito.aws_srp import AWSSRP
from tests.interop.boto3_support import PASSWORD

from authpool.guard import AccessTokenVerifier

NEW_PASSWORD = "Brand-New-Horse-7"


class SrpWorld:
    """``app``: Cognito's default flows (SRP, refresh, custom); ``secret``: the same with a client
    secret; ``hidden``: PreventUserExistenceErrors; ``no_srp``: password flows only. Users: alice
    (permanent password), newbie (temporary password), and ``by_email``, a pool signing in with
    e-mail addresses (the user name, and so USER_ID_FOR_SRP, is the sub)."""

    def __init__(self, admin, live, *, users=("alice", "mallory")):
        self.live = live
        self.pool = admin.create_user_pool(PoolName="srp-suite")["UserPool"]["Id"]
        make = admin.create_user_pool_client
        self.app = make(UserPoolId=self.pool, ClientName="app")["UserPoolClient"]
        self.secret = make(UserPoolId=self.pool, ClientName="secret", GenerateSecret=True)["UserPoolClient"]
        self.hidden = make(UserPoolId=self.pool, ClientName="hidden",
                           PreventUserExistenceErrors="ENABLED")["UserPoolClient"]
        self.no_srp = make(UserPoolId=self.pool, ClientName="no-srp",
                           ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]
        for name in users:
            admin.admin_create_user(UserPoolId=self.pool, Username=name, MessageAction="SUPPRESS",
                                    TemporaryPassword=PASSWORD)
            admin.admin_set_user_password(UserPoolId=self.pool, Username=name, Password=PASSWORD, Permanent=True)
        admin.admin_create_user(UserPoolId=self.pool, Username="newbie", MessageAction="SUPPRESS",
                                TemporaryPassword=PASSWORD)
        self.issuer = f"{live.base_url}/{self.pool}"
        self.by_email = admin.create_user_pool(PoolName="srp-by-email", UsernameAttributes=["email"])["UserPool"]["Id"]
        self.by_email_app = make(UserPoolId=self.by_email, ClientName="app")["UserPoolClient"]
        admin.admin_create_user(UserPoolId=self.by_email, Username="ann@example.com", MessageAction="SUPPRESS",
                                TemporaryPassword=PASSWORD)
        admin.admin_set_user_password(UserPoolId=self.by_email, Username="ann@example.com", Password=PASSWORD,
                                      Permanent=True)

    def verifier(self, client_id: str, pool: str | None = None) -> AccessTokenVerifier:
        issuer = f"{self.live.base_url}/{pool or self.pool}"
        return AccessTokenVerifier(issuer=issuer, client_ids=[client_id], jwks_uri=f"{issuer}/.well-known/jwks.json",
                                   algorithms=["RS256"], allow_http=True)


def unsigned_config() -> Config:
    return Config(signature_version=UNSIGNED, retries={"max_attempts": 1})


def aws_srp(world: SrpWorld, client, username: str, password: str = PASSWORD, app=None) -> AWSSRP:
    app = app or world.app
    return AWSSRP(username, password, world.pool, app["ClientId"], client=client,
                  client_secret=app.get("ClientSecret"))


def resign(aws: AWSSRP, challenge: dict[str, str], answer: dict[str, str], timestamp: str) -> dict[str, str]:
    """``answer`` with another TIMESTAMP, correctly signed (pycognito's key, the documented message)."""
    user_id = challenge["USER_ID_FOR_SRP"]
    key = aws.get_password_authentication_key(user_id, aws.password, int(challenge["SRP_B"], 16), challenge["SALT"])
    message = (aws.pool_id.split("_")[1].encode() + user_id.encode()
               + base64.standard_b64decode(challenge["SECRET_BLOCK"]) + timestamp.encode())
    signature = base64.standard_b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()
    return {**answer, "TIMESTAMP": timestamp, "PASSWORD_CLAIM_SIGNATURE": signature}
