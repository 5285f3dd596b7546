// AWS Amplify JS v6 (aws-amplify/auth), used exactly as a front end would, against an authpool server.
// One process is one app session: it reads one JSON request per line on stdin and answers one JSON line
// on stdout (tests/interop/test_amplify.py), so the test can read the outbox between two calls.
//
//   {"op": "configure", "input": {"endpoint": "http://127.0.0.1:P/", "poolId": "...", "clientId": "..."}}
//   {"op": "signIn" | "confirmSignIn" | "signUp" | "confirmSignUp" | "autoSignIn" | "signOut" |
//    "fetchUserAttributes" | "updateUserAttributes" | "updateUserAttribute" | "deleteUserAttributes" |
//    "sendUserAttributeVerificationCode" | "confirmUserAttribute" | "getCurrentUser" |
//    "verifyTOTPSetup" | "updateMFAPreference" | "fetchMFAPreference", "input": {...}}
//                        (any aws-amplify/auth API by name; its resolved value, JSON-encoded)
//   {"op": "setUpTOTP"}  -> {"sharedSecret", "setupUri": getSetupUri("authpool") as a string}
//   {"op": "fetchAuthSession", "input": {"forceRefresh": bool}}  -> the tokens as compact JWTs
//   {"op": "refreshToken"}  -> the refresh token Amplify keeps in its token store
//   {"op": "exchanges"}  -> what a browser checks of each call so far (CORS), then forgets them:
//                           [{"method", "target", "headers": [lower-case names], "allowOrigin"}]
// Each answer: {"ok": true, "value": ...} | {"ok": false, "name": "NotAuthorizedException", "message": "..."}
//
// The only environment set-up: Node 20 has fetch and crypto.getRandomValues, which is all Amplify needs;
// its token store is given a Map (as an app passes its own storage to setKeyValueStorage), so the
// refresh token can be read back; console output goes to stderr so that stdout carries only answers;
// the global fetch that Amplify calls is wrapped to note each request's header names and the answer's
// Access-Control-Allow-Origin (nothing is changed). Amplify is not patched.
import { createInterface } from "node:readline";
import { Amplify } from "aws-amplify";
import * as auth from "aws-amplify/auth";
import { cognitoUserPoolsTokenProvider } from "aws-amplify/auth/cognito";

for (const level of ["log", "info", "debug"]) console[level] = (...args) => console.error(...args);

const exchanges = [];
const realFetch = globalThis.fetch;
globalThis.fetch = async (url, init = {}) => {
  const response = await realFetch(url, init);
  const headers = new Headers(init.headers);
  exchanges.push({ method: init.method, target: headers.get("x-amz-target"), headers: [...headers.keys()],
                   allowOrigin: response.headers.get("access-control-allow-origin") });
  return response;
};

const store = new Map();
const storage = {
  setItem: async (key, value) => void store.set(key, value),
  getItem: async (key) => store.get(key) ?? null,
  removeItem: async (key) => void store.delete(key),
  clear: async () => store.clear(),
};

const ops = {
  configure: ({ endpoint, poolId, clientId }) => {
    Amplify.configure({ Auth: { Cognito: { userPoolId: poolId, userPoolClientId: clientId,
                                           userPoolEndpoint: endpoint } } });
    cognitoUserPoolsTokenProvider.setKeyValueStorage(storage); // after configure, which sets its default
    return null;
  },
  fetchAuthSession: async (input) => {
    const { tokens } = await auth.fetchAuthSession(input);
    return tokens ? { accessToken: tokens.accessToken.toString(), idToken: tokens.idToken?.toString() } : null;
  },
  setUpTOTP: async () => {
    const details = await auth.setUpTOTP();
    return { sharedSecret: details.sharedSecret, setupUri: details.getSetupUri("authpool").toString() };
  },
  exchanges: () => exchanges.splice(0),
  refreshToken: () => {
    const keys = [...store.keys()].filter((key) => key.endsWith(".refreshToken"));
    return keys.length === 1 ? store.get(keys[0]) : null;
  },
};

async function answer(request) {
  try {
    const op = ops[request.op] ?? auth[request.op];
    if (typeof op !== "function") throw Object.assign(new Error(`no such op: ${request.op}`), { name: "BadOp" });
    const value = await op(request.input);
    return { ok: true, value: value ?? null };
  } catch (err) {
    return { ok: false, name: err.name, message: err.message };
  }
}

for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim()) process.stdout.write(JSON.stringify(await answer(JSON.parse(line))) + "\n");
}
process.exit(0); // stdin closed: the session is over, whatever timers Amplify still holds (autoSignIn waits 3 min)
