"""Claim-set builders (authpool/tokens/claims.py)."""

from __future__ import annotations

import pytest

from authpool.tokens.claims import Session, access_token_claims, client_access_token_claims


@pytest.mark.parametrize("audience", [None, "https://api.example.com"])
@pytest.mark.parametrize("scopes", [(), ("orders/read",), ("orders/read", "orders/write")])
def test_client_access_token_claims_are_those_of_a_client_session_without_origin_jti(audience, scopes):
    """client_credentials builds its claims directly; they must stay what access_token_claims makes for a
    session whose subject is the client (no user, no origin_jti), key for key and in the same order."""
    session = Session(issuer="https://idp.example.com/us-east-1_AbC", sub="client1", client_id="client1",
                      auth_time=1_700_000_000, origin_jti="", scopes=scopes, audience=audience)
    expected = access_token_claims(session, now=1_700_000_000, ttl=3600, jti="j-1", event_id="e-1")
    del expected["origin_jti"]
    got = client_access_token_claims(issuer=session.issuer, client_id="client1", scopes=scopes, audience=audience,
                                     now=1_700_000_000, ttl=3600, jti="j-1", event_id="e-1")
    assert list(got.items()) == list(expected.items())
