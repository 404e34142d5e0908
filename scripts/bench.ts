/**
 * `npm run bench`: the gateway under load on this machine, beside a bare Worker (docs/PERFORMANCE.md).
 *
 * Starts the local stack against a Postgres server (fresh databases with the demo content, dropped at
 * the end), with limits raised so they never refuse a call, and drives it with autocannon over real
 * HTTP with a real bearer token per demo user. Prints a table and writes bench-results/<time>.json and
 * bench-results/latest.json.
 *
 *   npm run bench
 *   npm run bench -- --duration 30 --warmup 10      seconds per scenario (BENCH_DURATION_SECONDS,
 *                                                   BENCH_WARMUP_SECONDS)
 *   npm run bench -- --only a,b_info,bare_50        some scenarios (ids in the table; <id>_1 is scenario <id>
 *                                                   on one connection: its latency on an unsaturated machine)
 *   npm run bench -- --profile a                    then scenario a again under the Worker's CPU profiler
 *                                                   (summary in the JSON, bench-results/profile-*.cpuprofile
 *                                                   for Chrome DevTools)
 *   BENCH_DATABASE_URL=postgres://user@host:5432/postgres npm run bench   another server (else
 *                                                   DATABASE_URL, else 127.0.0.1:5432)
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { loadavg } from 'node:os'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { BARE_CONFIG, startBareWorker, type BareWorker } from './bench/bare.ts'
import { buildBundle, type Bundle } from './bench/bundle.ts'
import { benchServerUrl, positiveNumber } from './bench/databases.ts'
import { Cleanups, prepareEnvironment, redact, type HostedGateway } from './bench/environment.ts'
import { BENCH_LIMITS } from './bench/kv.ts'
import { mergeResults, runLoad, type LoadResult, type LoadSpec } from './bench/load.ts'
import { machineInfo } from './bench/machine.ts'
import { freePort } from './lib/ports.ts'
import {
  cpuShare,
  processCpuSeconds,
  readCpu,
  sampleMemory,
  workerdProcesses,
  type MemorySampler,
} from './bench/memory.ts'
import { compare, evaluateTargets, overheads, printTable, type ScenarioResult } from './bench/report.ts'
import { bundleModules, profileWhile, summarise, type ProfileSummary } from './bench/profile.ts'
import { cacheStatusOf, httpTool, mcpResultOk, mcpToolCall, mcpToolCallStateless } from './bench/requests.ts'
import {
  callTool,
  generateChartRequest,
  pairs,
  setUpCallers,
  type BenchUser,
  type Callers,
} from './bench/users.ts'

const ROOT = fileURLToPath(new URL('../', import.meta.url))

interface Options {
  durationSeconds: number
  warmupSeconds: number
  /** Duration of the one-connection overhead runs. */
  overheadSeconds: number
  only: Set<string> | undefined
  /** After the scenarios, this one again under the CPU profiler of the gateway's Worker. */
  profile: string | undefined
  serverUrl: string
  /** Postgres connections the bridge opens at once (a pooler's bound); BENCH_DB_CONNECTIONS. */
  databaseConnections: number | undefined
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string' },
      warmup: { type: 'string' },
      overhead: { type: 'string' },
      only: { type: 'string' },
      profile: { type: 'string' },
    },
  })
  const durationSeconds = positiveNumber(
    values.duration ?? process.env.BENCH_DURATION_SECONDS,
    15,
    '--duration',
  )
  return {
    durationSeconds,
    warmupSeconds: positiveNumber(values.warmup ?? process.env.BENCH_WARMUP_SECONDS, 5, '--warmup'),
    overheadSeconds: positiveNumber(values.overhead ?? process.env.BENCH_OVERHEAD_SECONDS, 8, '--overhead'),
    only: values.only === undefined ? undefined : new Set(values.only.split(',').map((id) => id.trim())),
    profile: values.profile,
    serverUrl: benchServerUrl(),
    databaseConnections:
      process.env.BENCH_DB_CONNECTIONS === undefined
        ? undefined
        : positiveNumber(process.env.BENCH_DB_CONNECTIONS, 0, 'BENCH_DB_CONNECTIONS'),
  }
}

type Target = ScenarioResult['target']

/**
 * Postgres connections each variant's bridge may hold; the main gateway gets the rest. Every bridge keeps
 * its idle connections, so together they must stay within the budget, or the server refuses some.
 */
const VARIANT_CONNECTIONS = 8
/** Fewer than this for the main gateway would make the pool, not the gateway, what the bench measures. */
const MIN_MAIN_CONNECTIONS = 10

/** Gateways that differ from the main one in one setting, started only for the scenarios that need them. */
const VARIANTS: Record<Exclude<Target, 'gateway' | 'bare'>, Record<string, string>> = {
  'gateway-noauth': { MCP_AUTH_ENABLED: 'false', MCP_DEV_USERNAME: 'admin' },
  'gateway-quiet': { MCP_LOG_LEVEL: 'warn' },
}

interface Scenario {
  id: string
  title: string
  target: Target
  connections: number
  /** The bare-Worker scenario at the same concurrency this one is compared with. */
  baseline?: string
  /**
   * One-connection overhead runs, measured in pairs (with and without the cost in question) in
   * alternating slices, so that other load on the machine falls on both alike.
   */
  overhead?: boolean
  spec: (callers: Callers) => Pick<LoadSpec, 'next' | 'check' | 'cacheStatus' | 'label'>
}

/** Round-robin over a list. */
function cycle<T>(items: readonly T[], n: number): T {
  if (items.length === 0) throw new Error('nothing to cycle over')
  return items[n % items.length]!
}

/** A request to list_charts no cache can answer: force_refresh, or a filter that is new every time. */
function uncachedListCharts(callers: Callers, n: number): Record<string, unknown> {
  const base = { page: 1 + (n % 2), page_size: 5 + (n % 20) }
  return callers.uncachedBy === 'force_refresh'
    ? { ...base, force_refresh: true }
    : { ...base, filters: [{ col: 'slice_name', opr: 'ne', value: `bench-${process.pid}-${n}` }] }
}

function uncachedChartInfo(callers: Callers, chart: number, n: number): Record<string, unknown> {
  if (callers.uncachedBy === 'force_refresh') return { identifier: chart, force_refresh: true }
  // Leave out one or two of the default fields, in a different combination each time.
  const fields = callers.chartInfoFields
  const skip = new Set([fields[n % fields.length], fields[Math.floor(n / fields.length) % fields.length]])
  return { identifier: chart, select_columns: fields.filter((field) => !skip.has(field)) }
}

const CACHED_LIST_CHARTS = { page: 1, page_size: 10 }

const httpOk = { cacheStatus: cacheStatusOf }

/** Scenarios run again on one connection: the latency of a call when the machine is not saturated. */
const UNLOADED = ['a', 'b_info', 'b_list', 'd', 'c']

function scenarios(): Scenario[] {
  const loaded = loadedScenarios()
  const unloaded = UNLOADED.map((id) => loaded.find((scenario) => scenario.id === id)!).map(
    ({ baseline: _baseline, ...scenario }): Scenario => ({
      ...scenario,
      id: `${scenario.id}_1`,
      title: `${scenario.title.replace(/, \d+ .*$/, '')}, one connection`,
      connections: 1,
    }),
  )
  const overhead = loaded.findIndex((scenario) => scenario.overhead === true)
  return [...loaded.slice(0, overhead), ...unloaded, ...loaded.slice(overhead)]
}

function loadedScenarios(): Scenario[] {
  const listers = (c: Callers) => c.users.filter((user) => user.canListCharts)
  return [
    {
      id: 'bare_50',
      title: 'bare Worker, fixed response',
      target: 'bare',
      connections: 50,
      spec: () => ({ next: () => ({ method: 'POST', path: '/', headers: JSON_HEADERS, body: '{}' }) }),
    },
    {
      id: 'a',
      title: '(a) list_charts, same request (cached path)',
      target: 'gateway',
      connections: 50,
      baseline: 'bare_50',
      spec: (c) => ({
        ...httpOk,
        next: (n) => httpTool(cycle(listers(c), n).token, 'list_charts', CACHED_LIST_CHARTS),
      }),
    },
    {
      id: 'a_quiet',
      title: '(a) the same, MCP_LOG_LEVEL=warn',
      target: 'gateway-quiet',
      connections: 50,
      baseline: 'bare_50',
      spec: (c) => ({
        ...httpOk,
        next: (n) => httpTool(cycle(listers(c), n).token, 'list_charts', CACHED_LIST_CHARTS),
      }),
    },
    {
      id: 'b_info',
      title: '(b) get_chart_info, uncached',
      target: 'gateway',
      connections: 50,
      baseline: 'bare_50',
      spec: (c) => {
        const all = pairs(c.users, (user) => user.infoCharts)
        return {
          ...httpOk,
          next: (n) => {
            const { user, chart } = cycle(all, n)
            return httpTool(user.token, 'get_chart_info', uncachedChartInfo(c, chart, n))
          },
        }
      },
    },
    {
      id: 'b_list',
      title: '(b) list_charts, uncached',
      target: 'gateway',
      connections: 50,
      baseline: 'bare_50',
      spec: (c) => ({
        ...httpOk,
        next: (n) => httpTool(cycle(listers(c), n).token, 'list_charts', uncachedListCharts(c, n)),
      }),
    },
    {
      id: 'd',
      title: '(d) get_chart_data, demo charts',
      target: 'gateway',
      connections: 50,
      baseline: 'bare_50',
      spec: (c) => {
        const all = pairs(c.users, (user) => user.dataCharts)
        return {
          ...httpOk,
          next: (n) => {
            const { user, chart } = cycle(all, n)
            return httpTool(user.token, 'get_chart_data', { identifier: chart })
          },
        }
      },
    },
    {
      id: 'mcp',
      title: 'MCP tools/call list_charts, same request',
      target: 'gateway',
      connections: 50,
      baseline: 'bare_50',
      spec: (c) => ({
        next: (n) => mcpToolCall(cycle(listers(c), n).token, 'list_charts', CACHED_LIST_CHARTS, n),
        check: mcpResultOk,
        cacheStatus: cacheStatusOf,
      }),
    },
    {
      id: 'mcp_2026',
      title: 'MCP 2026-07-28 tools/call list_charts, same request',
      target: 'gateway',
      connections: 50,
      baseline: 'bare_50',
      spec: (c) => ({
        next: (n) => mcpToolCallStateless(cycle(listers(c), n).token, 'list_charts', CACHED_LIST_CHARTS, n),
        check: mcpResultOk,
        cacheStatus: cacheStatusOf,
      }),
    },
    {
      id: 'bare_100',
      title: 'bare Worker, fixed response',
      target: 'bare',
      connections: 100,
      spec: () => ({ next: () => ({ method: 'POST', path: '/', headers: JSON_HEADERS, body: '{}' }) }),
    },
    {
      id: 'c',
      title: '(c) guide mix 3:2:1 list/info/generate',
      target: 'gateway',
      connections: 100,
      baseline: 'bare_100',
      spec: (c) => {
        const mixers = c.users.filter(
          (user) => user.canListCharts && user.infoCharts.length > 0 && user.chartDataset !== undefined,
        )
        return {
          ...httpOk,
          label: (n) => (n % 6 < 3 ? 'list_charts' : n % 6 < 5 ? 'get_chart_info' : 'generate_chart'),
          next: (n) => {
            const user = cycle(mixers, Math.floor(n / 6))
            const slot = n % 6
            if (slot < 3) return httpTool(user.token, 'list_charts', CACHED_LIST_CHARTS)
            if (slot < 5)
              return httpTool(user.token, 'get_chart_info', { identifier: cycle(user.infoCharts, n) })
            return httpTool(user.token, 'generate_chart', generateChartRequest(user.chartDataset!))
          },
        }
      },
    },
    {
      id: 'o_bare',
      title: 'bare Worker, one connection',
      target: 'bare',
      connections: 1,
      overhead: true,
      spec: () => ({ next: () => ({ method: 'POST', path: '/', headers: JSON_HEADERS, body: '{}' }) }),
    },
    {
      id: 'o_limiter',
      title: 'bare Worker + one RateLimiter RPC',
      target: 'bare',
      connections: 1,
      overhead: true,
      spec: (c) => ({
        next: (n) => ({
          method: 'POST',
          path: '/limiter',
          headers: { ...JSON_HEADERS, 'x-bench-user': String(n % c.users.length) },
          body: '{}',
        }),
      }),
    },
    {
      id: 'o_auth',
      title: 'health_check as admin, bearer JWT',
      target: 'gateway',
      connections: 1,
      overhead: true,
      spec: (c) => ({ next: () => httpTool(c.admin.token, 'health_check', {}) }),
    },
    {
      id: 'o_noauth',
      title: 'health_check as admin, auth disabled',
      target: 'gateway-noauth',
      connections: 1,
      overhead: true,
      spec: () => ({ next: () => httpTool(undefined, 'health_check', {}) }),
    },
  ]
}

const JSON_HEADERS = { 'content-type': 'application/json' }

/** Overhead pairs: (without the cost, with it). */
const OVERHEAD_PAIRS: [string, string][] = [
  ['o_bare', 'o_limiter'],
  ['o_noauth', 'o_auth'],
]
const SLICES = 4
const PROFILE_SECONDS = 5
/** How much longer than its load the profile step may take (starting, stopping, transferring). */
const PROFILE_GRACE_SECONDS = 60
const PROFILE_CONNECTIONS = 20

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`)
}

async function main(): Promise<void> {
  const options = parseOptions()
  const startedAt = new Date()
  const machine = await machineInfo()
  log(`${machine.nproc} cores (${machine.cpuModel}), load average ${machine.loadAverage.join(' ')}`)
  const cleanups = new Cleanups()
  cleanups.onSignals(log)
  const wranglerOutput: string[] = []
  let profileFile: string | undefined
  const onOutput = (line: string): void => keepTail(wranglerOutput, line)
  try {
    const logLevel = process.env.BENCH_LOG_LEVEL ?? 'info'
    const environment = await prepareEnvironment({
      serverUrl: options.serverUrl,
      prefix: `mcp_bench_${process.pid}`,
      logLevel,
      log,
      cleanups,
      ...(options.databaseConnections === undefined
        ? {}
        : { databaseConnections: options.databaseConnections }),
    })
    const { databases } = environment
    const bareBundle: Bundle = await buildBundle(`${environment.stateRoot}/bare-bundle`, BARE_CONFIG)
    const selected = scenarios().filter((scenario) => options.only?.has(scenario.id) ?? true)
    const variantNames = (Object.keys(VARIANTS) as (keyof typeof VARIANTS)[]).filter((target) =>
      selected.some((scenario) => scenario.target === target),
    )
    const mainConnections = environment.databaseConnections - VARIANT_CONNECTIONS * variantNames.length
    if (mainConnections < MIN_MAIN_CONNECTIONS) {
      throw new Error(
        `${environment.databaseConnections} Postgres connections (BENCH_DB_CONNECTIONS, else half of the server's ` +
          `max_connections) leave ${mainConnections} for the gateway after ${variantNames.length} variant(s) of ` +
          `${VARIANT_CONNECTIONS}: raise it, or run fewer scenarios with --only`,
      )
    }
    log(
      `starting the gateway (wrangler dev) and the bare Worker${variantNames.length > 0 ? `, and ${variantNames.join(', ')}` : ''} …`,
    )
    const [started, bareStarted, ...variantsStarted] = await Promise.allSettled([
      environment.startGateway({ name: 'gateway', onOutput, databaseConnections: mainConnections }),
      startBareWorker(await freePort(), `${environment.stateRoot}/bare`, bareBundle.script),
      ...variantNames.map((target) =>
        environment.startGateway({
          name: target,
          env: VARIANTS[target],
          onOutput,
          databaseConnections: VARIANT_CONNECTIONS,
        }),
      ),
    ])
    if (bareStarted.status === 'fulfilled') cleanups.push(() => bareStarted.value.stop())
    for (const outcome of [started, bareStarted, ...variantsStarted]) {
      if (outcome.status === 'rejected') throw outcome.reason
    }
    const stack = (started as PromiseFulfilledResult<HostedGateway>).value
    const bare = (bareStarted as PromiseFulfilledResult<BareWorker>).value
    const variants = new Map(
      variantNames.map((target, index) => [
        target as Target,
        (variantsStarted[index] as PromiseFulfilledResult<HostedGateway>).value,
      ]),
    )
    log(`gateway ${stack.url}, bare Worker ${bare.url}; probing what each demo user may call …`)
    const callers = await setUpCallers(stack.url, stack.tokens)
    log(
      `${callers.users.length} users; uncached scenarios use ${callers.uncachedBy}; ` +
        `${pairs(callers.users, (u) => u.infoCharts).length} (user, chart) pairs for get_chart_info, ` +
        `${pairs(callers.users, (u) => u.dataCharts).length} for get_chart_data`,
    )
    const noauth = variants.get('gateway-noauth')
    if (noauth !== undefined) {
      const check = await callTool(noauth.url, undefined, 'health_check', {})
      if (check.status !== 200)
        throw new Error(`the gateway with authentication off answered ${check.status}`)
    }
    if (stack.wranglerPid === undefined) throw new Error('no wrangler process id')
    const idle = await memorySnapshot(stack.wranglerPid)
    const memory: MemorySampler = await sampleMemory(stack.wranglerPid)

    // Every stack has its own development issuer: a variant's callers carry its tokens.
    const callersFor = (target: Target): Callers => {
      const variant = variants.get(target)
      if (variant === undefined) return callers
      const retoken = (user: BenchUser): BenchUser => ({
        ...user,
        token: variant.tokens[user.username] ?? '',
      })
      return { ...callers, users: callers.users.map(retoken), admin: retoken(callers.admin) }
    }
    const urlOf = (scenario: Scenario): string =>
      scenario.target === 'bare'
        ? bare.url
        : scenario.target === 'gateway'
          ? stack.url
          : variants.get(scenario.target)!.url
    // The two workerd processes of every wrangler dev: CPU per request of the Worker and of wrangler's proxy.
    const workerds = new Map<Target, { worker?: number; proxy?: number }>()
    for (const [target, pid] of [
      ['gateway', stack.wranglerPid],
      ['bare', bare.wranglerPid],
      ...[...variants].map(([target, variant]) => [target, variant.wranglerPid]),
    ] as [Target, number | undefined][]) {
      const found = pid === undefined ? [] : await workerdProcesses(pid)
      workerds.set(target, {
        worker: found.find((candidate) => candidate.role === 'worker')?.pid,
        proxy: found.find((candidate) => candidate.role === 'proxy')?.pid,
      })
    }
    const workerdCpu = async (target: Target) => {
      const pids = workerds.get(target) ?? {}
      return {
        worker: pids.worker === undefined ? 0 : await processCpuSeconds(pids.worker),
        proxy: pids.proxy === undefined ? 0 : await processCpuSeconds(pids.proxy),
      }
    }
    const results: ScenarioResult[] = []
    const record = (
      scenario: Scenario,
      result: LoadResult,
      cpu: ReturnType<typeof cpuShare>,
      load: number,
      workerdSeconds?: { worker: number; proxy: number },
    ) => {
      const { latencies: _latencies, ...kept } = result
      const perRequest = (seconds: number) =>
        Number(((seconds * 1000) / Math.max(1, result.requests)).toFixed(2))
      results.push({
        id: scenario.id,
        title: scenario.title,
        target: scenario.target,
        ...(scenario.baseline === undefined ? {} : { baseline: scenario.baseline }),
        loadAverageBefore: Number(load.toFixed(2)),
        cpu,
        ...(workerdSeconds === undefined
          ? {}
          : {
              workerdCpuMsPerRequest: {
                worker: perRequest(workerdSeconds.worker),
                proxy: perRequest(workerdSeconds.proxy),
              },
            }),
        ...kept,
      })
      log(
        `  ${scenario.id}: ${result.throughput.toFixed(0)} req/s, p50 ${result.latencyMs.p50.toFixed(1)} ms, ` +
          `p95 ${result.latencyMs.p95.toFixed(1)} ms, p99 ${result.latencyMs.p99.toFixed(1)} ms, ` +
          `${result.errors} errors${result.errors > 0 ? ` ${JSON.stringify(result.failures)}` : ''}; ` +
          `CPU: bench ${cpu.benchCores} cores, other ${cpu.otherCores} cores` +
          (workerdSeconds === undefined
            ? ''
            : `; workerd CPU per request: Worker ${perRequest(workerdSeconds.worker)} ms, proxy ${perRequest(workerdSeconds.proxy)} ms`),
      )
      for (const [label, entry] of Object.entries(result.byLabel ?? {})) {
        log(
          `    ${label}: ${entry.requests} answers, p50 ${entry.p50.toFixed(1)} ms, p95 ${entry.p95.toFixed(1)} ms, ` +
            `p99 ${entry.p99.toFixed(1)} ms, ${entry.errors} errors`,
        )
      }
    }
    const load = (scenario: Scenario, durationSeconds: number, keepLatencies = false) =>
      runLoad({
        url: urlOf(scenario),
        connections: scenario.connections,
        durationSeconds,
        keepLatencies,
        ...scenario.spec(callersFor(scenario.target)),
      })
    for (const scenario of selected.filter((candidate) => candidate.overhead !== true)) {
      log(
        `${scenario.id}: ${scenario.title}, ${scenario.connections} connections, warm-up ${options.warmupSeconds} s …`,
      )
      await load(scenario, options.warmupSeconds)
      const loadAverage = loadavg()[0]!
      const before = await readCpu()
      const workerdBefore = await workerdCpu(scenario.target)
      const result = await load(scenario, options.durationSeconds)
      const workerdAfter = await workerdCpu(scenario.target)
      record(scenario, result, cpuShare(before, await readCpu(), result.durationSeconds), loadAverage, {
        worker: workerdAfter.worker - workerdBefore.worker,
        proxy: workerdAfter.proxy - workerdBefore.proxy,
      })
    }
    // Overheads: each pair in alternating slices (A, B, A, B, …) of one connection.
    for (const [withoutId, withId] of OVERHEAD_PAIRS) {
      const pair = [withoutId, withId].map((id) => selected.find((scenario) => scenario.id === id))
      if (pair.some((scenario) => scenario === undefined)) continue
      const [without, with_] = pair as [Scenario, Scenario]
      log(
        `${without.id} / ${with_.id}: ${SLICES} alternating slices of ${(options.overheadSeconds / SLICES).toFixed(1)} s each …`,
      )
      await load(without, Math.min(2, options.warmupSeconds))
      await load(with_, Math.min(2, options.warmupSeconds))
      const runs: [LoadResult[], LoadResult[]] = [[], []]
      const loadAverage = loadavg()[0]!
      const before = await readCpu()
      for (let slice = 0; slice < SLICES; slice++) {
        for (const [index, scenario] of [without, with_].entries()) {
          runs[index]!.push(await load(scenario, options.overheadSeconds / SLICES, true))
        }
      }
      const cpu = cpuShare(before, await readCpu(), 2 * options.overheadSeconds)
      record(without, mergeResults(runs[0]), cpu, loadAverage)
      record(with_, mergeResults(runs[1]), cpu, loadAverage)
    }
    // Memory is read before the profiler runs: profiling inflates the Worker's heap.
    const gatewayMemory = await memory.stop()
    let profile: ProfileSummary | undefined
    let profileError: string | undefined
    const profiled = scenarios().find((scenario) => scenario.id === options.profile)
    if (options.profile !== undefined && (profiled === undefined || profiled.target !== 'gateway')) {
      throw new Error(`--profile takes the id of a gateway scenario, not "${options.profile}"`)
    }
    if (profiled !== undefined) {
      // Short and at most 20 connections: with the profiler on under full load, wrangler's proxy workerd
      // was seen piling up sockets to wrangler (CLOSE-WAIT) until it ran out of file descriptors.
      const seconds = Math.min(PROFILE_SECONDS, options.durationSeconds)
      const connections = Math.min(PROFILE_CONNECTIONS, profiled.connections)
      log(`${profiled.id} again, ${connections} connections for ${seconds} s, under the CPU profiler …`)
      try {
        // The profiler has been seen to stall the Worker on a long run: give up rather than lose the figures.
        const cpuProfile = await withDeadline(
          profileWhile(stack.inspectorPort, () => load({ ...profiled, connections }, seconds)),
          (seconds + PROFILE_GRACE_SECONDS) * 1000,
          'the CPU profile',
        )
        profile = summarise(cpuProfile, bundleModules(await readFile(environment.bundle.script, 'utf8')))
        profileFile = `profile-${profiled.id}-${startedAt
          .toISOString()
          .replaceAll(':', '-')
          .replace(/\.\d+Z$/, 'Z')}.cpuprofile`
        await mkdir(`${ROOT}bench-results`, { recursive: true })
        await writeFile(`${ROOT}bench-results/${profileFile}`, JSON.stringify(cpuProfile))
        log(
          `  busy ${(profile.busyShare * 100).toFixed(0)} % of ${profile.durationMs.toFixed(0)} ms; self time by module:`,
        )
        for (const file of profile.files.slice(0, 15)) {
          log(`    ${(file.share * 100).toFixed(1).padStart(5)} %  ${file.file}`)
        }
      } catch (err) {
        profileError = err instanceof Error ? err.message : String(err)
        log(`  no profile: ${profileError}`)
      }
    }
    await stack.stop()
    for (const variant of variants.values()) await variant.stop()
    await bare.stop()
    await databases.drop()

    const { bundle } = environment
    const report = {
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      options: {
        durationSeconds: options.durationSeconds,
        warmupSeconds: options.warmupSeconds,
        overheadSeconds: options.overheadSeconds,
        logLevel,
      },
      machine,
      postgres: {
        server: redact(options.serverUrl),
        version: databases.serverVersion,
        maxConnections: databases.maxConnections,
        bridgePoolConnections: environment.databaseConnections,
      },
      limits: BENCH_LIMITS,
      callers: {
        users: callers.users.map((user) => ({
          username: user.username,
          infoCharts: user.infoCharts.length,
          dataCharts: user.dataCharts.length,
          chartDataset: user.chartDataset ?? null,
          canListCharts: user.canListCharts,
        })),
        uncachedBy: callers.uncachedBy,
      },
      bundle: { uploadKiB: bundle.uploadKiB, gzipKiB: bundle.gzipKiB, scriptBytes: bundle.scriptBytes },
      memory: {
        idle,
        peak: gatewayMemory.processes,
        workerSamples: gatewayMemory.workerSamples,
      },
      scenarios: results.map((result) => ({ ...result, vsBare: compare(results, result) ?? null })),
      targets: evaluateTargets(results, bundle),
      overheads: overheads(results),
      profile:
        profile === undefined
          ? profileError === undefined
            ? null
            : { scenario: options.profile, error: profileError }
          : { scenario: options.profile, file: profileFile, ...profile },
      wranglerOutputTail: wranglerOutput,
    }
    const outDir = `${ROOT}bench-results`
    await mkdir(outDir, { recursive: true })
    const stamp = startedAt
      .toISOString()
      .replaceAll(':', '-')
      .replace(/\.\d+Z$/, 'Z')
    const json = JSON.stringify(report, null, 2) + '\n'
    await writeFile(`${outDir}/${stamp}.json`, json)
    await writeFile(`${outDir}/latest.json`, json)
    process.stdout.write(printTable(report))
    process.stdout.write(`\nWritten: bench-results/${stamp}.json (and bench-results/latest.json)\n`)
  } catch (err) {
    if (wranglerOutput.length > 0) log(`wrangler's last lines:\n${wranglerOutput.join('\n')}`)
    throw err
  } finally {
    await cleanups.run()
  }
}

async function memorySnapshot(wranglerPid: number) {
  const sampler = await sampleMemory(wranglerPid)
  return (await sampler.stop()).processes
}

function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms / 1000} s`)), ms)
  })
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer))
}

function keepTail(lines: string[], line: string): void {
  lines.push(line)
  if (lines.length > 50) lines.shift()
}

main().catch((err: unknown) => {
  process.stderr.write(`[bench] failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`)
  process.exit(1)
})
