import { GatewayError } from '../errors'

/** What the caller is told is unreachable or slow; never the host, user or SQL. */
export interface DatabaseLabel {
  /** e.g. "the Superset metadata database", "the analytics database \"examples\"" */
  name: string
  timeoutMs: number
}

// SQLSTATE classes that mean "the database is not available to us right now".
const UNAVAILABLE_CLASSES = ['08', '53', '57P', '28', '3D']

/**
 * Turns a driver failure into the gateway's vocabulary. Connection failures → UpstreamError,
 * timeouts → TimeoutError; anything else stays an internal failure (its text may hold SQL).
 */
export function toDatabaseError(err: unknown, label: DatabaseLabel): GatewayError {
  if (err instanceof GatewayError) return err
  const code = sqlState(err)
  const message = err instanceof Error ? err.message : String(err)
  if (code === '57014' || /timeout|timed out/i.test(message)) {
    return new GatewayError(
      'TimeoutError',
      `${capitalise(label.name)} did not answer within ${label.timeoutMs} ms.`,
      {
        cause: err,
        details: { timeout_ms: label.timeoutMs },
      },
    )
  }
  if (
    (code !== undefined && UNAVAILABLE_CLASSES.some((prefix) => code.startsWith(prefix))) ||
    (code === undefined && isConnectionFailure(message))
  ) {
    return new GatewayError('UpstreamError', `${capitalise(label.name)} is unreachable; try again shortly.`, {
      cause: err,
    })
  }
  return new GatewayError(
    'InternalError',
    'A database query failed unexpectedly. The failure has been logged.',
    {
      cause: err,
    },
  )
}

export function sqlState(err: unknown): string | undefined {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined
}

function isConnectionFailure(message: string): boolean {
  return /connect|connection|socket|websocket|terminated|ECONN|EPIPE|network|closed/i.test(message)
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}
