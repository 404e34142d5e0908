/**
 * GET /metrics: Prometheus text (parsed here line by line) over counts that isolates flush to the
 * MetricsAggregator shards. Tool calls by tool and status, latency histograms, cache results, limits,
 * authentication failures, database errors and the audit trail; the bearer token; the aggregation.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { env } from 'cloudflare:workers'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  createRequestFacts,
  FLUSH_AFTER_REQUESTS,
  IsolateMetrics,
  writeCallDataPoints,
  type AggregatorNamespace,
} from '../../src/observability'
import { sql } from '../../src/db'
import { withMetadataDb } from '../helpers/db'
import { eventually } from '../helpers/eventually'
import { BASE } from '../helpers/mcp'
import { authEnv, bearer, callTool, devEnv, gatewayFetch, tamperedToken, TestRealm } from '../helpers/tokens'

// ---------------------------------------------------------------------------------------------------
// A small parser for the Prometheus text exposition format (0.0.4), strict enough to catch bad output.

interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

interface Exposition {
  samples: Sample[]
  types: Map<string, string>
  help: Map<string, string>
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/
const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/

function parsePrometheus(text: string): Exposition {
  expect(text.endsWith('\n')).toBe(true)
  const exposition: Exposition = { samples: [], types: new Map(), help: new Map() }
  let family: string | undefined
  for (const line of text.slice(0, -1).split('\n')) {
    const comment = /^# (HELP|TYPE) (\S+) (.+)$/.exec(line)
    if (comment !== null) {
      const [, kind, name, rest] = comment
      expect(name).toMatch(METRIC_NAME)
      if (kind === 'TYPE') {
        expect(['counter', 'gauge', 'histogram', 'summary', 'untyped']).toContain(rest)
        expect(exposition.types.has(name!)).toBe(false)
        exposition.types.set(name!, rest!)
        family = name
      } else exposition.help.set(name!, rest!)
      continue
    }
    const sample = SAMPLE_LINE.exec(line)
    expect(sample, `not a sample line: ${line}`).not.toBeNull()
    const [, name, , labelText, value] = sample!
    // A sample belongs to the family declared last (its name, or name_bucket/_sum/_count for a histogram).
    expect(family).toBeDefined()
    expect(name === family || name!.replace(/_(bucket|sum|count)$/, '') === family).toBe(true)
    exposition.samples.push({ name: name!, labels: parseLabels(labelText ?? ''), value: parseValue(value!) })
  }
  return exposition
}

function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {}
  const pattern = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)/y
  let match: RegExpExecArray | null
  while (pattern.lastIndex < text.length && (match = pattern.exec(text)) !== null) {
    labels[match[1]!] = match[2]!.replace(/\\(.)/g, (_, char: string) => (char === 'n' ? '\n' : char))
  }
  expect(pattern.lastIndex, `bad labels: ${text}`).toBe(text.length)
  return labels
}

function parseValue(text: string): number {
  if (text === '+Inf') return Number.POSITIVE_INFINITY
  if (text === '-Inf') return Number.NEGATIVE_INFINITY
  const value = Number(text)
  expect(Number.isNaN(value) && text !== 'NaN').toBe(false)
  return value
}

/** The value of one series (0 when absent): labels must match exactly. */
function valueOf(exposition: Exposition, name: string, labels: Record<string, string> = {}): number {
  const wanted = JSON.stringify(Object.entries(labels).sort())
  const found = exposition.samples.find(
    (sample) => sample.name === name && JSON.stringify(Object.entries(sample.labels).sort()) === wanted,
  )
  return found?.value ?? 0
}

/** The sum of every series of `name` whose labels include `labels`. */
function sumOf(exposition: Exposition, name: string, labels: Record<string, string> = {}): number {
  return exposition.samples
    .filter((sample) => sample.name === name)
    .filter((sample) => Object.entries(labels).every(([key, value]) => sample.labels[key] === value))
    .reduce((total, sample) => total + sample.value, 0)
}

/** Every histogram's buckets are cumulative, and +Inf equals its _count. */
function expectConsistentHistograms(exposition: Exposition): void {
  for (const [family, type] of exposition.types) {
    if (type !== 'histogram') continue
    const buckets = exposition.samples.filter((sample) => sample.name === `${family}_bucket`)
    const bySeries = new Map<string, Sample[]>()
    for (const sample of buckets) {
      const series = JSON.stringify(Object.entries(sample.labels).filter(([key]) => key !== 'le'))
      bySeries.set(series, [...(bySeries.get(series) ?? []), sample])
    }
    for (const [series, samples] of bySeries) {
      const bounds = samples.map((sample) => parseValue(sample.labels.le!))
      expect(bounds).toEqual([...bounds].sort((a, b) => a - b))
      const counts = samples.map((sample) => sample.value)
      expect(counts).toEqual([...counts].sort((a, b) => a - b))
      const labels = Object.fromEntries(JSON.parse(series) as [string, string][])
      expect(counts.at(-1)).toBe(valueOf(exposition, `${family}_count`, labels))
    }
  }
}

// ---------------------------------------------------------------------------------------------------

const scrapeEnv = devEnv()

async function scrape(
  testEnv: Cloudflare.Env = scrapeEnv,
  headers: Record<string, string> = {},
): Promise<Exposition> {
  const response = await gatewayFetch(testEnv)(`${BASE}/metrics`, { headers })
  expect(response.status).toBe(200)
  expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8')
  const exposition = parsePrometheus(await response.text())
  expectConsistentHistograms(exposition)
  return exposition
}

async function connect(testEnv: Cloudflare.Env, headers: Record<string, string> = {}): Promise<Client> {
  const client = new Client({ name: 'metrics-tests', version: '1.0.0' })
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${BASE}/mcp`), {
      fetch: gatewayFetch(testEnv),
      requestInit: { headers },
    }),
  )
  return client
}

describe('GET /metrics after calls through an MCP client', () => {
  it('shows the calls by tool and status, their latency, errors by type and cache results', async () => {
    const before = await scrape()
    const client = await connect(devEnv())
    await client.callTool({ name: 'list_dashboards', arguments: { request: { page_size: 2 } } })
    await client.callTool({ name: 'list_dashboards', arguments: { request: { page_size: 2 } } })
    const missing = await client.callTool({
      name: 'get_dashboard_info',
      arguments: { request: { identifier: 987654 } },
    })
    expect(missing.isError).toBe(true)
    await expect(client.callTool({ name: 'no_such_tool', arguments: {} })).rejects.toThrow(/Unknown tool/)
    await client.close()
    const after = await scrape()
    const delta = (name: string, labels: Record<string, string>): number =>
      valueOf(after, name, labels) - valueOf(before, name, labels)

    expect(delta('mcp_requests_total', { tool: 'list_dashboards', status: 'success' })).toBe(2)
    expect(delta('mcp_requests_total', { tool: 'get_dashboard_info', status: 'error' })).toBe(1)
    expect(delta('mcp_tool_errors_total', { tool: 'get_dashboard_info', error_type: 'NotFoundError' })).toBe(
      1,
    )
    // A tool name the caller made up is never a label of its own.
    expect(delta('mcp_requests_total', { tool: 'unknown', status: 'error' })).toBe(1)
    expect(after.samples.some((sample) => sample.labels.tool === 'no_such_tool')).toBe(false)

    expect(delta('mcp_request_duration_seconds_count', { tool: 'list_dashboards' })).toBe(2)
    expect(delta('mcp_request_duration_seconds_bucket', { tool: 'list_dashboards', le: '+Inf' })).toBe(2)
    expect(valueOf(after, 'mcp_request_duration_seconds_sum', { tool: 'list_dashboards' })).toBeGreaterThan(0)
    const cacheResults = ['hit', 'miss', 'bypass'].map((result) =>
      delta('mcp_cache_requests_total', { tool: 'list_dashboards', result }),
    )
    expect(cacheResults.reduce((total, count) => total + count, 0)).toBe(2)

    // initialize, notifications/initialized (202), the calls, and whatever the client listed.
    expect(delta('mcp_http_requests_total', { route: 'mcp', code: '200' })).toBeGreaterThanOrEqual(5)
    expect(delta('mcp_http_requests_total', { route: 'mcp', code: '202' })).toBe(1)
    // The first scrape is a request too, counted once it finished.
    expect(delta('mcp_http_requests_total', { route: 'metrics', code: '200' })).toBe(1)
  })

  it('declares every family with HELP and TYPE, and reports the build', async () => {
    const exposition = await scrape()
    for (const [name, type] of [
      ['mcp_requests_total', 'counter'],
      ['mcp_request_duration_seconds', 'histogram'],
      ['mcp_cache_requests_total', 'counter'],
      ['mcp_rate_limit_rejections_total', 'counter'],
      ['mcp_auth_failures_total', 'counter'],
      ['mcp_database_errors_total', 'counter'],
      ['mcp_audit_records_total', 'counter'],
      ['mcp_http_requests_total', 'counter'],
      ['mcp_build_info', 'gauge'],
    ] as const) {
      expect(exposition.types.get(name)).toBe(type)
      expect(exposition.help.get(name)).toBeTruthy()
    }
    expect(sumOf(exposition, 'mcp_build_info', { environment: 'development' })).toBe(1)
    expect(valueOf(exposition, 'mcp_metrics_flushes_total')).toBeGreaterThan(0)
    expect(valueOf(exposition, 'mcp_metrics_last_flush_timestamp_seconds')).toBeGreaterThan(
      Date.now() / 1000 - 600,
    )
  })

  it('counts audit records queued after the response, then written by the queue consumer', async () => {
    const before = await scrape()
    const response = await callTool(devEnv(), 'list_databases', undefined)
    expect(response.status).toBe(200)
    const requestId = response.headers.get('x-request-id')!
    const counted = (exposition: typeof before, result: string): number =>
      valueOf(exposition, 'mcp_audit_records_total', { result }) -
      valueOf(before, 'mcp_audit_records_total', { result })
    // This call's own row arrives through the queue within its max_batch_timeout (1 s locally).
    const ownRow = () =>
      withMetadataDb((db) =>
        db.query(sql`SELECT id FROM mcp_gateway.audit_log WHERE request_id = ${requestId}`),
      )
    await eventually(async () => expect(await ownRow()).toHaveLength(1), { timeout: 5_000, interval: 100 })
    const after = await scrape()
    // Other test files' isolates flush to the same aggregator at the same time: at least this call.
    expect(counted(after, 'queued')).toBeGreaterThanOrEqual(1)
    expect(counted(after, 'written')).toBeGreaterThanOrEqual(1)
  })

  it('counts database errors by database and error type', async () => {
    const broken = devEnv({ DATABASE_URL: 'postgres://gateway@127.0.0.1:1/superset' })
    const before = await scrape()
    expect((await callTool(broken, 'list_dashboards', undefined)).status).toBe(502)
    const after = await scrape()
    const labels = { database: 'metadata', error_type: 'UpstreamError' }
    expect(valueOf(after, 'mcp_database_errors_total', labels)).toBeGreaterThan(
      valueOf(before, 'mcp_database_errors_total', labels),
    )
    expect(
      valueOf(after, 'mcp_http_requests_total', { route: 'tool', code: '502' }) -
        valueOf(before, 'mcp_http_requests_total', { route: 'tool', code: '502' }),
    ).toBe(1)
  })
})

describe('authentication failures and limits', () => {
  let realm: TestRealm
  beforeAll(async () => {
    realm = TestRealm.create('metrics')
    await env.CONFIG.put(
      'limits:metrics-rl',
      JSON.stringify({ per_tool_limits: { health_check: '1 per minute' } }),
    )
  })

  it('counts authentication failures by reason', async () => {
    const testEnv = authEnv(realm)
    const token = await realm.mint('admin')
    const before = await scrape()
    expect((await callTool(testEnv, 'health_check', undefined)).status).toBe(401)
    expect((await callTool(testEnv, 'health_check', undefined)).status).toBe(401)
    expect((await callTool(testEnv, 'health_check', bearer(tamperedToken(token, { sub: 'x' })))).status).toBe(
      401,
    )
    const after = await scrape()
    const delta = (labels: Record<string, string>): number =>
      sumOf(after, 'mcp_auth_failures_total', labels) - sumOf(before, 'mcp_auth_failures_total', labels)
    expect(delta({ reason: 'missing_token' })).toBe(2)
    expect(delta({})).toBe(3)
  })

  it('counts rate-limit rejections by scope and as failed calls of the tool', async () => {
    const testEnv = authEnv(realm)
    const token = await realm.mint('admin', { tenant: 'metrics-rl' })
    const before = await scrape()
    expect((await callTool(testEnv, 'health_check', bearer(token))).status).toBe(200)
    expect((await callTool(testEnv, 'health_check', bearer(token))).status).toBe(429)
    const after = await scrape()
    const delta = (name: string, labels: Record<string, string>): number =>
      valueOf(after, name, labels) - valueOf(before, name, labels)
    expect(delta('mcp_rate_limit_rejections_total', { scope: 'tool' })).toBe(1)
    expect(delta('mcp_tool_errors_total', { tool: 'health_check', error_type: 'RateLimitExceeded' })).toBe(1)
    expect(delta('mcp_requests_total', { tool: 'health_check', status: 'success' })).toBe(1)
    expect(delta('mcp_http_requests_total', { route: 'tool', code: '429' })).toBe(1)
  })
})

describe('who may scrape', () => {
  const TOKEN = 'metrics-scrape-token-0123456789'

  it('needs the bearer MCP_METRICS_TOKEN when one is set (401 with a challenge otherwise)', async () => {
    const guarded = devEnv({ MCP_METRICS_TOKEN: TOKEN })
    for (const authorization of [undefined, 'Bearer wrong-token', `Basic ${btoa(`x:${TOKEN}`)}`, TOKEN]) {
      const response = await gatewayFetch(guarded)(`${BASE}/metrics`, {
        headers: authorization === undefined ? {} : { authorization },
      })
      expect(response.status).toBe(401)
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="metrics"')
      expect(((await response.json()) as any).error_type).toBe('AuthenticationError')
    }
    const exposition = await scrape(guarded, { authorization: `Bearer ${TOKEN}` })
    expect(exposition.types.get('mcp_requests_total')).toBe('counter')
  })

  it('is refused with 403 outside development when no token is set, and open in development', async () => {
    for (const environment of ['staging', 'production']) {
      const response = await gatewayFetch(devEnv({ MCP_ENVIRONMENT: environment }))(`${BASE}/metrics`)
      expect(response.status).toBe(403)
      const body = (await response.json()) as any
      expect(body).toMatchObject({
        error_type: 'PermissionDeniedError',
        details: { reason: 'metrics_token_not_set' },
      })
      expect(body.error).toContain('MCP_METRICS_TOKEN')
    }
    await scrape(devEnv({ MCP_ENVIRONMENT: 'development' }))
  })

  it('with authentication on, takes the token or a gateway admin JWT, and nothing else', async () => {
    const realm = TestRealm.create('metrics-scrape')
    const authenticated = authEnv(realm, { MCP_METRICS_TOKEN: TOKEN })
    const status = async (authorization?: string) =>
      gatewayFetch(authenticated)(`${BASE}/metrics`, {
        headers: authorization === undefined ? {} : { authorization },
      })

    const anonymous = await status()
    expect(anonymous.status).toBe(401)
    // The MCP challenge of every authenticated route, pointing at the resource metadata.
    expect(anonymous.headers.get('www-authenticate')).toContain('resource_metadata=')
    expect((await status('Bearer wrong-token')).status).toBe(401)
    // Bob's token, rewritten to name the admin: the signature no longer matches.
    const forged = tamperedToken(await realm.mint('bob'), { sub: 'admin', preferred_username: 'admin' })
    expect((await status(bearer(forged))).status).toBe(401)

    const notAdmin = await status(bearer(await realm.mint('bob')))
    expect(notAdmin.status).toBe(403)
    expect(await notAdmin.json()).toMatchObject({
      error_type: 'PermissionDeniedError',
      details: { reason: 'not_gateway_admin' },
    })

    await scrape(authenticated, { authorization: bearer(await realm.mint('admin')) })
    await scrape(authenticated, { authorization: `Bearer ${TOKEN}` })
  })
})

describe('aggregation across isolates', () => {
  const namespace = (): AggregatorNamespace => env.METRICS_AGGREGATOR

  function factsWithCall(tool: string, durationMs: number) {
    const facts = createRequestFacts('synthetic')
    facts.calls.push({
      tool,
      tenant: 'default',
      transport: 'http',
      outcome: 'success',
      errorType: null,
      durationMs,
      cacheStatus: null,
      endedAt: Date.now(),
    })
    return facts
  }

  it('adds up what several isolates flushed to different shards', async () => {
    const before = await scrape()
    const isolates = [new IsolateMetrics(), new IsolateMetrics(), new IsolateMetrics()]
    isolates.forEach((isolate, index) => {
      for (let call = 0; call <= index; call++) {
        isolate.record(factsWithCall('get_schema', 30), { route: 'tool', status: 200, durationMs: 31 })
      }
    })
    await Promise.all(isolates.map((isolate) => isolate.flush(namespace())))
    const after = await scrape()
    expect(
      valueOf(after, 'mcp_requests_total', { tool: 'get_schema', status: 'success' }) -
        valueOf(before, 'mcp_requests_total', { tool: 'get_schema', status: 'success' }),
    ).toBe(6)
    expect(
      valueOf(after, 'mcp_request_duration_seconds_bucket', { tool: 'get_schema', le: '0.05' }) -
        valueOf(before, 'mcp_request_duration_seconds_bucket', { tool: 'get_schema', le: '0.05' }),
    ).toBe(6)
  })

  it('keeps a batch whose flush failed and sends it with the next one: nothing lost, nothing twice', async () => {
    const isolate = new IsolateMetrics()
    isolate.record(factsWithCall('get_chart_type_schema', 5), { route: 'tool', status: 200, durationMs: 6 })
    let attempts = 0
    const failing = {
      getByName: () => ({
        add: () => {
          attempts++
          return Promise.reject(new Error('aggregator unavailable'))
        },
      }),
    } as unknown as AggregatorNamespace
    await expect(isolate.flush(failing)).rejects.toThrow('aggregator unavailable')
    expect(attempts).toBe(1)
    isolate.record(factsWithCall('get_chart_type_schema', 5), { route: 'tool', status: 200, durationMs: 6 })
    const before = await scrape()
    await isolate.flush(namespace())
    await isolate.flush(namespace())
    const after = await scrape()
    expect(
      valueOf(after, 'mcp_requests_total', { tool: 'get_chart_type_schema', status: 'success' }) -
        valueOf(before, 'mcp_requests_total', { tool: 'get_chart_type_schema', status: 'success' }),
    ).toBe(2)
  })

  it('is due to flush after FLUSH_AFTER_REQUESTS requests or the interval, not before', async () => {
    const isolate = new IsolateMetrics()
    const now = Date.now()
    expect(isolate.flushDue(now)).toBe(true)
    await isolate.flush(namespace(), now)
    expect(isolate.flushDue(now + 1_000)).toBe(false)
    for (let request = 0; request < FLUSH_AFTER_REQUESTS; request++) {
      isolate.record(createRequestFacts('r'), { route: 'health', status: 200, durationMs: 1 })
    }
    expect(isolate.flushDue(now + 1_000)).toBe(true)
    await isolate.flush(namespace(), now + 1_000)
    expect(isolate.flushDue(now + 2_000)).toBe(false)
    expect(isolate.flushDue(now + 11_000)).toBe(true)
  })
})

describe('Workers Analytics Engine', () => {
  it('writes one data point per tool call, tenant as the index, never arguments', () => {
    const points: AnalyticsEngineDataPoint[] = []
    const dataset = { writeDataPoint: (point?: AnalyticsEngineDataPoint) => points.push(point!) }
    const facts = createRequestFacts('req-1')
    facts.calls.push({
      tool: 'execute_sql',
      tenant: 'acme',
      transport: 'mcp',
      outcome: 'error',
      errorType: 'TimeoutError',
      durationMs: 812,
      cacheStatus: null,
      endedAt: Date.now(),
    })
    writeCallDataPoints(dataset, facts, 7)
    writeCallDataPoints(undefined, facts, 7)
    expect(points).toEqual([
      {
        indexes: ['acme'],
        blobs: ['execute_sql', 'error', 'TimeoutError', '', 'mcp', 'acme', '7', 'req-1'],
        doubles: [812],
      },
    ])
  })
})
