/**
 * The whole local stack behind `npm start` (and the benchmark): Postgres (embedded PGlite, or
 * DATABASE_URL), migrations and demo content, the WebSocket bridge for the Neon driver, and
 * `wrangler dev`. Every process and server it starts is stopped by `stop()`.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { startLocalAuth, type LocalAuth } from './dev-idp.ts'
import {
  demoAnalyticsAccess,
  hostPort,
  installChangeFeed,
  migrate,
  seedAnalytics,
  seedSuperset,
  withClient,
} from './database.ts'
import { startEmbeddedEngine, type EmbeddedEngine } from './engine.ts'
import { assertPortFree, portHolder } from './processes.ts'
import { startWsBridge, type WsBridge } from './ws-bridge.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

/** Configuration names (design §3) that the process environment may override for `wrangler dev`. */
export const CONFIG_NAMES = [
  'MCP_ENVIRONMENT',
  'MCP_LOG_LEVEL',
  'MCP_AUTH_ENABLED',
  'MCP_DEV_USERNAME',
  'MCP_JWT_ISSUER',
  'MCP_JWT_AUDIENCE',
  'MCP_JWT_ALGORITHM',
  'MCP_JWKS_URI',
  'MCP_JWT_PUBLIC_KEY',
  'MCP_JWT_SECRET',
  'MCP_REQUIRED_SCOPES',
  'MCP_USERNAME_CLAIMS',
  'MCP_TENANT_CLAIM',
  'MCP_ALLOWED_ORIGINS',
  'MCP_ALLOWED_HOSTS',
  'MCP_METRICS_TOKEN',
  'MCP_MAX_BODY_BYTES',
  'DATABASE_URL',
  'DATABASE_WS_PROXY',
  'DATABASE_WS_SECURE',
  'MCP_DB_STATEMENT_TIMEOUT_MS',
  'MCP_DB_POOL_MAX',
  'MCP_ANALYTICS_DATABASE_URLS',
  'MCP_ANALYTICS_ROLES',
  'MCP_ALLOW_PRIVILEGED_SQL_ROLE',
  'MCP_SQL_FUNCTIONS',
  'SUPERSET_WEBSERVER_ADDRESS',
  'MCP_ADMIN_ROLE',
  'MCP_DASHBOARD_RBAC',
  'MCP_RESPONSE_MAX_BYTES',
  'MCP_RLS_IN_SQLLAB',
  'MCP_RATE_LIMIT_FAIL_MODE',
  'MCP_IP_RATE_LIMIT',
  'MCP_CACHE_ENABLED',
  'MCP_CACHE_TTL_SECONDS',
  'MCP_PRINCIPAL_CACHE_SECONDS',
  'MCP_TOOL_SEARCH_ENABLED',
  'MCP_TOOL_SEARCH_MAX_RESULTS',
  'MCP_TOOL_SEARCH_ALWAYS_VISIBLE',
  'MCP_TOOL_SEARCH_INCLUDE_SCHEMAS',
  'MCP_CONFIRM_DESTRUCTIVE',
  'MCP_CONFIRM_FALLBACK',
  'MCP_CONFIRM_SECRET',
  'MCP_CONFORMANCE_FIXTURES',
  'MCP_TEST_FRESHNESS_MS',
  'MCP_TEST_CHANGE_FEED',
  'SENTRY_DSN',
  'SENTRY_ENVIRONMENT',
  'SENTRY_SAMPLE_RATE',
  'SENTRY_TRACES_SAMPLE_RATE',
] as const

export interface StackOptions {
  port: number
  /** An external metadata Postgres (no seeding); embedded PGlite when absent. */
  databaseUrl?: string
  /** Keep embedded data here across runs; in memory when absent. */
  dataDir?: string
  /** Where the local development issuer keeps its port and signing key across runs (none: a new one each run). */
  authStateDir?: string
  /** Extra worker variables, applied after the environment's. */
  vars?: Record<string, string>
  /** Where wrangler's output goes (the Worker's log lines among it at `wranglerLogLevel` log). */
  onOutput?: (line: string) => void
  /** Told what the user should know while the stack runs (an engine stopped at a query's timeout). */
  onNotice?: (message: string) => void
  /** wrangler dev's `--log-level`: `log` shows the Worker's own log lines; default `warn`. */
  wranglerLogLevel?: 'log' | 'warn'
  readyTimeoutMs?: number
  /** The environment read for configuration overrides and the authentication mode (default process.env). */
  env?: NodeJS.ProcessEnv
  /** wrangler dev's `--persist-to` (KV, Durable Objects); `.wrangler/state` when absent. */
  persistTo?: string
  /** wrangler dev's `--inspector-port` (a CPU profile of workerd through Chrome DevTools). */
  inspectorPort?: number
  /**
   * A Worker already bundled (`wrangler deploy --dry-run --outdir`), run as is (`--no-bundle`) instead of
   * src/ with a rebuild on every change: the code under test stays fixed while others edit the tree.
   */
  bundledScript?: string
  /** Transaction pooling in the bridge with at most this many Postgres connections (ws-bridge.ts). */
  poolDatabaseConnections?: number
  /** Stops a start in progress: everything started so far is stopped, and startStack rejects. */
  signal?: AbortSignal
}

export interface Stack {
  url: string
  mcpUrl: string
  databaseUrl: string
  embedded: boolean
  vars: Record<string, string>
  /** How callers authenticate: the local development issuer, an external one, or disabled. */
  auth: LocalAuth
  /** Things the user should be told (a database restored, the issuer moved). */
  notices: string[]
  /** Process id of `wrangler dev` (workerd runs among its descendants). */
  wranglerPid: number | undefined
  /** The embedded engines (none with an external DATABASE_URL). */
  engines: { metadata: EmbeddedEngine; analytics: EmbeddedEngine } | undefined
  stop(): Promise<void>
}

/** `startStack` was told to stop (`options.signal`) before it was ready. */
export class StackStartAborted extends Error {
  constructor() {
    super('the stack was stopped while it was starting')
    this.name = 'StackStartAborted'
  }
}

/** What the stack owns, stopped in reverse; after `stop()` anything still arriving is stopped at once. */
class Resources {
  private readonly cleanups: (() => Promise<void>)[] = []
  private stopped = false

  /** Takes ownership of a started resource; throws StackStartAborted (after stopping it) once stopped. */
  own(cleanup: () => Promise<void>): void {
    if (this.stopped) {
      void cleanup().catch(() => undefined)
      throw new StackStartAborted()
    }
    this.cleanups.push(cleanup)
  }

  checkpoint(): void {
    if (this.stopped) throw new StackStartAborted()
  }

  async stop(): Promise<void> {
    this.stopped = true
    for (const cleanup of this.cleanups.splice(0).reverse()) await cleanup().catch(() => undefined)
  }
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const resources = new Resources()
  const stop = (): Promise<void> => resources.stop()
  const onAbort = (): void => void stop()
  options.signal?.addEventListener('abort', onAbort, { once: true })
  try {
    if (options.signal?.aborted === true) throw new StackStartAborted()
    // Before anything starts: a taken port would otherwise answer for us (with another stack's keys).
    await assertPortFree(options.port, 'the gateway')
    const { databaseUrl, analyticsVars, embedded, targets, notices, snapshots, engines } =
      await prepareDatabases(options, resources)
    const bridge: WsBridge = await startWsBridge({
      targets,
      ...(options.poolDatabaseConnections === undefined
        ? {}
        : { pooling: { maxConnections: options.poolDatabaseConnections } }),
    })
    resources.own(() => bridge.close())
    const auth = await startLocalAuth(options.port, options.env, options.authStateDir)
    resources.own(() => auth.stop())
    const vars: Record<string, string> = {
      DATABASE_URL: databaseUrl,
      DATABASE_WS_PROXY: bridge.proxy,
      DATABASE_WS_SECURE: 'false',
      ...analyticsVars,
      ...environmentOverrides(options.env),
      ...auth.vars,
      ...options.vars,
    }
    // The bridge is ours; an external DATABASE_URL still goes through it.
    vars.DATABASE_WS_PROXY = bridge.proxy
    vars.DATABASE_WS_SECURE = 'false'
    const wrangler = await startWrangler(options, vars)
    resources.own(() => stopProcess(wrangler))
    const url = `http://127.0.0.1:${options.port}`
    await waitForHealth(url, wrangler, options.readyTimeoutMs ?? 30_000)
    resources.checkpoint()
    // A consistent copy of each embedded database, now that it is seeded and migrated (in the background).
    void Promise.all(snapshots.map((snapshot) => snapshot())).catch(() => undefined)
    return {
      url,
      mcpUrl: `${url}/mcp`,
      databaseUrl,
      embedded,
      vars,
      auth,
      notices: [...notices, ...(auth.notice === undefined ? [] : [auth.notice])],
      wranglerPid: wrangler.pid,
      engines,
      stop,
    }
  } catch (err) {
    await stop()
    throw err
  } finally {
    options.signal?.removeEventListener('abort', onAbort)
  }
}

async function prepareDatabases(options: StackOptions, resources: Resources) {
  const configuredAnalytics = parseAnalyticsUrls((options.env ?? process.env).MCP_ANALYTICS_DATABASE_URLS)
  if (options.databaseUrl !== undefined) {
    await withClient(options.databaseUrl, (client) => migrate(client))
    const urls = configuredAnalytics ?? {}
    return {
      databaseUrl: options.databaseUrl,
      analyticsVars: (Object.keys(urls).length > 0
        ? { MCP_ANALYTICS_DATABASE_URLS: JSON.stringify(urls) }
        : {}) as Record<string, string>,
      embedded: false,
      targets: [hostPort(options.databaseUrl), ...Object.values(urls).map(hostPort)],
      notices: [] as string[],
      snapshots: [] as (() => Promise<void>)[],
      engines: undefined,
    }
  }
  if (options.dataDir !== undefined) await mkdir(options.dataDir, { recursive: true })
  // Each engine on a thread of its own: a runaway query is stopped at its timeout and holds only its engine.
  const start = async (name: 'metadata' | 'analytics', reseed: (url: string) => Promise<void>) => {
    const database = await startEmbeddedEngine({
      name,
      ...(options.dataDir === undefined ? {} : { dataDir: `${options.dataDir}/${name}` }),
      reseed,
      onRestart: (message) => options.onNotice?.(message),
    })
    resources.own(() => database.stop())
    return database
  }
  // The embedded demo gets the optional change feed, so changes made in Superset's tables reach the cache.
  const seedMetadata = (url: string) =>
    withClient(url, async (client) => {
      // The action log's dates move with the calendar too (list_action_logs defaults to the last week).
      await seedSuperset(client, { relativeTo: new Date() })
      await migrate(client)
      await installChangeFeed(client)
    })
  // The demo's dates move with the calendar, so "last quarter" on a fresh demo has rows.
  const seedDemoAnalytics = (url: string) =>
    withClient(url, (client) => seedAnalytics(client, { relativeTo: new Date() })).then(() => undefined)
  const metadata = await start('metadata', seedMetadata)
  const analytics = await start('analytics', seedDemoAnalytics)
  await seedMetadata(metadata.url)
  await seedDemoAnalytics(analytics.url)
  resources.checkpoint()
  const notices = [metadata, analytics].flatMap((database, index) =>
    database.restored === undefined
      ? []
      : [
          `the ${index === 0 ? 'metadata' : 'analytics'} database could not be opened after an unclean shutdown; ` +
            `restored its last consistent copy, of ${database.restored.from.toISOString()} (changes after it are lost; ` +
            `the broken directory is kept at ${database.restored.brokenCopy})`,
        ],
  )
  // The demo runs its analytics queries as the least-privilege role (MCP_ANALYTICS_ROLES on PGlite).
  const analyticsVars: Record<string, string> =
    configuredAnalytics === undefined
      ? demoAnalyticsAccess(analytics.url, 'pglite')
      : { MCP_ANALYTICS_DATABASE_URLS: JSON.stringify(configuredAnalytics) }
  const urls = JSON.parse(analyticsVars.MCP_ANALYTICS_DATABASE_URLS!) as Record<string, string>
  return {
    databaseUrl: metadata.url,
    analyticsVars,
    embedded: true,
    targets: [hostPort(metadata.url), hostPort(analytics.url), ...Object.values(urls).map(hostPort)],
    notices,
    snapshots: [metadata.snapshot, analytics.snapshot],
    engines: { metadata, analytics },
  }
}

function parseAnalyticsUrls(value: string | undefined): Record<string, string> | undefined {
  if (value === undefined || value.trim() === '') return undefined
  const parsed: unknown = JSON.parse(value)
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error('MCP_ANALYTICS_DATABASE_URLS must be a JSON object')
  }
  return parsed as Record<string, string>
}

/** Process environment variables named like the gateway's configuration override wrangler.toml. */
function environmentOverrides(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const overrides: Record<string, string> = {}
  for (const name of CONFIG_NAMES) {
    const value = env[name]
    if (value !== undefined && name !== 'DATABASE_URL') overrides[name] = value
  }
  return overrides
}

async function startWrangler(options: StackOptions, vars: Record<string, string>): Promise<ChildProcess> {
  const stateDir = `${ROOT}.wrangler`
  await mkdir(stateDir, { recursive: true })
  // One file per port: two stacks (npm start, the tests, the benchmark) may start at the same time.
  const envFile = `${stateDir}/local-stack-${options.port}.env`
  await removeStaleEnvFiles(stateDir)
  // Values go through an env file rather than argv: they include connection strings.
  await writeFile(
    envFile,
    Object.entries(vars)
      .map(([name, value]) => `${name}=${envFileValue(name, value)}`)
      .join('\n') + '\n',
    {
      mode: 0o600,
    },
  )
  const child = spawn(
    process.execPath,
    [
      `${ROOT}node_modules/wrangler/bin/wrangler.js`,
      'dev',
      // With a script path wrangler looks for its configuration beside the script: name ours.
      ...(options.bundledScript === undefined
        ? []
        : [options.bundledScript, '--no-bundle', '--config', `${ROOT}wrangler.toml`]),
      '--port',
      String(options.port),
      '--ip',
      '127.0.0.1',
      '--env-file',
      envFile,
      '--show-interactive-dev-session=false',
      '--log-level',
      options.wranglerLogLevel ?? 'warn',
      ...(options.persistTo === undefined ? [] : ['--persist-to', options.persistTo]),
      ...(options.inspectorPort === undefined ? [] : ['--inspector-port', String(options.inspectorPort)]),
    ],
    {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
    },
  )
  const forward = (chunk: Buffer): void => {
    for (const line of chunk.toString().split('\n')) {
      if (line.trim() !== '' && !OFFLINE_NOISE.test(line)) options.onOutput?.(line)
    }
  }
  child.stdout?.on('data', forward)
  child.stderr?.on('data', forward)
  child.once('exit', () => void rm(envFile, { force: true }))
  return child
}

/**
 * Env files of stacks that ended without removing theirs (killed): no process listens on their port any
 * more. They hold connection strings, so they do not stay behind.
 */
async function removeStaleEnvFiles(stateDir: string): Promise<void> {
  const files = await readdir(stateDir).catch(() => [] as string[])
  for (const file of files) {
    const port = /^local-stack-(\d+)\.env$/.exec(file)?.[1]
    if (port !== undefined && (await portHolder(Number(port))) === undefined) {
      await rm(`${stateDir}/${file}`, { force: true })
    }
  }
}

/** wrangler dev cannot fetch `Request.cf` without internet; harmless, so not shown. */
const OFFLINE_NOISE = /Request\.cf|ENOTFOUND workers\.cloudflare\.com|GetAddrInfoReqWrap/

/** A dotenv value taken literally: single-quoted (no escapes are interpreted inside). */
function envFileValue(name: string, value: string): string {
  if (value.includes("'") || value.includes('\n')) {
    throw new Error(`${name}: values with single quotes or newlines cannot be passed to wrangler dev`)
  }
  return `'${value}'`
}

async function waitForHealth(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let lastError = 'no answer'
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`wrangler dev exited with code ${child.exitCode} before it was ready`)
    try {
      const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) })
      const body = (await response.json()) as { status?: string; checks?: unknown }
      if (response.ok) return
      lastError = `health ${response.status}: ${JSON.stringify(body.checks)}`
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err)
    }
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  throw new Error(`the gateway was not healthy within ${timeoutMs} ms (${lastError})`)
}

/** SIGTERM to the whole process group (wrangler and its workerd), SIGKILL if it lingers. */
export async function stopProcess(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const signal = (name: NodeJS.Signals): void => {
    try {
      process.kill(-child.pid!, name)
    } catch {
      // already gone
    }
  }
  signal('SIGTERM')
  const timer = setTimeout(() => signal('SIGKILL'), graceMs)
  await exited
  clearTimeout(timer)
}
