/**
 * Both protocol eras on one endpoint: 2026-07-28 stateless requests (per-request `_meta`, no
 * initialize) and the 2025 initialize handshake, entering through the Worker's fetch.
 */
import {
  Client as ClientV2,
  StreamableHTTPClientTransport as TransportV2,
} from '@modelcontextprotocol/client'
import { env } from 'cloudflare:workers'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport as TransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { BASE, connectClient, modernRpc, rpcResult, workerFetch } from '../helpers/mcp'
import { envFor, tokenFor } from '../helpers/call-as'
import { AUDIENCE, bearer, devEnv, gatewayFetch } from '../helpers/tokens'

const MODERN = '2026-07-28'

/** A 2026-07-28 request (test/helpers/mcp.ts modernRpc). */
function modern(
  method: string,
  params: Record<string, unknown> = {},
  options: { headers?: Record<string, string>; name?: string; meta?: Record<string, unknown> } = {},
): RequestInit {
  return modernRpc(method, params, { ...options, client: 'era-tests' })
}

const mcp = (init: RequestInit): Promise<Response> => workerFetch(`${BASE}/mcp`, init)

describe('MCP 2026-07-28, stateless (no initialize)', () => {
  it('answers server/discover with the modern revision, the capabilities and the instructions', async () => {
    const response = await mcp(modern('server/discover'))
    expect(response.status).toBe(200)
    const { result } = await rpcResult(response)
    expect(result.supportedVersions).toEqual([MODERN])
    expect(result.capabilities).toMatchObject({
      tools: { listChanged: false },
      resources: { listChanged: false },
      prompts: { listChanged: false },
    })
    expect(result.serverInfo ?? result._meta?.['io.modelcontextprotocol/serverInfo']).toMatchObject({
      name: 'superset-mcp-gateway',
    })
    expect(result.instructions).toContain('"request"')
    expect(result.resultType).toBe('complete')
  })

  it('lists tools in a deterministic order, with resultType', async () => {
    const first = await rpcResult(await mcp(modern('tools/list')))
    const second = await rpcResult(await mcp(modern('tools/list')))
    const names = first.result.tools.map((tool: { name: string }) => tool.name)
    expect(names.length).toBeGreaterThan(3)
    expect(second.result.tools.map((tool: { name: string }) => tool.name)).toEqual(names)
    expect(first.result.resultType).toBe('complete')
    expect(first.result.cacheScope).toBe('private')
  })

  it('calls a tool and answers JSON with resultType and the gateway headers', async () => {
    const response = await mcp(
      modern('tools/call', { name: 'list_dashboards', arguments: { request: { page_size: 2 } } }),
    )
    expect(response.headers.get('content-type')).toContain('application/json')
    const { result } = await rpcResult(response)
    expect(result.resultType).toBe('complete')
    expect(result.isError).toBeFalsy()
    expect(result.structuredContent.dashboards).toHaveLength(2)
  })

  it('says how long a cached read tool is kept, for a caller who cannot change what it shows', async () => {
    const ttlMs = env.MCP_CACHE_TTL_SECONDS === undefined ? 300_000 : Number(env.MCP_CACHE_TTL_SECONDS) * 1000
    const keptMs = Number(env.MCP_PRINCIPAL_CACHE_SECONDS ?? 10) * 1000
    // carol (Gamma) reads databases and datasets but may not write them: list_databases can be kept.
    const asCarol = async (init: RequestInit) => {
      const headers = {
        ...(init.headers as Record<string, string>),
        authorization: bearer(await tokenFor('carol')),
      }
      return gatewayFetch(envFor())(AUDIENCE, { ...init, headers })
    }
    const request = { page_size: 3 }
    // force_refresh: a fresh answer the cache stores now.
    const fresh = await rpcResult(
      await asCarol(
        modern('tools/call', {
          name: 'list_databases',
          arguments: { request: { ...request, force_refresh: true } },
        }),
      ),
    )
    // No longer than the cache keeps it, nor than the gateway keeps carol's permissions.
    expect(fresh.result).toMatchObject({ cacheScope: 'private' })
    expect(fresh.result.ttlMs).toBeGreaterThan(0)
    expect(fresh.result.ttlMs).toBeLessThanOrEqual(Math.min(ttlMs, keptMs))
    const hit = await rpcResult(
      await asCarol(modern('tools/call', { name: 'list_databases', arguments: { request } })),
    )
    expect(hit.result.structuredContent.cache_status).toBe('hit')
    expect(hit.result.ttlMs).toBeLessThanOrEqual(Math.min(ttlMs, keptMs))
    // The development user (an admin) can change dashboards: their own write would drop the entry at once,
    // which a client keeping the answer would not see, so no promise.
    const admin = await rpcResult(
      await mcp(modern('tools/call', { name: 'list_dashboards', arguments: { request } })),
    )
    expect(admin.result.structuredContent.cache_status).toMatch(/hit|miss/)
    expect(admin.result).not.toHaveProperty('ttlMs')
    // health_check is never cached: no promise at all.
    const uncached = await rpcResult(await mcp(modern('tools/call', { name: 'health_check', arguments: {} })))
    expect(uncached.result.resultType).toBe('complete')
    expect(uncached.result).not.toHaveProperty('ttlMs')
    expect(uncached.result).not.toHaveProperty('cacheScope')
  })

  it('keeps tools/list and resources/list no longer than the caller’s permissions are kept', async () => {
    const keptMs = Number(env.MCP_PRINCIPAL_CACHE_SECONDS ?? 10) * 1000
    for (const method of ['tools/list', 'resources/list']) {
      const { result } = await rpcResult(await mcp(modern(method)))
      expect(result.cacheScope).toBe('private')
      expect(result.ttlMs).toBeGreaterThanOrEqual(0)
      expect(result.ttlMs).toBeLessThanOrEqual(keptMs)
    }
    // A resource is read afresh every time.
    const { result } = await rpcResult(await mcp(modern('resources/read', { uri: 'chart://configs' })))
    expect(result).toMatchObject({ ttlMs: 0, cacheScope: 'private', resultType: 'complete' })
  })

  it('refuses a Mcp-Method or Mcp-Name header that does not match the body (-32020)', async () => {
    const method = await mcp(modern('tools/list', {}, { headers: { 'mcp-method': 'tools/call' } }))
    expect(method.status).toBe(400)
    expect((await rpcResult(method)).error?.code).toBe(-32020)
    const name = await mcp(
      modern(
        'tools/call',
        { name: 'health_check', arguments: {} },
        { headers: { 'mcp-name': 'list_charts' } },
      ),
    )
    expect(name.status).toBe(400)
    expect((await rpcResult(name)).error?.code).toBe(-32020)
  })

  it('answers an unknown tool with -32602, as on the 2025 era', async () => {
    const { error } = await rpcResult(
      await mcp(modern('tools/call', { name: 'no_such_tool', arguments: {} })),
    )
    expect(error?.code).toBe(-32602)
  })

  it('acknowledges subscriptions/listen with nothing honoured and ends the stream at once', async () => {
    const response = await mcp(modern('subscriptions/listen', { notifications: { toolsListChanged: true } }))
    expect(response.headers.get('content-type')).toContain('text/event-stream')
    // The whole stream arrives: a stateless gateway keeps nothing open.
    const frames = (await response.text())
      .split('\n')
      .filter((line) => line.startsWith('data: '))
      .map((line) => JSON.parse(line.slice(6)))
    expect(frames[0]).toMatchObject({
      method: 'notifications/subscriptions/acknowledged',
      params: { notifications: {} },
    })
    expect(frames.at(-1)).toMatchObject({ result: { resultType: 'complete' } })
  })
})

/** The access lines the Worker writes while `work` runs. */
async function accessLines(work: () => Promise<unknown>): Promise<Record<string, any>[]> {
  const spy = vi.spyOn(console, 'log').mockImplementation(() => undefined)
  try {
    await work()
    return spy.mock.calls
      .map((args) => JSON.parse(String(args[0])) as Record<string, any>)
      .filter((line) => line.event === 'request')
  } finally {
    spy.mockRestore()
  }
}

describe('request facts: headers, trace context, log level', () => {
  // The access line is written at info; a Worker with that log level, whatever the test default.
  const logged = gatewayFetch(devEnv({ MCP_LOG_LEVEL: 'info' }))
  const mcp = (init: RequestInit): Promise<Response> => logged(`${BASE}/mcp`, init)
  const fromMeta = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'
  const fromHeader = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'

  it('puts Mcp-Method, Mcp-Name and the traceparent of _meta (over the header) on the access line', async () => {
    const [line] = await accessLines(async () => {
      const response = await mcp(
        modern(
          'tools/call',
          { name: 'health_check', arguments: {} },
          { headers: { traceparent: fromHeader }, meta: { traceparent: fromMeta, tracestate: 'vendor=1' } },
        ),
      )
      expect((await rpcResult(response)).result.isError).toBeFalsy()
    })
    expect(line).toMatchObject({
      path: '/mcp',
      rpc_methods: ['tools/call'],
      mcp_method: 'tools/call',
      mcp_name: 'health_check',
      traceparent: fromMeta,
      tools: ['health_check'],
    })
  })

  it('takes the HTTP traceparent when _meta has none, and ignores an invalid one', async () => {
    const lines = await accessLines(async () => {
      await (await mcp(modern('tools/list', {}, { headers: { traceparent: fromHeader } }))).text()
      await (
        await mcp(
          modern(
            'tools/list',
            {},
            { headers: { traceparent: '00-' + '0'.repeat(32) + '-b7ad6b7169203331-01' } },
          ),
        )
      ).text()
    })
    expect(lines.map((line) => line.traceparent)).toEqual([fromHeader, null])
  })

  it('accepts logging/setLevel on the 2025 era and records the level on the access line', async () => {
    const client = new ClientV1({ name: 'set-level', version: '1.0.0' })
    await client.connect(new TransportV1(new URL(`${BASE}/mcp`), { fetch: logged }))
    const lines = await accessLines(() => client.setLoggingLevel('warning'))
    await client.close()
    expect(lines.find((line) => line.rpc_methods.includes('logging/setLevel'))).toMatchObject({
      status: 200,
      mcp_log_level: 'warning',
    })
  })

  it('records the per-request log level of 2026-07-28', async () => {
    const [line] = await accessLines(async () => {
      await (
        await mcp(modern('tools/list', {}, { meta: { 'io.modelcontextprotocol/logLevel': 'error' } }))
      ).text()
    })
    expect(line).toMatchObject({ mcp_log_level: 'error', status: 200 })
  })
})

describe('one endpoint, both clients', () => {
  const clients: { close(): Promise<void> }[] = []
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()))
  })

  it('a 2025-11-25 client (the v1 SDK) initializes, lists and calls tools', async () => {
    const client = await connectClient()
    clients.push(client)
    const { tools } = await client.listTools()
    expect(tools.map((tool) => tool.name)).toContain('list_dashboards')
    const result = await client.callTool({
      name: 'list_dashboards',
      arguments: { request: { page_size: 1 } },
    })
    expect((result.structuredContent as { dashboards: unknown[] }).dashboards).toHaveLength(1)
    // The 2025 wire has neither resultType nor the cache fields.
    expect(result).not.toHaveProperty('resultType')
    expect(result).not.toHaveProperty('ttlMs')
    expect(await client.listTools()).not.toHaveProperty('ttlMs')
  })

  it('the v2 SDK client negotiates 2026-07-28, lists and calls tools', async () => {
    const client = new ClientV2(
      { name: 'gateway-tests-v2', version: '1.0.0' },
      { versionNegotiation: { mode: 'auto' } },
    )
    clients.push(client)
    await client.connect(new TransportV2(new URL(`${BASE}/mcp`), { fetch: workerFetch }))
    expect(client.getNegotiatedProtocolVersion()).toBe(MODERN)
    const { tools } = await client.listTools()
    expect(tools.map((tool) => tool.name)).toContain('list_dashboards')
    const result = await client.callTool({
      name: 'list_dashboards',
      arguments: { request: { page_size: 1 } },
    })
    expect((result.structuredContent as { dashboards: unknown[] }).dashboards).toHaveLength(1)
  })

  it('the v2 SDK client in its default (2025) mode still initializes', async () => {
    const client = new ClientV2({ name: 'gateway-tests-v2-legacy', version: '1.0.0' })
    clients.push(client)
    await client.connect(new TransportV2(new URL(`${BASE}/mcp`), { fetch: workerFetch }))
    expect(client.getNegotiatedProtocolVersion()).toBe('2025-11-25')
    expect((await client.listTools()).tools.length).toBeGreaterThan(3)
  })
})
