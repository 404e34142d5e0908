/** The benchmark's verdicts and its printed table. */
import type { Bundle } from './bundle.ts'
import type { LoadResult } from './load.ts'
import type { ProcessMemory } from './memory.ts'

export interface ScenarioResult extends LoadResult {
  id: string
  title: string
  target: 'gateway' | 'bare' | 'gateway-noauth' | 'gateway-quiet'
  /** The bare-Worker scenario at the same concurrency. */
  baseline?: string
  loadAverageBefore: number
  /** Where the machine's CPU went during the run, in cores. */
  cpu: { machineCores: number; benchCores: number; otherCores: number }
  /** CPU time per request of the target's workerd processes: the Worker's, and wrangler's proxy in front. */
  workerdCpuMsPerRequest?: { worker: number; proxy: number }
}

export interface Comparison {
  /** Gateway throughput / bare Worker throughput. */
  throughputRatio: number
  /** Gateway p99 / bare Worker p99. */
  p99Ratio: number
}

export interface TargetVerdict {
  target: string
  requirement: string
  measured: string
  met: boolean
}

export interface Overheads {
  /** Mean and median latency added by one RateLimiter RPC (bare + RPC − bare, one connection). */
  limiterRpcMs: { mean: number; p50: number } | null
  /** Mean and median latency added by bearer authentication (auth on − auth off, one connection). */
  authenticationMs: { mean: number; p50: number } | null
}

export function compare(results: readonly ScenarioResult[], result: ScenarioResult): Comparison | undefined {
  const base = results.find((candidate) => candidate.id === result.baseline)
  if (base === undefined) return undefined
  return {
    throughputRatio: result.throughput / base.throughput,
    p99Ratio: result.latencyMs.p99 / base.latencyMs.p99,
  }
}

export function overheads(results: readonly ScenarioResult[]): Overheads {
  const find = (id: string) => results.find((result) => result.id === id)
  const delta = (with_: ScenarioResult | undefined, without: ScenarioResult | undefined) =>
    with_ === undefined || without === undefined
      ? null
      : {
          mean: with_.latencyMs.mean - without.latencyMs.mean,
          p50: with_.latencyMs.p50 - without.latencyMs.p50,
        }
  return {
    limiterRpcMs: delta(find('o_limiter'), find('o_bare')),
    authenticationMs: delta(find('o_auth'), find('o_noauth')),
  }
}

const BUNDLE_LIMIT_KIB = 400

export function evaluateTargets(
  results: readonly ScenarioResult[],
  bundle: Pick<Bundle, 'uploadKiB' | 'gzipKiB'> | undefined,
): TargetVerdict[] {
  const verdicts: TargetVerdict[] = []
  const find = (id: string) => results.find((result) => result.id === id)
  const a = find('a')
  const aVsBare = a === undefined ? undefined : compare(results, a)
  if (a !== undefined && aVsBare !== undefined) {
    verdicts.push({
      target: '(a) throughput',
      requirement: '≥ 0.5 × bare Worker',
      measured: `${aVsBare.throughputRatio.toFixed(3)} × (${a.throughput.toFixed(0)} req/s)`,
      met: aVsBare.throughputRatio >= 0.5,
    })
    verdicts.push({
      target: '(a) p99',
      requirement: '≤ 3 × bare Worker',
      measured: `${aVsBare.p99Ratio.toFixed(1)} × (${a.latencyMs.p99.toFixed(1)} ms)`,
      met: aVsBare.p99Ratio <= 3,
    })
  }
  for (const id of ['b_info', 'b_list']) {
    const b = find(id)
    if (b === undefined) continue
    verdicts.push({
      target: `(b) ${id === 'b_info' ? 'get_chart_info' : 'list_charts'} p95 at ${b.connections}`,
      requirement: '≤ 200 ms',
      measured: `${b.latencyMs.p95.toFixed(1)} ms`,
      met: b.latencyMs.p95 <= 200 && b.connections >= 50,
    })
  }
  const c = find('c')
  if (c !== undefined) {
    verdicts.push({
      target: `(c) guide mix errors at ${c.connections}`,
      requirement: '0',
      measured: `${c.errors} of ${c.requests}`,
      met: c.errors === 0,
    })
    verdicts.push({
      target: `(c) guide mix p95 at ${c.connections}`,
      requirement: '≤ 300 ms',
      measured: `${c.latencyMs.p95.toFixed(1)} ms`,
      met: c.latencyMs.p95 <= 300,
    })
  }
  if (bundle !== undefined) {
    verdicts.push({
      target: 'bundle (gzip)',
      requirement: `≤ ${BUNDLE_LIMIT_KIB} KiB`,
      measured: `${bundle.gzipKiB} KiB`,
      met: bundle.gzipKiB <= BUNDLE_LIMIT_KIB,
    })
  }
  return verdicts
}

interface PrintableReport {
  startedAt: string
  machine: { nproc: number; cpuModel: string; memoryGiB: number; node: string; wrangler: string }
  bundle: Pick<Bundle, 'uploadKiB' | 'gzipKiB'> | null
  memory: { idle: ProcessMemory[]; peak: ProcessMemory[] }
  scenarios: ScenarioResult[]
  targets: TargetVerdict[]
  overheads: Overheads
}

const ms = (value: number): string => (Number.isFinite(value) ? value.toFixed(1) : '–')

export function printTable(report: PrintableReport): string {
  const rows = [
    [
      'scenario',
      'conns',
      'req/s',
      'p50 ms',
      'p95 ms',
      'p99 ms',
      'errors',
      'vs bare: req/s',
      'p99',
      'Worker CPU/req',
      'other CPU',
    ],
    ...report.scenarios.map((result) => {
      const comparison = compare(report.scenarios, result)
      return [
        `${result.id}  ${result.title}`,
        String(result.connections),
        result.throughput.toFixed(0),
        ms(result.latencyMs.p50),
        ms(result.latencyMs.p95),
        ms(result.latencyMs.p99),
        result.errors === 0 ? '0' : `${result.errors} (${(result.errorRate * 100).toFixed(2)} %)`,
        comparison === undefined ? '' : `${comparison.throughputRatio.toFixed(3)} ×`,
        comparison === undefined ? '' : `${comparison.p99Ratio.toFixed(1)} ×`,
        result.workerdCpuMsPerRequest === undefined
          ? ''
          : `${result.workerdCpuMsPerRequest.worker.toFixed(2)} ms`,
        `${result.cpu.otherCores.toFixed(2)} cores`,
      ]
    }),
  ]
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)))
  const line = (row: string[]) =>
    row
      .map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
      .join('  ')
  const out = [
    '',
    `Benchmark ${report.startedAt} — ${report.machine.nproc} cores (${report.machine.cpuModel}), ` +
      `${report.machine.memoryGiB} GiB, Node ${report.machine.node}, wrangler ${report.machine.wrangler}`,
    '',
    line(rows[0]!),
    ...rows.slice(1).map(line),
    '',
    '"Worker CPU/req": CPU time of the workerd process running the Worker (Durable Objects included) per request.',
    '"other CPU": cores busy outside the benchmark\'s processes during the run (Postgres, other users).',
    '',
  ]
  const { limiterRpcMs, authenticationMs } = report.overheads
  if (limiterRpcMs !== null)
    out.push(`RateLimiter RPC per call: +${ms(limiterRpcMs.mean)} ms mean, +${ms(limiterRpcMs.p50)} ms p50`)
  if (authenticationMs !== null)
    out.push(
      `Bearer authentication per call: ${signed(authenticationMs.mean)} ms mean, ${signed(authenticationMs.p50)} ms p50`,
    )
  if (report.bundle !== null)
    out.push(`Bundle: ${report.bundle.uploadKiB} KiB, gzip ${report.bundle.gzipKiB} KiB`)
  for (const process of report.memory.peak) {
    const idle = report.memory.idle.find((candidate) => candidate.pid === process.pid)
    out.push(
      `workerd (${process.role}) RSS: idle ${mib(idle?.rssKiB)} MiB, peak sampled ${mib(process.rssKiB)} MiB, VmHWM ${mib(process.hwmKiB)} MiB`,
    )
  }
  out.push('', 'Targets:')
  for (const verdict of report.targets) {
    out.push(
      `  ${verdict.met ? 'met   ' : 'MISSED'}  ${verdict.target}: ${verdict.measured} (${verdict.requirement})`,
    )
  }
  return out.join('\n') + '\n'
}

function signed(value: number): string {
  return `${value >= 0 ? '+' : ''}${ms(value)}`
}

function mib(kib: number | undefined): string {
  return kib === undefined ? '–' : (kib / 1024).toFixed(0)
}
