/**
 * The gateway's log lines in the `npm start` terminal. wrangler dev prints the Worker's JSON lines among
 * its own output; this turns each request line into one readable line (time, status, method and path,
 * tools, user, duration, cache) and other events into `level event key=value…`, drops wrangler's lines
 * that say the same thing again (its own request and queue lines, the bindings table), and passes the
 * rest through. `json` keeps the Worker's lines as they are; `quiet` shows only warnings and errors.
 */

export type LogFormat = 'pretty' | 'json' | 'quiet'

/** wrangler's own lines that repeat what the gateway logs, or describe the set-up the banner shows. */
const WRANGLER_NOISE = [
  /^\[wrangler:info\] (GET|POST|PUT|PATCH|DELETE|OPTIONS|HEAD|QUEUE) /,
  /^\[wrangler:info\] Ready on /,
  /^env\.\S+ /,
  /^Binding\s+Resource\s+Mode/,
  /^Your Worker has access to the following bindings/,
  /^⎔ /,
  /^Using vars defined in /,
]

interface GatewayLine {
  time: string
  level: string
  event: string
  [field: string]: unknown
}

function gatewayLine(line: string): GatewayLine | undefined {
  if (!line.startsWith('{"time":')) return undefined
  try {
    const parsed = JSON.parse(line) as GatewayLine
    return typeof parsed.event === 'string' && typeof parsed.level === 'string' ? parsed : undefined
  } catch {
    return undefined
  }
}

/** The line to print for one line of wrangler's output, or undefined to print nothing. */
export function formatLogLine(line: string, format: LogFormat): string | undefined {
  const entry = gatewayLine(line)
  if (entry === undefined)
    return WRANGLER_NOISE.some((pattern) => pattern.test(line)) ? undefined : `[wrangler] ${line}`
  const important = entry.level === 'warn' || entry.level === 'error'
  if (format === 'quiet' && !important) return undefined
  if (format === 'json') return line
  if (entry.event === 'request') return requestLine(entry)
  // A successful tool call's own line repeats its request line.
  if (entry.event === 'tool_call' && !important) return undefined
  return eventLine(entry)
}

function clock(time: string): string {
  return time.slice(11, 19)
}

function requestLine(entry: GatewayLine): string {
  const tools = Array.isArray(entry.tools) && entry.tools.length > 0 ? ` ${entry.tools.join(',')}` : ''
  const methods =
    Array.isArray(entry.rpc_methods) && entry.rpc_methods.length > 0 && tools === ''
      ? ` ${entry.rpc_methods.join(',')}`
      : ''
  const user = entry.user_id === null || entry.user_id === undefined ? '' : `  user ${String(entry.user_id)}`
  const cache =
    entry.cache_status === null || entry.cache_status === undefined
      ? ''
      : `  cache ${String(entry.cache_status)}`
  const error =
    entry.error_type === null || entry.error_type === undefined ? '' : `  ${String(entry.error_type)}`
  const auth =
    entry.auth_failure === null || entry.auth_failure === undefined
      ? ''
      : `  auth ${String(entry.auth_failure)}`
  return `${clock(entry.time)}  ${String(entry.status)}  ${String(entry.method)} ${String(entry.path)}${tools}${methods}${user}  ${String(entry.duration_ms)} ms${cache}${error}${auth}`
}

function eventLine(entry: GatewayLine): string {
  const fields = Object.entries(entry)
    .filter(
      ([key, value]) => !['time', 'level', 'event'].includes(key) && value !== null && value !== undefined,
    )
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
  return `${clock(entry.time)}  ${entry.level}  ${entry.event}  ${fields.join(' ')}`
}
