/**
 * What callers see of the limits: 429 with Retry-After and the IETF RateLimit fields on plain HTTP, an
 * isError result plus Retry-After over MCP, remaining quota on success; the per-client-IP limiter in
 * front of authentication; and the fail mode when the RateLimiter cannot be reached.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { Hono } from 'hono'
import { beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config'
import type { CallSubject } from '../../src/limits'
import { bearerCredentials } from '../../src/auth'
import { clientRateLimit, onError, requestContext, type AppEnv } from '../../src/http'
import { createLimiter } from '../../src/limits'
import { isolateMetrics } from '../../src/observability'
import { clientKeyOf, takeClientToken, UNVERIFIED_CLIENT } from '../../src/limits/client-ip'
import type { LimitRule } from '../../src/limit-documents'
import { createLogger } from '../../src/observability'
import { BASE, callHttpTool, workerFetch } from '../helpers/mcp'
import { devEnv, gatewayFetch } from '../helpers/tokens'

// MCP_DEV_USERNAME=admin in tenant "default": tight limits for the two tools these tests call.
beforeAll(async () => {
  await env.CONFIG.put(
    'limits:default',
    JSON.stringify({
      users: {
        admin: { per_tool_limits: { list_dashboards: '2 per minute', health_check: '1 per minute' } },
      },
    }),
  )
})

describe('plain HTTP', () => {
  it('carries the remaining quota on success and answers 429 with Retry-After over the limit', async () => {
    const first = await callHttpTool('list_dashboards', { page_size: 1 })
    expect(first.status).toBe(200)
    expect(first.headers.get('ratelimit-policy')).toBe(
      '"user-minute";q=100;w=60, "user-hour";q=1000;w=3600, "tool";q=2;w=60',
    )
    expect(first.headers.get('ratelimit')).toBe('"tool";r=1;t=60')
    expect((await callHttpTool('list_dashboards', { page_size: 1 })).headers.get('ratelimit')).toMatch(
      /^"tool";r=0;t=(59|60)$/,
    )

    const refused = await callHttpTool('list_dashboards', { page_size: 1 })
    expect(refused.status).toBe(429)
    const retryAfter = Number(refused.headers.get('retry-after'))
    expect(retryAfter).toBeGreaterThanOrEqual(59)
    expect(retryAfter).toBeLessThanOrEqual(60)
    expect(refused.headers.get('ratelimit')).toBe(`"tool";r=0;t=${retryAfter}`)
    expect(refused.headers.get('ratelimit-policy')).toContain('"tool";q=2;w=60')
    expect(await refused.json()).toMatchObject({
      error_type: 'RateLimitExceeded',
      error: `Rate limit exceeded: list_dashboards allows 2 per minute. Retry after ${retryAfter} seconds.`,
      details: {
        retry_after_seconds: retryAfter,
        limit: '2 per minute',
        scope: 'tool',
        tool: 'list_dashboards',
      },
    })
  })
})

describe('MCP', () => {
  it('answers over the limit with an isError result an agent can read, and Retry-After on the response', async () => {
    let lastHeaders = new Headers()
    const recordingFetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
      const response = await workerFetch(input, init)
      lastHeaders = response.headers
      return response
    }
    const client = new Client({ name: 'limits-tests', version: '1.0.0' })
    await client.connect(new StreamableHTTPClientTransport(new URL(`${BASE}/mcp`), { fetch: recordingFetch }))
    try {
      const ok = await client.callTool({ name: 'health_check', arguments: {} })
      expect(ok.isError).toBeFalsy()
      expect(lastHeaders.get('ratelimit')).toBe('"tool";r=0;t=60')

      const refused = await client.callTool({ name: 'health_check', arguments: {} })
      expect(refused.isError).toBe(true)
      expect(refused.structuredContent).toMatchObject({
        error_type: 'RateLimitExceeded',
        details: { limit: '1 per minute', scope: 'tool', tool: 'health_check' },
      })
      const seconds = (refused.structuredContent as any).details.retry_after_seconds
      // The text is the error object as JSON (6.1 clients parse it); its message already says when to
      // retry, so no second hint is added.
      expect(JSON.parse((refused.content as any)[0].text)).toEqual(refused.structuredContent)
      expect((refused.structuredContent as any).error).toBe(
        `Rate limit exceeded: health_check allows 1 per minute. Retry after ${seconds} seconds.`,
      )
      expect(lastHeaders.get('retry-after')).toBe(String(seconds))
      // Other tools still work for this user.
      const other = await client.callTool({
        name: 'list_dashboards',
        arguments: { request: { page_size: 1 } },
      })
      expect(other.structuredContent).toMatchObject({ error_type: 'RateLimitExceeded' })
      expect(
        (await client.callTool({ name: 'get_instance_info', arguments: { request: {} } })).isError,
      ).toBeFalsy()
    } finally {
      await client.close()
    }
  })
})

/** Cloudflare's edge attaches `request.cf` to every request it delivers; these tests' requests carry one. */
const EDGE_CF = { colo: 'AMS', country: 'NL', asn: 64_496 }

describe('per-client-IP limiter (before authentication)', () => {
  interface Send {
    headers?: Record<string, string>
    /** false: a request that did not come through Cloudflare's edge (no `request.cf`). */
    viaEdge?: boolean
  }

  /**
   * A small app with the real middleware, deployed (MCP_ENVIRONMENT=production, so an edge-set address is
   * believed): /public stays unauthenticated, /private authenticates.
   */
  function appWith(variables: Record<string, string>) {
    const testEnv = { ...env, MCP_ENVIRONMENT: 'production', ...variables } as Env
    const app = new Hono<AppEnv>()
    app.use(requestContext(), clientRateLimit(bearerCredentials))
    app.get('/public', (c) => c.text('public'))
    app.get('/private', (c) => {
      c.set('identity', {
        lookup: { username: 'admin' },
        tenant: 'default',
        method: 'dev_username',
        scopes: [],
      })
      return c.text('private')
    })
    app.onError(onError)
    return async (
      path: string,
      ip: string,
      { headers = {}, viaEdge = true }: Send = {},
    ): Promise<Response> => {
      const ctx = createExecutionContext()
      const init = { headers: { 'cf-connecting-ip': ip, ...headers }, ...(viaEdge ? { cf: EDGE_CF } : {}) }
      const response = await app.request(path, init, testEnv, ctx)
      await waitOnExecutionContext(ctx)
      return response
    }
  }

  async function statuses(
    send: (path: string, ip: string, options?: Send) => Promise<Response>,
    path: string,
    ip: string,
    n: number,
    options?: Send,
  ) {
    const result: number[] = []
    for (let i = 0; i < n; i++) result.push((await send(path, ip, options)).status)
    return result
  }

  it('refuses unauthenticated requests beyond MCP_IP_RATE_LIMIT with 429 in the gateway shape', async () => {
    const send = appWith({ MCP_IP_RATE_LIMIT: '3 per minute' })
    expect(await statuses(send, '/public', '192.0.2.1', 3)).toEqual([200, 200, 200])
    const refused = await send('/public', '192.0.2.1')
    expect(refused.status).toBe(429)
    expect(refused.headers.get('retry-after')).toBe('20')
    expect(refused.headers.get('ratelimit-policy')).toBe('"client-ip";q=3;w=60')
    expect(refused.headers.get('ratelimit')).toBe('"client-ip";r=0;t=20')
    expect(await refused.json()).toMatchObject({
      error_type: 'RateLimitExceeded',
      details: { scope: 'client_ip', limit: '3 per minute', retry_after_seconds: 20 },
    })
    expect((await send('/public', '192.0.2.2')).status).toBe(200)
    expect(
      isolateMetrics.countedSoFar({
        series: 'mcp_rate_limit_rejections_total',
        labels: { scope: 'client_ip' },
      }),
    ).toBeGreaterThanOrEqual(1)
  })

  it('does not count requests that authenticated', async () => {
    const send = appWith({ MCP_IP_RATE_LIMIT: '3 per minute' })
    expect(await statuses(send, '/private', '192.0.2.3', 10)).toEqual(Array(10).fill(200))
    expect(await statuses(send, '/public', '192.0.2.3', 4)).toEqual([200, 200, 200, 429])
  })

  it('starts a client first seen while the limit was off with a full bucket once a limit applies', () => {
    const rule: LimitRule = { count: 3, windowMs: 60_000, text: '3 per minute' }
    const unlimited = takeClientToken(undefined, undefined, 1_000)
    expect(unlimited.allowed).toBe(true)
    const limited = takeClientToken(unlimited.state, rule, 1_000)
    expect(limited).toMatchObject({ allowed: true, state: { tokens: 2 } })
    // A clock that steps back neither refills nor drains.
    expect(takeClientToken(limited.state, rule, 500)).toMatchObject({ allowed: true, state: { tokens: 1 } })
  })

  it('counts an IPv6 client as its /64', async () => {
    const send = appWith({ MCP_IP_RATE_LIMIT: '2 per minute' })
    expect((await send('/public', '2001:db8:1:2::1')).status).toBe(200)
    expect((await send('/public', '2001:0db8:0001:0002:ffff::9')).status).toBe(200)
    expect((await send('/public', '2001:db8:1:2:abcd::7')).status).toBe(429)
    expect((await send('/public', '2001:db8:1:3::1')).status).toBe(200)
  })

  it('ignores every other address header: X-Forwarded-For, X-Real-IP, True-Client-IP, Forwarded', async () => {
    const send = appWith({ MCP_IP_RATE_LIMIT: '3 per minute' })
    const spoofed: Record<string, string>[] = [
      { 'x-forwarded-for': '198.51.100.1' },
      { 'x-real-ip': '198.51.100.2' },
      { 'true-client-ip': '198.51.100.3' },
      { forwarded: 'for=198.51.100.4' },
    ]
    const seen: number[] = []
    for (const headers of spoofed) seen.push((await send('/public', '192.0.2.10', { headers })).status)
    expect(seen).toEqual([200, 200, 200, 429])
    // The addresses they name were never charged.
    expect((await send('/public', '198.51.100.1')).status).toBe(200)
  })

  it("believes CF-Connecting-IP only from Cloudflare's edge: without request.cf every request shares one key", async () => {
    const send = appWith({ MCP_IP_RATE_LIMIT: '3 per minute' })
    const notViaEdge = (ip: string) => send('/public', ip, { viaEdge: false })
    const seen = [
      await notViaEdge('192.0.2.21'),
      await notViaEdge('192.0.2.22'),
      await notViaEdge('192.0.2.23'),
      await notViaEdge('192.0.2.24'),
    ]
    expect(seen.map((response) => response.status)).toEqual([200, 200, 200, 429])
    // An edge request from one of those addresses has a bucket of its own.
    expect((await send('/public', '192.0.2.24')).status).toBe(200)
  })

  it("believes no address in development: wrangler dev attaches a cf object but passes the client's header on", async () => {
    const send = appWith({ MCP_IP_RATE_LIMIT: '2 per minute', MCP_ENVIRONMENT: 'development' })
    expect((await send('/public', '192.0.2.31')).status).toBe(200)
    expect((await send('/public', '192.0.2.32')).status).toBe(200)
    expect((await send('/public', '192.0.2.33')).status).toBe(429)
  })

  it('reads an edge request without a usable address as the shared key too', () => {
    const edge = { cf: EDGE_CF, environment: 'production' }
    expect(clientKeyOf({ ...edge, connectingIp: '203.0.113.7' })).toBe('203.0.113.7')
    expect(clientKeyOf({ ...edge, connectingIp: '2001:db8::1' })).toBe('2001:db8:0:0::/64')
    for (const connectingIp of [undefined, '', 'unknown', '203.0.113.7, 10.0.0.1', 'a'.repeat(60)]) {
      expect(clientKeyOf({ ...edge, connectingIp })).toBe(UNVERIFIED_CLIENT)
    }
    expect(clientKeyOf({ connectingIp: '203.0.113.7', cf: undefined, environment: 'production' })).toBe(
      UNVERIFIED_CLIENT,
    )
    expect(clientKeyOf({ connectingIp: '203.0.113.7', cf: EDGE_CF, environment: undefined })).toBe(
      UNVERIFIED_CLIENT,
    )
  })

  it("refuses a client for the binding's period once IP_RATE_LIMITER says no (binding limit 300 per minute)", async () => {
    const send = appWith({ MCP_IP_RATE_LIMIT: 'off' })
    const first = await statuses(send, '/public', '192.0.2.4', 301)
    expect(first.every((status) => status === 200)).toBe(true)
    const refused = await send('/public', '192.0.2.4')
    expect(refused.status).toBe(429)
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(55)
    expect((await send('/public', '192.0.2.5')).status).toBe(200)
  })

  it('is mounted in front of every route of the gateway (default 300 per minute)', async () => {
    const deployed = gatewayFetch(
      devEnv({ MCP_ENVIRONMENT: 'production', MCP_IP_RATE_LIMIT: '300 per minute' }),
    )
    const fromEdge = (ip: string) => ({ headers: { 'cf-connecting-ip': ip }, cf: EDGE_CF })
    let answered = 0
    while (
      answered < 320 &&
      (await deployed(`${BASE}/no/such/route`, fromEdge('198.51.100.7'))).status === 404
    )
      answered++
    // 300 at once, plus the few tokens the bucket refilled (5 per second) while the loop ran.
    expect(answered).toBeGreaterThanOrEqual(300)
    expect(answered).toBeLessThan(310)
    const health = await deployed(`${BASE}/health`, fromEdge('198.51.100.7'))
    expect(health.status).toBe(429)
    expect(health.headers.get('retry-after')).toBeTruthy()
    expect((await deployed(`${BASE}/no/such/route`, fromEdge('198.51.100.8'))).status).toBe(404)
  })
})

describe('when the RateLimiter cannot be reached', () => {
  // Failure injection: a namespace whose objects fail as an overloaded or unreachable object does.
  const unreachable = {
    getByName: () => ({ consume: () => Promise.reject(new Error('Durable Object is overloaded')) }),
  } as unknown as Env['RATE_LIMITER']
  const hanging = {
    getByName: () => ({ consume: () => new Promise(() => undefined) }),
  } as unknown as Env['RATE_LIMITER']
  const call: CallSubject = { tenant: 'acme', userId: 1, username: 'alice', tool: 'execute_sql' }

  function limiterWith(namespace: Env['RATE_LIMITER'], failMode: 'open' | 'closed') {
    const lines: Record<string, unknown>[] = []
    const limiter = createLimiter({
      env: { CONFIG: env.CONFIG, RATE_LIMITER: namespace },
      config: { limits: { failMode, ipLimit: undefined } },
      log: createLogger('info', {}, (line) => lines.push(JSON.parse(line))),
      waitUntil: () => undefined,
      timeoutMs: 50,
    })
    return { limiter, lines }
  }

  it('admits the call in fail mode "open", counted and logged', async () => {
    const before = isolateMetrics.countedSoFar({
      series: 'mcp_rate_limiter_unreachable_total',
      labels: { action: 'allowed' },
    })
    const { limiter, lines } = limiterWith(unreachable, 'open')
    expect(await limiter.admit(call)).toEqual({ allowed: true, headers: {} })
    expect(
      isolateMetrics.countedSoFar({
        series: 'mcp_rate_limiter_unreachable_total',
        labels: { action: 'allowed' },
      }),
    ).toBe(before + 1)
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'error',
        event: 'rate_limiter_unreachable',
        fail_mode: 'open',
        error_message: 'Durable Object is overloaded',
      }),
    )
  })

  it('refuses the call in fail mode "closed" with a retry hint', async () => {
    const before = isolateMetrics.countedSoFar({
      series: 'mcp_rate_limiter_unreachable_total',
      labels: { action: 'refused' },
    })
    const { limiter } = limiterWith(unreachable, 'closed')
    const admission = await limiter.admit(call)
    expect(admission).toMatchObject({
      allowed: false,
      headers: { 'Retry-After': '5' },
      error: {
        type: 'RateLimitExceeded',
        details: { reason: 'limiter_unavailable', retry_after_seconds: 5 },
      },
    })
    expect(
      isolateMetrics.countedSoFar({
        series: 'mcp_rate_limiter_unreachable_total',
        labels: { action: 'refused' },
      }),
    ).toBe(before + 1)
  })

  it('treats an object that does not answer in time as unreachable', async () => {
    const { limiter, lines } = limiterWith(hanging, 'closed')
    expect(await limiter.admit(call)).toMatchObject({ allowed: false })
    expect(lines).toContainEqual(expect.objectContaining({ error_message: 'no answer within 50 ms' }))
  })

  it('reads MCP_RATE_LIMIT_FAIL_MODE and MCP_IP_RATE_LIMIT from the configuration, naming bad values', () => {
    const base = { DATABASE_URL: 'postgres://u@db:5432/superset', MCP_DEV_USERNAME: 'admin' }
    const defaults = loadConfig(base)
    expect(defaults.ok && defaults.config.limits).toEqual({
      failMode: 'open',
      ipLimit: { count: 300, windowMs: 60_000, text: '300 per minute' },
    })
    const set = loadConfig({ ...base, MCP_RATE_LIMIT_FAIL_MODE: 'closed', MCP_IP_RATE_LIMIT: 'off' })
    expect(set.ok && set.config.limits).toEqual({ failMode: 'closed', ipLimit: undefined })
    // A token bucket is one number: counts beyond the moving window's 10 000 are fine here.
    const large = loadConfig({ ...base, MCP_IP_RATE_LIMIT: '100000/minute' })
    expect(large.ok && large.config.limits.ipLimit).toEqual({
      count: 100_000,
      windowMs: 60_000,
      text: '100000 per minute',
    })
    const bad = loadConfig({ ...base, MCP_RATE_LIMIT_FAIL_MODE: 'maybe', MCP_IP_RATE_LIMIT: '300 per week' })
    expect(bad.ok ? [] : bad.problems).toEqual([
      expect.stringMatching(/^MCP_RATE_LIMIT_FAIL_MODE: /),
      'MCP_IP_RATE_LIMIT: "300 per week" has an unknown unit "week"; use second, minute, hour or day, or "off"',
    ])
  })
})
