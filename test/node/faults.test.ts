/**
 * Fault tests against the real local stack (the WebSocket bridge, `wrangler dev`, workerd), over HTTP
 * with bearer tokens from an identity provider the test controls:
 *
 * - Postgres unreachable under load → calls fail fast with UpstreamError (502) and recover by themselves
 *   (a TCP proxy in front of the database is switched off and on; the database server is not touched);
 * - a slow query → TimeoutError at MCP_DB_STATEMENT_TIMEOUT_MS (on a Postgres server only: with
 *   TEST_DATABASE_URL; the embedded PGlite does not enforce statement timeouts);
 * - the JWKS endpoint down → cached keys keep working, a token with an unknown `kid` gets 401;
 * - malformed JSON-RPC, huge bodies, deeply nested JSON, invalid UTF-8 → 4xx, and the gateway stays healthy;
 * - a corrupt limits document → the previous limits stay in force (in a cold isolate: restarted stack).
 *
 * The limiter being unreachable (fail mode open / closed) is tested inside workerd, where the Durable
 * Object can be made to fail: test/worker/limits-http.test.ts, "when the RateLimiter cannot be reached".
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createBenchDatabases, type BenchDatabases } from '../../scripts/bench/databases.ts'
import { putConfigValue, putLimitDocument } from '../../scripts/bench/kv.ts'
import { freePort } from '../../scripts/lib/ports.ts'
import { startTcpProxy, type TcpProxy } from '../../scripts/bench/tcp-proxy.ts'
import { jsonOrRaw } from '../../scripts/bench/users.ts'
import {
  demoAnalyticsAccess,
  hostPort,
  migrate,
  seedAnalytics,
  seedSuperset,
  withClient,
} from '../../scripts/lib/database.ts'
import { startDevIdp, type DevIdp } from '../../scripts/lib/dev-idp.ts'
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../scripts/lib/embedded-postgres.ts'
import { startStack, type Stack } from '../../scripts/lib/stack.ts'
import { eventually } from '../helpers/eventually.ts'

const SERVER = process.env.TEST_DATABASE_URL?.trim() || undefined
const STATEMENT_TIMEOUT_MS = 1_500
const REALM = 'faults'

/** Limits high enough for the load below; one tool limited tightly, for the corrupt-document test. */
const LIMITS = {
  default_limits: ['10000 per minute'],
  per_tool_limits: {
    health_check: '2 per minute',
    list_charts: '10000 per minute',
    generate_chart: '10000 per minute',
    execute_sql: '10000 per minute',
  },
}

interface Answer {
  status: number
  body: Record<string, unknown>
  headers: Headers
  ms: number
}

let databases: { metadataUrl: string; analyticsUrl: string; stop(): Promise<void> }
let proxy: TcpProxy
let idp: DevIdp
let stack: Stack
let port: number
let persistTo: string
/** Tokens signed with the issuer's first key (the JWKS test rotates it), minted before any test. */
const tokens: Record<string, string> = {}
const cleanups: (() => Promise<unknown>)[] = []

async function startGateway(): Promise<Stack> {
  return startStack({
    port,
    // wrangler dev takes 9229 when it looks free: npm start in the smoke test may start at the same time.
    inspectorPort: await freePort(),
    databaseUrl: proxy.via(databases.metadataUrl),
    persistTo,
    env: {
      MCP_JWKS_URI: `${idp.url}/realms/${REALM}/.well-known/jwks.json`,
      MCP_JWT_ISSUER: `${idp.url}/realms/${REALM}`,
      MCP_JWT_AUDIENCE: `http://127.0.0.1:${port}/mcp`,
      ...demoAnalyticsAccess(proxy.via(databases.analyticsUrl), SERVER === undefined ? 'pglite' : 'postgres'),
      MCP_DB_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS),
      MCP_IP_RATE_LIMIT: 'off',
      MCP_LOG_LEVEL: 'error',
    },
    readyTimeoutMs: 60_000,
  })
}

beforeAll(async () => {
  if (SERVER !== undefined) {
    const created: BenchDatabases = await createBenchDatabases(SERVER, `mcp_faults_${process.pid}`)
    databases = { ...created, stop: () => created.drop() }
  } else {
    const metadata: EmbeddedPostgres = await startEmbeddedPostgres()
    const analytics: EmbeddedPostgres = await startEmbeddedPostgres()
    await withClient(metadata.url, async (client) => {
      await seedSuperset(client)
      await migrate(client)
    })
    await withClient(analytics.url, (client) => seedAnalytics(client))
    databases = {
      metadataUrl: metadata.url,
      analyticsUrl: analytics.url,
      stop: async () => {
        await metadata.stop()
        await analytics.stop()
      },
    }
  }
  cleanups.push(() => databases.stop())
  // Metadata and analytics live on one server, so one proxy in front of it serves both.
  const [host, serverPort] = hostPort(databases.metadataUrl).split(':')
  proxy = await startTcpProxy({ host: host!, port: Number(serverPort) })
  cleanups.push(() => proxy.close())
  port = await freePort()
  idp = await startDevIdp({ audience: `http://127.0.0.1:${port}/mcp`, testControls: true })
  cleanups.push(() => idp.close())
  persistTo = await mkdtemp(join(tmpdir(), 'mcp-faults-state-'))
  cleanups.push(() => rm(persistTo, { recursive: true, force: true }))
  await putLimitDocument(persistTo, LIMITS)
  stack = await startGateway()
  cleanups.push(() => stack.stop())
  for (const user of ['admin', 'alice', 'bob', 'grace', 'kim']) tokens[user] = await token(user)
}, 180_000)

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined)
}, 60_000)

async function realm(path: string, body: unknown = {}): Promise<Record<string, unknown>> {
  const response = await fetch(`${idp.url}/realms/${REALM}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  expect(response.status).toBe(200)
  return (await response.json()) as Record<string, unknown>
}

async function token(user: string): Promise<string> {
  return (await realm('/token', { user })).access_token as string
}

async function send(path: string, init: RequestInit): Promise<Answer> {
  const started = performance.now()
  const response = await fetch(`${stack.url}${path}`, { ...init, signal: AbortSignal.timeout(30_000) })
  const body = jsonOrRaw(await response.text())
  return { status: response.status, body, headers: response.headers, ms: performance.now() - started }
}

function callTool(bearer: string, tool: string, request: unknown): Promise<Answer> {
  return send(`/tools/${tool}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` },
    body: JSON.stringify({ request }),
  })
}

async function health(): Promise<Answer> {
  return send('/health', { method: 'GET' })
}

describe('Postgres unreachable', () => {
  it('fails fast with UpstreamError under load, and recovers by itself when it is back', async () => {
    const users = ['admin', 'alice', 'bob', 'grace'].map((user) => tokens[user]!)
    // force_refresh: every call reads the database, none is answered from the cache.
    const request = { identifier: 6, force_refresh: true }
    for (const bearer of users) expect((await callTool(bearer, 'get_chart_info', request)).status).toBe(200)

    const calls: (Answer & { at: number })[] = []
    const t0 = performance.now()
    let running = true
    const loops = users.map(async (bearer) => {
      while (running) {
        const at = performance.now() - t0
        calls.push({ ...(await callTool(bearer, 'get_chart_info', request)), at })
      }
    })
    /** Calls answered so far that started after `since` (ms from t0). */
    const answeredSince = (since: number) => calls.filter((call) => call.at > since).length
    // The load is on: calls are being answered (about two per user so far).
    await eventually(() => expect(calls.length).toBeGreaterThanOrEqual(2 * users.length), { timeout: 20_000 })
    const downAt = performance.now() - t0
    await proxy.stop()
    // Enough calls answered while the database is away (the checks below look at what they said).
    await eventually(() => expect(answeredSince(downAt + 250)).toBeGreaterThan(4), { timeout: 20_000 })
    const whileDown = await health()
    const upAt = performance.now() - t0
    await proxy.start()
    // Enough calls answered that started 2 s after the database came back.
    await eventually(() => expect(answeredSince(upAt + 2_000)).toBeGreaterThan(4), { timeout: 20_000 })
    running = false
    await Promise.all(loops)

    const before = calls.filter((call) => call.at + call.ms < downAt)
    const during = calls.filter((call) => call.at > downAt + 250 && call.at + call.ms < upAt)
    const settled = calls.filter((call) => call.at > upAt + 2_000)
    expect(before.length).toBeGreaterThan(0)
    expect(before.every((call) => call.status === 200)).toBe(true)

    expect(during.length).toBeGreaterThan(4)
    for (const call of during) {
      expect(call.status).toBe(502)
      expect(call.body).toMatchObject({ error_type: 'UpstreamError' })
      // Fail fast: no waiting for a connect timeout (5 s) or a statement timeout.
      expect(call.ms).toBeLessThan(1_000)
    }
    // SQL, hosts and driver messages never reach the caller.
    expect(JSON.stringify(during.map((call) => call.body))).not.toMatch(/127\.0\.0\.1|ECONN|postgres:\/\//)
    expect(whileDown.status).toBe(503)
    expect(whileDown.body).toMatchObject({ status: 'unhealthy', checks: { database: { status: 'error' } } })

    // Back without a restart of anything: every call started 2 s after the database returned succeeds.
    expect(settled.length).toBeGreaterThan(4)
    expect(settled.every((call) => call.status === 200)).toBe(true)
    expect((await health()).status).toBe(200)
  }, 60_000)
})

describe('a slow query', () => {
  it.skipIf(SERVER === undefined)(
    'answers TimeoutError (504) at MCP_DB_STATEMENT_TIMEOUT_MS, and the next call succeeds',
    async () => {
      const bearer = tokens.admin!
      const request = { identifier: 7, force_refresh: true }
      expect((await callTool(bearer, 'get_chart_info', request)).status).toBe(200)
      // Another session holds a lock that makes every read of Superset's charts wait.
      const blocker = new pg.Client({ connectionString: databases.metadataUrl })
      await blocker.connect()
      try {
        await blocker.query('BEGIN')
        await blocker.query('LOCK TABLE slices IN ACCESS EXCLUSIVE MODE')
        const slow = await callTool(bearer, 'get_chart_info', request)
        expect(slow.status).toBe(504)
        expect(slow.body).toMatchObject({
          error_type: 'TimeoutError',
          details: { timeout_ms: STATEMENT_TIMEOUT_MS },
        })
        expect(slow.ms).toBeGreaterThanOrEqual(STATEMENT_TIMEOUT_MS)
        expect(slow.ms).toBeLessThan(STATEMENT_TIMEOUT_MS + 1_500)
      } finally {
        await blocker.query('ROLLBACK').catch(() => undefined)
        await blocker.end()
      }
      expect((await callTool(bearer, 'get_chart_info', request)).status).toBe(200)
    },
    30_000,
  )
})

describe('JWKS endpoint down', () => {
  it('keeps verifying tokens with the cached keys, and refuses an unknown kid with 401', async () => {
    const first = tokens.admin!
    expect((await callTool(first, 'get_instance_info', {})).status).toBe(200)
    await realm('/_test/down')
    try {
      // A token the gateway has never seen, signed with the key it has cached.
      const unseen = await token('alice')
      expect((await callTool(unseen, 'get_instance_info', {})).status).toBe(200)
      // The identity provider rotates to a key the gateway cannot fetch.
      await realm('/_test/rotate', { keep_previous: true })
      const rotated = await token('bob')
      const refused = await callTool(rotated, 'get_instance_info', {})
      expect(refused.status).toBe(401)
      expect(refused.body).toMatchObject({ error_type: 'AuthenticationError' })
      expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer /)
      // Tokens signed with the cached key still work.
      expect((await callTool(first, 'get_instance_info', {})).status).toBe(200)
    } finally {
      await realm('/_test/up')
    }
    expect((await health()).status).toBe(200)
  }, 30_000)
})

describe('malformed requests', () => {
  const mcpHeaders = (authorization: string) => ({
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    authorization: `Bearer ${authorization}`,
  })

  it('answers each with 4xx and never 5xx, and the gateway stays healthy', async () => {
    const auth = tokens.admin!
    const deep = (depth: number) => '['.repeat(depth) + ']'.repeat(depth)
    const invalidUtf8 = Buffer.concat([
      Buffer.from('{"request": {"search": "'),
      Buffer.from([0xff, 0xfe, 0xc3]),
      Buffer.from('"}}'),
    ])
    const huge = JSON.stringify({ request: { search: 'x'.repeat(2 * 1024 * 1024) } })
    const cases: [string, string, BodyInit][] = [
      ['/mcp', 'truncated JSON-RPC', '{"jsonrpc": "2.0", "id": 1, "method": '],
      ['/mcp', 'JSON that is not JSON-RPC', '{"hello": "world"}'],
      ['/mcp', 'a request without a method', '{"jsonrpc": "2.0", "id": 1}'],
      ['/mcp', 'deeply nested JSON', deep(100_000)],
      ['/mcp', 'invalid UTF-8', invalidUtf8],
      ['/mcp', 'a body above MCP_MAX_BODY_BYTES', huge],
      ['/tools/list_charts', 'truncated JSON', '{"request": '],
      ['/tools/list_charts', 'deeply nested JSON', `{"request": ${deep(100_000)}}`],
      ['/tools/list_charts', 'invalid UTF-8', invalidUtf8],
      ['/tools/list_charts', 'a body above MCP_MAX_BODY_BYTES', huge],
    ]
    const outcomes: string[] = []
    for (const [path, what, body] of cases) {
      const answer = await send(path, { method: 'POST', headers: mcpHeaders(auth), body })
      outcomes.push(`${path} ${what}: ${answer.status}`)
      expect.soft(answer.status, `${path} ${what}`).toBeGreaterThanOrEqual(400)
      expect.soft(answer.status, `${path} ${what}`).toBeLessThan(500)
    }
    // An empty batch: JSON-RPC 2.0 calls it an Invalid Request (-32600); the MCP SDK's transport answers
    // 202 Accepted with no body (src/mcp/route.ts hands it the request as is). Not a failure: no 5xx.
    const emptyBatch = await send('/mcp', { method: 'POST', headers: mcpHeaders(auth), body: '[]' })
    outcomes.push(`/mcp an empty batch: ${emptyBatch.status}`)
    expect.soft(emptyBatch.status, '/mcp an empty batch').toBeLessThan(500)
    // A body of unknown length (chunked) above the limit is cut off too.
    const chunk = new TextEncoder().encode('x'.repeat(64 * 1024))
    let sent = 0
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 2 * 1024 * 1024) return controller.close()
        sent += chunk.length
        controller.enqueue(chunk)
      },
    })
    const streamed = await send('/tools/list_charts', {
      method: 'POST',
      headers: mcpHeaders(auth),
      body: stream,
      duplex: 'half',
    } as RequestInit)
    outcomes.push(`/tools/list_charts chunked body above the limit: ${streamed.status}`)
    expect.soft(streamed.status, 'chunked body above the limit').toBe(413)

    if (process.env.FAULTS_VERBOSE) console.info(outcomes.join('\n'))
    const after = await health()
    expect(after.status, outcomes.join('\n')).toBe(200)
    expect((await callTool(auth, 'list_charts', { page_size: 1 })).status).toBe(200)
  }, 60_000)
})

describe('a corrupt limits document', () => {
  it('leaves the previous limits in force, also in a cold isolate, and says so in /health', async () => {
    const grace = tokens.grace!
    const first = await callTool(grace, 'health_check', {})
    expect(first.status).toBe(200)
    expect(first.headers.get('ratelimit-policy')).toContain('"tool";q=2;w=60')
    expect((await callTool(grace, 'health_check', {})).status).toBe(200)
    expect((await callTool(grace, 'health_check', {})).status).toBe(429)

    // An admin's edit goes wrong: an unknown unit, and then not even JSON.
    await putConfigValue(
      persistTo,
      'limits:default',
      JSON.stringify({ per_tool_limits: { health_check: '500 per fortnight' } }),
    )
    await putConfigValue(persistTo, 'limits:default', '{"per_tool_limits": {"health_check": ')
    // A new isolate, which never saw the valid document: the stack restarts on the same state.
    await stack.stop()
    stack = await startGateway()

    const kim = await callTool(tokens.kim!, 'health_check', {})
    expect(kim.status).toBe(200)
    expect(kim.headers.get('ratelimit-policy')).toContain('"tool";q=2;w=60')
    expect((await callTool(grace, 'health_check', {})).status).toBe(429)
    const report = await health()
    expect(report.body).toMatchObject({ status: 'degraded', checks: { limits: { status: 'warning' } } })
    expect(JSON.stringify(report.body)).toContain('limits:default')
  }, 120_000)
})
