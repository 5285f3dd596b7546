"""Independent implementations agree with authpool.jose, in both directions.

PyJWT (jpadilla/pyjwt) and joserfc (authlib/joserfc) sign tokens that ``verify_compact`` accepts;
tokens from ``sign_compact`` verify in both; exported public JWKs load in both, and RFC 7638
thumbprints match joserfc's. RS256, ES256 and EdDSA are the algorithms authpool signs with; PS256,
ES384 and ES512 are checked too (ES512's 66-octet fixed-width encoding is a classic interop bug).
"""

from __future__ import annotations

import jwt as pyjwt
import pytest
from joserfc import jwk as rfc_jwk
from joserfc import jwt as rfc_jwt
from joserfc.errors import BadSignatureError, SecurityWarning

from authpool.jose import JWK, InvalidSignature, JWKSet, loads_object, sign_compact, verify_compact

pytestmark = pytest.mark.filterwarnings(f"ignore::{SecurityWarning.__module__}.{SecurityWarning.__name__}")

ALGS = ["RS256", "ES256", "EdDSA", "PS256", "ES384", "ES512"]
CLAIMS = {"iss": "https://issuer.example/us-east-1_Abc", "sub": "3f1c-alice", "token_use": "access",
          "scope": "read write", "iat": 1700000000, "exp": 4100000000, "name": "Zo\u00eb"}


@pytest.fixture(scope="module")
def keys() -> dict[str, JWK]:
    return {alg: JWK.generate(alg, kid=f"kid-{alg}") for alg in ALGS}


def _rfc_key(data: dict):
    return rfc_jwk.import_key(data)


# -- they sign, we verify -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("alg", ALGS)
def test_pyjwt_signed_verifies_here(keys, alg):
    key = keys[alg]
    token = pyjwt.encode(CLAIMS, key.private_key, algorithm=alg, headers={"kid": key.kid})
    jws = verify_compact(token, key.public(), algorithms=[alg])
    assert jws.alg == alg and jws.kid == key.kid
    assert loads_object(jws.payload) == CLAIMS
    # through a JWK Set built from our own export, the way the guard does it
    jwks = JWKSet.from_dict({"keys": [k.to_public_dict() for k in keys.values()]})
    assert verify_compact(token, lambda t: jwks.get(t.kid), algorithms=ALGS).kid == key.kid


@pytest.mark.parametrize("alg", ALGS)
def test_joserfc_signed_verifies_here(keys, alg):
    key = keys[alg]
    signer = _rfc_key(key.to_private_dict())
    token = rfc_jwt.encode({"alg": alg, "kid": key.kid}, CLAIMS, signer, algorithms=[alg])
    jws = verify_compact(token, key.public(), algorithms=[alg])
    assert jws.header["alg"] == alg and loads_object(jws.payload) == CLAIMS


@pytest.mark.parametrize("alg", ALGS)
def test_foreign_keys_signing_are_verified_with_their_exported_jwk(alg):
    """The other direction of key exchange: keys generated elsewhere, exported as JWK, imported here."""
    crv = {"ES256": "P-256", "ES384": "P-384", "ES512": "P-521", "EdDSA": "Ed25519"}.get(alg)
    if alg.startswith(("RS", "PS")):
        foreign = rfc_jwk.RSAKey.generate_key(2048)
    elif alg == "EdDSA":
        foreign = rfc_jwk.OKPKey.generate_key(crv)
    else:
        foreign = rfc_jwk.ECKey.generate_key(crv)
    public = JWK.from_dict(foreign.as_dict(private=False), allow_private=False)
    assert public.thumbprint() == foreign.thumbprint()
    private = JWK.from_dict(foreign.as_dict(private=True))
    assert private.to_public_dict() | {"kid": None} == public.to_public_dict() | {"kid": None}
    token = rfc_jwt.encode({"alg": alg}, CLAIMS, foreign, algorithms=[alg])
    verify_compact(token, public, algorithms=[alg])
    # and what our import of their private key signs, they verify
    ours = sign_compact(CLAIMS, private, alg=alg)
    assert rfc_jwt.decode(ours, foreign, algorithms=[alg]).claims == CLAIMS


# -- we sign, they verify ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("alg", ALGS)
def test_signed_here_verifies_in_pyjwt(keys, alg):
    key = keys[alg]
    token = sign_compact(CLAIMS, key, typ="at+jwt")
    assert pyjwt.get_unverified_header(token) == {"kid": key.kid, "alg": alg, "typ": "at+jwt"}
    assert pyjwt.decode(token, key.public_key, algorithms=[alg]) == CLAIMS
    # and with the key PyJWT builds from our exported public JWK
    imported = pyjwt.PyJWK(key.to_public_dict())
    assert imported.key_id == key.kid and imported.algorithm_name == alg
    assert pyjwt.decode(token, imported, algorithms=[alg]) == CLAIMS


@pytest.mark.parametrize("alg", ALGS)
def test_signed_here_verifies_in_joserfc(keys, alg):
    key = keys[alg]
    token = sign_compact(CLAIMS, key, typ="at+jwt")
    verifier = _rfc_key(key.to_public_dict())
    decoded = rfc_jwt.decode(token, verifier, algorithms=[alg])
    assert decoded.claims == CLAIMS
    assert decoded.header == {"kid": key.kid, "alg": alg, "typ": "at+jwt"}


@pytest.mark.parametrize("alg", ALGS)
def test_tampering_is_refused_by_all_three(keys, alg):
    key = keys[alg]
    head, _body, sig = sign_compact(CLAIMS, key).split(".")
    forged = f"{head}.{sign_compact(CLAIMS | {'scope': 'admin'}, key).split('.')[1]}.{sig}"
    with pytest.raises(InvalidSignature):
        verify_compact(forged, key, algorithms=[alg])
    with pytest.raises(pyjwt.InvalidSignatureError):
        pyjwt.decode(forged, key.public_key, algorithms=[alg])
    with pytest.raises(BadSignatureError):
        rfc_jwt.decode(forged, _rfc_key(key.to_public_dict()), algorithms=[alg])


# -- keys and thumbprints ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("alg", ALGS)
def test_exported_public_jwk_loads_elsewhere_and_thumbprints_agree(keys, alg):
    key = keys[alg]
    public = key.to_public_dict()
    theirs = _rfc_key(public)
    assert theirs.thumbprint() == key.thumbprint()
    assert theirs.kid == key.kid
    assert theirs.as_dict(private=False) | {"kid": key.kid} == public | {"kid": key.kid}
    assert not theirs.is_private
    pyjwk = pyjwt.PyJWK(public)
    assert pyjwk.key_type == public["kty"] and pyjwk.key_id == key.kid
    # and the private export too
    assert _rfc_key(key.to_private_dict()).is_private
    assert pyjwt.PyJWK(key.to_private_dict()).key_id == key.kid


@pytest.mark.parametrize("alg", ["RS256", "ES256", "ES512", "EdDSA"])
def test_pyjwt_exported_jwk_loads_here(keys, alg):
    algorithm = pyjwt.get_algorithm_by_name(alg)
    exported = algorithm.to_jwk(keys[alg].public_key, as_dict=True)
    imported = JWK.from_dict(exported)
    assert imported.thumbprint() == keys[alg].thumbprint()
    material = ("kty", "crv", "x", "y", "n", "e")
    ours = keys[alg].to_public_dict()
    assert {m: ours[m] for m in material if m in ours} == {m: exported[m] for m in material if m in exported}


def test_default_kid_is_the_joserfc_thumbprint():
    for alg in ("RS256", "ES256", "EdDSA"):
        generated = JWK.generate(alg)  # no kid given
        assert generated.kid == _rfc_key(generated.to_public_dict()).thumbprint()
