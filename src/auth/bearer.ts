/**
 * The bearer token of a request: only from the Authorization header (RFC 6750 §2.1). The MCP
 * authorization spec forbids tokens in the query string, so `?access_token=` is never read.
 */

/** Real access tokens are 1–2 KB; anything far larger is refused before any parsing or hashing. */
export const MAX_TOKEN_BYTES = 8 * 1024

// RFC 6750 b64token after the scheme; the scheme itself is case-insensitive.
const BEARER_HEADER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i

export type BearerToken =
  | { ok: true; token: string }
  | { ok: false; reason: 'missing_token' | 'token_too_large' | 'malformed_header' }

export function readBearerToken(authorization: string | undefined): BearerToken {
  if (authorization === undefined || authorization.trim() === '')
    return { ok: false, reason: 'missing_token' }
  if (authorization.length > MAX_TOKEN_BYTES + 'Bearer '.length)
    return { ok: false, reason: 'token_too_large' }
  // Another scheme (Basic, DPoP…) is not a bearer token at all: the caller still has to authenticate.
  if (!/^bearer(\s|$)/i.test(authorization)) return { ok: false, reason: 'missing_token' }
  const match = BEARER_HEADER.exec(authorization)
  if (match?.[1] === undefined) return { ok: false, reason: 'malformed_header' }
  return { ok: true, token: match[1] }
}
