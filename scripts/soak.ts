/**
 * `npm run soak`: the gateway at a moderate, steady load for a long time (default 10 minutes), to show
 * that memory does not grow and nothing fails (docs/PERFORMANCE.md, "Soak").
 *
 * The same environment as `npm run bench` (the production bundle, fresh demo databases on a Postgres
 * server, raised limits, a real token per demo user), driven at a fixed request rate with a mix of
 * every kind of call, in windows of 30 seconds. After each window it records the answers, failures and
 * latencies, the resident memory and open file descriptors of both workerd processes, and the
 * Postgres connections to the soak's databases. Writes bench-results/soak-<time>.json and
 * bench-results/soak-latest.json.
 *
 *   npm run soak
 *   npm run soak -- --minutes 3 --rate 30 --connections 10     (SOAK_MINUTES, SOAK_RATE, SOAK_CONNECTIONS)
 *
 * Verdict (a leak is memory that keeps growing): no failed call; the Worker's live JavaScript heap (V8, read
 * through wrangler's inspector after a forced collection) at the end no more than 20 % above its level after the warm-up; and
 * the resident memory of its workerd process flat over the last four minutes (a least-squares slope
 * under 1 % per minute). workerd's resident memory first rises while its local storage (Durable Object
 * SQLite databases, the simulated KV) fills its caches, then levels off: that is what the last test
 * looks at.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { benchServerUrl, connectionsTo, positiveNumber } from './bench/databases.ts'
import { Cleanups, prepareEnvironment, redact } from './bench/environment.ts'
import { runLoad, type BenchRequest } from './bench/load.ts'
import { machineInfo } from './bench/machine.ts'
import { openFiles, residentKiB, workerdProcesses } from './bench/memory.ts'
import { Inspector } from './bench/profile.ts'
import { cacheStatusOf, httpTool, mcpResultOk, mcpToolCall } from './bench/requests.ts'
import { generateChartRequest, setUpCallers, type BenchUser } from './bench/users.ts'

const ROOT = fileURLToPath(new URL('../', import.meta.url))
const WINDOW_SECONDS = 30
/** Heap at the end against the heap after warm-up. */
const HEAP_GROWTH_LIMIT = 1.2
/** Resident memory over the last minutes: slope per minute relative to its mean. */
const RSS_SLOPE_LIMIT = 0.01
const PLATEAU_MINUTES = 4

function log(message: string): void {
  process.stderr.write(`[soak] ${message}\n`)
}

interface Window {
  endedAtSeconds: number
  requests: number
  throughput: number
  errors: number
  failures: Record<string, number>
  p50: number
  p95: number
  p99: number
  workerRssKiB: number | undefined
  /** Anonymous (heap, buffers) and file-backed parts of the Worker's resident memory. */
  workerAnonKiB: number | undefined
  workerFileKiB: number | undefined
  /** The Worker's V8 heap: used (after a forced collection when heapCollectedFirst) and allocated. */
  heapUsedMiB: number | undefined
  heapCollectedFirst: boolean
  heapTotalMiB: number | undefined
  proxyRssKiB: number | undefined
  workerOpenFiles: number | undefined
  proxyOpenFiles: number | undefined
  postgresConnections: number
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      minutes: { type: 'string' },
      rate: { type: 'string' },
      connections: { type: 'string' },
    },
  })
  const minutes = positiveNumber(values.minutes ?? process.env.SOAK_MINUTES, 10, '--minutes')
  const rate = positiveNumber(values.rate ?? process.env.SOAK_RATE, 40, '--rate')
  const connections = positiveNumber(values.connections ?? process.env.SOAK_CONNECTIONS, 10, '--connections')
  const serverUrl = benchServerUrl()
  const startedAt = new Date()
  const machine = await machineInfo()
  const cleanups = new Cleanups()
  cleanups.onSignals(log)
  try {
    const environment = await prepareEnvironment({
      serverUrl,
      prefix: `mcp_soak_${process.pid}`,
      logLevel: process.env.BENCH_LOG_LEVEL ?? 'info',
      log,
      cleanups,
    })
    const stack = await environment.startGateway({ name: 'gateway' })
    if (stack.wranglerPid === undefined) throw new Error('no wrangler process id')
    const processes = await workerdProcesses(stack.wranglerPid)
    const worker = processes.find((candidate) => candidate.role === 'worker')?.pid
    const proxy = processes.find((candidate) => candidate.role === 'proxy')?.pid
    const inspector = await Inspector.connect(stack.inspectorPort)
    cleanups.push(async () => inspector.close())
    log('probing what each demo user may call …')
    const callers = await setUpCallers(stack.url, stack.tokens)
    const mixers = callers.users.filter(
      (user) => user.canListCharts && user.infoCharts.length > 0 && user.chartDataset !== undefined,
    )
    const readers = callers.users.filter((user) => user.dataCharts.length > 0)
    const pick = <T>(items: readonly T[], n: number): T => items[n % items.length]!
    // Every kind of call the gateway serves, cached and not, over HTTP and MCP.
    const slots: ((user: BenchUser, n: number) => BenchRequest)[] = [
      (user) => httpTool(user.token, 'list_charts', { page: 1, page_size: 10 }),
      (user, n) => httpTool(user.token, 'get_chart_info', { identifier: pick(user.infoCharts, n) }),
      (user) => httpTool(user.token, 'list_charts', { page: 2, page_size: 5 }),
      (user) => httpTool(user.token, 'generate_chart', generateChartRequest(user.chartDataset!)),
      (user, n) =>
        httpTool(user.token, 'get_chart_info', { identifier: pick(user.infoCharts, n), force_refresh: true }),
      (_user, n) => {
        const reader = pick(readers, n)
        return httpTool(reader.token, 'get_chart_data', { identifier: pick(reader.dataCharts, n) })
      },
      (user, n) => mcpToolCall(user.token, 'list_charts', { page: 1, page_size: 10 }, n),
      (user) => httpTool(user.token, 'list_datasets', { page_size: 20 }),
    ]
    const next = (n: number): BenchRequest => pick(slots, n)(pick(mixers, Math.floor(n / slots.length)), n)
    const check = (body: string): boolean => !body.startsWith('{"result"') || mcpResultOk(body)

    const windows: Window[] = []
    const total = Math.ceil((minutes * 60) / WINDOW_SECONDS)
    const t0 = Date.now()
    let offset = 0
    log(
      `${minutes} min at ${rate} req/s over ${connections} connections, ${total} windows of ${WINDOW_SECONDS} s`,
    )
    for (let index = 0; index < total; index++) {
      const start = offset
      const result = await runLoad({
        url: stack.url,
        connections,
        durationSeconds: WINDOW_SECONDS,
        rate,
        next: (n) => next(start + n),
        check,
        cacheStatus: cacheStatusOf,
      })
      offset += result.requests
      // Live heap, not garbage waiting for the next collection: collect first, so windows compare alike.
      const collected = await inspector.send('HeapProfiler.collectGarbage').then(
        () => true,
        () => false,
      )
      const heap = await inspector
        .send<{ usedSize: number; totalSize: number }>('Runtime.getHeapUsage')
        .catch(() => undefined)
      const workerMemory = worker === undefined ? undefined : await residentKiB(worker)
      const window: Window = {
        endedAtSeconds: Math.round((Date.now() - t0) / 1000),
        requests: result.requests,
        throughput: Number(result.throughput.toFixed(1)),
        errors: result.errors,
        failures: result.failures,
        p50: Number(result.latencyMs.p50.toFixed(1)),
        p95: Number(result.latencyMs.p95.toFixed(1)),
        p99: Number(result.latencyMs.p99.toFixed(1)),
        workerRssKiB: workerMemory?.rss,
        workerAnonKiB: workerMemory?.anon,
        workerFileKiB: workerMemory?.file,
        heapUsedMiB: heap === undefined ? undefined : Number((heap.usedSize / 2 ** 20).toFixed(1)),
        heapCollectedFirst: collected,
        heapTotalMiB: heap === undefined ? undefined : Number((heap.totalSize / 2 ** 20).toFixed(1)),
        proxyRssKiB: proxy === undefined ? undefined : (await residentKiB(proxy))?.rss,
        workerOpenFiles: worker === undefined ? undefined : await openFiles(worker),
        proxyOpenFiles: proxy === undefined ? undefined : await openFiles(proxy),
        postgresConnections:
          (await connectionsTo(serverUrl, `${environment.databases.metadataUrl.split('/').pop()}`)) +
          (await connectionsTo(serverUrl, `${environment.databases.analyticsUrl.split('/').pop()}`)),
      }
      windows.push(window)
      log(
        `${String(window.endedAtSeconds).padStart(4)} s: ${window.throughput} req/s, p50 ${window.p50} ms, ` +
          `p95 ${window.p95} ms, p99 ${window.p99} ms, ${window.errors} errors; V8 heap ` +
          `${window.heapUsedMiB}/${window.heapTotalMiB} MiB; workerd RSS ` +
          `${mib(window.workerRssKiB)} MiB (proxy ${mib(window.proxyRssKiB)} MiB), fds ` +
          `${window.workerOpenFiles}/${window.proxyOpenFiles}, Postgres connections ${window.postgresConnections}`,
      )
    }
    await stack.stop()

    const perMinute = 60 / WINDOW_SECONDS
    const requests = windows.reduce((sum, window) => sum + window.requests, 0)
    const errors = windows.reduce((sum, window) => sum + window.errors, 0)
    // The heap after the first two minutes (warm-up) against the last two.
    const heap = (list: Window[]) => median(list.map((window) => window.heapUsedMiB ?? Number.NaN))
    const heapAfterWarmUp = heap(windows.slice(2 * perMinute, 4 * perMinute))
    const heapAtEnd = heap(windows.slice(-2 * perMinute))
    // Resident memory over the last minutes: least-squares slope (MiB per minute).
    const tail = windows
      .slice(-PLATEAU_MINUTES * perMinute)
      .filter((window) => window.workerRssKiB !== undefined)
    const slope = leastSquaresSlope(
      tail.map((window) => [window.endedAtSeconds / 60, window.workerRssKiB! / 1024] as [number, number]),
    )
    const tailMean = tail.reduce((sum, window) => sum + window.workerRssKiB! / 1024, 0) / tail.length
    const verdict = {
      requests,
      errors,
      heapUsedAfterWarmUpMiB: heapAfterWarmUp,
      heapUsedAtEndMiB: heapAtEnd,
      heapGrowth: Number((heapAtEnd / heapAfterWarmUp).toFixed(3)),
      workerRssFirstMiB: Number(((windows[0]?.workerRssKiB ?? Number.NaN) / 1024).toFixed(1)),
      workerRssLastMinutesMeanMiB: Number(tailMean.toFixed(1)),
      workerRssSlopeMiBPerMinute: Number(slope.toFixed(2)),
      passed:
        errors === 0 &&
        heapAtEnd / heapAfterWarmUp <= HEAP_GROWTH_LIMIT &&
        Math.abs(slope) / tailMean <= RSS_SLOPE_LIMIT,
    }
    const report = {
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      options: { minutes, rate, connections, windowSeconds: WINDOW_SECONDS },
      machine,
      postgres: { server: redact(serverUrl), bridgePoolConnections: environment.databaseConnections },
      bundle: { gzipKiB: environment.bundle.gzipKiB },
      verdict,
      windows,
    }
    const outDir = `${ROOT}bench-results`
    await mkdir(outDir, { recursive: true })
    const stamp = startedAt
      .toISOString()
      .replaceAll(':', '-')
      .replace(/\.\d+Z$/, 'Z')
    const json = JSON.stringify(report, null, 2) + '\n'
    await writeFile(`${outDir}/soak-${stamp}.json`, json)
    await writeFile(`${outDir}/soak-latest.json`, json)
    process.stdout.write(
      `\nSoak ${startedAt.toISOString()}: ${minutes} min at ${rate} req/s — ${requests} calls, ${errors} failed; ` +
        `V8 heap used ${heapAfterWarmUp} MiB after warm-up, ${heapAtEnd} MiB at the end; workerd RSS ` +
        `${verdict.workerRssFirstMiB} MiB after 30 s, ${verdict.workerRssLastMinutesMeanMiB} MiB over the last ` +
        `${PLATEAU_MINUTES} min (slope ${verdict.workerRssSlopeMiBPerMinute} MiB/min) — ` +
        `${verdict.passed ? 'PASSED' : 'FAILED'}\n` +
        `Written: bench-results/soak-${stamp}.json (and bench-results/soak-latest.json)\n`,
    )
    if (!verdict.passed) process.exitCode = 1
  } finally {
    await cleanups.run()
  }
}

function leastSquaresSlope(points: [number, number][]): number {
  const n = points.length
  if (n < 2) return Number.NaN
  const meanX = points.reduce((sum, [x]) => sum + x, 0) / n
  const meanY = points.reduce((sum, [, y]) => sum + y, 0) / n
  const covariance = points.reduce((sum, [x, y]) => sum + (x - meanX) * (y - meanY), 0)
  const variance = points.reduce((sum, [x]) => sum + (x - meanX) ** 2, 0)
  return covariance / variance
}

function mib(kib: number | undefined): string {
  return kib === undefined ? '–' : (kib / 1024).toFixed(0)
}

main().catch((err: unknown) => {
  process.stderr.write(`[soak] failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`)
  process.exit(1)
})
