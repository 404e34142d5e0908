/**
 * Changes made in Superset itself (its UI, its API, SQL: anything but the gateway) reach cached answers
 * within the freshness bound: a renamed chart, a revoked grant, a dashboard restricted to a role. Both
 * ways of noticing are run: the change feed's triggers (installed by the test setup) and the fingerprints
 * read without them (MCP_TEST_CHANGE_FEED=fingerprint). MCP_TEST_FRESHNESS_MS shortens the intervals so
 * each wait is short; the waits are eventually(), never sleeps. Also: a cache hit with a fresh view of the
 * changes costs no database round trip, and POST /admin/cache/invalidate. (A .writes test: it changes
 * Superset's tables.)
 */
import { Client } from '@neondatabase/serverless'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { clearMemoryCache, forgetChanges } from '../../src/cache'
import { ident, sql } from '../../src/db'
import { forgetPrincipals } from '../../src/dispatch'
import { callAs, envFor, tokenFor, type EnvOverrides } from '../helpers/call-as'
import { createRole, createUser, withMetadataDb } from '../helpers/db'
import { eventually } from '../helpers/eventually'
import { relaxLimits } from '../helpers/limits'
import { BASE, modernRpc, rpcResult } from '../helpers/mcp'
import { AUDIENCE, bearer, gatewayFetch } from '../helpers/tokens'

relaxLimits()

const probe = (what: string) => `fresh_${what}_${crypto.randomUUID().slice(0, 8)}`

/** The window a change must show within here (the test intervals: 100 ms refresh, 200 ms maximum age). */
const WITHIN = { timeout: 10_000, interval: 100 }

beforeEach(() => {
  clearMemoryCache()
  forgetChanges()
  forgetPrincipals()
})

afterEach(() => {
  vi.restoreAllMocks()
})

describe.each([
  { mode: 'the change feed', overrides: { MCP_TEST_FRESHNESS_MS: '100' } },
  {
    mode: 'fingerprints (no feed)',
    overrides: { MCP_TEST_FRESHNESS_MS: '100', MCP_TEST_CHANGE_FEED: 'fingerprint' },
  },
])('changes made in Superset, noticed through $mode', ({ overrides }) => {
  const as = (username: string, tool: string, request: unknown, extra: EnvOverrides = {}) =>
    callAs(username, tool, request, { ...overrides, ...extra })

  it('shows a chart renamed in Superset in the cached answer', async () => {
    const id = await withMetadataDb(async (db) => {
      const [row] = await db.query<{ id: number }>(sql`
        INSERT INTO slices (created_on, changed_on, slice_name, datasource_type, datasource_id, viz_type, params, uuid)
        VALUES (now(), now(), ${probe('chart')}, 'table', 1, 'table', '{}', gen_random_uuid()) RETURNING id`)
      return row!.id
    })
    const first = await as('admin', 'get_chart_info', { identifier: id })
    expect((await as('admin', 'get_chart_info', { identifier: id })).cache_status).toBe('hit')
    const renamed = probe('renamed')
    await withMetadataDb((db) =>
      db.query(sql`UPDATE slices SET slice_name = ${renamed}, changed_on = now() WHERE id = ${id}`),
    )
    await eventually(async () => {
      const answer = await as('admin', 'get_chart_info', { identifier: id })
      expect(answer.slice_name).toBe(renamed)
    }, WITHIN)
    expect(first.slice_name).not.toBe(renamed)
  })

  it('shows a chart renamed by SQL whose changed_on is not the largest (Superset on a clock behind)', async () => {
    // Superset writes changed_on in its server's local time, the gateway in UTC: an update's changed_on
    // need not exceed every other row's, so the fingerprint must not rest on max(changed_on).
    const id = await withMetadataDb(async (db) => {
      const [row] = await db.query<{ id: number }>(sql`
        INSERT INTO slices (created_on, changed_on, slice_name, datasource_type, datasource_id, viz_type, params, uuid)
        VALUES (now(), now() - interval '2 hours', ${probe('chart')}, 'table', 1, 'table', '{}', gen_random_uuid()) RETURNING id`)
      // A later row (Superset's, written on its clock): the latest changed_on stays this one's.
      await db.query(sql`
        INSERT INTO slices (created_on, changed_on, slice_name, datasource_type, datasource_id, viz_type, params, uuid)
        VALUES (now(), now(), ${probe('later')}, 'table', 1, 'table', '{}', gen_random_uuid())`)
      return row!.id
    })
    await as('admin', 'get_chart_info', { identifier: id })
    expect((await as('admin', 'get_chart_info', { identifier: id })).cache_status).toBe('hit')
    const renamed = probe('renamed')
    await withMetadataDb((db) =>
      db.query(
        sql`UPDATE slices SET slice_name = ${renamed}, changed_on = changed_on + interval '1 hour' WHERE id = ${id}`,
      ),
    )
    await eventually(async () => {
      const answer = await as('admin', 'get_chart_info', { identifier: id })
      expect(answer.slice_name).toBe(renamed)
    }, WITHIN)
  })

  it('refuses a user deactivated by SQL that leaves changed_on alone', async () => {
    const user = probe('inactive')
    await createUser(user, ['Gamma'])
    // Remembered principals kept longer than the wait: only the view of changes can end it.
    const listed = () =>
      as(
        user,
        'list_datasets',
        { page_size: 100, select_columns: ['id'] },
        { MCP_PRINCIPAL_CACHE_SECONDS: '300' },
      )
    expect((await listed()).datasets).toBeDefined()
    await withMetadataDb((db) => db.query(sql`UPDATE ab_user SET active = false WHERE username = ${user}`))
    await eventually(async () => {
      await expect(listed()).rejects.toThrow()
    }, WITHIN)
  })

  it("drops a dataset from a user's cached list once Superset revokes the grant", async () => {
    const role = probe('role')
    const user = probe('user')
    await createRole(role, [{ permission: 'datasource_access', view: '[examples].[orders](id:1)' }])
    await createUser(user, ['Gamma', role])
    const listed = async () =>
      (await as(user, 'list_datasets', { page_size: 100, select_columns: ['id'] })).datasets.map(
        (dataset: { id: number }) => dataset.id,
      )
    expect(await listed()).toContain(1)
    expect((await as(user, 'list_datasets', { page_size: 100, select_columns: ['id'] })).cache_status).toBe(
      'hit',
    )
    await withMetadataDb((db) =>
      db.query(
        sql`DELETE FROM ab_permission_view_role WHERE role_id = (SELECT id FROM ab_role WHERE name = ${role})`,
      ),
    )
    await eventually(async () => expect(await listed()).not.toContain(1), WITHIN)
  })

  it('hides a dashboard restricted to a role in Superset (DASHBOARD_RBAC)', async () => {
    const rbac = { MCP_DASHBOARD_RBAC: 'true' }
    const user = probe('viewer')
    const role = probe('viewers')
    await createRole(role, [{ permission: 'datasource_access', view: '[examples].[orders](id:1)' }])
    await createUser(user, ['Gamma', role])
    const title = probe('dashboard')
    const dashboardId = await withMetadataDb(async (db) => {
      const [row] = await db.query<{ id: number }>(sql`
        INSERT INTO dashboards (created_on, changed_on, dashboard_title, position_json, json_metadata, published, uuid)
        VALUES (now(), now(), ${title}, '{}', '{}', true, gen_random_uuid()) RETURNING id`)
      // One chart on dataset 1, which the user may read: published and visible through data access.
      await db.query(sql`
        INSERT INTO dashboard_slices (dashboard_id, slice_id)
        SELECT ${row!.id}, min(id) FROM slices WHERE datasource_id = 1 AND datasource_type = 'table'`)
      return row!.id
    })
    const visible = async () =>
      (await as(user, 'list_dashboards', { page_size: 100, select_columns: ['id'] }, rbac)).dashboards.map(
        (dashboard: { id: number }) => dashboard.id,
      )
    expect(await visible()).toContain(dashboardId)
    await withMetadataDb((db) =>
      db.query(sql`
        INSERT INTO dashboard_roles (role_id, dashboard_id)
        SELECT id, ${dashboardId} FROM ab_role WHERE name = 'HR Restricted'`),
    )
    await eventually(async () => expect(await visible()).not.toContain(dashboardId), WITHIN)
  })
})

describe('the change feed', () => {
  it("is readable by the gateway's own role, not only by the role that installed it", async () => {
    // The gateway's role (docs/DEPLOYMENT.md, step 1) is not the owner of Superset's tables that installs
    // the feed: without a grant, every read of the generations, so every request, would fail.
    const reader = probe('gateway_role')
    const rows = await withMetadataDb(async (db) => {
      await db.query(sql`CREATE ROLE ${ident(reader)}`)
      await db.query(sql`GRANT USAGE ON SCHEMA mcp_gateway TO ${ident(reader)}`)
      await db.query(sql`SET ROLE ${ident(reader)}`)
      try {
        return await db.query(sql`SELECT kind, generation FROM mcp_gateway.superset_changes`)
      } finally {
        await db.query(sql`RESET ROLE`)
      }
    })
    expect(Array.isArray(rows)).toBe(true)
  })
})

describe('a cache hit', () => {
  it('costs no database round trip while the view of changes is fresh', async () => {
    // The built-in intervals (20 s / 40 s): the first call reads the changes, the second uses them.
    await callAs('admin', 'list_databases', { page_size: 3 })
    const statements: string[] = []
    const query = Client.prototype.query
    vi.spyOn(Client.prototype, 'query').mockImplementation(function (this: Client, ...args: any[]) {
      const text: unknown = args[0]
      statements.push(typeof text === 'string' ? text : String((text as { text?: string })?.text))
      return (query as (...all: any[]) => any).apply(this, args)
    })
    const second = await callAs('admin', 'list_databases', { page_size: 3 })
    expect(second.cache_status).toBe('hit')
    // The audit row may be inserted by the queue's consumer meanwhile: that is not the call's cost.
    expect(statements.filter((text) => !text.includes('mcp_gateway.audit_log'))).toEqual([])
    // …while a miss does query (the count sees the gateway's statements).
    expect((await callAs('admin', 'list_databases', { page_size: 2 })).cache_status).toBe('miss')
    expect(statements.length).toBeGreaterThan(0)
  })
})

describe('what clients are told (ttlMs)', () => {
  it('is never longer than the gateway uses its view of changes made in Superset', async () => {
    // Permissions kept for 300 s and an entry for 300 s: the view of changes (max age 2 s here) is the bound.
    const overrides = { MCP_TEST_FRESHNESS_MS: '1000', MCP_PRINCIPAL_CACHE_SECONDS: '300' }
    const asCarol = async (method: string, params: Record<string, unknown> = {}) => {
      const init = modernRpc(method, params)
      const headers = {
        ...(init.headers as Record<string, string>),
        authorization: bearer(await tokenFor('carol')),
      }
      return (await rpcResult(await gatewayFetch(envFor(overrides))(AUDIENCE, { ...init, headers }))).result
    }
    const call = { name: 'list_databases', arguments: { request: { page_size: 4 } } }
    for (const answer of [await asCarol('tools/call', call), await asCarol('tools/call', call)]) {
      expect(answer.ttlMs).toBeGreaterThanOrEqual(0)
      expect(answer.ttlMs).toBeLessThanOrEqual(2_000)
    }
    const listed = await asCarol('tools/list')
    expect(listed.ttlMs).toBeLessThanOrEqual(2_000)
  })
})

describe('POST /admin/cache/invalidate', () => {
  const post = (overrides: EnvOverrides, authorization?: string, body?: unknown) =>
    gatewayFetch(envFor(overrides))(`${BASE}/admin/cache/invalidate`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(authorization === undefined ? {} : { authorization }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })

  it('refuses callers who are neither the operator nor a gateway admin', async () => {
    const anonymous = await post({})
    expect(anonymous.status).toBe(401)
    expect(((await anonymous.json()) as any).error_type).toBe('AuthenticationError')
    expect((await post({}, 'Bearer not-a-token')).status).toBe(401)
    const notAdmin = await post({}, bearer(await tokenFor('bob')))
    expect(notAdmin.status).toBe(403)
    expect(await notAdmin.json()).toMatchObject({
      error_type: 'PermissionDeniedError',
      details: { reason: 'not_gateway_admin' },
    })
    const wrongToken = await post({ MCP_METRICS_TOKEN: 'operator-secret' }, 'Bearer guessed')
    expect(wrongToken.status).toBe(401)
  })

  it('validates the kinds it is asked to bump', async () => {
    const admin = bearer(await tokenFor('admin'))
    const response = await post({}, admin, { kinds: ['charts'] })
    expect(response.status).toBe(400)
    const body = (await response.json()) as any
    expect(body.error_type).toBe('ValidationError')
    expect(body.error).toContain('chart, dashboard')
    expect((await post({}, admin, { tenant: 'elsewhere' })).status).toBe(403)
  })

  it("bumps the tenant's generations, so the next answers are fresh", async () => {
    const id = await withMetadataDb(async (db) => {
      const [row] = await db.query<{ id: number }>(sql`
        INSERT INTO slices (created_on, changed_on, slice_name, datasource_type, datasource_id, viz_type, params, uuid)
        VALUES (now(), now(), ${probe('chart')}, 'table', 1, 'table', '{}', gen_random_uuid()) RETURNING id`)
      return row!.id
    })
    await callAs('admin', 'get_chart_info', { identifier: id })
    expect((await callAs('admin', 'get_chart_info', { identifier: id })).cache_status).toBe('hit')

    // By a gateway admin's token: some kinds.
    const byAdmin = await post({}, bearer(await tokenFor('admin')), { kinds: ['chart'] })
    expect(byAdmin.status).toBe(200)
    expect(await byAdmin.json()).toMatchObject({ tenant: 'default', kinds: ['chart'] })
    expect((await callAs('admin', 'get_chart_info', { identifier: id })).cache_status).toBe('miss')
    expect((await callAs('admin', 'get_chart_info', { identifier: id })).cache_status).toBe('hit')

    // By the operator secret: every kind.
    await callAs('admin', 'list_databases', {})
    expect((await callAs('admin', 'list_databases', {})).cache_status).toBe('hit')
    const byOperator = await post({ MCP_METRICS_TOKEN: 'operator-secret' }, 'Bearer operator-secret')
    expect(byOperator.status).toBe(200)
    const answer = (await byOperator.json()) as any
    expect(answer.kinds).toEqual(expect.arrayContaining(['chart', 'dashboard', 'permissions']))
    expect((await callAs('admin', 'list_databases', {})).cache_status).toBe('miss')
    expect((await callAs('admin', 'get_chart_info', { identifier: id })).cache_status).toBe('miss')
  })
})
