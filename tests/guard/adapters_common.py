"""What every adapter test shares: a verifier over static keys and the expected RFC 6750 answers."""

from __future__ import annotations

from authpool.guard import AccessTokenVerifier
from authpool.jose import JWK

from .helpers import CLIENT, ISS, Clock


def make_verifier(*keys: JWK) -> AccessTokenVerifier:
    return AccessTokenVerifier(issuer=ISS, client_ids=[CLIENT], jwks={"keys": [k.to_public_dict() for k in keys]},
                               algorithms=["RS256"], clock=Clock())


def bearer(t: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {t}"}


def assert_refused(response, status: int, error: str | None, *, scope: str | None = None) -> None:
    assert response.status_code == status, response.text
    challenge = response.headers["WWW-Authenticate"]
    assert challenge.startswith("Bearer")
    body = response.json() if callable(response.json) else response.json
    if error is None:
        assert "error=" not in challenge and "error" not in body
    else:
        assert f'error="{error}"' in challenge and body["error"] == error
        assert body["error_description"] and f'error_description="{body["error_description"]}"' in challenge
    if scope is not None:
        assert f'scope="{scope}"' in challenge and body["scope"] == scope
