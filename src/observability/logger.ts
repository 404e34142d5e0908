/**
 * Structured logs: one JSON object per line on stdout (Workers Logs / `wrangler tail` collect them).
 * Request-scoped loggers carry the request id and caller; values that could hold secrets are never
 * passed in (tokens, SQL parameter values, connection strings), and whatever a driver echoes back is
 * scrubbed on the way out (src/observability/scrub.ts).
 */
import type { LogLevel } from '../config'
import { isSecretKey, REDACTED, scrubText } from './scrub'

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 }

export type LogFields = Record<string, unknown>

export interface Logger {
  debug(event: string, fields?: LogFields): void
  info(event: string, fields?: LogFields): void
  warn(event: string, fields?: LogFields): void
  error(event: string, fields?: LogFields): void
  /** A logger whose lines all carry `fields` too. */
  child(fields: LogFields): Logger
}

export type LogSink = (line: string) => void

/**
 * Sees every event, whatever the level, before it is filtered: how the request's access line and
 * metrics learn what the layers below decided (an authentication failure's reason, a database error)
 * without those layers knowing about metrics.
 */
export type LogObserver = (level: LogLevel, event: string, fields: LogFields) => void

// eslint-disable-next-line no-console -- the one place that writes to the console
const consoleSink: LogSink = (line) => console.log(line)

export function createLogger(
  level: LogLevel,
  base: LogFields = {},
  sink: LogSink = consoleSink,
  observe?: LogObserver,
): Logger {
  const threshold = RANK[level]
  const write = (at: LogLevel, event: string, fields: LogFields = {}): void => {
    if (observe !== undefined) safely(() => observe(at, event, fields))
    if (RANK[at] < threshold) return
    sink(JSON.stringify({ time: new Date().toISOString(), level: at, event, ...base, ...fields }, jsonSafe))
  }
  return {
    debug: (event, fields) => write('debug', event, fields),
    info: (event, fields) => write('info', event, fields),
    warn: (event, fields) => write('warn', event, fields),
    error: (event, fields) => write('error', event, fields),
    child: (fields) => createLogger(level, { ...base, ...fields }, sink, observe),
  }
}

/** An observer's bug must never fail the work being logged. */
function safely(run: () => void): void {
  try {
    run()
  } catch {
    // Deliberately ignored: observation is best effort.
  }
}

/**
 * Errors serialise as name/message/code only (no stacks with local paths, no attached payloads);
 * secret-named fields are replaced and strings scrubbed of tokens and URL credentials.
 */
function jsonSafe(key: string, value: unknown): unknown {
  if (key !== '' && isSecretKey(key) && value !== undefined && value !== null) return REDACTED
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code
    return { name: value.name, message: value.message, ...(code === undefined ? {} : { code }) }
  }
  if (typeof value === 'string') return scrubText(value)
  if (typeof value === 'bigint') return value.toString()
  return value
}
