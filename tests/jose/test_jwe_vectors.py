"""Published JWE examples run through authpool.jose.jwe and .ecdh.

RFC 7520 section 5.4 (ECDH-ES+A128KW on P-384, A128GCM), 5.6 (dir, A128GCM) and 5.8 (A128KW, A128GCM)
decrypt as given, and with the RFC's own CEK, IV and ephemeral key our encryption reproduces their
encrypted key and ciphertext byte for byte. RFC 7516 A.1 checks the A256GCM layer (its RSA-OAEP key
management is not implemented), A.3 and RFC 3394 §4.6 the AES Key Wrap, RFC 7518 Appendix C the Concat
KDF, RFC 8037 A.6 the X25519 agreement.
"""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import x25519
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.keywrap import aes_key_unwrap, aes_key_wrap

from authpool.jose import ECDHKey, b64url_decode, b64url_encode, decrypt_compact_jwe, parse_compact_jwe
from authpool.jose.ecdh import concat_kdf
from authpool.jose.jwe import ECDH_ES, ENCRYPTIONS, _encrypt
from vectors import load

RFC7516 = load("rfc7516")
RFC7518 = load("rfc7518")
RFC7520 = load("rfc7520_jwe")
PLAINTEXT = RFC7520["plaintext"].encode("utf-8")


def _key_of(vector: dict):
    jwk = vector["key"]
    return b64url_decode(jwk["k"]) if jwk["kty"] == "oct" else ECDHKey.from_dict(jwk)


@pytest.mark.parametrize("vector", RFC7520["vectors"], ids=lambda v: f"rfc7520-{v['id']}-{v['alg']}")
def test_rfc7520_decrypts_as_given(vector):
    header, plaintext = decrypt_compact_jwe(vector["compact"], _key_of(vector), algorithms=[vector["alg"]],
                                            encryptions=[vector["enc"]])
    assert plaintext == PLAINTEXT
    assert header["alg"] == vector["alg"] and header["kid"] == vector["key"]["kid"]


@pytest.mark.parametrize("vector", RFC7520["vectors"], ids=lambda v: f"rfc7520-{v['id']}-{v['alg']}")
def test_rfc7520_our_encryption_reproduces_the_example(vector):
    """Same header bytes, CEK, IV (and ephemeral key): the same encrypted key, ciphertext and tag."""
    protected, encrypted_key, iv, ciphertext, tag = vector["compact"].split(".")
    key = _key_of(vector)
    cek = b64url_decode(vector["cek"]) if "cek" in vector else key
    assert b64url_encode(b64url_decode(iv)) == vector["iv"]
    if "encrypted_key" in vector:
        if vector["alg"] in ECDH_ES:
            epk = ECDHKey.from_dict(vector["epk"])
            kek = concat_kdf(epk.exchange(key.public()), vector["alg"], ECDH_ES[vector["alg"]])
            assert concat_kdf(key.exchange(epk.public()), vector["alg"], ECDH_ES[vector["alg"]]) == kek
        else:
            kek = key
        assert b64url_encode(aes_key_wrap(kek, cek)) == vector["encrypted_key"] == encrypted_key
    sealed = AESGCM(cek).encrypt(b64url_decode(iv), PLAINTEXT, protected.encode("ascii"))
    assert b64url_encode(sealed[:-16]) == ciphertext and b64url_encode(sealed[-16:]) == tag


def test_rfc7520_5_4_through_encrypt_with_the_examples_randomness():
    vector = RFC7520["vectors"][0]
    recipient = ECDHKey.from_dict(vector["key"])
    token = _encrypt(PLAINTEXT, recipient.public(), alg="ECDH-ES+A128KW", enc="A128GCM", kid=vector["key"]["kid"],
                     cek=b64url_decode(vector["cek"]), iv=b64url_decode(vector["iv"]),
                     epk=ECDHKey.from_dict(vector["epk"]))
    ours = token.split(".")
    theirs = vector["compact"].split(".")
    assert ours[1:3] == theirs[1:3]  # encrypted key and IV; the header differs only in member order
    assert parse_compact_jwe(token, algorithms=["ECDH-ES+A128KW"], encryptions=["A128GCM"]).header == \
        parse_compact_jwe(vector["compact"], algorithms=["ECDH-ES+A128KW"], encryptions=["A128GCM"]).header
    assert decrypt_compact_jwe(token, recipient, algorithms=["ECDH-ES+A128KW"], encryptions=["A128GCM"])[1] == PLAINTEXT


def test_rfc7516_a1_content_encryption_layer():
    a1 = RFC7516["A.1"]
    cek, iv = b64url_decode(a1["cek"]), b64url_decode(a1["iv"])
    sealed = AESGCM(cek).encrypt(iv, a1["plaintext"].encode(), a1["protected"].encode("ascii"))
    assert b64url_encode(sealed[:-16]) == a1["ciphertext"] and b64url_encode(sealed[-16:]) == a1["tag"]
    assert len(cek) == ENCRYPTIONS["A256GCM"]
    # The RSA-OAEP compact form is refused by the allow-list, not by a crash.
    from authpool.jose import UnsupportedAlgorithm
    with pytest.raises(UnsupportedAlgorithm):
        parse_compact_jwe(a1["compact"], algorithms=["dir"], encryptions=["A256GCM"])


def test_rfc7516_a3_and_rfc3394_key_wrap():
    a3 = RFC7516["A.3"]
    kek, cek = b64url_decode(a3["kek"]), b64url_decode(a3["cek"])
    assert b64url_encode(aes_key_wrap(kek, cek)) == a3["encrypted_key"]
    v = RFC7516["rfc3394-4.6"]
    wrapped = aes_key_wrap(bytes.fromhex(v["kek_hex"]), bytes.fromhex(v["key_data_hex"]))
    assert wrapped.hex().upper() == v["ciphertext_hex"]
    assert aes_key_unwrap(bytes.fromhex(v["kek_hex"]), wrapped).hex().upper() == v["key_data_hex"]


def test_rfc7518_appendix_c_concat_kdf():
    c = RFC7518["C"]
    alice, bob = ECDHKey.from_dict(c["alice_epk"]), ECDHKey.from_dict(c["bob"])
    apu, apv = b64url_decode(c["header"]["apu"]), b64url_decode(c["header"]["apv"])
    assert (apu, apv) == (b"Alice", b"Bob")
    for z in (alice.exchange(bob.public()), bob.exchange(alice.public())):
        assert b64url_encode(concat_kdf(z, "A128GCM", 16, apu, apv)) == c["derived_key"]


def test_rfc8037_a6_x25519_agreement():
    a6 = RFC7518["rfc8037-A.6"]
    ephemeral = ECDHKey(x25519.X25519PrivateKey.from_private_bytes(bytes.fromhex(a6["ephemeral_secret_hex"])))
    assert ephemeral.epk() == a6["epk"]
    bob = ECDHKey.from_dict(a6["bob"])
    assert bob.kid == "Bob" and bob.crv == "X25519"
    assert ephemeral.exchange(bob.public()).hex() == a6["z_hex"]
    assert bob.exchange(ECDHKey.from_dict(a6["epk"])).hex() == a6["z_hex"]
