/**
 * `npm start`: the whole local stack in one command (design §2). Ctrl-C / SIGTERM stops everything.
 *
 *   npm start                      embedded Postgres (PGlite) with the demo content, kept in .data/
 *   npm start -- --fresh           start from a clean embedded database and a new local signing key
 *   npm start -- --in-memory       embedded database in memory only (nothing kept)
 *   npm start -- --data-dir DIR    keep the embedded data and the local signing key in DIR (default .data)
 *   npm start -- --log-format json the gateway's log lines as JSON (default: one readable line per call)
 *   npm start -- --quiet           only the gateway's warnings and errors
 *   DATABASE_URL=postgres://… npm start   use that Postgres (migrations only, no demo content)
 *   PORT=8800 npm start            another port (default 8787)
 *   MCP_AUTH_ENABLED=false MCP_DEV_USERNAME=admin npm start   no authentication (development username)
 *
 * Authentication: a local development issuer signs tokens unless MCP_JWKS_URI / MCP_JWT_PUBLIC_KEY /
 * MCP_JWT_SECRET (with MCP_JWT_ISSUER and MCP_JWT_AUDIENCE) name another one; the banner prints a token.
 */
import { rm } from 'node:fs/promises'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { LocalAuth } from './lib/dev-idp.ts'
import { formatLogLine, type LogFormat } from './lib/log-lines.ts'
import { StackStartAborted, startStack, type Stack } from './lib/stack.ts'

const ROOT = fileURLToPath(new URL('../', import.meta.url))

/**
 * Stopping works from the first instant: a signal (Ctrl-C, an IDE's stop button, a process manager) or
 * the end of the parent (`npm` killed with SIGTERM leaves this process orphaned otherwise) stops what has
 * started so far, including a start in progress.
 */
const stopping = new AbortController()
let stack: Stack | undefined
/** The start in progress: it stops what it started before it settles. */
let starting: Promise<Stack> | undefined
let exiting = false

async function shutdown(reason: string, code = 0): Promise<void> {
  if (exiting) return
  exiting = true
  log(`${reason}: stopping …`)
  stopping.abort()
  await starting?.catch(() => undefined)
  await stack?.stop()
  process.exit(code)
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void shutdown(signal))
const parentPid = process.ppid
setInterval(() => {
  if (process.ppid !== parentPid) void shutdown('the parent process (npm) ended')
}, 500).unref()

/** The value after `--name`, if given. */
function option(args: readonly string[], name: string): string | undefined {
  const index = args.indexOf(name)
  if (index === -1) return undefined
  const value = args[index + 1]
  if (value === undefined || value.startsWith('--')) throw new Error(`${name} needs a value`)
  return value
}

function logFormat(args: readonly string[]): LogFormat {
  if (args.includes('--quiet')) return 'quiet'
  const format = option(args, '--log-format') ?? 'pretty'
  if (format !== 'pretty' && format !== 'json')
    throw new Error(`--log-format is "pretty" or "json", not "${format}"`)
  return format
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2)
  const args = new Set(argv)
  const dataDirOption = option(argv, '--data-dir')
  const dataRoot = dataDirOption === undefined ? `${ROOT}.data` : resolve(dataDirOption)
  const format = logFormat(argv)
  const dataDir = `${dataRoot}/pglite`
  /** The local issuer's port and signing key: printed tokens keep working after a restart. */
  const authDir = `${dataRoot}/dev-idp`
  const port = Number(process.env.PORT ?? 8787)
  if (!Number.isInteger(port) || port <= 0 || port > 65_535)
    throw new Error(`PORT must be a TCP port, got "${process.env.PORT}"`)
  const databaseUrl = process.env.DATABASE_URL?.trim() || undefined
  if (args.has('--fresh')) {
    await rm(authDir, { recursive: true, force: true })
    if (databaseUrl === undefined) await rm(dataDir, { recursive: true, force: true })
  }
  const started = Date.now()
  log(databaseUrl === undefined ? 'starting embedded Postgres (PGlite) …' : 'using DATABASE_URL …')
  const embeddedStorage = args.has('--in-memory') ? {} : { dataDir }
  starting = startStack({
    signal: stopping.signal,
    port,
    ...(databaseUrl === undefined ? embeddedStorage : { databaseUrl }),
    ...(args.has('--in-memory') ? {} : { authStateDir: authDir }),
    // The Worker's own log lines (MCP_LOG_LEVEL) reach the terminal, one readable line per call.
    wranglerLogLevel: 'log',
    onNotice: (message) => log(message),
    onOutput: (line) => {
      const shown = formatLogLine(line, format)
      if (shown !== undefined) process.stderr.write(`${shown}\n`)
    },
  })
  stack = await starting
  // A signal that came as the start finished: shutdown() stops this stack.
  if (exiting) return
  for (const notice of stack.notices) log(notice)
  const token = await stack.auth.mintToken?.({ user: DEMO_USER, ttl: BANNER_TOKEN_TTL_SECONDS })
  printBanner(
    stack.mcpUrl,
    stack.embedded ? (args.has('--in-memory') ? 'in memory' : dataDir) : undefined,
    Date.now() - started,
    { auth: stack.auth, token, port },
  )
}

/** Superset's conventional administrator, present in the demo content. */
const DEMO_USER = 'admin'
const BANNER_TOKEN_TTL_SECONDS = 12 * 3_600

interface BannerAuth {
  auth: LocalAuth
  token: string | undefined
  port: number
}

function printBanner(
  mcpUrl: string,
  embeddedStorage: string | undefined,
  elapsedMs: number,
  { auth, token, port }: BannerAuth,
): void {
  const headers = token === undefined ? {} : { headers: { Authorization: `Bearer ${token}` } }
  const snippet = JSON.stringify(
    { mcpServers: { superset: { type: 'http', url: mcpUrl, ...headers } } },
    null,
    2,
  )
  const bearer = token === undefined ? '' : ` -H 'authorization: Bearer ${token}'`
  process.stdout.write(`
Superset MCP gateway is ready (${(elapsedMs / 1000).toFixed(1)} s)

  MCP endpoint   ${mcpUrl}
  Health         ${mcpUrl.replace(/\/mcp$/, '/health')}
  Database       ${embeddedStorage === undefined ? 'DATABASE_URL' : `embedded PGlite with the Superset demo content (${embeddedStorage})`}
${authLines(auth, token, port)}

Client configuration (Claude Code, Cursor, VS Code and other Streamable HTTP clients):
${snippet}

${token === undefined ? '' : `Claude Code:    claude mcp add --transport http superset ${mcpUrl} --header 'Authorization: Bearer ${token}'\n`}MCP Inspector:  npm run inspector  (transport "Streamable HTTP", URL above${token === undefined ? '' : ', the Authorization header in its Authentication settings'})
Plain HTTP:     curl -s -X POST ${mcpUrl.replace(/\/mcp$/, '/tools/list_dashboards')}${bearer} -H 'content-type: application/json' -d '{"request": {"page_size": 5}}'

The gateway's log lines follow: one per call (time, status, route, tools, user, duration, cache).
Press Ctrl-C to stop.
`)
}

function authLines(auth: LocalAuth, token: string | undefined, port: number): string {
  const portOption = port === 8787 ? '' : ` --port ${port}`
  switch (auth.mode) {
    case 'local-issuer':
      return [
        `  Auth           bearer JWT from the local development issuer ${auth.issuer}`,
        `  Token          for ${DEMO_USER} (Superset Admin), valid ${BANNER_TOKEN_TTL_SECONDS / 3_600} h; send it on every request:`,
        '',
        `Authorization: Bearer ${token}`,
        '',
        `  Other users    npm run token -- --user bob${portOption}   (also --scope, --tenant, --ttl)`,
      ].join('\n')
    case 'external-issuer':
      return [
        `  Auth           bearer JWT from ${auth.issuer} (audience ${auth.audience})`,
        '  Token          get one from that identity provider (docs/AUTHENTICATION.md)',
      ].join('\n')
    case 'disabled':
      return `  Acting as      the Superset user "${process.env.MCP_DEV_USERNAME?.trim() || 'admin'}" on every request (MCP_DEV_USERNAME; authentication disabled for local development)`
  }
}

function log(message: string): void {
  process.stderr.write(`[start] ${message}\n`)
}

main().catch((err: unknown) => {
  if (err instanceof StackStartAborted) return
  process.stderr.write(`[start] failed: ${err instanceof Error ? err.message : String(err)}\n`)
  process.exit(1)
})
