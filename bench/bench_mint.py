"""Access-token mint rate (no HTTP) against the bare pyca/cryptography signing rate, same key, same run.

    python bench/bench_mint.py [--rounds N] [--seconds S]

The baseline is one ``private_key.sign`` over a signing input of the same length as a real token's.
Targets (issue 2): mint/bare >= 0.9 for RS256, >= 0.7 for ES256 and EdDSA.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import interleaved
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding

from authpool.jose import JWK
from authpool.tokens import Session, TokenMinter

TARGETS = {"RS256": 0.9, "ES256": 0.7, "EdDSA": 0.7}


def bare_signer(key: JWK, alg: str):
    private = key.private_key
    if alg == "RS256":
        pad, sha = padding.PKCS1v15(), hashes.SHA256()
        return lambda data: private.sign(data, pad, sha)
    if alg == "ES256":
        ecdsa = ec.ECDSA(hashes.SHA256())
        return lambda data: private.sign(data, ecdsa)
    return private.sign


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=0.3)
    args = parser.parse_args()
    session = Session(issuer="http://127.0.0.1:8000/us-east-1_AbCdEf123", sub="6f0d6c5e-3d1a-4a61-9d8e-1c2b3a4d5e6f",
                      client_id="4l5k6j7h8g9f0d1s2a3q4w5e6r", auth_time=1_780_000_000,
                      origin_jti="0e9f7a1c-2b3d-4e5f-8a9b-0c1d2e3f4a5b", username="alice",
                      groups=("admin",), scopes=("openid", "orders/read", "orders/write"))
    print(f"{'alg':6} {'mint/s':>10} {'bare sign/s':>12} {'ratio':>6} {'target':>7}")
    ok = True
    for alg, target in TARGETS.items():
        key = JWK.generate(alg)
        minter = TokenMinter(session.issuer, id_key=JWK.generate(alg), access_key=key)
        now = int(time.time())
        sample = minter.mint_access_token(session, now=now, ttl=3600)
        signing_input = sample.rsplit(".", 1)[0].encode("ascii")
        sign = bare_signer(key, alg)
        rates = interleaved({
            "mint": lambda m=minter, t=now: m.mint_access_token(session, now=t, ttl=3600),
            "bare": lambda f=sign, data=signing_input: f(data),
        }, rounds=args.rounds, seconds=args.seconds)
        ratio = rates["mint"] / rates["bare"]
        ok &= ratio >= target
        print(f"{alg:6} {rates['mint']:10.0f} {rates['bare']:12.0f} {ratio:6.2f} {'>=' + str(target):>7}"
              f"{'' if ratio >= target else '  BELOW TARGET'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
