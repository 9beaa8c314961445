/** Percent-encodes everything but RFC 3986's unreserved characters, as SigV4 canonical requests want. */
export function encodeRfc3986(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
