/**
 * What `npm run bench` and `npm run soak` run the gateway in: its production bundle, fresh demo
 * databases on a Postgres server, limits that never refuse, the local stack around it, and one list of
 * clean-ups that also runs on Ctrl-C.
 */
import { fork } from 'node:child_process'
import { rm } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { buildBundle, type Bundle } from './bundle.ts'
import { createBenchDatabases, type BenchDatabases } from './databases.ts'
import type { HostReply, HostRequest } from './host.ts'
import { putLimitDocument } from './kv.ts'
import { freePort } from '../lib/ports.ts'
import { activeUsernames } from './users.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

/** Clean-ups run last-in first-out, once, also on SIGINT / SIGTERM. */
export class Cleanups {
  readonly #steps: (() => Promise<unknown>)[] = []

  push(step: () => Promise<unknown>): void {
    this.#steps.push(step)
  }

  async run(): Promise<void> {
    while (this.#steps.length > 0) await this.#steps.pop()!().catch(() => undefined)
  }

  /** On Ctrl-C: say so, clean up, exit 130. */
  onSignals(log: (message: string) => void): void {
    let interrupted = false
    const handler = (): void => {
      if (interrupted) return
      interrupted = true
      log('interrupted: stopping everything and dropping the databases …')
      void this.run().then(() => process.exit(130))
    }
    process.on('SIGINT', handler)
    process.on('SIGTERM', handler)
  }
}

export interface GatewayEnvironment {
  stateRoot: string
  bundle: Bundle
  databases: BenchDatabases
  /** Server connections the bridge's transaction pooling may use. */
  databaseConnections: number
  /** Every active demo user (ab_user), in id order. */
  usernames: string[]
  /**
   * The local stack around a `wrangler dev` of the bundle, with its own local state (KV with the raised
   * limits, Durable Objects), in a process of its own (host.ts).
   */
  startGateway(options: {
    name: string
    env?: Record<string, string>
    onOutput?: (line: string) => void
    /** This gateway's share of databaseConnections, when several run at once (default all of them). */
    databaseConnections?: number
  }): Promise<HostedGateway>
}

export interface HostedGateway {
  url: string
  wranglerPid: number | undefined
  /** wrangler dev's inspector (Chrome DevTools protocol) for the Worker: heap usage, CPU profiles. */
  inspectorPort: number
  /** A bearer token per demo user, from the stack's local issuer (none with authentication disabled). */
  tokens: Record<string, string>
  stop(): Promise<void>
}

export interface EnvironmentOptions {
  /** A Postgres server (any database on it): the benchmark creates its own databases there. */
  serverUrl: string
  /** Database names start with this. */
  prefix: string
  databaseConnections?: number
  logLevel: string
  log: (message: string) => void
  cleanups: Cleanups
}

export async function prepareEnvironment(options: EnvironmentOptions): Promise<GatewayEnvironment> {
  const { cleanups, log } = options
  const stateRoot = `${ROOT}.wrangler/bench/${options.prefix}`
  cleanups.push(() => rm(stateRoot, { recursive: true, force: true }))
  // Bundled once, as `npm run deploy` would, and run as built: edits to the tree while a run is under
  // way change nothing under test (wrangler dev would otherwise rebuild src/ on every change).
  log('bundling the gateway (wrangler deploy --dry-run) …')
  const bundle = await buildBundle(`${stateRoot}/gateway-bundle`)
  log(`gateway bundle: ${bundle.uploadKiB} KiB, gzip ${bundle.gzipKiB} KiB`)
  log(`creating ${options.prefix}_meta and ${options.prefix}_analytics on ${redact(options.serverUrl)} …`)
  const databases = await createBenchDatabases(options.serverUrl, options.prefix)
  cleanups.push(() => databases.drop())
  // The server refuses connections beyond max_connections and other clients share it: the bridge pools
  // transactions over at most half of them, as Neon's pooler or Hyperdrive do in production.
  const databaseConnections =
    options.databaseConnections ?? Math.max(10, Math.min(50, Math.floor(databases.maxConnections / 2)))
  const usernames = await activeUsernames(databases.metadataUrl)
  return {
    stateRoot,
    bundle,
    databases,
    databaseConnections,
    usernames,
    startGateway: async ({ name, env = {}, onOutput, databaseConnections: share }) => {
      const persistTo = `${stateRoot}/${name}`
      await putLimitDocument(persistTo)
      const inspectorPort = await freePort()
      const gateway = await startHost(
        {
          type: 'start',
          options: {
            port: await freePort(),
            // wrangler dev takes 9229 when it looks free: two starting at once would both take it.
            inspectorPort,
            databaseUrl: databases.metadataUrl,
            bundledScript: bundle.script,
            poolDatabaseConnections: share ?? databaseConnections,
            persistTo,
            env: {
              MCP_IP_RATE_LIMIT: 'off',
              MCP_LOG_LEVEL: options.logLevel,
              MCP_ANALYTICS_DATABASE_URLS: JSON.stringify(databases.analyticsUrls),
              ...env,
            },
          },
          users: usernames,
          tokenTtlSeconds: 4 * 3_600,
        },
        onOutput,
      )
      cleanups.push(() => gateway.stop())
      return { ...gateway, inspectorPort }
    },
  }
}

/** Forks host.ts and starts the stack in it. */
async function startHost(
  request: Extract<HostRequest, { type: 'start' }>,
  onOutput: ((line: string) => void) | undefined,
): Promise<Omit<HostedGateway, 'inspectorPort'>> {
  const child = fork(fileURLToPath(new URL('./host.ts', import.meta.url)), [], { stdio: 'inherit' })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return
    if (child.connected) child.send({ type: 'stop' } satisfies HostRequest)
    else child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
    await exited
    clearTimeout(timer)
  }
  return new Promise((resolve, reject) => {
    child.on('message', (reply: HostReply) => {
      if (reply.type === 'output') onOutput?.(reply.line)
      else if (reply.type === 'failed') reject(new Error(reply.message))
      else resolve({ url: reply.url, wranglerPid: reply.wranglerPid, tokens: reply.tokens, stop })
    })
    child.once('exit', (code) =>
      reject(new Error(`the stack's process exited (${code}) before it was ready`)),
    )
    child.send(request)
  })
}

/** A connection URL without its password. */
export function redact(url: string): string {
  const parsed = new URL(url)
  if (parsed.password !== '') parsed.password = '***'
  return parsed.toString()
}
