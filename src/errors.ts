import { mapStrings, plainAuthoredSpans, renderAuthoredSpans } from './markers'
import { TOOL_NAMES } from './tool-names'

/**
 * The gateway's one error type. Every failure a caller can see is a GatewayError with a code from a
 * closed set; `toErrorBody` and `HTTP_STATUS` are the only mapping to the wire (design §5).
 */

export const ERROR_TYPES = [
  'ValidationError',
  'AuthenticationError',
  'PermissionDeniedError',
  'NotFoundError',
  'ConflictError',
  'PayloadTooLargeError',
  'RateLimitExceeded',
  'ConfigurationError',
  'UpstreamError',
  'TimeoutError',
  'InternalError',
] as const

export type ErrorType = (typeof ERROR_TYPES)[number]

export const HTTP_STATUS = {
  ValidationError: 400,
  AuthenticationError: 401,
  PermissionDeniedError: 403,
  NotFoundError: 404,
  ConflictError: 409,
  PayloadTooLargeError: 413,
  RateLimitExceeded: 429,
  ConfigurationError: 500,
  UpstreamError: 502,
  TimeoutError: 504,
  InternalError: 500,
} as const satisfies Record<ErrorType, number>

/** What a caller may read about a failure. */
export type ErrorDetails = Record<string, unknown>

export interface GatewayErrorOptions {
  details?: ErrorDetails
  /** Extra response headers (Retry-After, WWW-Authenticate). */
  headers?: Record<string, string>
  /** The underlying failure; logged and reported, never sent to the caller. */
  cause?: unknown
}

export class GatewayError extends Error {
  readonly type: ErrorType
  readonly details: ErrorDetails | undefined
  readonly headers: Record<string, string>

  constructor(type: ErrorType, message: string, options: GatewayErrorOptions = {}) {
    super(message, { cause: options.cause })
    this.name = 'GatewayError'
    this.type = type
    this.details = options.details
    this.headers = options.headers ?? {}
  }

  get status(): number {
    return HTTP_STATUS[this.type]
  }
}

export interface ErrorBody {
  error: string
  error_type: ErrorType
  timestamp: string
  details?: ErrorDetails
}

const INTERNAL_MESSAGE = 'The gateway failed unexpectedly. The failure has been logged; try again later.'

/** Any thrown value as a GatewayError; unknown failures become an InternalError with a generic message. */
export function asGatewayError(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err
  return new GatewayError('InternalError', INTERNAL_MESSAGE, { cause: err })
}

/** What the caller can do next, per type: the second half of every error message. */
const RECOVERY_HINTS: Partial<Record<ErrorType, string>> = {
  ValidationError: 'Fix the arguments and call the tool again.',
  NotFoundError: 'Check the identifier with the matching list tool.',
  PermissionDeniedError: 'Ask a Superset administrator for access if you need it.',
  RateLimitExceeded: 'Wait before calling again.',
  UpstreamError: 'Try again in a few seconds.',
  TimeoutError: 'Narrow the request or try again later.',
}

/**
 * A message that already says what to do carries its own hint (design §5: never two): a second
 * sentence, or a clause after a semicolon that starts with an instruction ("…; re-save the chart").
 */
const OWN_HINT = /[.!?]\s+\S|;\s+(re-|use |try |check |pass |ask |save |add |select |narrow |wait )/i

/**
 * The message with its recovery hint: one sentence, a period, one hint. A message that already says
 * what to do (a second sentence) is left as it is; a not-found names the list tool for its kind.
 */
export function messageWithHint(err: GatewayError): string {
  const message = err.message.trim()
  // Quoted user-written text (a dataset named "Sales. Use …") is not the gateway saying what to do.
  if (OWN_HINT.test(renderAuthoredSpans(message, () => 'x'))) return message
  const hint = hintFor(err)
  if (hint === undefined) return message
  return `${/[.!?]$/.test(message) ? message : `${message}.`} ${hint}`
}

function hintFor(err: GatewayError): string | undefined {
  const kind = err.details?.resource_type
  if (err.type === 'NotFoundError' && kind !== undefined) {
    // A tool, route or prompt has no list tool to check against: no hint rather than a wrong one.
    const name = String(kind)
    const listTool = `list_${name.endsWith('y') ? `${name.slice(0, -1)}ies` : `${name}s`}`
    return TOOL_NAMES.includes(listTool) ? `Check the identifier with ${listTool}.` : undefined
  }
  return RECOVERY_HINTS[err.type]
}

/**
 * The wire shape of design §5, the same over HTTP and MCP: `error` is the message with its hint.
 * Internal details (SQL, stack traces, connection strings) never appear here. User-written text quoted in
 * the message is rendered by `renderSpans`: double quotes by default, markers over MCP.
 */
export function toErrorBody(
  err: GatewayError,
  now: Date = new Date(),
  renderSpans: (text: string) => string = plainAuthoredSpans,
): ErrorBody {
  const body: ErrorBody = {
    error: renderSpans(messageWithHint(err)),
    error_type: err.type,
    timestamp: now.toISOString(),
  }
  if (err.details !== undefined) body.details = mapStrings(err.details, renderSpans) as ErrorDetails
  return body
}

/** True for failures the operator must look at (5xx), as opposed to caller mistakes. */
export function isServerFault(err: GatewayError): boolean {
  return err.status >= 500
}

/** For describing a cause in a log line without leaking its payload. */
export function describeError(err: unknown): Record<string, unknown> {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code
    return {
      error_name: err.name,
      error_message: err.message,
      ...(code === undefined ? {} : { error_code: code }),
    }
  }
  // Events (a WebSocket's ErrorEvent) are not Errors but carry a message; String() would say "[object …]".
  if (typeof err === 'object' && err !== null && typeof (err as { message?: unknown }).message === 'string')
    return { error_name: err.constructor.name, error_message: (err as { message: string }).message }
  return { error_message: String(err) }
}
