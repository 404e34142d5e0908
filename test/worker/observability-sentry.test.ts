/**
 * Sentry through toucan-js, checked against a local stand-in for Sentry's ingest endpoint: server faults
 * (5xx answers and tool calls failing with a 5xx error type) arrive with tool, tenant and user id as tags;
 * the Authorization header, cookies, tokens and query-string values never do; caller mistakes are not
 * reported; sampling follows SENTRY_SAMPLE_RATE and SENTRY_TRACES_SAMPLE_RATE.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { beforeAll, describe, expect, it } from 'vitest'
import { scrubEvent } from '../../src/observability'
import { BASE } from '../helpers/mcp'
import { SentryProject } from '../helpers/sentry'
import { authEnv, bearer, callTool, devEnv, gatewayFetch, TestRealm } from '../helpers/tokens'

/** An analytics database the gateway cannot reach, with a password in its URL that must never leave. */
const UNREACHABLE_ANALYTICS = JSON.stringify({
  examples: 'postgres://analyst:analytics-db-password@127.0.0.1:1/examples',
})
const QUERY_SECRET = 'query-string-secret-value'
const COOKIE_SECRET = 'session-cookie-secret-value'

let realm: TestRealm
beforeAll(() => {
  realm = TestRealm.create('sentry')
})

async function connect(
  testEnv: Cloudflare.Env,
  url: string,
  headers: Record<string, string>,
): Promise<Client> {
  const client = new Client({ name: 'sentry-tests', version: '1.0.0' })
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), {
      fetch: gatewayFetch(testEnv),
      requestInit: { headers },
    }),
  )
  return client
}

/** Nothing the caller sent as a credential, and no database password, anywhere in what arrived. */
function expectNoSecrets(raw: string, token: string): void {
  for (const secret of [
    token,
    token.split('.')[1]!,
    token.split('.')[2]!,
    QUERY_SECRET,
    COOKIE_SECRET,
    'analytics-db-password',
  ]) {
    expect(raw).not.toContain(secret)
  }
  expect(raw.toLowerCase()).not.toContain('bearer')
  expect(raw.toLowerCase()).not.toContain('"authorization"')
  expect(raw.toLowerCase()).not.toContain('"cookie"')
}

describe('Sentry reports', () => {
  it('reports a tool call that failed with a 5xx error, tagged, with every secret scrubbed', async () => {
    const project = new SentryProject()
    const testEnv = authEnv(realm, {
      SENTRY_DSN: project.dsn,
      MCP_ANALYTICS_DATABASE_URLS: UNREACHABLE_ANALYTICS,
    })
    const token = await realm.mint('admin', { tenant: 'acme' })
    const client = await connect(testEnv, `${BASE}/mcp?token=${QUERY_SECRET}&page=2`, {
      authorization: bearer(token),
      cookie: `session=${COOKIE_SECRET}`,
    })
    const result = await client.callTool({
      name: 'execute_sql',
      arguments: { request: { database_id: 1, sql: 'SELECT 1' } },
    })
    await client.close()
    expect(result.isError).toBe(true)
    expect((result.structuredContent as any).error_type).toMatch(
      /^(UpstreamError|TimeoutError|InternalError)$/,
    )

    const envelopes = await project.envelopes()
    const events = await project.items('event')
    expect(events).toHaveLength(1)
    const event = events[0]
    expect(event.tags).toMatchObject({
      tool: 'execute_sql',
      tenant: 'acme',
      route: 'mcp',
      error_type: (result.structuredContent as any).error_type,
    })
    expect(event.tags.user_id).toMatch(/^\d+$/)
    expect(event.user).toEqual({ id: event.tags.user_id })
    expect(event.tags.request_id).toBeTruthy()
    expect(event.environment).toBe('development')
    expect(event.release).toMatch(/^superset-mcp-gateway@\d+\.\d+\.\d+/)
    expect(event.exception.values.map((value: any) => value.type)).toContain('GatewayError')
    // The request as Sentry sees it: its path, a few harmless headers, no query string, no cookies, no body.
    expect(event.request.url).toBe('http://localhost/mcp')
    expect(event.request.query_string ?? '').toBe('')
    expect(event.request.cookies).toBeUndefined()
    expect(event.request.data).toBeUndefined()
    expect(Object.keys(event.request.headers ?? {}).sort()).not.toContain('authorization')
    expect(event.request.headers['mcp-protocol-version']).toBeTruthy()
    for (const envelope of envelopes) expectNoSecrets(envelope.raw, token)
  })

  it('reports a 5xx answer (the metadata database unreachable) with the route and tenant', async () => {
    const project = new SentryProject()
    const testEnv = authEnv(realm, {
      SENTRY_DSN: project.dsn,
      DATABASE_URL: 'postgres://superset:metadata-db-password@127.0.0.1:1/superset',
    })
    const token = await realm.mint('admin')
    const response = await gatewayFetch(testEnv)(`${BASE}/tools/list_dashboards?api_key=${QUERY_SECRET}`, {
      method: 'POST',
      headers: {
        authorization: bearer(token),
        'content-type': 'application/json',
        cookie: `s=${COOKIE_SECRET}`,
      },
      body: JSON.stringify({ request: {} }),
    })
    expect(response.status).toBe(502)
    const events = await project.items('event')
    expect(events).toHaveLength(1)
    expect(events[0].tags).toMatchObject({
      route: 'tool',
      tenant: 'default',
      tool: 'none',
      error_type: 'UpstreamError',
    })
    expect(events[0].tags.user_id).toBeUndefined()
    const [envelope] = await project.envelopes()
    expectNoSecrets(envelope!.raw, token)
    expect(envelope!.raw).not.toContain('metadata-db-password')
  })

  it('does not report caller mistakes (4xx), nor anything when SENTRY_SAMPLE_RATE is 0', async () => {
    const project = new SentryProject()
    const reporting = devEnv({ SENTRY_DSN: project.dsn })
    expect((await callTool(reporting, 'list_dashboards', undefined, { page_size: 0 })).status).toBe(400)
    expect((await gatewayFetch(reporting)(`${BASE}/nowhere`)).status).toBe(404)
    const muted = devEnv({
      SENTRY_DSN: project.dsn,
      SENTRY_SAMPLE_RATE: '0',
      DATABASE_URL: 'postgres://superset@127.0.0.1:1/superset',
    })
    expect((await callTool(muted, 'list_dashboards', undefined)).status).toBe(502)
    expect(await project.envelopes()).toEqual([])
  })

  it('sends a transaction with one span per tool call at SENTRY_TRACES_SAMPLE_RATE=1', async () => {
    const project = new SentryProject()
    const traced = devEnv({
      SENTRY_DSN: project.dsn,
      SENTRY_TRACES_SAMPLE_RATE: '1',
      SENTRY_ENVIRONMENT: 'ci',
    })
    expect((await callTool(traced, 'list_databases', undefined)).status).toBe(200)
    const transactions = await project.items('transaction')
    expect(transactions).toHaveLength(1)
    const [transaction] = transactions
    expect(transaction).toMatchObject({
      type: 'transaction',
      transaction: 'POST /tools/{name}',
      environment: 'ci',
      contexts: { trace: { op: 'http.server', status: 'ok' } },
      tags: { route: 'tool', tenant: 'default' },
    })
    expect(transaction.spans).toHaveLength(1)
    expect(transaction.spans[0]).toMatchObject({
      op: 'mcp.tool',
      description: 'list_databases',
      status: 'ok',
    })
    expect(transaction.spans[0].timestamp).toBeGreaterThanOrEqual(transaction.spans[0].start_timestamp)
    expect(await project.items('event')).toEqual([])
  })

  it("joins the caller's trace: traceparent's trace id and parent span on the MCP request's transaction", async () => {
    const project = new SentryProject()
    const traced = devEnv({ SENTRY_DSN: project.dsn, SENTRY_TRACES_SAMPLE_RATE: '1' })
    const traceId = crypto.randomUUID().replaceAll('-', '')
    const parentId = 'b'.repeat(16)
    const client = await connect(traced, `${BASE}/mcp`, { traceparent: `00-${traceId}-${parentId}-01` })
    await client.callTool({ name: 'health_check', arguments: {} })
    await client.close()
    const transactions = await project.items('transaction')
    const call = transactions.find((item: any) => item.spans?.length === 1)
    expect(call).toMatchObject({
      transaction: 'POST /mcp',
      contexts: { trace: { trace_id: traceId, parent_span_id: parentId } },
      tags: { trace_id: traceId },
    })
    // Every POST of the session joined it, the handshake's too.
    const posts = transactions.filter((item: any) => item.transaction === 'POST /mcp')
    expect(posts.length).toBeGreaterThanOrEqual(2)
    for (const item of posts) expect(item.contexts.trace.trace_id).toBe(traceId)
  })

  it('refuses sample rates outside 0..1 as a configuration error', async () => {
    const response = await gatewayFetch(devEnv({ SENTRY_TRACES_SAMPLE_RATE: '2' }))(`${BASE}/health`)
    expect(response.status).toBe(503)
    const body = (await response.json()) as any
    expect(body.checks.config.problems.join(' ')).toContain('SENTRY_TRACES_SAMPLE_RATE')
  })
})

describe('scrubEvent', () => {
  it('drops cookies, the query string and the body, and scrubs credentials anywhere in the event', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJib2IifQ.abcdefghijklmnop'
    const event = scrubEvent({
      request: {
        url: 'https://gw.example/mcp?token=abc',
        query_string: 'token=abc',
        cookies: { session: 'xyz' },
        data: '{"sql": "SELECT secret"}',
        headers: { authorization: `Bearer ${jwt}`, 'user-agent': 'agent/1' },
      },
      exception: {
        values: [{ type: 'Error', value: `connect postgres://u:pw@db:5432/x failed for ${jwt}` }],
      },
      extra: { client_secret: 'shh', note: 'see https://idp.example/cb?code=xyz' },
    })
    const text = JSON.stringify(event)
    for (const secret of [jwt, 'abc', 'xyz', 'SELECT secret', ':pw@', 'shh'])
      expect(text).not.toContain(secret)
    expect(event.request).toEqual({
      url: 'https://gw.example/mcp',
      headers: { authorization: '[redacted]', 'user-agent': 'agent/1' },
    })
    expect(event.exception!.values![0]!.value).toBe(
      'connect postgres://[redacted]@db:5432/x failed for [redacted]',
    )
  })
})
