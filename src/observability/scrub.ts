/**
 * The last line of defence before anything leaves the gateway for a log line or Sentry: values that look
 * like credentials are replaced, whatever field they hide in. The gateway never puts tokens, secrets or
 * SQL parameter values in these on purpose; this catches what a driver or library echoes back (a
 * connection string in an error message, a token in a URL).
 */

import { plainAuthoredSpans } from '../markers'

export const REDACTED = '[redacted]'

/** Field names whose values are secrets whatever they hold. */
const SECRET_KEY =
  /^(authorization|cookie|set-cookie|proxy-authorization|password|passwd|secret|token|access_token|refresh_token|id_token|api_key|apikey|client_secret|dsn|connection_string|database_url)$/i

/** A compact JWS (three base64url parts, the first a JSON header `{"…`). */
const JWT = /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g
/** `Bearer <token>` in a header echoed into a message. */
const BEARER = /\bBearer\s+[A-Za-z0-9\-._~+/]+=*/gi
/** `scheme://user:password@host`: the credentials part of any URL (Postgres, Sentry DSN, …). */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@:]+(:[^\s/@]*)?@/gi
/** `?token=…&sentry_key=…`: query-string values. */
const QUERY_VALUES = /([?&][^=&#\s]+)=[^&#\s]*/g

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key)
}

/**
 * Whether the text could hold anything the patterns below remove: each needs one of these substrings.
 * Most log values (tool names, ids, event names) hold none, and skip the four regular expressions.
 */
const MAYBE_SECRET = /eyJ|bearer|@|=/i

/**
 * The text with tokens, bearer credentials, URL passwords and query-string values removed, and user-written
 * text quoted in a message (src/markers.ts) as plain quotes.
 */
export function scrubText(value: string): string {
  const text = plainAuthoredSpans(value)
  if (!MAYBE_SECRET.test(text)) return text
  return text
    .replace(JWT, REDACTED)
    .replace(BEARER, `Bearer ${REDACTED}`)
    .replace(URL_CREDENTIALS, `$1${REDACTED}@`)
    .replace(QUERY_VALUES, `$1=${REDACTED}`)
}

/** A JSON-like value with every string scrubbed and every secret-named field replaced (cycles cut). */
export function scrubValue(value: unknown, seen: WeakSet<object> = new WeakSet()): unknown {
  if (typeof value === 'string') return scrubText(value)
  if (typeof value !== 'object' || value === null) return value
  if (seen.has(value)) return '[circular]'
  seen.add(value)
  if (Array.isArray(value)) return value.map((item) => scrubValue(item, seen))
  const scrubbed: Record<string, unknown> = {}
  for (const [key, item] of Object.entries(value)) {
    scrubbed[key] =
      isSecretKey(key) && item !== undefined && item !== null ? REDACTED : scrubValue(item, seen)
  }
  return scrubbed
}
