/**
 * The gateway's Prometheus series: their names, types and help, how a labelled sample is keyed, and the
 * text exposition format (version 0.0.4). Every series is a sum of increments (histograms as cumulative
 * buckets), so counts from many isolates merge by addition. Pure: no I/O, no clock.
 */

export type MetricType = 'counter' | 'histogram' | 'gauge'

export interface MetricFamily {
  type: MetricType
  help: string
}

/** Upper bounds of the latency histograms, in seconds (Superset's guide alerts on p95 > 2 s). */
export const DURATION_BUCKETS_SECONDS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 2.5, 5, 10, 30,
] as const

export const FAMILIES = {
  mcp_requests_total: {
    type: 'counter',
    help: 'Tool calls (MCP and plain HTTP) by tool and status (success or error).',
  },
  mcp_request_duration_seconds: {
    type: 'histogram',
    help: 'Tool call duration in seconds, from admission to answer, by tool.',
  },
  mcp_tool_errors_total: {
    type: 'counter',
    help: 'Failed tool calls by tool and gateway error type.',
  },
  mcp_cache_requests_total: {
    type: 'counter',
    help: 'Cacheable tool calls by tool and cache result (hit, miss, bypass).',
  },
  mcp_http_requests_total: {
    type: 'counter',
    help: 'HTTP requests by route and response status code.',
  },
  mcp_http_request_duration_seconds: {
    type: 'histogram',
    help: 'HTTP request duration in seconds (to the response headers), by route.',
  },
  mcp_auth_failures_total: {
    type: 'counter',
    help: 'Requests refused by authentication, by reason (missing_token, expired, bad_signature, …).',
  },
  mcp_rate_limit_rejections_total: {
    type: 'counter',
    help: 'Requests refused by limits, by scope (user, tool, client_ip, limiter_unavailable).',
  },
  mcp_rate_limiter_unreachable_total: {
    type: 'counter',
    help: 'Tool calls during which the RateLimiter Durable Object could not be reached, by fail mode action.',
  },
  mcp_database_errors_total: {
    type: 'counter',
    help: 'Failed database operations by database (metadata, analytics) and error type.',
  },
  mcp_audit_records_total: {
    type: 'counter',
    help: 'Audit trail records by result (queued for the audit queue, written to Postgres, failed).',
  },
  mcp_metrics_flushes_total: {
    type: 'counter',
    help: 'Batches of counts isolates have flushed to the metrics aggregator.',
  },
  mcp_metrics_last_flush_timestamp_seconds: {
    type: 'gauge',
    help: 'Unix time of the most recent flush any isolate made to the metrics aggregator.',
  },
  mcp_build_info: {
    type: 'gauge',
    help: 'The gateway build serving this scrape (always 1).',
  },
} as const satisfies Record<string, MetricFamily>

export type FamilyName = keyof typeof FAMILIES
export type CounterName = {
  [Name in FamilyName]: (typeof FAMILIES)[Name]['type'] extends 'counter' ? Name : never
}[FamilyName]
export type HistogramName = {
  [Name in FamilyName]: (typeof FAMILIES)[Name]['type'] extends 'histogram' ? Name : never
}[FamilyName]

export type Labels = Record<string, string>

/** Counts by series key (`name{label="value",…}`): the unit isolates add up and the aggregator stores. */
export type SeriesCounts = Map<string, number>

/** Label values are escaped as the exposition format requires: backslash, double quote, newline. */
function escapeLabelValue(value: string): string {
  return value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n')
}

/**
 * The series key: labels in a fixed order (sorted, a bucket's `le` last), so equal samples from any
 * isolate share a key.
 */
export function seriesKey(name: string, labels: Labels = {}): string {
  const pairs = Object.keys(labels)
    .sort((a, b) => (a === 'le' ? 1 : b === 'le' ? -1 : a < b ? -1 : a > b ? 1 : 0))
    .map((label) => `${label}="${escapeLabelValue(labels[label] ?? '')}"`)
  return pairs.length === 0 ? name : `${name}{${pairs.join(',')}}`
}

export function addTo(counts: SeriesCounts, key: string, delta: number): void {
  counts.set(key, (counts.get(key) ?? 0) + delta)
}

export function incrementCounter(counts: SeriesCounts, name: CounterName, labels: Labels, by = 1): void {
  addTo(counts, seriesKey(name, labels), by)
}

/** One observation: every bucket at or above the value, the sum and the count (all buckets exist). */
export function observeHistogram(
  counts: SeriesCounts,
  name: HistogramName,
  labels: Labels,
  seconds: number,
): void {
  for (const bound of DURATION_BUCKETS_SECONDS) {
    addTo(counts, seriesKey(`${name}_bucket`, { ...labels, le: String(bound) }), seconds <= bound ? 1 : 0)
  }
  addTo(counts, seriesKey(`${name}_bucket`, { ...labels, le: '+Inf' }), 1)
  addTo(counts, seriesKey(`${name}_sum`, labels), seconds)
  addTo(counts, seriesKey(`${name}_count`, labels), 1)
}

export function mergeCounts(into: SeriesCounts, from: Iterable<readonly [string, number]>): void {
  for (const [key, value] of from) addTo(into, key, value)
}

/** The family a series key belongs to (`…_bucket`, `…_sum`, `…_count` of a histogram belong to it). */
export function familyOf(key: string): FamilyName | undefined {
  const name = key.split('{', 1)[0] ?? key
  if (name in FAMILIES) return name as FamilyName
  const base = name.replace(/_(bucket|sum|count)$/, '')
  return base !== name && base in FAMILIES && FAMILIES[base as FamilyName].type === 'histogram'
    ? (base as FamilyName)
    : undefined
}

/**
 * Orders a family's samples: by labels, then (histograms) buckets by numeric bound, the sum, the count,
 * so each label set reads as one block.
 */
function compareSamples(a: string, b: string): number {
  const left = sortKey(a)
  const right = sortKey(b)
  if (left.labels !== right.labels) return left.labels < right.labels ? -1 : 1
  if (left.part !== right.part) return left.part - right.part
  return left.bound - right.bound
}

const PART_RANK: Record<string, number> = { _bucket: 0, _sum: 1, _count: 2 }

function sortKey(key: string): { labels: string; part: number; bound: number } {
  const brace = key.indexOf('{')
  const name = brace < 0 ? key : key.slice(0, brace)
  let labels = brace < 0 ? '' : key.slice(brace)
  let bound = 0
  const le = /,?le="([^"]+)"\}$/.exec(labels)
  if (le !== null) {
    bound = le[1] === '+Inf' ? Number.POSITIVE_INFINITY : Number(le[1])
    labels = `${labels.slice(0, le.index)}}`
  }
  const suffix = /_(bucket|sum|count)$/.exec(name)?.[0] ?? ''
  return { labels, part: PART_RANK[suffix] ?? 0, bound }
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN'
  if (value === Number.POSITIVE_INFINITY) return '+Inf'
  if (value === Number.NEGATIVE_INFINITY) return '-Inf'
  // Sums of durations carry float noise from many additions; nine decimals is far below a millisecond.
  return Number.isInteger(value) ? String(value) : String(Number(value.toFixed(9)))
}

/** The exposition text: every family with HELP and TYPE (also when it has no samples yet), then its samples. */
export function renderExposition(counts: SeriesCounts): string {
  const byFamily = new Map<FamilyName, string[]>()
  for (const key of counts.keys()) {
    const family = familyOf(key)
    if (family === undefined) continue
    const keys = byFamily.get(family) ?? []
    keys.push(key)
    byFamily.set(family, keys)
  }
  const lines: string[] = []
  for (const [name, family] of Object.entries(FAMILIES) as [FamilyName, MetricFamily][]) {
    lines.push(`# HELP ${name} ${family.help}`, `# TYPE ${name} ${family.type}`)
    for (const key of (byFamily.get(name) ?? []).sort(compareSamples)) {
      lines.push(`${key} ${formatValue(counts.get(key) ?? 0)}`)
    }
  }
  return `${lines.join('\n')}\n`
}
