/**
 * Digests for keys and fingerprints: SHA-256 as lowercase hex, and canonical JSON (object keys sorted) so
 * equal values digest equally. Used by the audit trail, the token cache, the JWKS and tool caches.
 */

/** SHA-256 of a string as lowercase hex: keys that never hold the secret they are derived from. */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))
  return toHex(new Uint8Array(digest))
}

/** Bytes as lowercase hex. */
export function toHex(bytes: Uint8Array): string {
  let hex = ''
  for (const byte of bytes) hex += HEX_BYTES[byte]
  return hex
}

/** Every byte's two hex digits, computed once: the hot path of every key derivation. */
const HEX_BYTES = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'))

/** JSON with object keys sorted (and undefined members left out), so equal values serialise equally. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([name, item]) => `${JSON.stringify(name)}:${canonicalJson(item)}`).join(',')}}`
  }
  return JSON.stringify(value ?? null)
}
