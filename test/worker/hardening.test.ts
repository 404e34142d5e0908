/**
 * The edge's hardening: HTTPS redirect and HSTS, security headers on every response (errors and
 * /metrics included), the Origin allow-list, body, nesting and key limits, strict UTF-8, CORS for
 * browser-based clients, and error answers that never carry internals.
 */
import { Hono } from 'hono'
import { beforeAll, describe, expect, it, vi } from 'vitest'
import { MAX_JSON_DEPTH, MAX_JSON_KEYS, measureJson } from '../../src/json-text'
import { onError, requestContext, type AppEnv } from '../../src/http'
import { BASE, MCP_HEADERS } from '../helpers/mcp'
import { authEnv, devEnv, gatewayFetch, TestRealm } from '../helpers/tokens'

const gateway = gatewayFetch(devEnv())
const APP_ORIGIN = 'https://app.example.com'
const browserEnv = devEnv({ MCP_ALLOWED_ORIGINS: `${APP_ORIGIN} https://other.example.com` })

const rpcBody = (params: unknown = {}): string =>
  JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params })

/** `{"a":{"a":…{"a":1}…}}` nested `depth` objects deep. */
const nested = (depth: number): unknown => (depth <= 1 ? { a: 1 } : { a: nested(depth - 1) })

function mcpPost(body: BodyInit, headers: Record<string, string> = {}): Promise<Response> {
  return gateway(`${BASE}/mcp`, { method: 'POST', headers: { ...MCP_HEADERS, ...headers }, body })
}

function toolPost(body: BodyInit, path = '/tools/list_dashboards'): Promise<Response> {
  return gateway(`${BASE}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
}

async function expectValidationError(response: Response, reason: string): Promise<void> {
  expect(response.status).toBe(400)
  const body = (await response.json()) as any
  expect(body).toMatchObject({ error_type: 'ValidationError', details: { reason } })
}

describe('transport security', () => {
  it('redirects plain http to https (301 for GET, 308 otherwise) except on loopback', async () => {
    // On a host the gateway serves: any other is refused before the redirect (test/worker/host-guard.test.ts).
    const served = gatewayFetch(devEnv({ MCP_ALLOWED_HOSTS: 'gateway.example.com' }))
    const get = await served('http://gateway.example.com/health?x=1', { redirect: 'manual' })
    expect(get.status).toBe(301)
    expect(get.headers.get('location')).toBe('https://gateway.example.com/health?x=1')
    expect(get.headers.get('strict-transport-security')).toContain('max-age=63072000')
    const post = await served('http://gateway.example.com/mcp', {
      method: 'POST',
      body: '{}',
      redirect: 'manual',
    })
    expect(post.status).toBe(308)
    const forwarded = await served('https://gateway.example.com/health', {
      headers: { 'x-forwarded-proto': 'http' },
      redirect: 'manual',
    })
    expect(forwarded.status).toBe(301)
    for (const host of ['127.0.0.1', 'localhost', '[::1]']) {
      expect((await gateway(`http://${host}/health`)).status).toBe(200)
    }
  })

  it('puts HSTS and the security headers on every response, errors and /metrics included', async () => {
    const responses = [
      await gateway(`${BASE}/health`),
      await gateway(`${BASE}/metrics`),
      await gateway(`${BASE}/nope`),
      await mcpPost('{', {}),
      await gateway(`${BASE}/mcp`, { method: 'GET', headers: { accept: 'text/event-stream' } }),
      await gateway(`${BASE}/.well-known/oauth-protected-resource`),
    ]
    for (const response of responses) {
      expect(response.headers.get('strict-transport-security')).toBe('max-age=63072000; includeSubDomains')
      expect(response.headers.get('x-content-type-options')).toBe('nosniff')
      expect(response.headers.get('x-frame-options')).toBe('DENY')
      expect(response.headers.get('referrer-policy')).toBe('no-referrer')
      expect(response.headers.get('content-security-policy')).toBe(
        "default-src 'none'; frame-ancestors 'none'",
      )
      expect(response.headers.get('x-request-id')).toBeTruthy()
    }
  })
})

describe('request bodies', () => {
  it('refuses a body above MCP_MAX_BODY_BYTES with 413, declared or streamed', async () => {
    const small = gatewayFetch(devEnv({ MCP_MAX_BODY_BYTES: '2048' }))
    const big = rpcBody({ name: 'list_dashboards', arguments: { request: { search: 'x'.repeat(4096) } } })
    const declared = await small(`${BASE}/mcp`, { method: 'POST', headers: MCP_HEADERS, body: big })
    expect(declared.status).toBe(413)
    expect((await declared.json()) as any).toMatchObject({
      error_type: 'PayloadTooLargeError',
      details: { max_bytes: 2048 },
    })
    const streamed = await small(`${BASE}/tools/list_dashboards`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: new Blob([big]).stream(),
      duplex: 'half',
    } as RequestInit)
    expect(streamed.status).toBe(413)
  })

  it(`refuses JSON nested deeper than ${MAX_JSON_DEPTH} levels before the MCP SDK parses it`, async () => {
    const deep = rpcBody({ name: 'list_dashboards', arguments: { request: nested(MAX_JSON_DEPTH) } })
    await expectValidationError(await mcpPost(deep), 'json_too_deep')
    await expectValidationError(
      await toolPost(JSON.stringify({ request: nested(MAX_JSON_DEPTH) })),
      'json_too_deep',
    )
    // An array bomb is nesting too; within the limit the call reaches the tool (whose schema refuses it).
    await expectValidationError(await toolPost('['.repeat(100_000)), 'json_too_deep')
    const fine = await toolPost(JSON.stringify({ request: { page_size: 1, extra: nested(10) } }))
    expect(((await fine.json()) as any).details?.reason).not.toBe('json_too_deep')
  })

  it(`refuses JSON with more than ${MAX_JSON_KEYS} object keys`, async () => {
    const many = Object.fromEntries(Array.from({ length: MAX_JSON_KEYS + 1 }, (_, index) => [`k${index}`, 0]))
    await expectValidationError(
      await mcpPost(rpcBody({ name: 'list_dashboards', arguments: many })),
      'json_too_many_keys',
    )
    await expectValidationError(await toolPost(JSON.stringify(many)), 'json_too_many_keys')
  })

  it('counts nesting and keys outside strings only', () => {
    expect(measureJson('{"a":"{{{[[[::","b":[1,{"c":2}]}')).toEqual({ depth: 3, keys: 3 })
    expect(measureJson('"\\"{[:"')).toEqual({ depth: 0, keys: 0 })
  })

  it('refuses a body that is not valid UTF-8 with 400, on /mcp and the tool routes', async () => {
    const invalid = new Uint8Array([
      ...new TextEncoder().encode('{"jsonrpc":"2.0","id":1,"method":"ping","x":"'),
      0xc3,
      0x28,
      0x22,
      0x7d,
    ])
    await expectValidationError(await mcpPost(invalid), 'invalid_utf8')
    await expectValidationError(await toolPost(invalid), 'invalid_utf8')
  })

  it('refuses a NUL character anywhere in tool arguments with 400 naming the field, never a 500', async () => {
    for (const request of [
      { search: 'a\u0000b' },
      { filters: [{ col: 'dashboard_title', opr: 'eq', value: '\u0000' }] },
    ]) {
      const response = await toolPost(JSON.stringify({ request }))
      expect(response.status).toBe(400)
      const body = (await response.json()) as any
      expect(body).toMatchObject({
        error_type: 'ValidationError',
        error: expect.stringContaining('NUL character'),
      })
    }
  })

  it('answers malformed JSON as the SDK would (-32700) on /mcp, and with a ValidationError on tool routes', async () => {
    for (const body of ['{"jsonrpc": "2.0", "id": 1, ', '']) {
      const response = await mcpPost(body)
      expect(response.status).toBe(400)
      expect(((await response.json()) as any).error).toEqual({
        code: -32700,
        message: 'Parse error: Invalid JSON',
      })
    }
    const tool = await toolPost('{"request": ')
    expect(tool.status).toBe(400)
    expect((await tool.json()) as any).toMatchObject({
      error_type: 'ValidationError',
      error: 'The request body is not valid JSON. Fix the arguments and call the tool again.',
    })
  })

  it('still leaves 406 and 415 to the transport', async () => {
    expect((await mcpPost(rpcBody(), { accept: 'application/json' })).status).toBe(406)
    expect((await mcpPost(rpcBody(), { 'content-type': 'text/plain' })).status).toBe(415)
  })
})

describe('CORS for browser-based clients', () => {
  const browser = gatewayFetch(browserEnv)

  it('answers a preflight from an allowed origin on /mcp and /tools/*', async () => {
    for (const path of ['/mcp', '/tools/list_dashboards']) {
      const response = await browser(`${BASE}${path}`, {
        method: 'OPTIONS',
        headers: {
          origin: APP_ORIGIN,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization, content-type, mcp-protocol-version',
        },
      })
      expect(response.status).toBe(204)
      expect(response.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN)
      expect(response.headers.get('access-control-allow-methods')).toContain('POST')
      const allowed = response.headers.get('access-control-allow-headers')!.toLowerCase().split(',')
      for (const header of ['authorization', 'content-type', 'mcp-protocol-version', 'last-event-id']) {
        expect(allowed).toContain(header)
      }
      expect(response.headers.get('access-control-max-age')).toBe('600')
      expect(response.headers.get('vary')).toContain('Origin')
      expect(response.headers.get('access-control-allow-credentials')).toBeNull()
    }
  })

  it('gives a preflight from another origin no CORS grant, and refuses its requests with 403', async () => {
    const preflight = await browser(`${BASE}/mcp`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    })
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull()
    const post = await browser(`${BASE}/mcp`, {
      method: 'POST',
      headers: { ...MCP_HEADERS, origin: 'https://evil.example' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
    })
    expect(post.status).toBe(403)
    expect(post.headers.get('access-control-allow-origin')).toBeNull()
  })

  it('echoes an allowed origin and exposes the headers a client must read', async () => {
    const response = await browser(`${BASE}/mcp`, {
      method: 'POST',
      headers: { ...MCP_HEADERS, origin: APP_ORIGIN },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
    })
    expect(response.status).toBe(200)
    expect(response.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN)
    const exposed = response.headers.get('access-control-expose-headers')!.split(',')
    expect(exposed).toEqual(
      expect.arrayContaining(['WWW-Authenticate', 'Mcp-Session-Id', 'Retry-After', 'RateLimit']),
    )
  })

  describe('with authentication on', () => {
    let realm: TestRealm
    beforeAll(() => {
      realm = TestRealm.create('cors')
    })

    it('lets a browser read the 401 challenge (CORS headers on the error answer)', async () => {
      const response = await gatewayFetch(authEnv(realm, { MCP_ALLOWED_ORIGINS: APP_ORIGIN }))(
        `${BASE}/mcp`,
        {
          method: 'POST',
          headers: { ...MCP_HEADERS, origin: APP_ORIGIN },
          body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
        },
      )
      expect(response.status).toBe(401)
      expect(response.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN)
      expect(response.headers.get('access-control-expose-headers')).toContain('WWW-Authenticate')
      expect(response.headers.get('www-authenticate')).toContain('resource_metadata=')
    })
  })
})

describe('no error path leaks internals', () => {
  const INTERNALS = [
    /postgres(ql)?:\/\//i,
    /127\.0\.0\.1/,
    /hunter2/,
    /ECONNREFUSED/i,
    /terminated/i,
    /at \S+ \(/,
    /\.ts:\d+/,
  ]

  function expectNoInternals(text: string): void {
    for (const pattern of INTERNALS) expect(text).not.toMatch(pattern)
  }

  it('a metadata database that cannot be reached: 502 with a generic message, in tools and in /health', async () => {
    const broken = gatewayFetch(devEnv({ DATABASE_URL: 'postgres://superset:hunter2@127.0.0.1:1/superset' }))
    const call = await broken(`${BASE}/tools/list_dashboards`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    })
    expect(call.status).toBe(502)
    const text = await call.text()
    expect(JSON.parse(text)).toMatchObject({
      error_type: 'UpstreamError',
      error: 'The Superset metadata database is unreachable; try again shortly.',
    })
    expectNoInternals(text)
    const mcp = await broken(`${BASE}/mcp`, {
      method: 'POST',
      headers: MCP_HEADERS,
      body: rpcBody({ name: 'list_dashboards' }),
    })
    expect(mcp.status).toBe(502)
    expectNoInternals(await mcp.text())
    const health = await broken(`${BASE}/health`)
    expect(health.status).toBe(503)
    const report = (await health.json()) as any
    expect(report.checks.database).toMatchObject({ status: 'error' })
    expectNoInternals(JSON.stringify(report))
  })

  it('a configuration error names the variable, never its value', async () => {
    const response = await gatewayFetch(
      devEnv({ DATABASE_URL: 'mysql://root:hunter2@db.internal/superset' }),
    )(`${BASE}/tools/list_dashboards`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    })
    expect(response.status).toBe(500)
    const text = await response.text()
    expect(JSON.parse(text)).toMatchObject({ error_type: 'ConfigurationError' })
    expect(text).toContain('DATABASE_URL')
    expect(text).not.toContain('hunter2')
    expect(text).not.toContain('db.internal')
  })

  it('an unexpected exception: 500 InternalError with a generic message, the cause only in the logs', async () => {
    const probe = new Hono<AppEnv>()
    probe.use(requestContext())
    probe.get('/boom', () => {
      throw new TypeError(
        'Cannot read properties of undefined (connecting to postgres://u:hunter2@127.0.0.1:1)',
      )
    })
    probe.onError(onError)
    const logged: string[] = []
    const spy = vi.spyOn(console, 'log').mockImplementation((line: unknown) => void logged.push(String(line)))
    let response: Response
    try {
      response = await probe.request('/boom', {}, devEnv({ MCP_LOG_LEVEL: 'error' }))
    } finally {
      spy.mockRestore()
    }
    expect(response.status).toBe(500)
    const text = await response.text()
    expect(JSON.parse(text)).toMatchObject({
      error_type: 'InternalError',
      error: 'The gateway failed unexpectedly. The failure has been logged; try again later.',
    })
    expectNoInternals(text)
    // The cause is in the log line, scrubbed of the credential.
    const lines = logged.map((line) => JSON.parse(line) as Record<string, unknown>)
    const failure = lines.find((line) => line.event === 'request_failed')
    expect(failure).toMatchObject({ error_name: 'TypeError' })
    expect(String(failure?.error_message)).toContain('Cannot read properties of undefined')
    expect(JSON.stringify(lines)).not.toContain('hunter2')
  })

  it('a tool call with bad arguments over MCP: an isError result naming the field, no stack', async () => {
    const response = await mcpPost(
      rpcBody({ name: 'list_dashboards', arguments: { request: { page_size: 'ten' } } }),
    )
    expect(response.status).toBe(200)
    const text = await response.text()
    const result = (JSON.parse(text) as any).result
    expect(result.isError).toBe(true)
    expect(result.structuredContent.error_type).toBe('ValidationError')
    expect(result.content[0].text).toContain('page_size')
    expect(text).not.toMatch(/at \S+ \(|\.ts:\d+/)
  })
})
