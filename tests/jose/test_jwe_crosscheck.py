"""joserfc (authlib/joserfc) and authpool.jose.jwe agree, in both directions.

joserfc encrypts, we decrypt; we encrypt, joserfc decrypts; for the algorithms authpool issues
(ECDH-ES+A256KW on X25519 and P-256 for resource keys, A256KW for the local key service, dir for data
keys from a KMS) and the rest of the family we implement. Our extra protected-header members (``aud``,
``ctx``) are plain JSON and survive in both directions.
"""

from __future__ import annotations

import os

import pytest
from joserfc import jwe as rfc_jwe
from joserfc.jwk import ECKey, OctKey, OKPKey
from joserfc.registry import HeaderParameter

from authpool.jose import ECDHKey, b64url_encode, decrypt_compact_jwe, encrypt_compact_jwe

PLAINTEXT = b'"1985-04-12"'
# joserfc refuses header members it does not know unless they are registered: ours are two strings.
REGISTRY = {name: HeaderParameter(name, "str") for name in ("aud", "ctx")}
CASES = [
    ("ECDH-ES+A256KW", "A256GCM", "X25519"),
    ("ECDH-ES+A256KW", "A256GCM", "P-256"),
    ("ECDH-ES+A128KW", "A128GCM", "P-384"),
    ("ECDH-ES", "A256GCM", "X25519"),
    ("ECDH-ES", "A192GCM", "P-521"),
    ("A256KW", "A256GCM", None),
    ("A128KW", "A128GCM", None),
    ("dir", "A256GCM", None),
]


def _registry(alg: str, enc: str) -> rfc_jwe.JWERegistry:
    return rfc_jwe.JWERegistry(header_registry=REGISTRY, algorithms=[alg, enc])


def pair(alg: str, enc: str, crv: str | None):
    """(our key, joserfc's key) for the same secret."""
    if crv is None:
        size = {"A256KW": 32, "A128KW": 16}.get(alg) or {"A256GCM": 32, "A192GCM": 24, "A128GCM": 16}[enc]
        secret = os.urandom(size)
        return secret, OctKey.import_key({"kty": "oct", "k": b64url_encode(secret)})
    ours = ECDHKey.generate(crv)
    data = ours.to_private_dict()
    data.pop("use"), data.pop("kid")
    theirs = OKPKey.import_key(data) if crv == "X25519" else ECKey.import_key(data)
    return ours, theirs


@pytest.mark.parametrize(("alg", "enc", "crv"), CASES)
def test_joserfc_encrypts_we_decrypt(alg, enc, crv):
    ours, theirs = pair(alg, enc, crv)
    token = rfc_jwe.encrypt_compact({"alg": alg, "enc": enc, "kid": "rs1", "aud": "https://kyc.example"},
                                    PLAINTEXT, theirs, registry=_registry(alg, enc))
    header, plaintext = decrypt_compact_jwe(token, ours, algorithms=[alg], encryptions=[enc])
    assert plaintext == PLAINTEXT
    assert header["kid"] == "rs1" and header["aud"] == "https://kyc.example"


@pytest.mark.parametrize(("alg", "enc", "crv"), CASES)
def test_we_encrypt_joserfc_decrypts(alg, enc, crv):
    ours, theirs = pair(alg, enc, crv)
    recipient = ours.public() if isinstance(ours, ECDHKey) else ours
    token = encrypt_compact_jwe(PLAINTEXT, recipient, alg=alg, enc=enc, kid="rs1",
                                headers={"aud": "https://kyc.example", "ctx": "b64-binding"})
    result = rfc_jwe.decrypt_compact(token, theirs, registry=_registry(alg, enc))
    assert result.plaintext == PLAINTEXT
    assert result.protected["aud"] == "https://kyc.example" and result.protected["ctx"] == "b64-binding"


def test_joserfc_refuses_our_tampered_token_too():
    ours, theirs = pair("ECDH-ES+A256KW", "A256GCM", "X25519")
    token = encrypt_compact_jwe(PLAINTEXT, ours.public(), alg="ECDH-ES+A256KW", enc="A256GCM")
    parts = token.split(".")
    parts[3] = ("B" if parts[3][0] == "A" else "A") + parts[3][1:]
    with pytest.raises(Exception):  # noqa: B017 - joserfc's own error type; the point is that it refuses
        rfc_jwe.decrypt_compact(".".join(parts), theirs, registry=_registry("ECDH-ES+A256KW", "A256GCM"))
