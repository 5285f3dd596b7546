"""Per encrypted claim: what encrypting (at issuance) and decrypting (at the resource server) cost, against
bare AES-GCM and bare ECDH on the same data, interleaved in one run; then how the access token grows.

    python bench/bench_claims.py [--rounds N] [--seconds S] [--kms]

The value is a national id as the JSON plaintext every backend encrypts (18 bytes); the context is a
Cognito-sized issuer, a UUID subject, the claim name and an https audience. Rates are calls per CPU-second
of this process (bench/_timing.py), median of interleaved rounds.

Floors, on the same plaintext and AAD:

* ``AES-GCM``: one AES-256-GCM encryption (decryption) with a fixed key: the content layer alone;
* ``ECDH X25519`` / ``ECDH P-256``: to encrypt, a fresh ephemeral key and one agreement; to decrypt, one
  agreement: the key management of ECDH-ES alone.

Cases:

* ``resource-key`` (X25519, P-256): ResourceKeyBackend.encrypt / the guard's ``claims.decrypt`` (parse,
  binding, agreement, Concat KDF, AES-KW unwrap, AES-GCM, JSON): everything, no I/O;
* ``local``: LocalKeyBackend.encrypt (the active version cached, HKDF, AES-KW, AES-GCM); to decrypt, the
  two halves of the round trip without the network: the endpoint's unwrap (key version read from the
  store, HKDF, AES-KW) and the guard's open with the returned key (parse, binding, AES-GCM, JSON). The
  endpoint also writes one audit row per decrypt, measured on its own (``audit row``);
* ``aws-kms`` (``--kms``: a moto server on 127.0.0.1): GenerateDataKey / Decrypt over HTTP, so these
  are local-network round trips, not AWS's latency.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import interleaved
from cryptography.hazmat.primitives.asymmetric import ec, x25519
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from authpool.guard import AccessClaims, AuthpoolKeyService, ClaimDecryptor, ResourceKeys
from authpool.jose import JWK, ECDHKey, parse_compact_jwe, sign_compact
from authpool.server.keyservice import audit, configure
from authpool.server.keyservice.local import LocalKeyBackend
from authpool.server.keyservice.resource_key import ResourceKeyBackend
from authpool.server.keyservice.service import KeyService
from authpool.server.secrets import MasterKey
from authpool.server.store import Database
from authpool.tokens.encrypted import ClaimContext, encode_value

POOL = "us-east-1_BenchClm1"
ISS = f"https://cognito-idp.us-east-1.amazonaws.com/{POOL}"
SUB = "3f1c2a9e-6b7d-4c8e-9f0a-1b2c3d4e5f60"
NAME = "custom:national_id"
AUD = "https://kyc.example.com"
VALUE = "756.9217.0769.85"


def setup(db: Database):
    with db.transaction() as tx:
        tx.pools.create(id=POOL, name="bench", settings={})
        tx.clients.create(POOL, client_id="kycapi", name="kyc", client_secret="kyc-api-secret-1", settings={})
        tx.resource_servers.create(POOL, identifier=AUD, name="kyc")
    configure(db, POOL, AUD, backend="local", decrypt_clients=["kycapi"])


def claims_with(sealed: str, decryptor) -> AccessClaims:
    return AccessClaims({"iss": ISS, "sub": SUB, NAME: sealed, "token_use": "access"}, {}, decryptor)


def cases_for(db: Database, kms_url: str | None):
    context = ClaimContext(ISS, SUB, NAME, AUD)
    plaintext = encode_value(VALUE)
    aad = b"x" * 200  # about the size of an encoded protected header
    aes, nonce = AESGCM(os.urandom(32)), os.urandom(12)
    sealed_bare = aes.encrypt(nonce, plaintext, aad)
    x_peer = x25519.X25519PrivateKey.generate()
    x_pub = x_peer.public_key()
    p_peer = ec.generate_private_key(ec.SECP256R1())
    p_pub = p_peer.public_key()
    x_epk = x25519.X25519PrivateKey.generate().public_key()
    p_epk = ec.generate_private_key(ec.SECP256R1()).public_key()

    keys = KeyService(db)
    settings = keys.settings(POOL, AUD)
    local: LocalKeyBackend = keys.local
    resource = ResourceKeyBackend()
    rk = {crv: ECDHKey.generate(crv, kid=f"rk-{crv}") for crv in ("X25519", "P-256")}
    rk_settings = {crv: settings.__class__(pool_id=POOL, audience=AUD, public_jwk=key.to_public_dict())
                   for crv, key in rk.items()}
    rk_decryptors = {crv: ClaimDecryptor(audience=AUD, resource_keys=ResourceKeys([key])) for crv, key in rk.items()}
    rk_claims = {crv: claims_with(resource.encrypt(rk_settings[crv], context, plaintext).token, rk_decryptors[crv])
                 for crv in rk}

    local_token = local.encrypt(settings, context, plaintext).token
    local_jwe = parse_compact_jwe(local_token, algorithms=["A256KW"], encryptions=["A256GCM"])
    record = local.find(POOL, local_jwe.kid)
    cek = local.unwrap(record, local_jwe.encrypted_key, context)
    # The key service is not called here: the endpoint's half is measured on its own (local_endpoint_unwrap).
    guard_local = ClaimDecryptor(audience=AUD, key_service=AuthpoolKeyService(ISS, client_id="kycapi",
                                                                              client_secret="kyc-api-secret-1"))
    local_claims = claims_with(local_token, guard_local)

    def local_guard_open():
        jwe, _bound = guard_local.prepare(local_claims, NAME)
        return guard_local._open(jwe, cek, "A256KW", NAME)

    def local_endpoint_unwrap():
        found = local.find(POOL, local_jwe.kid)
        return local.unwrap(found, local_jwe.encrypted_key, context)

    def audit_row():
        detail = audit.event_detail(client="kycapi", backend="local", key=record.key_id, version=record.version,
                                    context=context, outcome="ok", ct="0123456789abcdef")
        audit.record(db, audit.DECRYPT, POOL, actor="kycapi", events=[detail])

    encrypt = {
        "AES-GCM (floor)": lambda: aes.encrypt(nonce, plaintext, aad),
        "ECDH X25519 (floor)": lambda: x25519.X25519PrivateKey.generate().exchange(x_pub),
        "ECDH P-256 (floor)": lambda: ec.generate_private_key(ec.SECP256R1()).exchange(ec.ECDH(), p_pub),
        "resource-key X25519": lambda: resource.encrypt(rk_settings["X25519"], context, plaintext),
        "resource-key P-256": lambda: resource.encrypt(rk_settings["P-256"], context, plaintext),
        "local": lambda: local.encrypt(settings, context, plaintext),
    }
    decrypt = {
        "AES-GCM (floor)": lambda: aes.decrypt(nonce, sealed_bare, aad),
        "ECDH X25519 (floor)": lambda: x_peer.exchange(x_epk),
        "ECDH P-256 (floor)": lambda: p_peer.exchange(ec.ECDH(), p_epk),
        "resource-key X25519": lambda: rk_claims["X25519"].decrypt(NAME),
        "resource-key P-256": lambda: rk_claims["P-256"].decrypt(NAME),
        "local: endpoint unwrap": local_endpoint_unwrap,
        "local: guard open": local_guard_open,
        "local: audit row": audit_row,
    }
    if kms_url:
        import boto3

        from authpool.guard import AwsKms
        from authpool.server.keyservice.kms import KmsBackend, KmsClients
        key = boto3.client("kms", endpoint_url=kms_url, region_name="us-east-1").create_key()["KeyMetadata"]["Arn"]
        kms_settings = settings.__class__(pool_id=POOL, audience=AUD, backend="aws-kms", kms_key_id=key)
        backend = KmsBackend(KmsClients(endpoint_url=kms_url, region_name="us-east-1"))
        kms_claims = claims_with(backend.encrypt(kms_settings, context, plaintext).token,
                                 ClaimDecryptor(audience=AUD, kms=AwsKms(key_ids=[key], endpoint_url=kms_url)))
        encrypt["aws-kms (moto, HTTP)"] = lambda: backend.encrypt(kms_settings, context, plaintext)
        decrypt["aws-kms (moto, HTTP)"] = lambda: kms_claims.decrypt(NAME)
    sizes = {"resource-key X25519": (resource, rk_settings["X25519"]),
             "resource-key P-256": (resource, rk_settings["P-256"]), "local": (local, settings)}
    if kms_url:
        sizes["aws-kms (moto's blob)"] = (backend, kms_settings)
    return encrypt, decrypt, sizes


def sizes(backends) -> None:
    """The compact access token (ES256, a Cognito-shaped claim set) with 0 to 3 encrypted claims."""
    key = JWK.generate("ES256", kid="k" * 43)
    base = {"sub": SUB, "iss": ISS, "client_id": "4l5k6j7h8g9f0d1s2a3q4w5e6r", "origin_jti": SUB, "event_id": SUB,
            "token_use": "access", "scope": f"openid {AUD}/read", "auth_time": 1700000000, "exp": 1700003600,
            "iat": 1700000000, "jti": SUB, "username": "alice", "version": 2}
    plain = len(sign_compact(base, key, typ="at+jwt"))
    print(f"\naccess token size (ES256, Cognito-shaped claims, {plain} bytes without encrypted claims; each claim "
          f"holds the {len(VALUE)}-character value):")
    for name, (backend, settings) in backends.items():
        row = []
        claims = dict(base)
        for n in range(1, 4):
            claim = f"custom:attr{n}"
            claims[claim] = backend.encrypt(settings, ClaimContext(ISS, SUB, claim, AUD), encode_value(VALUE)).token
            row.append(len(sign_compact(claims, key, typ="at+jwt")))
        per = (row[-1] - plain) / 3
        print(f"  {name:<22} 1: {row[0]:5d}  2: {row[1]:5d}  3: {row[2]:5d} bytes   +{per:.0f} bytes per claim "
              f"(+{len(VALUE)} bytes of value: about {per - 4 / 3 * (len(VALUE) + 2):.0f} of it is overhead)")


def report(title: str, rates: dict[str, float], floors: dict[str, str]) -> None:
    print(f"\n{title}: calls per CPU-second, microseconds per claim, ratio to its floor")
    for name, rate in rates.items():
        floor = floors.get(name)
        ratio = f"{rate / rates[floor]:6.3f} of {floor}" if floor else ""
        print(f"  {name:<24} {rate:10.0f}/s {1e6 / rate:9.1f} us  {ratio}")


def start_moto() -> tuple[object, str]:
    import socket
    import subprocess
    import time

    import httpx

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
    process = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            httpx.get(url + "/moto-api/", timeout=1)
            break
        except httpx.HTTPError:
            time.sleep(0.1)
    os.environ.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"})
    return process, url


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=0.3)
    parser.add_argument("--kms", action="store_true", help="also measure aws-kms against a moto server")
    args = parser.parse_args()
    moto = None
    kms_url = None
    if args.kms:
        moto, kms_url = start_moto()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            db = Database.from_url(f"sqlite:///{tmp}/bench.db", master_key=MasterKey.generate())
            db.migrate()
            setup(db)
            encrypt, decrypt, backends = cases_for(db, kms_url)
            enc_rates = interleaved(encrypt, rounds=args.rounds, seconds=args.seconds)
            dec_rates = interleaved(decrypt, rounds=args.rounds, seconds=args.seconds)
            load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
            print(f"{args.rounds} interleaved rounds x {args.seconds}s per case, median; "
                  f"load average {load:.1f} on {os.cpu_count()} CPUs; store SQLite (temporary file)")
            floors = {"resource-key X25519": "ECDH X25519 (floor)", "resource-key P-256": "ECDH P-256 (floor)",
                      "local": "AES-GCM (floor)", "local: guard open": "AES-GCM (floor)",
                      "local: endpoint unwrap": "AES-GCM (floor)"}
            report("encrypt (issuance)", enc_rates, floors)
            report("decrypt (resource server)", dec_rates, floors)
            sizes(backends)
            db.dispose()
    finally:
        if moto is not None:
            moto.terminate()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
