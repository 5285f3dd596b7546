"""Access-token verification rate: authpool.guard vs the bare signature check (the floor) and vs PyJWT,
joserfc and Authlib doing the same checks, for RS256, ES256 and EdDSA, cold and warm, in one run.

    python bench/bench_verify.py [--rounds N] [--seconds S] [--tokens N]

* The token is Cognito-sized: Cognito's access-token claims (COGNITO.md §1.4) with UUIDs, two groups and
  three scopes, header ``kid``/``alg``/``typ: at+jwt`` (about 1 KB).
* The JWKS (an access key and an ID-token key, as Cognito publishes) is fetched once from a local HTTP
  server and warm in the guard's cache; each library gets the same keys, already imported and picked by
  ``kid``.
* Same checks everywhere: signature, ``iss`` exact, ``exp`` (and ``nbf``/``iat`` where present),
  ``token_use == "access"``, ``client_id`` in an allow-list, a required scope. (The guard also checks the
  header rules of RFC 8725 and the ID-token rules, which the libraries don't.)
* floor: ``public_key.verify`` of pyca/cryptography on the token's signing input, with the signature
  already in the form cryptography takes (DER for ECDSA): nothing but the signature math.
* rates are calls per CPU-second of this process (``time.process_time``) in each case's best round of
  ``--rounds`` interleaved rounds, so that on a shared machine neither descheduling nor a noisy
  neighbour's burst is charged to one case more than another.
* cold: every call verifies a different token (a cycle over ``--tokens`` distinct tokens; no cache).
  warm: the same token again and again; the guard uses its opt-in verified-token cache, the libraries
  have none.
Targets (issue 3): cold >= 0.75x floor (RS256), >= 0.85x (ES256, EdDSA), and >= 1.5x the fastest
library; warm >= 10x floor; ``import authpool.guard`` < 150 ms without web framework or database.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import subprocess
import sys
import threading
import time
import uuid
import warnings
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from _timing import interleaved
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from authpool.guard import AccessTokenVerifier, VerifiedTokenCache
from authpool.jose import JWK, b64url_decode
from authpool.tokens import Session, TokenMinter

ISS = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEf123"
CLIENT = "4l5k6j7h8g9f0d1s2a3q4w5e6r"
SCOPE = "orders/read"
COLD_TARGET = {"RS256": 0.75, "ES256": 0.85, "EdDSA": 0.85}
LIB_TARGET, WARM_TARGET, IMPORT_TARGET_MS = 1.5, 10.0, 150.0


# -- a local JWKS server -------------------------------------------------------------------------------------
def serve_jwks(jwks: dict) -> tuple[ThreadingHTTPServer, str]:
    body = json.dumps(jwks).encode()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Cache-Control", "max-age=3600")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/.well-known/jwks.json"


# -- the floor ----------------------------------------------------------------------------------------------------
def floor_verifier(key: JWK, alg: str, token: str):
    """(verify callable taking (signature, data), signature in cryptography's form, data)."""
    public = key.public_key
    signing_input, _, sig = token.rpartition(".")
    signature = b64url_decode(sig)
    data = signing_input.encode("ascii")
    if alg == "RS256":
        pad, sha = padding.PKCS1v15(), hashes.SHA256()
        return (lambda s, d: public.verify(s, d, pad, sha)), signature, data
    if alg == "ES256":
        ecdsa = ec.ECDSA(hashes.SHA256())
        der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
        return (lambda s, d: public.verify(s, d, ecdsa)), der, data
    return public.verify, signature, data


# -- the libraries, doing the same checks -----------------------------------------------------------------------------
class Refused(Exception):
    pass


def pyjwt_verifier(jwks: dict, alg: str):
    import jwt

    keys = {k["kid"]: jwt.PyJWK(k, algorithm=alg) for k in jwks["keys"]}
    options = {"require": ["exp", "iss"]}

    def verify(token: str) -> dict:
        key = keys[jwt.get_unverified_header(token)["kid"]]
        claims = jwt.decode(token, key, algorithms=[alg], issuer=ISS, options=options)
        if claims.get("token_use") != "access" or claims.get("client_id") not in (CLIENT,):
            raise Refused
        if SCOPE not in claims.get("scope", "").split():
            raise Refused
        return claims
    return verify


def joserfc_verifier(jwks: dict, alg: str):
    from joserfc import jwt
    from joserfc.jwk import KeySet

    key_set = KeySet.import_key_set(jwks)
    registry = jwt.JWTClaimsRegistry(iss={"essential": True, "value": ISS}, exp={"essential": True},
                                     token_use={"essential": True, "value": "access"},
                                     client_id={"essential": True, "values": [CLIENT]})

    def verify(token: str) -> dict:
        claims = jwt.decode(token, key_set, algorithms=[alg]).claims
        registry.validate(claims)
        if SCOPE not in claims.get("scope", "").split():
            raise Refused
        return claims
    return verify


def authlib_verifier(jwks: dict, alg: str):
    with warnings.catch_warnings():  # Authlib forces its deprecation notice to "always": silence the display
        warnings.showwarning = lambda *args, **kwargs: None
        from authlib.jose import JsonWebKey, JsonWebToken

    key_set = JsonWebKey.import_key_set(jwks)
    decoder = JsonWebToken([alg])
    options = {"iss": {"essential": True, "value": ISS}, "exp": {"essential": True},
               "token_use": {"essential": True, "value": "access"},
               "client_id": {"essential": True, "values": [CLIENT]}}

    def verify(token: str) -> dict:
        claims = decoder.decode(token, key_set, claims_options=options)
        claims.validate()
        if SCOPE not in claims.get("scope", "").split():
            raise Refused
        return claims
    return verify


# -- import time ---------------------------------------------------------------------------------------------------------
def import_time_ms(runs: int = 7) -> tuple[float, float, list[str]]:
    """Best wall and CPU milliseconds of ``import authpool.guard`` in fresh interpreters (the least
    disturbed run, as for the rates), and any web framework or database module it loaded."""
    code = ("import sys, time; w, c = time.perf_counter(), time.process_time(); import authpool.guard; "
            "w, c = time.perf_counter() - w, time.process_time() - c; import json; "
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
            "('starlette', 'fastapi', 'flask', 'werkzeug', 'sqlalchemy', 'psycopg', 'alembic')); "
            "print(json.dumps([w, c, bad]))")
    walls, cpus, bad = [], [], []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True, check=True)
        wall, cpu, bad = json.loads(out.stdout)
        walls.append(wall * 1000)
        cpus.append(cpu * 1000)
    return min(walls), min(cpus), bad


def measure(alg: str, args: argparse.Namespace, now: int) -> dict[str, float]:
    """Rates per second of every case for one algorithm, measured in interleaved rounds."""
    access_key, id_key = JWK.generate(alg, kid=str(uuid.uuid4())), JWK.generate(alg, kid=str(uuid.uuid4()))
    jwks = {"keys": [access_key.to_public_dict(), id_key.to_public_dict()]}
    server, jwks_uri = serve_jwks(jwks)
    try:
        minter = TokenMinter(ISS, id_key=id_key, access_key=access_key)
        session = Session(issuer=ISS, sub=str(uuid.uuid4()), client_id=CLIENT, auth_time=now - 60,
                          origin_jti=str(uuid.uuid4()), username="janedoe@example.com",
                          groups=("admin", "orders-team"), scopes=("openid", "orders/read", "orders/write"))
        tokens = [minter.mint_access_token(session, now=now, ttl=3600) for _ in range(args.tokens)]
        options = {"issuer": ISS, "client_ids": [CLIENT], "jwks_uri": jwks_uri, "algorithms": [alg],
                   "token_type": "cognito", "scopes": [SCOPE]}
        cold = AccessTokenVerifier(**options)
        warm = AccessTokenVerifier(**options, cache=VerifiedTokenCache(10_000))
        cold.hydrate()
        warm.hydrate()
        libs = {"pyjwt": pyjwt_verifier(jwks, alg), "joserfc": joserfc_verifier(jwks, alg),
                "authlib": authlib_verifier(jwks, alg)}
        for fn in (cold.verify, warm.verify, *libs.values()):  # everyone accepts the same token
            fn(tokens[0])
        floors = [floor_verifier(access_key, alg, t) for t in tokens]
        floor_fn = floors[0][0]
        next_floor = itertools.cycle([(s, d) for _, s, d in floors]).__next__
        next_token = itertools.cycle(tokens).__next__
        one, one_sig, one_data = tokens[0], floors[0][1], floors[0][2]
        cases = {
            "floor_cold": lambda: floor_fn(*next_floor()),
            "guard_cold": lambda: cold.verify(next_token()),
            **{f"{n}_cold": (lambda f=f: f(next_token())) for n, f in libs.items()},
            "floor_warm": lambda: floor_fn(one_sig, one_data),
            "guard_warm": lambda: warm.verify(one),
            **{f"{n}_warm": (lambda f=f: f(one)) for n, f in libs.items()},
        }
        return interleaved(cases, rounds=args.rounds, seconds=args.seconds, best=True)
    finally:
        server.shutdown()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--seconds", type=float, default=0.2)
    parser.add_argument("--tokens", type=int, default=2000)
    parser.add_argument("--algs", default="RS256,ES256,EdDSA")
    args = parser.parse_args()
    warnings.simplefilter("ignore")  # Authlib's and joserfc's deprecation notices
    import cryptography

    from authpool.jose import b64, jsonutil
    print(f"verify benchmark: Python {sys.version.split()[0]}, cryptography {cryptography.__version__}, "
          f"orjson {'used' if jsonutil._orjson is not None else 'absent'}, "
          f"pybase64 {'used' if b64._pyb64decode is not None else 'absent'}, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.2f}; {args.rounds} rounds x {args.seconds}s per case, "
          f"{args.tokens} distinct cold tokens")
    now = int(time.time())
    ok = True
    rows = []
    for alg in args.algs.split(","):
        rates = measure(alg, args, now)
        for mode in ("cold", "warm"):
            guard, floor = rates[f"guard_{mode}"], rates[f"floor_{mode}"]
            libs = {n: rates[f"{n}_{mode}"] for n in ("pyjwt", "joserfc", "authlib")}
            best = max(libs.values())
            x_floor, x_lib = guard / floor, guard / best
            floor_target = COLD_TARGET[alg] if mode == "cold" else WARM_TARGET
            passed = x_floor >= floor_target and x_lib >= LIB_TARGET
            ok &= passed
            rows.append(f"{alg:6} {mode:5} {guard:9.0f} {floor:9.0f} {libs['pyjwt']:9.0f} {libs['joserfc']:9.0f} "
                        f"{libs['authlib']:9.0f} {x_floor:8.2f} {x_lib:10.2f}  "
                        f"(targets >= {floor_target}, >= {LIB_TARGET}){'' if passed else '  BELOW TARGET'}")
    print(f"{'alg':6} {'mode':5} {'guard/s':>9} {'floor/s':>9} {'pyjwt/s':>9} {'joserfc/s':>9} {'authlib/s':>9} "
          f"{'x floor':>8} {'x best lib':>10}")
    print("\n".join(rows))
    wall, cpu, bad = import_time_ms()
    import_ok = wall < IMPORT_TARGET_MS and not bad
    ok &= import_ok
    print(f"import authpool.guard: {wall:.1f} ms wall, {cpu:.1f} ms CPU (best of 7 fresh interpreters; target "
          f"< {IMPORT_TARGET_MS:.0f} ms); web framework / database modules loaded: {bad or 'none'}"
          f"{'' if import_ok else '  BELOW TARGET'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
