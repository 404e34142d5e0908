/**
 * What a caller may learn when their query fails in an analytics database: PostgreSQL's message and
 * hint for errors caused by the query itself (syntax, unknown column, bad value, read-only
 * violation), never the connection string, host, internal SQL or stack. Connection failures and
 * timeouts keep the database layer's own messages (UpstreamError, TimeoutError).
 */
import { quoteAuthored } from '../markers'
import { sqlState } from '../db'
import { GatewayError } from '../errors'

// SQLSTATE classes caused by the statement itself.
const STATEMENT_CLASSES = ['22', '23', '25', '2B', '40', '42', '0A', '21', '44', 'P0']
const URL_PATTERN = /\b[a-z][a-z0-9+.-]*:\/\/[^\s'"]+/gi
const MAX_MESSAGE_CHARS = 500

export interface QueryFailure {
  /** The database's own message, sanitised. */
  message: string
  sqlstate: string
  hint: string | undefined
}

/** The failure of a statement, when `err` is one; undefined for connection problems and timeouts. */
export function statementFailure(err: unknown): QueryFailure | undefined {
  const cause = err instanceof GatewayError ? err.cause : err
  if (err instanceof GatewayError && err.type !== 'InternalError') return undefined
  const code = sqlState(cause)
  if (code === undefined || !STATEMENT_CLASSES.some((prefix) => code.startsWith(prefix))) return undefined
  const raw = cause instanceof Error ? cause.message : String(cause)
  const hint =
    typeof (cause as { hint?: unknown }).hint === 'string' ? (cause as { hint: string }).hint : undefined
  return { message: sanitise(raw), sqlstate: code, hint: hint === undefined ? undefined : sanitise(hint) }
}

export function sanitise(text: string): string {
  const cleaned = text.replace(URL_PATTERN, '[redacted]').replace(/\s+/g, ' ').trim()
  return cleaned.length > MAX_MESSAGE_CHARS ? `${cleaned.slice(0, MAX_MESSAGE_CHARS - 3)}...` : cleaned
}

/** A failed chart query as a caller-facing error (the SQL is the gateway's: never shown). */
export function chartQueryError(err: unknown, database: string): unknown {
  const failure = statementFailure(err)
  if (failure === undefined) return err
  return new GatewayError(
    'ValidationError',
    `The chart's query failed in the analytics database ${quoteAuthored(database)}: ${failure.message}` +
      `${failure.hint === undefined ? '' : ` (hint: ${failure.hint})`}. Check the chart's metrics, columns and filters.`,
    { cause: err, details: { reason: 'query_error', sqlstate: failure.sqlstate } },
  )
}
