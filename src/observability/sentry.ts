/**
 * Sentry through toucan-js, once per request and only when there is something to send: every 5xx answer
 * and every tool call that failed with a 5xx error type (caller mistakes — 4xx — are not errors of the
 * gateway), and, at SENTRY_TRACES_SAMPLE_RATE, a transaction with one span per tool call. Tags: tool,
 * tenant, user id, error type, route, request id. What leaves is scrubbed twice: toucan's request-data
 * allow-list keeps a few harmless headers and drops cookies, the query string and the body; `beforeSend`
 * then scrubs every string and secret-named field of the event (src/observability/scrub.ts).
 */
import { Toucan, type Options } from 'toucan-js'
import type { GatewayError } from '../errors'
import { GATEWAY_VERSION } from '../version'
import type { RouteLabel } from './metrics'
import { serverFaults, type RequestFacts } from './request-facts'
import { scrubValue } from './scrub'
import { toHex } from '../digest'

export interface SentrySettings {
  dsn: string | undefined
  environment: string
  /** Share of error events sent (Sentry's `sampleRate`). */
  sampleRate: number
  /** Share of requests sent as a transaction with their tool calls as spans. */
  tracesSampleRate: number
}

/** Any event toucan sends: an error event or a transaction. */
type SentryEvent = Parameters<Toucan['captureEvent']>[0]
type ErrorEvent = Parameters<NonNullable<Options['beforeSend']>>[0]
type TransactionEvent = Parameters<NonNullable<Options['beforeSendTransaction']>>[0]

/** Request headers an event may carry; everything else (Authorization, Cookie, client IPs) is dropped. */
export const SENTRY_ALLOWED_HEADERS = [
  'accept',
  'content-length',
  'content-type',
  'cf-ray',
  'mcp-protocol-version',
  'origin',
  'user-agent',
]

export interface FinishedRequestReport {
  settings: SentrySettings
  request: Request
  waitUntil: (promise: Promise<unknown>) => void
  facts: RequestFacts
  route: RouteLabel
  status: number
  durationMs: number
  tenant: string | undefined
  userId: number | undefined
  /** For tests: the random draw that decides trace sampling. */
  random?: () => number
}

/** Sends the request's server faults (and a sampled transaction) to Sentry; a no-op without SENTRY_DSN. */
export function reportToSentry(report: FinishedRequestReport): void {
  const { settings, facts } = report
  if (settings.dsn === undefined) return
  const faults = serverFaults(facts)
  const traced = settings.tracesSampleRate > 0 && (report.random ?? Math.random)() < settings.tracesSampleRate
  if (faults.length === 0 && !traced) return
  const sentry = createToucan(report)
  for (const fault of faults) captureFault(sentry, fault)
  if (traced) sentry.captureEvent(transactionEvent(report))
}

function createToucan(report: FinishedRequestReport): Toucan {
  const { settings } = report
  const sentry = new Toucan({
    dsn: settings.dsn,
    environment: settings.environment,
    release: `superset-mcp-gateway@${GATEWAY_VERSION}`,
    sampleRate: settings.sampleRate,
    context: { waitUntil: (promise: Promise<unknown>) => report.waitUntil(promise) },
    request: report.request,
    requestDataOptions: {
      allowedHeaders: SENTRY_ALLOWED_HEADERS,
      allowedCookies: false,
      allowedSearchParams: false,
      allowedIps: false,
    },
    sendDefaultPii: false,
    beforeSend: (event: ErrorEvent) => scrubEvent(event),
    beforeSendTransaction: (event: TransactionEvent) => scrubEvent(event),
    beforeBreadcrumb: (breadcrumb) => scrubValue(breadcrumb) as typeof breadcrumb,
  })
  sentry.setTags({
    route: report.route,
    request_id: report.facts.requestId,
    ...(report.facts.trace === undefined ? {} : { trace_id: report.facts.trace.traceId }),
    tenant: report.tenant ?? 'unknown',
    ...(report.userId === undefined ? {} : { user_id: String(report.userId) }),
  })
  if (report.userId !== undefined) sentry.setUser({ id: String(report.userId) })
  return sentry
}

function captureFault(sentry: Toucan, fault: { error: GatewayError; tool: string | undefined }): void {
  sentry.captureException(fault.error, {
    captureContext: {
      tags: { tool: fault.tool ?? 'none', error_type: fault.error.type, status: String(fault.error.status) },
      level: 'error',
    },
  })
}

/** The request as a Sentry transaction: one `mcp.tool` span per tool call. */
function transactionEvent(report: FinishedRequestReport): SentryEvent {
  const { facts } = report
  // The caller's trace when it sent one (traceparent): this request is a span of it.
  const traceId = facts.trace?.traceId ?? randomHex(32)
  const rootSpanId = randomHex(16)
  const endedAt = facts.startedAt + report.durationMs
  return {
    type: 'transaction',
    transaction: `${report.request.method} ${TRANSACTION_NAMES[report.route]}`,
    start_timestamp: facts.startedAt / 1000,
    timestamp: endedAt / 1000,
    contexts: {
      trace: {
        trace_id: traceId,
        span_id: rootSpanId,
        ...(facts.trace === undefined ? {} : { parent_span_id: facts.trace.parentId }),
        op: 'http.server',
        status: report.status >= 500 ? 'internal_error' : report.status >= 400 ? 'invalid_argument' : 'ok',
        data: { 'http.response.status_code': report.status },
      },
    },
    spans: facts.calls.map((call) => ({
      trace_id: traceId,
      span_id: randomHex(16),
      parent_span_id: rootSpanId,
      op: 'mcp.tool',
      description: call.tool,
      start_timestamp: (call.endedAt - call.durationMs) / 1000,
      timestamp: call.endedAt / 1000,
      status: call.outcome === 'success' ? 'ok' : 'internal_error',
      data: { error_type: call.errorType ?? undefined, cache_status: call.cacheStatus ?? undefined },
    })),
  }
}

const TRANSACTION_NAMES: Record<RouteLabel, string> = {
  mcp: '/mcp',
  tool: '/tools/{name}',
  health: '/health',
  metrics: '/metrics',
  well_known: '/.well-known/oauth-protected-resource',
  other: '(other)',
}

function randomHex(length: number): string {
  return toHex(crypto.getRandomValues(new Uint8Array(length / 2)))
}

/**
 * The last look at an event before it leaves: no cookies, query string or body at all, and every string
 * and secret-named field scrubbed (a driver error that echoes a connection string, a token in a URL).
 */
export function scrubEvent<Event extends SentryEvent>(event: Event): Event {
  if (event.request !== undefined) {
    delete event.request.cookies
    delete event.request.query_string
    delete event.request.data
    if (event.request.url !== undefined) event.request.url = event.request.url.split('?')[0]
  }
  return scrubValue(event) as Event
}
