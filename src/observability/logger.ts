/**
 * Structured logs: one JSON object per line on stdout (Workers Logs / `wrangler tail` collect them).
 * Request-scoped loggers carry the request id and caller; values that could hold secrets are never
 * passed in (tokens, SQL parameter values, connection strings).
 */
import type { LogLevel } from '../config'

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

// eslint-disable-next-line no-console -- the one place that writes to the console
const consoleSink: LogSink = (line) => console.log(line)

export function createLogger(level: LogLevel, base: LogFields = {}, sink: LogSink = consoleSink): Logger {
  const threshold = RANK[level]
  const write = (at: LogLevel, event: string, fields?: LogFields): void => {
    if (RANK[at] < threshold) return
    sink(JSON.stringify({ time: new Date().toISOString(), level: at, event, ...base, ...fields }, jsonSafe))
  }
  return {
    debug: (event, fields) => write('debug', event, fields),
    info: (event, fields) => write('info', event, fields),
    warn: (event, fields) => write('warn', event, fields),
    error: (event, fields) => write('error', event, fields),
    child: (fields) => createLogger(level, { ...base, ...fields }, sink),
  }
}

/** Errors serialise as name/message/code only: no stacks with local paths, no attached payloads. */
function jsonSafe(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code
    return { name: value.name, message: value.message, ...(code === undefined ? {} : { code }) }
  }
  if (typeof value === 'bigint') return value.toString()
  return value
}

/** For describing a cause in a log line without leaking its payload. */
export function describeError(err: unknown): LogFields {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code
    return {
      error_name: err.name,
      error_message: err.message,
      ...(code === undefined ? {} : { error_code: code }),
    }
  }
  return { error_message: String(err) }
}
