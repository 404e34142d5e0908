/**
 * `npm start`: the whole local stack in one command (design §2). Ctrl-C / SIGTERM stops everything.
 *
 *   npm start                      embedded Postgres (PGlite) with the demo content, kept in .data/
 *   npm start -- --fresh           start from a clean embedded database
 *   npm start -- --in-memory       embedded database in memory only (nothing kept)
 *   DATABASE_URL=postgres://… npm start   use that Postgres (migrations only, no demo content)
 *   PORT=8800 npm start            another port (default 8787)
 */
import { rm } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { startStack } from './lib/stack.ts'

const ROOT = fileURLToPath(new URL('../', import.meta.url))
const DATA_DIR = `${ROOT}.data/pglite`

async function main(): Promise<void> {
  const args = new Set(process.argv.slice(2))
  const port = Number(process.env.PORT ?? 8787)
  if (!Number.isInteger(port) || port <= 0 || port > 65_535)
    throw new Error(`PORT must be a TCP port, got "${process.env.PORT}"`)
  const databaseUrl = process.env.DATABASE_URL?.trim() || undefined
  if (args.has('--fresh') && databaseUrl === undefined) await rm(DATA_DIR, { recursive: true, force: true })
  const started = Date.now()
  log(databaseUrl === undefined ? 'starting embedded Postgres (PGlite) …' : 'using DATABASE_URL …')
  const embeddedStorage = args.has('--in-memory') ? {} : { dataDir: DATA_DIR }
  const stack = await startStack({
    port,
    ...(databaseUrl === undefined ? embeddedStorage : { databaseUrl }),
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
  printBanner(
    stack.mcpUrl,
    stack.embedded ? (args.has('--in-memory') ? 'in memory' : '.data/pglite') : undefined,
    Date.now() - started,
  )
}

function printBanner(mcpUrl: string, embeddedStorage: string | undefined, elapsedMs: number): void {
  const snippet = JSON.stringify({ mcpServers: { superset: { type: 'http', url: mcpUrl } } }, null, 2)
  process.stdout.write(`
Superset MCP gateway is ready (${(elapsedMs / 1000).toFixed(1)} s)

  MCP endpoint   ${mcpUrl}
  Health         ${mcpUrl.replace(/\/mcp$/, '/health')}
  Database       ${embeddedStorage === undefined ? 'DATABASE_URL' : `embedded PGlite with the Superset demo content (${embeddedStorage})`}
  Acting as      the Superset user in MCP_DEV_USERNAME (authentication disabled for local development)

Client configuration (Claude Code, Cursor, VS Code and other Streamable HTTP clients):
${snippet}

MCP Inspector:  npx @modelcontextprotocol/inspector  (transport "Streamable HTTP", URL above)
Plain HTTP:     curl -s -X POST ${mcpUrl.replace(/\/mcp$/, '/tools/list_dashboards')} -H 'content-type: application/json' -d '{"request": {"page_size": 5}}'

Press Ctrl-C to stop.
`)
}

function log(message: string): void {
  process.stderr.write(`[start] ${message}\n`)
}

main().catch((err: unknown) => {
  process.stderr.write(`[start] failed: ${err instanceof Error ? err.message : String(err)}\n`)
  process.exit(1)
})
