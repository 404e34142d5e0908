/**
 * What one request did, collected as it happens and read once at its end for the access line, the
 * metrics and Sentry. The layers below report through ports they already have: the dispatcher's
 * CallObserver (every finished tool call), the request logger's observer (the events authentication,
 * the database layer and the limiter log), and the error response (the failure the caller saw).
 */
import type { GatewayError } from '../errors'
import type { LogLevel } from '../config'
import type { LogFields } from './logger'

/** Whether an answer came from the cache (hit), was stored (miss) or could not be (bypass). */
export type CacheStatus = 'hit' | 'miss' | 'bypass'

/** How a tool call ended, as the dispatcher reports it to whatever observes calls. */
export interface CallRecord {
  tool: string
  tenant: string
  transport: 'mcp' | 'http'
  outcome: 'success' | 'error'
  /** The gateway error type of a failed call (RateLimitExceeded, ValidationError, …). */
  errorType: string | null
  durationMs: number
  /** Whether the answer came from the cache: hit, miss, bypass (not cacheable / refresh asked), or null. */
  cacheStatus: CacheStatus | null
  /** The failure itself, for error reporting (Sentry); absent on success. */
  error?: GatewayError
}

/** Observes every finished tool call; must not throw and must not block the call. */
export interface CallObserver {
  toolCall(record: CallRecord): void
}

export type DatabaseKind = 'metadata' | 'analytics'

/** What the limits decided for a request, worst first when it made several calls. */
export type LimiterDecision =
  | 'refused_client_ip'
  | 'refused_user'
  | 'refused_tool'
  | 'unavailable_refused'
  | 'unavailable_allowed'
  | 'allowed'

/** A finished tool call and when it finished (for trace spans). */
export type ToolCallFact = CallRecord & { endedAt: number }

export interface RequestFacts {
  readonly requestId: string
  readonly startedAt: number
  /** Finished tool calls, in order, as the dispatcher reported them. */
  readonly calls: ToolCallFact[]
  /** JSON-RPC methods of an MCP request (tools/call, tools/list, …). */
  rpcMethods: string[]
  /**
   * 2026-07-28's `Mcp-Method` and `Mcp-Name` headers, as sent (checked for shape, not yet against the
   * body): known before the body is read or parsed. The MCP SDK refuses a mismatch with the body (-32020).
   */
  mcpMethod: string | undefined
  mcpName: string | undefined
  /** W3C trace context the caller sent: the request's `_meta` over the HTTP headers. */
  trace: TraceContext | undefined
  /** The log level an MCP client asked for (logging/setLevel, or 2026-07-28's per-request `_meta`). */
  mcpLogLevel: string | undefined
  /** Why authentication refused the request (missing_token, expired, …). */
  authFailure: string | undefined
  readonly databaseErrors: { database: DatabaseKind; errorType: string }[]
  /** The RateLimiter Durable Object could not be reached during this request. */
  limiterUnreachable: boolean
  /** The failure the gateway answered with (any status), when it answered with its error shape. */
  failure: GatewayError | undefined
}

export function createRequestFacts(requestId: string, startedAt: number = Date.now()): RequestFacts {
  return {
    requestId,
    startedAt,
    calls: [],
    rpcMethods: [],
    mcpMethod: undefined,
    mcpName: undefined,
    trace: undefined,
    mcpLogLevel: undefined,
    authFailure: undefined,
    databaseErrors: [],
    limiterUnreachable: false,
    failure: undefined,
  }
}

/** W3C Trace Context (https://www.w3.org/TR/trace-context/): the caller's trace this request joins. */
export interface TraceContext {
  traceparent: string
  traceId: string
  parentId: string
  tracestate?: string
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/
/** tracestate: at most 32 list members of printable ASCII (the spec's bound is 512 characters). */
const TRACESTATE = /^[\x20-\x7e]{1,512}$/

/**
 * A valid trace context, or undefined: version ff and all-zero ids are invalid (W3C §3.2.2); a
 * tracestate without a valid traceparent is dropped, as the spec says.
 */
export function traceContextOf(traceparent: unknown, tracestate: unknown): TraceContext | undefined {
  if (typeof traceparent !== 'string') return undefined
  const match = TRACEPARENT.exec(traceparent.trim())
  if (match === null) return undefined
  const [, version, traceId, parentId, , rest] = match
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined
  if (/^0+$/.test(traceId!) || /^0+$/.test(parentId!)) return undefined
  return {
    traceparent: match[0],
    traceId: traceId!,
    parentId: parentId!,
    ...(typeof tracestate === 'string' && TRACESTATE.test(tracestate) ? { tracestate } : {}),
  }
}

/** A reason is a short snake_case word from the auth module; anything else is not a label value. */
const REASON = /^[a-z][a-z0-9_]{0,47}$/

/** Learns from the events the layers below log (see LogObserver). */
export function noteLogEvent(facts: RequestFacts, _level: LogLevel, event: string, fields: LogFields): void {
  switch (event) {
    case 'auth_rejected':
      facts.authFailure =
        typeof fields.reason === 'string' && REASON.test(fields.reason) ? fields.reason : 'other'
      return
    case 'auth_keys_unavailable':
      facts.authFailure = 'keys_unavailable'
      return
    case 'db_error':
      facts.databaseErrors.push({
        database: fields.database_kind === 'metadata' ? 'metadata' : 'analytics',
        errorType: typeof fields.error_type === 'string' ? fields.error_type : 'InternalError',
      })
      return
    case 'rate_limiter_unreachable':
      facts.limiterUnreachable = true
      return
    default:
      return
  }
}

/** The dispatcher's CallObserver for one request: every finished call joins the request's facts. */
export function factsObserver(facts: RequestFacts): CallObserver {
  return {
    toolCall: (record) => {
      facts.calls.push({ ...record, endedAt: Date.now() })
    },
  }
}

/**
 * The limits' decision on one call, read from how it ended: the dispatcher asks the limiter right after
 * finding the tool, so a call that failed as an unknown tool was never counted, a RateLimitExceeded was
 * refused (its details say which limit), and every other call was admitted.
 */
export function limiterDecisionOf(
  call: CallRecord,
  limiterUnreachable: boolean,
): LimiterDecision | undefined {
  if (call.errorType === 'NotFoundError' && call.error?.details?.resource_type === 'tool') return undefined
  if (call.errorType !== 'RateLimitExceeded') return limiterUnreachable ? 'unavailable_allowed' : 'allowed'
  const details = call.error?.details
  if (details?.reason === 'limiter_unavailable') return 'unavailable_refused'
  return details?.scope === 'user' ? 'refused_user' : 'refused_tool'
}

const SEVERITY: readonly LimiterDecision[] = [
  'refused_client_ip',
  'refused_user',
  'refused_tool',
  'unavailable_refused',
  'unavailable_allowed',
  'allowed',
]

/** The request's limiter decision: the worst of its calls', or the per-IP refusal before any call. */
export function requestLimiterDecision(facts: RequestFacts): LimiterDecision | undefined {
  if (facts.failure?.type === 'RateLimitExceeded' && facts.failure.details?.scope === 'client_ip') {
    return 'refused_client_ip'
  }
  const decisions = facts.calls
    .map((call) => limiterDecisionOf(call, facts.limiterUnreachable))
    .filter((decision) => decision !== undefined)
  if (decisions.length === 0) return undefined
  return SEVERITY.find((decision) => decisions.includes(decision))
}

/** One cache status for the request: the calls' common status, `mixed`, or undefined when none was cacheable. */
export function requestCacheStatus(facts: RequestFacts): string | undefined {
  const statuses = new Set(
    facts.calls.flatMap((call) => (call.cacheStatus === null ? [] : [call.cacheStatus])),
  )
  if (statuses.size === 0) return undefined
  return statuses.size === 1 ? [...statuses][0] : 'mixed'
}

/** The error type the caller saw: the gateway's error response, else the first failed call's. */
export function requestErrorType(facts: RequestFacts): string | undefined {
  return facts.failure?.type ?? facts.calls.find((call) => call.errorType !== null)?.errorType ?? undefined
}

/** Failures the operator must look at: a 5xx answer, or a tool call that failed with a 5xx error type. */
export function serverFaults(facts: RequestFacts): { error: GatewayError; tool: string | undefined }[] {
  const faults: { error: GatewayError; tool: string | undefined }[] = []
  if (facts.failure !== undefined && facts.failure.status >= 500) {
    faults.push({ error: facts.failure, tool: undefined })
  }
  for (const call of facts.calls) {
    // The same error object reaches both when a plain-HTTP call fails: report it once, with its tool.
    if (call.error === undefined || call.error.status < 500) continue
    const duplicate = faults.find((fault) => fault.error === call.error)
    if (duplicate !== undefined) duplicate.tool = call.tool
    else faults.push({ error: call.error, tool: call.tool })
  }
  return faults
}
