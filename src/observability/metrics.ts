/**
 * Metrics across isolates. A Worker runs in many isolates at once, each with its own memory, so each
 * isolate counts into a local buffer and flushes it (through `waitUntil`, after a response) to one of a
 * few MetricsAggregator Durable Objects, at most every FLUSH_INTERVAL_MS or after FLUSH_AFTER_REQUESTS
 * requests. GET /metrics flushes its own isolate, reads every shard and adds them up.
 *
 * What that makes exact and what not (docs/DEPLOYMENT.md, "Metrics"): every count that reaches an
 * aggregator is exact and never double-counted (a failed flush puts its batch back); counts are late by
 * up to the flush interval; an isolate that is evicted before its next flush loses what it had not sent
 * (at most FLUSH_INTERVAL_MS or FLUSH_AFTER_REQUESTS requests of that one isolate).
 */
import { GATEWAY_VERSION } from '../version'
import type { MetricsAggregator } from './metrics-aggregator'
import {
  incrementCounter,
  mergeCounts,
  observeHistogram,
  renderExposition,
  seriesKey,
  type SeriesCounts,
} from './metrics-registry'
import type { CallRecord, RequestFacts } from './request-facts'

export const FLUSH_INTERVAL_MS = 10_000
export const FLUSH_AFTER_REQUESTS = 100
/**
 * Aggregator objects isolates spread their flushes over (each isolate picks one at random). Lowering it
 * hides the counts stored in the shards dropped, so only ever raise it.
 */
export const AGGREGATOR_SHARDS = 4

export type AggregatorNamespace = DurableObjectNamespace<MetricsAggregator>

/** Where a request went, as a closed set of route labels. */
export type RouteLabel = 'mcp' | 'tool' | 'health' | 'metrics' | 'well_known' | 'other'

export function routeLabel(method: string, path: string): RouteLabel {
  if (path === '/mcp') return 'mcp'
  if (path === '/health') return 'health'
  if (path === '/metrics') return 'metrics'
  if (path.startsWith('/.well-known/')) return 'well_known'
  if (method === 'POST' && /^\/(tools\/)?[^/]+$/.test(path)) return 'tool'
  return 'other'
}

export interface FinishedRequest {
  route: RouteLabel
  status: number
  durationMs: number
}

const TOOL_NAME = /^[a-z][a-z0-9_]{0,63}$/

/** A tool label: the called name when it named a real tool, else `unknown` (callers choose names freely). */
function toolLabel(call: CallRecord): string {
  const unknownTool = call.errorType === 'NotFoundError' && call.error?.details?.resource_type === 'tool'
  return unknownTool || !TOOL_NAME.test(call.tool) ? 'unknown' : call.tool
}

/** The increments one finished request makes (pure). */
export function requestIncrements(facts: RequestFacts, request: FinishedRequest): SeriesCounts {
  const counts: SeriesCounts = new Map()
  incrementCounter(counts, 'mcp_http_requests_total', { route: request.route, code: String(request.status) })
  observeHistogram(
    counts,
    'mcp_http_request_duration_seconds',
    { route: request.route },
    request.durationMs / 1000,
  )
  for (const call of facts.calls) {
    const tool = toolLabel(call)
    incrementCounter(counts, 'mcp_requests_total', { tool, status: call.outcome })
    observeHistogram(counts, 'mcp_request_duration_seconds', { tool }, call.durationMs / 1000)
    if (call.errorType !== null)
      incrementCounter(counts, 'mcp_tool_errors_total', { tool, error_type: call.errorType })
    if (call.cacheStatus !== null)
      incrementCounter(counts, 'mcp_cache_requests_total', { tool, result: call.cacheStatus })
  }
  if (facts.authFailure !== undefined)
    incrementCounter(counts, 'mcp_auth_failures_total', { reason: facts.authFailure })
  for (const failure of facts.databaseErrors) {
    incrementCounter(counts, 'mcp_database_errors_total', {
      database: failure.database,
      error_type: failure.errorType,
    })
  }
  return counts
}

/**
 * What other modules count as it happens (limits, the audit trail): they push each event here, so adding
 * one is a change to the module that sees it and to this closed list, nothing else.
 */
export type CountedEvent =
  | {
      series: 'mcp_rate_limit_rejections_total'
      labels: { scope: 'user' | 'tool' | 'client_ip' | 'limiter_unavailable' }
    }
  | { series: 'mcp_rate_limiter_unreachable_total'; labels: { action: 'allowed' | 'refused' } }
  | { series: 'mcp_audit_records_total'; labels: { result: 'queued' | 'written' | 'failed' } }

/** One isolate's counts not yet flushed, and when to flush them. */
export class IsolateMetrics {
  private pending: SeriesCounts = new Map()
  private requestsSinceFlush = 0
  private lastFlushAt = 0
  private flushing: Promise<void> | undefined
  private shard: number | undefined
  private readonly counted: SeriesCounts = new Map()

  record(facts: RequestFacts, request: FinishedRequest): void {
    mergeCounts(this.pending, requestIncrements(facts, request))
    this.requestsSinceFlush += 1
  }

  /** One event another module saw; flushed with the next batch. */
  count(event: CountedEvent, by = 1): void {
    incrementCounter(this.pending, event.series, event.labels, by)
    incrementCounter(this.counted, event.series, event.labels, by)
  }

  /** How many of an event this isolate has counted since it started (flushed or not). */
  countedSoFar(event: CountedEvent): number {
    return this.counted.get(seriesKey(event.series, event.labels)) ?? 0
  }

  flushDue(now: number = Date.now()): boolean {
    return this.requestsSinceFlush >= FLUSH_AFTER_REQUESTS || now - this.lastFlushAt >= FLUSH_INTERVAL_MS
  }

  /** Sends everything counted so far to this isolate's aggregator; on failure keeps it for the next flush. */
  async flush(aggregators: AggregatorNamespace, now: number = Date.now()): Promise<void> {
    // One flush at a time: a second caller waits for the running one and then sends what is left.
    while (this.flushing !== undefined) await this.flushing.catch(() => undefined)
    const batch = this.pending
    this.pending = new Map()
    this.requestsSinceFlush = 0
    this.lastFlushAt = now
    if (batch.size === 0) return
    this.shard ??= Math.floor(Math.random() * AGGREGATOR_SHARDS)
    const stub = aggregators.getByName(shardName(this.shard))
    this.flushing = stub.add([...batch], now).then(
      () => undefined,
      (err: unknown) => {
        mergeCounts(this.pending, batch)
        throw err
      },
    )
    try {
      await this.flushing
    } finally {
      this.flushing = undefined
    }
  }
}

export function shardName(shard: number): string {
  return `metrics-shard-${shard}`
}

/** The isolate's metrics: module scope because an isolate's counts outlive each request by design. */
export const isolateMetrics = new IsolateMetrics()

/** Counts one event in this isolate's metrics (the registry other modules push into). */
export function countEvent(event: CountedEvent, by = 1): void {
  isolateMetrics.count(event, by)
}

/** Every shard's counts added up, with the gauges a scrape reports; rejects when any shard is unreachable. */
export async function collectMetrics(aggregators: AggregatorNamespace, environment: string): Promise<string> {
  const snapshots = await Promise.all(
    Array.from({ length: AGGREGATOR_SHARDS }, (_, shard) =>
      aggregators.getByName(shardName(shard)).snapshot(),
    ),
  )
  const counts: SeriesCounts = new Map()
  let flushes = 0
  let lastFlushAt = 0
  for (const snapshot of snapshots) {
    mergeCounts(counts, snapshot.series as [string, number][])
    flushes += snapshot.flushes
    lastFlushAt = Math.max(lastFlushAt, snapshot.lastFlushAt)
  }
  counts.set(seriesKey('mcp_metrics_flushes_total'), flushes)
  if (lastFlushAt > 0) counts.set(seriesKey('mcp_metrics_last_flush_timestamp_seconds'), lastFlushAt / 1000)
  counts.set(seriesKey('mcp_build_info', { version: GATEWAY_VERSION, environment }), 1)
  return renderExposition(counts)
}
