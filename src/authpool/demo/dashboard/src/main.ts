/**
 * The authpool demo dashboard.
 *
 * The rule it shows: the ID token tells this page who signed in, so it can greet the user and decide
 * what to SHOW (admin panel, premium features). The access token goes to the orders API, which decides
 * what the user may DO. Everything decided here from the ID token is cosmetic: anyone can un-hide a
 * button, and the API still refuses what the access token does not allow.
 */
import { UserManager, WebStorageStateStore, type User } from "oidc-client-ts";
import { callApi, explanation, type Order } from "./api";
import { loadConfig, type DemoConfig } from "./config";
import { decodeJwt, isPii, type Claims } from "./jwt";
import { byId, renderAdminOrders, renderClaims, renderOrders, setStatus, showAnswer } from "./ui";
import "./style.css";

interface Session {
  config: DemoConfig;
  manager: UserManager;
  user: User;
  pii: ReadonlySet<string>;
  orders: Order[];
}

function userManager(config: DemoConfig): UserManager {
  return new UserManager({
    authority: config.authority, // discovery: {authority}/.well-known/openid-configuration
    client_id: config.client_id, // a public client: no secret in a browser, PKCE instead
    redirect_uri: config.redirect_uri,
    post_logout_redirect_uri: config.post_logout_redirect_uri,
    response_type: "code", // authorization code + PKCE (S256), oidc-client-ts's default
    scope: config.scope,
    loadUserInfo: false, // everything the UI needs is in the ID token
    automaticSilentRenew: false,
    monitorSession: false,
    revokeTokensOnSignout: true,
    revokeTokenTypes: ["refresh_token"],
    userStore: new WebStorageStateStore({ store: window.sessionStorage }),
  });
}

function randomNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function displayName(claims: Claims): string {
  const text = (name: string) => (typeof claims[name] === "string" ? (claims[name] as string) : "");
  const full = [text("given_name"), text("family_name")].filter(Boolean).join(" ");
  return text("name") || full || text("cognito:username") || text("email") || "there";
}

function groupsOf(claims: Claims): string[] {
  const groups = claims["cognito:groups"];
  return Array.isArray(groups) ? groups.filter((g): g is string => typeof g === "string") : [];
}

// -- orders, through the API with the access token ------------------------------------------------------
async function loadOrders(session: Session): Promise<void> {
  const answer = await callApi(session.config.api, "GET", "/orders", session.user.access_token);
  if (answer.status !== 200) {
    showAnswer(answer);
    setStatus(`The orders API answered ${answer.status}. ${explanation(answer)}`, "error");
    return;
  }
  const orders = (answer.body as { orders: Order[] }).orders;
  renderOrders(orders, (order) => void shipOrder(session, order));
  renderAdminOrders(orders, (order) => void deleteOrder(session, order));
  byId("orders-table").dataset.count = String(orders.length);
  session.orders = orders;
}

async function shipOrder(session: Session, order: Order): Promise<void> {
  const answer = await callApi(session.config.api, "PUT", `/orders/${encodeURIComponent(order.id)}`,
                               session.user.access_token, { status: "shipped" });
  showAnswer(answer);
  await loadOrders(session);
}

async function deleteOrder(session: Session, order: Order): Promise<void> {
  const answer = await callApi(session.config.api, "DELETE", `/orders/${encodeURIComponent(order.id)}`,
                               session.user.access_token);
  showAnswer(answer);
  if (answer.status === 204) {
    setStatus(`Order ${order.id} deleted.`);
  } else {
    setStatus(`The API refused to delete order ${order.id} (${answer.status}): ${explanation(answer)}`, "error");
  }
  await loadOrders(session);
}

async function addOrder(session: Session, form: HTMLFormElement): Promise<void> {
  const data = new FormData(form);
  const answer = await callApi(session.config.api, "POST", "/orders", session.user.access_token,
                               { item: String(data.get("item") ?? ""), quantity: Number(data.get("quantity")) });
  showAnswer(answer);
  if (answer.status === 201) form.reset();
  await loadOrders(session);
}

/** The wrong way, on purpose: the ID token sent where only an access token belongs. */
async function sendIdToken(session: Session): Promise<void> {
  const answer = await callApi(session.config.api, "GET", "/orders", session.user.id_token!);
  showAnswer(answer);
  setStatus(`The API refused the ID token (${answer.status}): ${explanation(answer)}`, "error");
}

// -- the page ---------------------------------------------------------------------------------------------
function showTokens(session: Session, idClaims: Claims, accessClaims: Claims): void {
  const prefixes = session.config.pii_prefixes;
  renderClaims("id-token-claims", idClaims, session.pii, prefixes);
  renderClaims("access-token-claims", accessClaims, session.pii, prefixes);
  byId("id-token-aud").textContent = `aud: ${JSON.stringify(idClaims.aud)}, this app's client id. ` +
    "Never send it to an API.";
  const scopes = typeof accessClaims.scope === "string" ? accessClaims.scope : "";
  byId("access-token-aud").textContent = `client_id: ${String(accessClaims.client_id)}; scope: ${scopes}`;
  const absent = Object.keys(idClaims).filter((n) => isPii(n, session.pii, prefixes) && !(n in accessClaims));
  const leaked = Object.keys(accessClaims).filter((n) => isPii(n, session.pii, prefixes));
  byId("pii-absent").textContent = leaked.length
    ? `Personal data in the access token: ${leaked.join(", ")}`
    : `Not in the access token: ${absent.join(", ")}. No personal data travels to the API.`;
}

function showSignedIn(session: Session): void {
  const idClaims = decodeJwt(session.user.id_token!).claims;
  const accessClaims = decodeJwt(session.user.access_token).claims;
  const greeting = byId("greeting");
  greeting.textContent = `Hello, ${displayName(idClaims)}`;
  greeting.hidden = false;
  byId("sign-in").hidden = true;
  byId("sign-out").hidden = false;
  byId("signed-out").hidden = true;
  byId("signed-in").hidden = false;
  // Cosmetic decisions, from the ID token. The API enforces the real ones from the access token.
  byId("admin-panel").hidden = !groupsOf(idClaims).includes("admin");
  byId("premium-panel").hidden = idClaims["custom:tier"] !== "premium";
  showTokens(session, idClaims, accessClaims);
  setStatus("");
}

function showSignedOut(manager: UserManager, message = ""): void {
  byId("greeting").hidden = true;
  byId("sign-out").hidden = true;
  byId("signed-in").hidden = true;
  byId("signed-out").hidden = false;
  const signIn = byId<HTMLButtonElement>("sign-in");
  signIn.hidden = false;
  // A nonce binds the ID token to this sign-in (OIDC Core §3.1.2.1); oidc-client-ts checks it on return.
  signIn.onclick = () => void manager.signinRedirect({ nonce: randomNonce() });
  setStatus(message, message ? "error" : "info");
}

function wire(session: Session): void {
  const form = byId<HTMLFormElement>("new-order");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void addOrder(session, form);
  });
  byId("reload-orders").addEventListener("click", () => void loadOrders(session));
  byId("send-id-token").addEventListener("click", () => void sendIdToken(session));
  byId("order-summary").addEventListener("click", () => {
    const orders = session.orders;
    const open = orders.filter((o) => o.status === "open");
    byId("summary").textContent = `${orders.length} orders, ${open.length} open, ` +
      `${orders.reduce((n, o) => n + o.quantity, 0)} items in all.`;
  });
  byId("sign-out").addEventListener("click", () => {
    // authpool's /logout (like Cognito's) wants the client_id; oidc-client-ts sends id_token_hint instead.
    void session.manager.signoutRedirect({ extraQueryParams: { client_id: session.config.client_id } });
  });
}

async function main(): Promise<void> {
  const config = await loadConfig();
  const issuerOrigin = new URL(config.authority).origin;
  if (location.origin !== issuerOrigin) {
    // Same origin as the pool: discovery and the token endpoint are then plain same-origin requests.
    location.replace(`${issuerOrigin}${location.pathname}${location.search}`);
    return;
  }
  const manager = userManager(config);
  let message = "";
  if (location.pathname.endsWith("/callback")) {
    try {
      await manager.signinRedirectCallback();
    } catch (error) {
      message = `Sign-in did not complete: ${error instanceof Error ? error.message : String(error)}`;
    }
    history.replaceState(null, "", "/demo/");
  }
  const user = await manager.getUser();
  if (!user || user.expired || !user.id_token) {
    showSignedOut(manager, message || (user?.expired ? "Your session has expired; sign in again." : ""));
    return;
  }
  const session: Session = { config, manager, user, pii: new Set(config.pii_claims), orders: [] };
  showSignedIn(session);
  wire(session);
  await loadOrders(session);
}

main().catch((error: unknown) => {
  setStatus(`The dashboard could not start: ${error instanceof Error ? error.message : String(error)}`, "error");
});
