/**
 * Structured logs: one JSON object per line, one access line per request with what the request did
 * (request id, tenant, user, tools, status, error type, latency, cache status, limiter decision), events
 * at their level, and never a token, a secret or a credential in any line.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { createLogger, createRequestFacts, noteLogEvent } from '../../src/observability'
import { BASE } from '../helpers/mcp'
import { authEnv, bearer, callTool, devEnv, gatewayFetch, tamperedToken, TestRealm } from '../helpers/tokens'

type LogLine = Record<string, any>

/** Every console line the Worker writes while `work` runs, parsed; fails on a line that is not one JSON object. */
async function captureLogs(work: () => Promise<unknown>): Promise<{ raw: string[]; lines: LogLine[] }> {
  const spy = vi.spyOn(console, 'log').mockImplementation(() => undefined)
  try {
    await work()
    const raw = spy.mock.calls.map((args) => {
      expect(args).toHaveLength(1)
      expect(typeof args[0]).toBe('string')
      return args[0] as string
    })
    const lines = raw.map((line) => {
      expect(line).not.toContain('\n')
      const parsed = JSON.parse(line) as unknown
      expect(parsed).toBeTypeOf('object')
      expect(Array.isArray(parsed)).toBe(false)
      return parsed as LogLine
    })
    return { raw, lines }
  } finally {
    spy.mockRestore()
  }
}

async function connect(testEnv: Cloudflare.Env, headers: Record<string, string> = {}): Promise<Client> {
  const client = new Client({ name: 'observability-tests', version: '1.0.0' })
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${BASE}/mcp`), {
      fetch: gatewayFetch(testEnv),
      requestInit: { headers },
    }),
  )
  return client
}

const accessLines = (lines: LogLine[]): LogLine[] => lines.filter((line) => line.event === 'request')

afterEach(() => {
  vi.restoreAllMocks()
})

describe('access log', () => {
  const verbose = devEnv({ MCP_LOG_LEVEL: 'debug' })

  it('writes one JSON line per request with the request id, caller, tools, status, latency, cache and limiter', async () => {
    const client = await connect(verbose, { 'cf-ray': '8f2b6c1d9a0e4f11-AMS' })
    const { lines } = await captureLogs(() =>
      client.callTool({ name: 'list_dashboards', arguments: { request: { page_size: 2 } } }),
    )
    await client.close()
    // The SDK client may also list tools (for output schemas): one access line per request, each its own.
    const calls = accessLines(lines).filter((line) => line.rpc_methods.includes('tools/call'))
    expect(calls).toHaveLength(1)
    const access = calls[0]
    expect(access).toMatchObject({
      level: 'info',
      event: 'request',
      request_id: '8f2b6c1d9a0e4f11-AMS',
      method: 'POST',
      path: '/mcp',
      route: 'mcp',
      status: 200,
      tenant: 'default',
      auth: 'dev_username',
      tools: ['list_dashboards'],
      rpc_methods: ['tools/call'],
      error_type: null,
      limiter: 'allowed',
      auth_failure: null,
    })
    expect(access!.user_id).toBeTypeOf('number')
    expect(access!.duration_ms).toBeGreaterThanOrEqual(0)
    expect(['hit', 'miss', 'bypass', null]).toContain(access!.cache_status)
    expect(Date.parse(access!.time)).not.toBeNaN()
    // The dispatcher's own line for the call carries the same request id.
    const call = lines.find((line) => line.event === 'tool_call')
    expect(call).toMatchObject({
      request_id: '8f2b6c1d9a0e4f11-AMS',
      tool: 'list_dashboards',
      outcome: 'success',
    })
  })

  it('generates a request id when cf-ray is absent or not a ray id, and returns it as X-Request-Id', async () => {
    for (const headers of [{}, { 'cf-ray': '"><script>' }] as Record<string, string>[]) {
      const { lines } = await captureLogs(async () => {
        const response = await gatewayFetch(verbose)(`${BASE}/health`, { headers })
        expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)
      })
      expect(accessLines(lines)[0]!.request_id).toMatch(/^[0-9a-f-]{36}$/)
    }
  })

  it('names the error type of a failed call and of a refused request', async () => {
    const { lines } = await captureLogs(async () => {
      expect((await callTool(verbose, 'list_dashboards', undefined, { page_size: 0 })).status).toBe(400)
      expect((await gatewayFetch(verbose)(`${BASE}/no/such/route`)).status).toBe(404)
    })
    const [failedCall, unknownRoute] = accessLines(lines)
    expect(failedCall).toMatchObject({
      route: 'tool',
      status: 400,
      tools: ['list_dashboards'],
      error_type: 'ValidationError',
    })
    expect(unknownRoute).toMatchObject({
      route: 'other',
      status: 404,
      error_type: 'NotFoundError',
      tools: [],
    })
  })

  it('writes the access line of a 5xx at error level, with the cause in a separate event', async () => {
    const broken = devEnv({ MCP_LOG_LEVEL: 'debug', DATABASE_URL: 'postgres://gateway@127.0.0.1:1/superset' })
    const { lines } = await captureLogs(() => callTool(broken, 'list_dashboards', undefined))
    const [access] = accessLines(lines)
    expect(access).toMatchObject({ level: 'error', status: 502, error_type: 'UpstreamError' })
    expect(lines.some((line) => line.event === 'db_error' && line.level === 'warn')).toBe(true)
    expect(lines.some((line) => line.event === 'request_failed' && line.level === 'error')).toBe(true)
  })

  it('honours MCP_LOG_LEVEL: at warn, successful requests write nothing', async () => {
    const quiet = devEnv({ MCP_LOG_LEVEL: 'warn' })
    let requestId: string | null = null
    const { lines } = await captureLogs(async () => {
      const response = await gatewayFetch(quiet)(`${BASE}/health`)
      expect(response.status).toBe(200)
      requestId = response.headers.get('x-request-id')
    })
    expect(requestId).not.toBeNull()
    // Only this request's lines: an earlier test's pool may still be closing in the background.
    expect(lines.filter((line) => line.request_id === requestId)).toEqual([])
  })
})

describe('secrets never reach the logs', () => {
  let realm: TestRealm
  beforeAll(() => {
    realm = TestRealm.create('observability-logs')
  })

  it('never writes the Authorization header or the token, accepted or refused', async () => {
    const testEnv = authEnv(realm, { MCP_LOG_LEVEL: 'debug' })
    const token = await realm.mint('admin')
    const forged = tamperedToken(token, { preferred_username: 'alpha' })
    const { raw, lines } = await captureLogs(async () => {
      expect((await callTool(testEnv, 'list_dashboards', bearer(token), { page_size: 1 })).status).toBe(200)
      expect((await callTool(testEnv, 'list_dashboards', bearer(forged), { page_size: 1 })).status).toBe(401)
      expect((await callTool(testEnv, 'list_dashboards', undefined)).status).toBe(401)
      const client = await connect(testEnv, { authorization: bearer(token) })
      await client.callTool({ name: 'get_instance_info', arguments: { request: {} } })
      await client.close()
    })
    expect(raw.length).toBeGreaterThan(5)
    const signature = token.split('.')[2]!
    for (const line of raw) {
      expect(line).not.toContain(token)
      expect(line).not.toContain(signature)
      expect(line).not.toContain(forged.split('.')[1]!)
      expect(line.toLowerCase()).not.toContain('bearer ')
      expect(line.toLowerCase()).not.toContain('authorization')
    }
    const [accepted, refused, missing] = accessLines(lines)
    expect(accepted).toMatchObject({ status: 200, auth: 'jwt', tenant: 'default', auth_failure: null })
    expect(refused).toMatchObject({
      status: 401,
      error_type: 'AuthenticationError',
      tools: [],
      user_id: null,
    })
    expect(refused!.auth_failure).toMatch(/^[a-z_]+$/)
    expect(missing).toMatchObject({ status: 401, auth_failure: 'missing_token' })
  })

  it('scrubs secrets a driver or library echoes back: tokens, URL credentials, secret-named fields', () => {
    const written: string[] = []
    const log = createLogger('debug', {}, (line) => written.push(line))
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.c2lnbmF0dXJlLXZhbHVl'
    log.error('db_error', {
      error_message: 'connect failed: postgres://superset:hunter2@db.internal:5432/superset',
      detail: `token was ${jwt}`,
      header: `Bearer ${jwt}`,
      url: 'https://gateway.example/mcp?access_token=abc123&x=1',
      password: 'hunter2',
      nested: { authorization: 'Basic dXNlcjpwYXNz', list: [jwt] },
    })
    expect(written).toHaveLength(1)
    const line = JSON.parse(written[0]!)
    for (const secret of ['hunter2', jwt, 'abc123', 'dXNlcjpwYXNz']) expect(written[0]).not.toContain(secret)
    expect(line.error_message).toBe('connect failed: postgres://[redacted]@db.internal:5432/superset')
    expect(line.url).toBe('https://gateway.example/mcp?access_token=[redacted]&x=[redacted]')
    expect(line.password).toBe('[redacted]')
    expect(line.nested).toEqual({ authorization: '[redacted]', list: ['[redacted]'] })
  })

  it('counts a database error by the kind the database layer names, whatever the database is called', () => {
    const facts = createRequestFacts('r2')
    noteLogEvent(facts, 'warn', 'db_error', {
      database: 'the analytics database "metadata_dw"',
      database_kind: 'analytics',
      error_type: 'TimeoutError',
    })
    noteLogEvent(facts, 'warn', 'db_error', {
      database: 'the Superset metadata database',
      database_kind: 'metadata',
      error_type: 'UpstreamError',
    })
    expect(facts.databaseErrors).toEqual([
      { database: 'analytics', errorType: 'TimeoutError' },
      { database: 'metadata', errorType: 'UpstreamError' },
    ])
  })

  it('filters by level but still lets the request see every event', () => {
    const written: string[] = []
    const seen: string[] = []
    const log = createLogger(
      'warn',
      { request_id: 'r1' },
      (line) => written.push(line),
      (_level, event) => seen.push(event),
    )
    log.child({ tenant: 'acme' }).info('auth_rejected', { reason: 'expired' })
    log.warn('db_error', { database: 'the Superset metadata database' })
    expect(seen).toEqual(['auth_rejected', 'db_error'])
    expect(written.map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({ level: 'warn', event: 'db_error', request_id: 'r1' }),
    ])
  })
})
