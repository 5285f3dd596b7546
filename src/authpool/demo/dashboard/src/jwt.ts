/** Decoding a JWT for display. Decoding verifies nothing: it only shows what the token says. */

export type Claims = Record<string, unknown>;

export interface Decoded {
  header: Claims;
  claims: Claims;
}

function base64UrlToText(part: string): string {
  const base64 = part.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(part.length / 4) * 4, "=");
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

export function decodeJwt(token: string): Decoded {
  const [header, payload] = token.split(".");
  return { header: JSON.parse(base64UrlToText(header)), claims: JSON.parse(base64UrlToText(payload)) };
}

export function isPii(name: string, piiClaims: ReadonlySet<string>, prefixes: readonly string[]): boolean {
  return piiClaims.has(name) || prefixes.some((prefix) => name.startsWith(prefix));
}

/** Seconds since the epoch as a readable local time, for exp / iat / auth_time. */
export function describeTime(value: unknown): string | null {
  if (typeof value !== "number") return null;
  return new Date(value * 1000).toLocaleString();
}
