/**
 * One load run: autocannon (closed loop, no think time) with a request generator, every latency kept,
 * and every response judged (HTTP status, and a body check where the status alone does not tell).
 */
import autocannon from 'autocannon'

export interface BenchRequest {
  method: 'GET' | 'POST'
  path: string
  headers: Record<string, string>
  body?: string
}

export interface LoadSpec {
  /** Base URL, e.g. http://127.0.0.1:8787 */
  url: string
  connections: number
  durationSeconds: number
  /** The n-th request of the run (counted from 0 across all connections). */
  next: (n: number) => BenchRequest
  /** Whether a 2xx answer is a success (e.g. an MCP result without isError); default yes. */
  check?: (body: string, headers: Record<string, string>) => boolean
  /** A label per request (e.g. the tool in a mixed workload), to break the latencies down by. */
  label?: (n: number) => string
  /** Reads the cache status of an answer, if it carries one. */
  cacheStatus?: (body: string, headers: Record<string, string>) => string | undefined
  timeoutSeconds?: number
  /** Requests per second over all connections (open loop at that rate); as fast as possible when absent. */
  rate?: number
  /** Keep every latency in the result (for merging runs). */
  keepLatencies?: boolean
}

export interface LoadResult {
  connections: number
  durationSeconds: number
  requests: number
  /** Completed responses per second (successes and failures). */
  throughput: number
  errors: number
  errorRate: number
  /** status or error_type → count, for the failures. */
  failures: Record<string, number>
  /** A few failed answers, for the report. */
  failureSamples: string[]
  latencyMs: { p50: number; p95: number; p99: number; mean: number; max: number }
  /** Cache status → count, when the answers carry one. */
  cacheStatuses: Record<string, number>
  /** Every latency (ms, sorted) when the spec asked to keep them. */
  latencies?: number[]
  /** Per label (when the spec has labels): answers, failures and latencies. */
  byLabel?: Record<string, { requests: number; errors: number; p50: number; p95: number; p99: number }>
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] ?? Number.NaN
}

const MAX_FAILURE_SAMPLES = 5

export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const latencies: number[] = []
  const failures: Record<string, number> = {}
  const failureSamples: string[] = []
  const cacheStatuses: Record<string, number> = {}
  let counter = 0
  const labelled = new Map<string, { latencies: number[]; errors: number }>()
  let judged = 0
  let failed = 0
  const fail = (key: string, sample: string): void => {
    failed += 1
    failures[key] = (failures[key] ?? 0) + 1
    if (failureSamples.length < MAX_FAILURE_SAMPLES) failureSamples.push(sample.slice(0, 300))
  }
  const started = process.hrtime.bigint()
  let finish: (err: Error | null, result: autocannon.Result) => void = () => undefined
  const finished = new Promise<autocannon.Result>((resolve, reject) => {
    finish = (err, result) => (err === null ? resolve(result) : reject(err))
  })
  const instance = autocannon(
    {
      url: spec.url,
      connections: spec.connections,
      duration: spec.durationSeconds,
      ...(spec.rate === undefined ? {} : { overallRate: spec.rate }),
      timeout: spec.timeoutSeconds ?? 10,
      requests: [
        {
          setupRequest: (request, context) => {
            const n = counter++
            if (spec.label !== undefined) {
              // The context object travels with this request to its onResponse.
              Object.assign(context, { label: spec.label(n), sentAt: process.hrtime.bigint() })
            }
            const next = spec.next(n)
            return {
              ...request,
              method: next.method,
              path: next.path,
              headers: next.headers,
              ...(next.body === undefined ? {} : { body: next.body }),
            }
          },
          onResponse: (status, body, context, headers) => {
            judged += 1
            const values: Record<string, string> = {}
            for (const [name, value] of Object.entries(headers ?? {}))
              values[name.toLowerCase()] = String(value)
            const ok =
              status >= 200 && status <= 299 && (spec.check === undefined || spec.check(body, values))
            const { label, sentAt } = context as { label?: string; sentAt?: bigint }
            if (label !== undefined && sentAt !== undefined) {
              const entry = labelled.get(label) ?? { latencies: [], errors: 0 }
              entry.latencies.push(Number(process.hrtime.bigint() - sentAt) / 1e6)
              if (!ok) entry.errors += 1
              labelled.set(label, entry)
            }
            if (!ok) {
              fail(errorKey(status, body), `${status} ${body}`)
              return
            }
            const cache = spec.cacheStatus?.(body, values)
            if (cache !== undefined) cacheStatuses[cache] = (cacheStatuses[cache] ?? 0) + 1
          },
        },
      ],
    },
    (err, result) => finish(err ?? null, result),
  )
  instance.on('response', (_client, _status, _bytes, responseTime) => {
    latencies.push(responseTime)
  })
  const result = await finished
  const elapsedSeconds = Number(process.hrtime.bigint() - started) / 1e9
  // Timeouts and connection errors never produce a response (autocannon's `errors` counts both).
  const transportErrors = result.errors
  if (transportErrors > 0) {
    failed += transportErrors
    failures.transport = (failures.transport ?? 0) + transportErrors
  }
  latencies.sort((a, b) => a - b)
  const total = judged + transportErrors
  return {
    connections: spec.connections,
    durationSeconds: Number(elapsedSeconds.toFixed(2)),
    requests: total,
    throughput: judged / elapsedSeconds,
    errors: failed,
    errorRate: total === 0 ? 0 : failed / total,
    failures,
    failureSamples,
    latencyMs: latencyStats(latencies),
    ...(spec.keepLatencies === true ? { latencies } : {}),
    cacheStatuses,
    ...(labelled.size === 0
      ? {}
      : {
          byLabel: Object.fromEntries(
            [...labelled].map(([label, entry]) => {
              const sorted = entry.latencies.sort((a, b) => a - b)
              return [
                label,
                {
                  requests: sorted.length,
                  errors: entry.errors,
                  p50: percentile(sorted, 50),
                  p95: percentile(sorted, 95),
                  p99: percentile(sorted, 99),
                },
              ]
            }),
          ),
        }),
  }
}

function latencyStats(sorted: readonly number[]): LoadResult['latencyMs'] {
  const sum = sorted.reduce((acc, value) => acc + value, 0)
  return {
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    mean: sorted.length === 0 ? Number.NaN : sum / sorted.length,
    max: sorted.at(-1) ?? Number.NaN,
  }
}

/** Several runs of one spec (kept latencies) as one result. */
export function mergeResults(runs: readonly LoadResult[]): LoadResult {
  const latencies = runs.flatMap((run) => run.latencies ?? []).sort((a, b) => a - b)
  const sum = <K extends 'requests' | 'errors' | 'durationSeconds'>(key: K): number =>
    runs.reduce((acc, run) => acc + run[key], 0)
  const requests = sum('requests')
  const durationSeconds = sum('durationSeconds')
  const failures: Record<string, number> = {}
  const cacheStatuses: Record<string, number> = {}
  for (const run of runs) {
    for (const [key, count] of Object.entries(run.failures)) failures[key] = (failures[key] ?? 0) + count
    for (const [key, count] of Object.entries(run.cacheStatuses))
      cacheStatuses[key] = (cacheStatuses[key] ?? 0) + count
  }
  return {
    connections: runs[0]?.connections ?? 0,
    durationSeconds: Number(durationSeconds.toFixed(2)),
    requests,
    throughput: runs.reduce((acc, run) => acc + run.throughput * run.durationSeconds, 0) / durationSeconds,
    errors: sum('errors'),
    errorRate: requests === 0 ? 0 : sum('errors') / requests,
    failures,
    failureSamples: runs.flatMap((run) => run.failureSamples).slice(0, MAX_FAILURE_SAMPLES),
    latencyMs: latencyStats(latencies),
    cacheStatuses,
  }
}

/** The gateway's error_type when the body has one, else the status. */
function errorKey(status: number, body: string): string {
  try {
    const parsed = JSON.parse(body) as {
      error_type?: unknown
      result?: { structuredContent?: { error_type?: unknown }; isError?: unknown }
      error?: { code?: unknown }
    }
    const type =
      parsed.error_type ?? parsed.result?.structuredContent?.error_type ?? parsed.error?.code ?? undefined
    if (type !== undefined) return `${status} ${String(type)}`
  } catch {
    // not JSON
  }
  return String(status)
}
