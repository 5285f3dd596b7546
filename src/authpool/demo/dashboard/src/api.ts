/** Calls to the orders API. Each call names the token it sends; the page sends the access token,
 *  except for the one button that demonstrates what happens with the ID token. */

export interface ApiAnswer {
  request: string;
  status: number;
  body: unknown;
}

export interface Order {
  id: string;
  item: string;
  quantity: number;
  status: string;
}

export async function callApi(base: string, method: string, path: string, token: string,
                              body?: unknown): Promise<ApiAnswer> {
  const headers: Record<string, string> = { Authorization: `Bearer ${token}`, Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(`${base}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = text;
  }
  return { request: `${method} ${new URL(base).pathname}${path}`, status: response.status, body: parsed };
}

/** The guard's explanation in a refusal (RFC 6750 §3: error + error_description). */
export function explanation(answer: ApiAnswer): string {
  const body = answer.body as { error?: string; error_description?: string } | null;
  if (!body || typeof body !== "object" || !body.error_description) return "";
  return body.error ? `${body.error}: ${body.error_description}` : body.error_description;
}
