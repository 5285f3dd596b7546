// amazon-cognito-identity-js, used exactly as an app would, against an authpool server.
// Reads one JSON request on stdin, writes one JSON result on stdout (tests/interop/test_srp_node.py).
//
//   {"action": "signIn", "endpoint": "http://127.0.0.1:P/", "poolId": "...", "clientId": "...",
//    "username": "...", "password": "...", "newPassword": "..."?}
//     -> {"ok": true, "idToken", "accessToken", "refreshToken", "newPasswordRequired": bool}
//      | {"ok": false, "code": "NotAuthorizedException", "message": "..."}
//   {"action": "key", "poolName", "username", "password", "a": hex, "B": hex, "salt": hex}
//     -> {"A": hex, "key": hex}   (AuthenticationHelper alone, with a fixed client secret a)
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { AuthenticationDetails, CognitoUser, CognitoUserPool } = require("amazon-cognito-identity-js");
const AuthenticationHelper = require("amazon-cognito-identity-js/lib/AuthenticationHelper.js").default;
const BigInteger = require("amazon-cognito-identity-js/lib/BigInteger.js").default;

function readStdin() {
  return new Promise((resolve) => {
    let text = "";
    process.stdin.setEncoding("utf8");
    process.stdin.on("data", (chunk) => (text += chunk));
    process.stdin.on("end", () => resolve(JSON.parse(text)));
  });
}

function tokens(session, extra = {}) {
  return {
    ok: true,
    idToken: session.getIdToken().getJwtToken(),
    accessToken: session.getAccessToken().getJwtToken(),
    refreshToken: session.getRefreshToken().getToken(),
    ...extra,
  };
}

function failure(err) {
  return { ok: false, code: err.code || err.name, message: err.message };
}

function signIn(req) {
  const pool = new CognitoUserPool({ UserPoolId: req.poolId, ClientId: req.clientId, endpoint: req.endpoint });
  const user = new CognitoUser({ Username: req.username, Pool: pool });
  const details = new AuthenticationDetails({ Username: req.username, Password: req.password });
  return new Promise((resolve) => {
    user.authenticateUser(details, {
      onSuccess: (session) => resolve(tokens(session, { newPasswordRequired: false })),
      onFailure: (err) => resolve(failure(err)),
      newPasswordRequired: () => {
        if (!req.newPassword) {
          resolve({ ok: false, code: "NewPasswordRequired", message: "no newPassword given" });
          return;
        }
        user.completeNewPasswordChallenge(req.newPassword, {}, {
          onSuccess: (session) => resolve(tokens(session, { newPasswordRequired: true })),
          onFailure: (err) => resolve(failure(err)),
        });
      },
    });
  });
}

function key(req) {
  const helper = new AuthenticationHelper(req.poolName);
  helper.smallAValue = new BigInteger(req.a, 16);
  helper.largeAValue = undefined;
  return new Promise((resolve, reject) => {
    helper.getLargeAValue((err, A) => {
      if (err) return reject(err);
      helper.getPasswordAuthenticationKey(
        req.username, req.password, new BigInteger(req.B, 16), new BigInteger(req.salt, 16),
        (err2, hkdf) => (err2 ? reject(err2) : resolve({ A: A.toString(16), key: Buffer.from(hkdf).toString("hex") })),
      );
    });
  });
}

const req = await readStdin();
const result = req.action === "key" ? await key(req) : await signIn(req);
process.stdout.write(JSON.stringify(result));
