/**
 * `npm start`: the whole local stack in one command (design §2). Ctrl-C / SIGTERM stops everything.
 *
 *   npm start                      embedded Postgres (PGlite) with the demo content, kept in .data/
 *   npm start -- --fresh           start from a clean embedded database and a new local signing key
 *   npm start -- --in-memory       embedded database in memory only (nothing kept)
 *   DATABASE_URL=postgres://… npm start   use that Postgres (migrations only, no demo content)
 *   PORT=8800 npm start            another port (default 8787)
 *   MCP_AUTH_ENABLED=false MCP_DEV_USERNAME=admin npm start   no authentication (development username)
 *
 * Authentication: a local development issuer signs tokens unless MCP_JWKS_URI / MCP_JWT_PUBLIC_KEY /
 * MCP_JWT_SECRET (with MCP_JWT_ISSUER and MCP_JWT_AUDIENCE) name another one; the banner prints a token.
 */
import { rm } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import type { LocalAuth } from './lib/dev-idp.ts'
import { startStack } from './lib/stack.ts'

const ROOT = fileURLToPath(new URL('../', import.meta.url))
const DATA_DIR = `${ROOT}.data/pglite`
/** The local issuer's port and signing key: printed tokens keep working after a restart. */
const AUTH_DIR = `${ROOT}.data/dev-idp`

async function main(): Promise<void> {
  const args = new Set(process.argv.slice(2))
  const port = Number(process.env.PORT ?? 8787)
  if (!Number.isInteger(port) || port <= 0 || port > 65_535)
    throw new Error(`PORT must be a TCP port, got "${process.env.PORT}"`)
  const databaseUrl = process.env.DATABASE_URL?.trim() || undefined
  if (args.has('--fresh')) {
    await rm(AUTH_DIR, { recursive: true, force: true })
    if (databaseUrl === undefined) await rm(DATA_DIR, { recursive: true, force: true })
  }
  const started = Date.now()
  log(databaseUrl === undefined ? 'starting embedded Postgres (PGlite) …' : 'using DATABASE_URL …')
  const embeddedStorage = args.has('--in-memory') ? {} : { dataDir: DATA_DIR }
  const stack = await startStack({
    port,
    ...(databaseUrl === undefined ? embeddedStorage : { databaseUrl }),
    ...(args.has('--in-memory') ? {} : { authStateDir: AUTH_DIR }),
    onOutput: (line) => process.stderr.write(`[wrangler] ${line}\n`),
  })
  let stopping = false
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return
    stopping = true
    log(`${signal}: stopping …`)
    await stack.stop()
    process.exit(0)
  }
  process.on('SIGINT', () => void shutdown('SIGINT'))
  process.on('SIGTERM', () => void shutdown('SIGTERM'))
  if (stack.auth.notice !== undefined) log(stack.auth.notice)
  const token = await stack.auth.mintToken?.({ user: DEMO_USER, ttl: BANNER_TOKEN_TTL_SECONDS })
  printBanner(
    stack.mcpUrl,
    stack.embedded ? (args.has('--in-memory') ? 'in memory' : '.data/pglite') : undefined,
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

${token === undefined ? '' : `Claude Code:    claude mcp add --transport http superset ${mcpUrl} --header 'Authorization: Bearer ${token}'\n`}MCP Inspector:  npx @modelcontextprotocol/inspector  (transport "Streamable HTTP", URL above${token === undefined ? '' : ', the Authorization header in its Authentication settings'})
Plain HTTP:     curl -s -X POST ${mcpUrl.replace(/\/mcp$/, '/tools/list_dashboards')}${bearer} -H 'content-type: application/json' -d '{"request": {"page_size": 5}}'

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
      return '  Acting as      the Superset user in MCP_DEV_USERNAME (authentication disabled for local development)'
  }
}

function log(message: string): void {
  process.stderr.write(`[start] ${message}\n`)
}

main().catch((err: unknown) => {
  process.stderr.write(`[start] failed: ${err instanceof Error ? err.message : String(err)}\n`)
  process.exit(1)
})
