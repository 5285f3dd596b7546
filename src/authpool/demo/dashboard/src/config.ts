/** What the server tells the dashboard about itself (GET /demo/config.json). */
export interface DemoConfig {
  authority: string; // the pool's issuer; oidc-client-ts reads its discovery document
  client_id: string; // the public demo-spa client
  redirect_uri: string;
  post_logout_redirect_uri: string;
  scope: string;
  api: string; // the orders API's base URL
  pii_claims: string[]; // claim names that are personal data (authpool.tokens.PII_CLAIMS)
  pii_prefixes: string[]; // and every claim starting with one of these ("custom:")
}

export async function loadConfig(): Promise<DemoConfig> {
  const response = await fetch("/demo/config.json", { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`could not load /demo/config.json (HTTP ${response.status})`);
  return (await response.json()) as DemoConfig;
}
