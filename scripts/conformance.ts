/**
 * `npm run conformance`: the official MCP conformance suite (@modelcontextprotocol/conformance, pinned in
 * package.json) against the real local stack, once per requirement set: 2026-07-28 (stateless, per-request
 * `_meta`) and 2025-11-25 (the initialize handshake), each at its own wire (docs/CONFORMANCE.md).
 *
 *   npm run conformance                          both requirement sets
 *   npm run conformance -- --requirements 2025-11-25   one of them
 *
 * The stack is `npm start`'s (embedded PGlite in memory, wrangler dev on a free port) with the suite's
 * fixtures on (MCP_CONFORMANCE_FIXTURES) and tool search off, so `tools/list` shows them. The suite's
 * server mode sends no credentials (it has no option for a bearer token), so authentication is off and
 * every request acts as the development user `admin` (MCP_DEV_USERNAME): the fixtures still go through
 * the dispatcher, the limits and the audit trail as that user. Both settings are refused or meaningless
 * in production (MCP_CONFORMANCE_FIXTURES=true with MCP_ENVIRONMENT=production is a ConfigurationError).
 *
 * Writes docs/conformance/<revision>.json (every check of every scenario, as the suite reports it) and
 * docs/conformance/<revision>.md (a table), and exits non-zero when a scenario the revision requires
 * fails and docs/conformance/exceptions-<revision>.yaml does not list it (each listed one is explained in
 * docs/CONFORMANCE.md), or when a listed one passes (the suite's own --expected-failures rules).
 */
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import * as prettier from 'prettier'
import { freePort } from './lib/ports.ts'
import { CONFIG_NAMES, startStack, type Stack } from './lib/stack.ts'

const ROOT = fileURLToPath(new URL('../', import.meta.url))
const SUITE = join(ROOT, 'node_modules/@modelcontextprotocol/conformance')
const REPORTS = join(ROOT, 'docs/conformance')
const REVISIONS = ['2026-07-28', '2025-11-25'] as const
type Revision = (typeof REVISIONS)[number]

/** The gateway's configuration for the run; nothing else from the shell's MCP_* variables applies. */
const CONFORMANCE_VARS: Record<string, string> = {
  MCP_ENVIRONMENT: 'development',
  MCP_AUTH_ENABLED: 'false',
  MCP_DEV_USERNAME: 'admin',
  MCP_CONFORMANCE_FIXTURES: 'true',
  MCP_TOOL_SEARCH_ENABLED: 'false',
  MCP_LOG_LEVEL: 'warn',
}

interface Check {
  id: string
  status: string
  errorMessage?: string
  [key: string]: unknown
}

interface ScenarioReport {
  scenario: string
  /** Required by the revision (it decides the run), or run for visibility only (the suite's not_scored). */
  scored: boolean
  outcome: 'passed' | 'failed'
  failedChecks: string[]
  checks: Check[]
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { requirements: { type: 'string' } } })
  const revisions: readonly Revision[] =
    values.requirements === undefined ? REVISIONS : [revisionOf(values.requirements)]
  const suiteVersion = (
    JSON.parse(await readFile(join(SUITE, 'package.json'), 'utf8')) as { version: string }
  ).version
  const work = await mkdtemp(join(tmpdir(), 'mcp-conformance-'))
  const stopping = new AbortController()
  let stack: Stack | undefined
  const stop = async (): Promise<void> => {
    stopping.abort()
    await stack?.stop()
    await rm(work, { recursive: true, force: true })
  }
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => void stop().then(() => process.exit(130)))
  }
  try {
    log('starting the local stack (embedded PGlite in memory) …')
    stack = await startStack({
      port: await freePort(),
      signal: stopping.signal,
      env: conformanceEnvironment(),
      vars: CONFORMANCE_VARS,
      // Its own Durable Object and KV state: no limits or cache left by another local stack.
      persistTo: join(work, 'wrangler-state'),
    })
    log(`gateway at ${stack.mcpUrl}`)
    let failed = false
    await mkdir(REPORTS, { recursive: true })
    for (const revision of revisions) {
      const outcome = await runRevision(revision, stack.mcpUrl, join(work, revision), suiteVersion)
      failed ||= !outcome
    }
    await stop()
    process.exit(failed ? 1 : 0)
  } catch (err) {
    await stop()
    throw err
  }
}

function revisionOf(value: string): Revision {
  const revision = REVISIONS.find((candidate) => candidate === value)
  if (revision === undefined)
    throw new Error(`--requirements is one of ${REVISIONS.join(', ')}, not "${value}"`)
  return revision
}

/** The shell's environment without the gateway's configuration names: the run is the same everywhere. */
function conformanceEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env }
  for (const name of CONFIG_NAMES) delete env[name]
  return { ...env, ...CONFORMANCE_VARS }
}

/** Runs one requirement set; true when the suite accepted it (every required scenario, or a listed exception). */
async function runRevision(revision: Revision, url: string, output: string, suiteVersion: string) {
  const exceptions = join(REPORTS, `exceptions-${revision}.yaml`)
  const args = ['server', '--url', url, '--requirements', revision, '--output-dir', output]
  if (existsSync(exceptions)) args.push('--expected-failures', exceptions)
  log(`running the ${revision} requirement set …`)
  const { code, stdout } = await runSuite(args)
  const scored = await requiredScenarios(revision)
  const scenarios = await collect(output, scored)
  const summary = stdout.slice(stdout.indexOf('=== SUMMARY'))
  process.stdout.write(`\n${revision}\n${summary}\n`)
  const report = {
    suite: `@modelcontextprotocol/conformance ${suiteVersion}`,
    requirements: revision,
    accepted: code === 0,
    required: { passed: count(scenarios, true, 'passed'), failed: count(scenarios, true, 'failed') },
    notScored: { passed: count(scenarios, false, 'passed'), failed: count(scenarios, false, 'failed') },
    scenarios,
  }
  await writeReport(join(REPORTS, `${revision}.json`), JSON.stringify(report))
  await writeReport(join(REPORTS, `${revision}.md`), markdown(report))
  log(`${revision}: ${code === 0 ? 'accepted' : 'NOT accepted'} (docs/conformance/${revision}.md)`)
  return code === 0
}

/** Committed files, so formatted as the repository formats them (`npm run format:check`). */
async function writeReport(path: string, text: string): Promise<void> {
  const options = (await prettier.resolveConfig(path)) ?? {}
  await writeFile(path, await prettier.format(text, { ...options, filepath: path }))
}

function count(scenarios: readonly ScenarioReport[], scored: boolean, outcome: ScenarioReport['outcome']) {
  return scenarios.filter((scenario) => scenario.scored === scored && scenario.outcome === outcome).length
}

function runSuite(args: readonly string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(SUITE, 'dist/index.js'), ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let stdout = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code: code ?? 1, stdout }))
  })
}

/** The server scenarios a requirement file names under `server:` (the suite's own list; YAML lines). */
async function requiredScenarios(revision: Revision): Promise<Set<string>> {
  const text = await readFile(join(SUITE, 'requirements', `${revision}.yaml`), 'utf8')
  const names = new Set<string>()
  let inServer = false
  for (const line of text.split('\n')) {
    if (/^\S/.test(line)) inServer = line.startsWith('server:')
    const item = /^ {2}- ([\w/.-]+)\s*$/.exec(line)
    if (inServer && item !== null) names.add(item[1]!)
  }
  if (names.size === 0) throw new Error(`no server scenarios found in requirements/${revision}.yaml`)
  return names
}

/** Each scenario's checks.json (directories `server-<scenario>-<time>`), timestamps left out. */
async function collect(output: string, scored: ReadonlySet<string>): Promise<ScenarioReport[]> {
  const reports: ScenarioReport[] = []
  for (const entry of (await readdir(output)).sort()) {
    const scenario = entry.replace(/^server-/, '').replace(/-\d{4}-\d{2}-\d{2}T[\d-]+Z$/, '')
    const file = join(output, entry, 'checks.json')
    // A scenario that threw before its checks (the suite prints why) leaves no checks.json.
    const checks = existsSync(file)
      ? (JSON.parse(await readFile(file, 'utf8')) as Check[]).map(
          ({ timestamp: _, ...check }) => check as Check,
        )
      : [{ id: 'scenario-run', status: 'FAILURE', errorMessage: 'the scenario failed before any check' }]
    // As the suite judges a run against its expected failures: a WARNING fails a scenario too.
    const failedChecks = checks.filter(isFailed).map((check) => check.id)
    reports.push({
      scenario,
      scored: scored.has(scenario),
      outcome: failedChecks.length === 0 ? 'passed' : 'failed',
      failedChecks,
      checks,
    })
  }
  const order = [...scored]
  const rank = (name: string) => (order.includes(name) ? order.indexOf(name) : order.length)
  return reports.sort((a, b) => rank(a.scenario) - rank(b.scenario) || a.scenario.localeCompare(b.scenario))
}

const isFailed = (check: Check): boolean => check.status === 'FAILURE' || check.status === 'WARNING'

function markdown(report: {
  suite: string
  requirements: string
  accepted: boolean
  required: { passed: number; failed: number }
  notScored: { passed: number; failed: number }
  scenarios: ScenarioReport[]
}): string {
  const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ').slice(0, 160)
  const rows = report.scenarios.map((scenario) => {
    const failures = scenario.checks
      .filter(isFailed)
      .map(
        (check) =>
          `${check.id}${check.status === 'WARNING' ? ' (warning)' : ''}: ${check.errorMessage ?? ''}`,
      )
    return `| ${scenario.scenario} | ${scenario.scored ? 'required' : 'not scored'} | ${scenario.outcome} | ${cell(failures.join('; '))} |`
  })
  return [
    `# Conformance: ${report.requirements}`,
    '',
    `Written by \`npm run conformance\` (${report.suite}, \`--requirements ${report.requirements}\`). ` +
      'Documented exceptions and what each failure waits for: [../CONFORMANCE.md](../CONFORMANCE.md).',
    '',
    `Accepted by the suite: **${report.accepted ? 'yes' : 'no'}**. Required scenarios: ${report.required.passed} passed, ` +
      `${report.required.failed} failed; not scored: ${report.notScored.passed} passed, ${report.notScored.failed} failed.`,
    '',
    '| scenario | counts | outcome | failed checks |',
    '| -------- | ------ | ------- | ------------- |',
    ...rows,
    '',
  ].join('\n')
}

function log(message: string): void {
  process.stderr.write(`[conformance] ${message}\n`)
}

main().catch((err: unknown) => {
  process.stderr.write(`[conformance] failed: ${err instanceof Error ? err.message : String(err)}\n`)
  process.exit(1)
})
