/**
 * The catalog cache: hits and misses, never across permission boundaries, invalidated by writes, robust
 * to KV failures and corrupt entries, honouring force_refresh / use_cache, and expiring with its TTL.
 * Every call goes through the Worker's fetch, so the cache is the one a deployment has, over the Worker's
 * KV binding CACHE. (A .writes test: it creates a chart to check invalidation.)
 */
import { env } from 'cloudflare:workers'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { cacheKeys, clearMemoryCache, forgetChanges } from '../../src/cache'
import { callAs, type EnvOverrides } from '../helpers/call-as'
import { createUser } from '../helpers/db'
import { callHttpTool } from '../helpers/mcp'
import { relaxLimits } from '../helpers/limits'

relaxLimits()

/** One call; the Worker's background work (the cache's KV writes) is done when it returns. */
const call = (
  username: string,
  tool: string,
  request: unknown = {},
  overrides?: EnvOverrides,
): Promise<any> => callAs(username, tool, request, overrides)

const ids = (result: any, key: string): number[] =>
  result[key].map((item: any) => item.id).sort((a: number, b: number) => a - b)

/** The stored answers of `tool`, in KV (every answer the cache keeps is written there too). */
const storedAnswers = async (tool: string): Promise<string[]> =>
  (await env.CACHE.list({ prefix: `v1:tool:default:${tool}:` })).keys.map((key) => key.name)

/**
 * Moves the clock the Worker reads (Date only: timers, I/O and the database keep real time), for the
 * cache's TTLs; the clock stands still between moves. Undone after each test.
 */
function advanceClock(ms: number): void {
  if (!vi.isFakeTimers()) vi.useFakeTimers({ toFake: ['Date'] })
  vi.setSystemTime(Date.now() + ms)
}

beforeEach(async () => {
  // Each test starts with an empty cache: nothing in isolate memory, nothing stored in KV. Its view of
  // Superset's changes is read afresh too, so no background refresh re-keys answers within a test when
  // other test files change Superset's tables meanwhile (an out-of-band change, to this file).
  clearMemoryCache()
  forgetChanges()
  let cursor: string | undefined
  do {
    const page = await env.CACHE.list({ prefix: 'v1:tool:', ...(cursor === undefined ? {} : { cursor }) })
    await Promise.all(page.keys.map((key) => env.CACHE.delete(key.name)))
    cursor = page.list_complete ? undefined : page.cursor
  } while (cursor !== undefined)
})

afterEach(() => {
  vi.useRealTimers()
})

describe('hits and misses', () => {
  it('answers the second identical call from the cache, and says so', async () => {
    const first = await call('admin', 'list_charts', { page_size: 5 })
    expect(first.cache_status).toBe('miss')
    const second = await call('admin', 'list_charts', { page_size: 5 })
    expect(second.cache_status).toBe('hit')
    expect({ ...second, cache_status: 'miss' }).toEqual(first)
    expect((await call('admin', 'list_charts', { page_size: 6 })).cache_status).toBe('miss')
  })

  it('treats equivalent requests as the same question (defaults applied, cache flags ignored)', async () => {
    await call('admin', 'list_databases', {})
    expect(
      (await call('admin', 'list_databases', { page: 1, page_size: 10, use_cache: true })).cache_status,
    ).toBe('hit')
  })

  it('serves from KV once isolate memory has forgotten', async () => {
    await call('admin', 'get_dataset_info', { identifier: 1 })
    clearMemoryCache()
    expect((await call('admin', 'get_dataset_info', { identifier: 1 })).cache_status).toBe('hit')
  })

  it('reports the cache status in a header over plain HTTP', async () => {
    const first = await callHttpTool('list_datasets', { page_size: 3 })
    const second = await callHttpTool('list_datasets', { page_size: 3 })
    expect(first.headers.get('x-cache-status')).toBe('miss')
    expect(second.headers.get('x-cache-status')).toBe('hit')
    expect(((await second.json()) as any).cache_status).toBe('hit')
  })

  it('never caches writes, chart data or SQL', async () => {
    // The writes come from a user of their own (kept, like the objects it creates): a writer's reads
    // skip the cache for a while, and the other tests expect hits for the demo users.
    const author = `cache_probe_${crypto.randomUUID().slice(0, 8)}`
    await createUser(author, ['Alpha', 'sql_lab'])
    // Each is asked the same twice, of something that answers differently every time it really runs.
    const twice = async (username: string, tool: string, request: unknown): Promise<any[]> => [
      await call(username, tool, request),
      await call(username, tool, request),
    ]

    // Chart data: a chart over a virtual dataset whose one row is a fresh UUID, read by the admin.
    const dataset = await call(author, 'create_virtual_dataset', {
      database_id: 1,
      schema: 'sales',
      table_name: `cache_probe_${crypto.randomUUID().slice(0, 8)}`,
      sql: 'SELECT gen_random_uuid()::text AS probe',
    })
    const { chart } = await call(author, 'generate_chart', {
      dataset_id: dataset.id,
      config: { chart_type: 'table', columns: [{ name: 'probe' }] },
      save_chart: true,
      chart_name: 'Cache probe: chart data',
    })
    const data = await twice('admin', 'get_chart_data', { identifier: chart.id })
    expect(data[1].data[0].probe).not.toBe(data[0].data[0].probe)
    // The tool's own status (6.1's CacheStatus object): never from the cache.
    expect(data.map((answer) => answer.cache_status.cache_hit)).toEqual([false, false])

    // SQL.
    const runs = await twice('admin', 'execute_sql', {
      database_id: 1,
      sql: 'SELECT gen_random_uuid()::text AS probe',
    })
    expect(runs[1].rows[0].probe).not.toBe(runs[0].rows[0].probe)
    for (const answer of runs) expect(answer).not.toHaveProperty('cache_status')

    // A write: the same save twice saves twice (a cached answer would repeat the first one's id).
    const saves = await twice(author, 'save_sql_query', {
      database_id: 1,
      label: 'Cache probe: write',
      sql: 'SELECT 1',
    })
    expect(saves[1].id).not.toBe(saves[0].id)
    for (const answer of saves) expect(answer).not.toHaveProperty('cache_status')

    // Nothing of theirs was stored, while a catalog answer is.
    for (const tool of [
      'get_chart_data',
      'execute_sql',
      'save_sql_query',
      'create_virtual_dataset',
      'generate_chart',
    ])
      expect(await storedAnswers(tool)).toEqual([])
    expect((await call('admin', 'get_chart_info', { identifier: chart.id })).cache_status).toBe('miss')
    expect(await storedAnswers('get_chart_info')).toHaveLength(1)
  })
})

describe('permission boundaries', () => {
  it('does not give a narrower user the answer computed for a broader one', async () => {
    // Other write tests add datasets to the same database meanwhile: check the seeded ones only.
    const seeded = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
    const broad = await call('alice', 'list_datasets', { page_size: 100, select_columns: ['id'] })
    expect(ids(broad, 'datasets')).toEqual(expect.arrayContaining(seeded))
    const narrow = await call('bob', 'list_datasets', { page_size: 100, select_columns: ['id'] })
    expect(narrow.cache_status).toBe('miss')
    expect(ids(narrow, 'datasets').filter((id) => seeded.includes(id))).toEqual([1, 2, 3, 8])
    const none = await call('erin', 'list_datasets', { page_size: 100, select_columns: ['id'] })
    expect(ids(none, 'datasets')).toEqual([])
  })

  it('shares answers between users with identical permissions', async () => {
    await call('carol', 'list_charts', { page_size: 100, select_columns: ['id'] })
    const shared = await call('kim', 'list_charts', { page_size: 100, select_columns: ['id'] })
    expect(shared.cache_status).toBe('hit')
    expect(ids(shared, 'charts')).toEqual([16, 17, 18, 19, 20, 21])
  })

  it('keeps answers that depend on ownership per user', async () => {
    // carol and kim hold the same permissions, but dashboards also depend on who owns them.
    await call('carol', 'list_dashboards', { select_columns: ['id'] })
    expect((await call('kim', 'list_dashboards', { select_columns: ['id'] })).cache_status).toBe('miss')
  })

  it('keeps different settings apart (DASHBOARD_RBAC changes who sees what)', async () => {
    await call('alice', 'list_dashboards', { select_columns: ['id'] })
    const withRbac = await call(
      'alice',
      'list_dashboards',
      { select_columns: ['id'] },
      { MCP_DASHBOARD_RBAC: 'true' },
    )
    expect(withRbac.cache_status).toBe('miss')
    expect(ids(withRbac, 'dashboards')).not.toContain(2)
  })
})

describe('freshness', () => {
  it("shows a chart created through the gateway in its author's next list, and to others at once in this isolate", async () => {
    const before = await call('alice', 'list_charts', {
      page_size: 100,
      select_columns: ['id'],
      order_column: 'id',
    })
    await call('admin', 'list_charts', { page_size: 100, select_columns: ['id'], order_column: 'id' })
    const { chart } = await call('alice', 'generate_chart', {
      dataset_id: 1,
      config: {
        chart_type: 'table',
        columns: [{ name: 'region' }, { name: 'order_total', aggregate: 'SUM' }],
      },
      save_chart: true,
      chart_name: 'Cache freshness probe',
    })
    const after = await call('alice', 'list_charts', {
      page_size: 100,
      select_columns: ['id'],
      order_column: 'id',
    })
    expect(after.cache_status).not.toBe('hit')
    expect(ids(after, 'charts')).toEqual([...ids(before, 'charts'), chart.id].sort((a, b) => a - b))
    // Other users: the write bumped the generation of charts, so their cached lists are not reused.
    const admin = await call('admin', 'list_charts', {
      page_size: 100,
      select_columns: ['id'],
      order_column: 'id',
    })
    expect(admin.cache_status).toBe('miss')
    expect(ids(admin, 'charts')).toContain(chart.id)
    // …and other isolates learn it from KV.
    expect(await env.CACHE.get(cacheKeys.generation('default', 'chart'))).toMatch(/^\d+$/)
  })

  it('refreshes on force_refresh (and keeps the fresh answer), skips the cache with use_cache=false', async () => {
    await call('admin', 'list_databases', { page_size: 4 })
    const forced = await call('admin', 'list_databases', { page_size: 4, force_refresh: true })
    expect(forced.cache_status).toBe('bypass')
    expect((await call('admin', 'list_databases', { page_size: 4 })).cache_status).toBe('hit')
    expect((await call('admin', 'list_databases', { page_size: 4, use_cache: false })).cache_status).toBe(
      'bypass',
    )
  })

  it("expires entries after the TTL (memory after seconds, KV after the tool's TTL)", async () => {
    advanceClock(0)
    await call('admin', 'get_database_info', { identifier: 1 })
    advanceClock(11_000)
    clearMemoryCache() // memory has forgotten by now; this hit can only come from KV
    expect((await call('admin', 'get_database_info', { identifier: 1 })).cache_status).toBe('hit')
    advanceClock(300_000)
    expect((await call('admin', 'get_database_info', { identifier: 1 })).cache_status).toBe('miss')
  })
})

describe('robustness', () => {
  it('treats a corrupt entry as a miss, and replaces it', async () => {
    await call('admin', 'list_databases', { page_size: 2 })
    const listed = await env.CACHE.list({ prefix: 'v1:tool:default:list_databases:' })
    expect(listed.keys.length).toBeGreaterThan(0)
    for (const { name } of listed.keys) await env.CACHE.put(name, '{not json')
    clearMemoryCache()
    advanceClock(2_000)
    const answer = await call('admin', 'list_databases', { page_size: 2 })
    expect(answer.cache_status).toBe('miss')
    expect(answer.databases).toHaveLength(2)
    clearMemoryCache()
    expect((await call('admin', 'list_databases', { page_size: 2 })).cache_status).toBe('hit')
  })

  it('answers from Postgres when KV fails, without an error', async () => {
    // The Worker's CACHE binding replaced by one whose every read and write fails.
    const failing = {
      get: () => Promise.reject(new Error('KV is down')),
      put: () => Promise.reject(new Error('KV is down')),
    } as unknown as KVNamespace
    const answer = await call('admin', 'list_charts', { page_size: 3 }, { CACHE: failing })
    expect(answer.cache_status).toBe('miss')
    expect(answer.charts).toHaveLength(3)
  })
})
