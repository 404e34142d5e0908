import { describe, expect, it } from 'vitest'
import { BASE, MCP_HEADERS, callHttpTool, rpc, rpcResult, workerFetch } from '../helpers/mcp'
import { devEnv, gatewayFetch } from '../helpers/tokens'

describe('HTTP surface', () => {
  it('answers /health with real checks', async () => {
    const response = await workerFetch(`${BASE}/health`)
    expect(response.status).toBe(200)
    const body = (await response.json()) as any
    expect(body.status).toBe('healthy')
    expect(body.version).toMatch(/^\d+\.\d+\.\d+/)
    expect(body.checks.database).toMatchObject({ status: 'ok', layout: 'owners', change_feed: 'installed' })
    expect(body.checks.kv).toMatchObject({ status: 'ok' })
    expect(body.checks.config).toMatchObject({ status: 'ok' })
  })

  it('puts security headers on every response', async () => {
    for (const path of ['/health', '/nope']) {
      const response = await workerFetch(`${BASE}${path}`)
      expect(response.headers.get('strict-transport-security')).toContain('max-age=')
      expect(response.headers.get('x-content-type-options')).toBe('nosniff')
      expect(response.headers.get('x-frame-options')).toBe('DENY')
      expect(response.headers.get('referrer-policy')).toBe('no-referrer')
      expect(response.headers.get('x-request-id')).toBeTruthy()
    }
  })

  it('redirects plain http to https on a served host, except on loopback', async () => {
    const served = gatewayFetch(devEnv({ MCP_ALLOWED_HOSTS: 'gateway.example.com' }))
    const get = await served('http://gateway.example.com/health', { redirect: 'manual' })
    expect(get.status).toBe(301)
    expect(get.headers.get('location')).toBe('https://gateway.example.com/health')
    const post = await served('http://gateway.example.com/mcp', { ...rpc('ping'), redirect: 'manual' })
    expect(post.status).toBe(308)
    expect((await workerFetch('http://127.0.0.1/health')).status).toBe(200)
    // A host the gateway does not serve is refused before it could be redirected (test/worker/host-guard.test.ts).
    const foreign = await workerFetch('http://elsewhere.example.com/mcp', {
      ...rpc('ping'),
      redirect: 'manual',
    })
    expect(foreign.status).toBe(403)
  })

  it('answers unknown routes with a 404 in the gateway error shape', async () => {
    const response = await workerFetch(`${BASE}/no/such/route`)
    expect(response.status).toBe(404)
    const body = (await response.json()) as any
    expect(body).toMatchObject({ error_type: 'NotFoundError', error: 'No route for GET /no/such/route' })
    expect(Date.parse(body.timestamp)).not.toBeNaN()
  })

  it('refuses GET and DELETE on /mcp with 405', async () => {
    for (const method of ['GET', 'DELETE']) {
      const response = await workerFetch(`${BASE}/mcp`, { method, headers: { accept: 'text/event-stream' } })
      expect(response.status).toBe(405)
      expect(response.headers.get('allow')).toBe('POST')
    }
  })

  it('needs both JSON and SSE in Accept (406) and a JSON body (415)', async () => {
    const noAccept = await workerFetch(`${BASE}/mcp`, rpc('ping', undefined, { accept: 'application/json' }))
    expect(noAccept.status).toBe(406)
    const wrongType = await workerFetch(
      `${BASE}/mcp`,
      rpc('ping', undefined, { 'content-type': 'text/plain' }),
    )
    expect(wrongType.status).toBe(415)
  })

  it('answers malformed JSON-RPC with a parse error, not a 500', async () => {
    const response = await workerFetch(`${BASE}/mcp`, {
      method: 'POST',
      headers: MCP_HEADERS,
      body: '{"jsonrpc": "2.0", "id": 1, ',
    })
    expect(response.status).toBe(400)
    const body = (await response.json()) as any
    expect(body.error.code).toBe(-32700)
    const invalid = await workerFetch(`${BASE}/mcp`, {
      method: 'POST',
      headers: MCP_HEADERS,
      body: '{"hello": "world"}',
    })
    expect(invalid.status).toBe(400)
  })

  it('refuses an unsupported MCP-Protocol-Version with 400', async () => {
    const response = await workerFetch(
      `${BASE}/mcp`,
      rpc('ping', undefined, { 'mcp-protocol-version': '1999-01-01' }),
    )
    expect(response.status).toBe(400)
  })

  it('blocks a disallowed Origin with 403 (DNS rebinding)', async () => {
    const response = await workerFetch(
      `${BASE}/mcp`,
      rpc('ping', undefined, { origin: 'https://evil.example' }),
    )
    expect(response.status).toBe(403)
    expect(((await response.json()) as any).error_type).toBe('PermissionDeniedError')
    const local = await workerFetch(
      `${BASE}/mcp`,
      rpc('ping', undefined, { origin: 'http://localhost:6274' }),
    )
    expect(local.status).toBe(200)
  })

  it('refuses a body above the limit with 413', async () => {
    const huge = JSON.stringify({ request: { search: 'x'.repeat(2 * 1024 * 1024) } })
    const response = await workerFetch(`${BASE}/tools/list_dashboards`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: huge,
    })
    expect(response.status).toBe(413)
    expect(((await response.json()) as any).error_type).toBe('PayloadTooLargeError')
  })

  it('runs a stateless MCP ping without a session id', async () => {
    const response = await workerFetch(`${BASE}/mcp`, rpc('ping'))
    expect(response.status).toBe(200)
    expect(response.headers.get('mcp-session-id')).toBeNull()
    expect((await rpcResult(response)).result).toEqual({})
  })
})

describe('plain-HTTP tool calls', () => {
  it('calls a tool at /tools/{name} with {"request": …}', async () => {
    const response = await callHttpTool('list_dashboards', { page_size: 2 })
    expect(response.status).toBe(200)
    const body = (await response.json()) as any
    expect(body.dashboards).toHaveLength(2)
    expect(body.page_size).toBe(2)
  })

  it("calls a tool at /{name} as Superset's guide does, flattened arguments too", async () => {
    const response = await workerFetch(`${BASE}/list_dashboards`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ page_size: 1 }),
    })
    expect(response.status).toBe(200)
    expect(((await response.json()) as any).dashboards).toHaveLength(1)
  })

  it('maps bad input to 400 ValidationError with the field named', async () => {
    for (const pageSize of [0, 1000]) {
      const response = await callHttpTool('list_dashboards', { page_size: pageSize })
      expect(response.status).toBe(400)
      const body = (await response.json()) as any
      expect(body.error_type).toBe('ValidationError')
      expect(body.error).toContain('page_size')
    }
    const wrongType = await callHttpTool('list_dashboards', { page: 'two' })
    expect(wrongType.status).toBe(400)
    const badJson = await workerFetch(`${BASE}/tools/list_dashboards`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{not json',
    })
    expect(badJson.status).toBe(400)
    expect(((await badJson.json()) as any).error).toBe(
      'The request body is not valid JSON. Fix the arguments and call the tool again.',
    )
  })

  it('answers an unknown tool with 404', async () => {
    const response = await callHttpTool('drop_everything')
    expect(response.status).toBe(404)
    expect(await response.json()).toMatchObject({
      error_type: 'NotFoundError',
      error: 'Unknown tool: drop_everything',
    })
  })
})
