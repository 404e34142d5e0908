/**
 * get_dashboard_layout and get_dashboard_datasets (Superset's development branch, dashboard/tool/*.py and
 * dashboard/schemas.py DashboardLayout / DashboardDatasets), on the demo content: the contract, who may
 * call them, whose dashboards and datasets they show, and bad input. Also the layout walk and pruning
 * (src/tools/dashboard-structure/layout-tree.ts) on layouts the demo does not have (nested tabs, cycles).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from '../../src/db'
import {
  readLayout,
  removeChartFromLayout,
  removeChartFromMetadata,
} from '../../src/tools/dashboard-structure'
import { callAs, toolNamesAs } from '../helpers/call-as'
import { createUser, withMetadataDb } from '../helpers/db'

const TOOLS = [
  'delete_dashboard',
  'get_dashboard_datasets',
  'get_dashboard_layout',
  'remove_chart_from_dashboard',
]

async function dashboardRow(id: number): Promise<{ uuid: string; slug: string | null }> {
  return withMetadataDb(async (db) => {
    const [row] = await db.query<{ uuid: string; slug: string | null }>(
      sql`SELECT uuid::text AS uuid, slug FROM dashboards WHERE id = ${id}`,
    )
    return row!
  })
}

/** The answer without cache_status (hit or miss depends on the calls before). */
const layoutOf = async (user: string, identifier: unknown) => {
  const { cache_status: _status, ...answer } = await callAs(user, 'get_dashboard_layout', { identifier })
  return answer
}

const notFound = (identifier: number | string) => ({
  type: 'NotFoundError',
  message: `Dashboard with identifier '${identifier}' not found. Check the identifier with list_dashboards.`,
})

describe('who may call them', () => {
  const probe = 'dash_read_sqllab_probe'
  let remove: () => Promise<void>
  beforeAll(async () => {
    remove = await createUser(probe, ['sql_lab'])
  })
  afterAll(() => remove())

  it('lists the four tools to every role with can_read and can_write on Dashboard (Admin, Alpha, Gamma)', async () => {
    for (const user of ['admin', 'alice', 'erin'])
      expect(await toolNamesAs(user)).toEqual(expect.arrayContaining(TOOLS))
  })

  it('hides them from a user without the Dashboard permissions; a call reads as an unknown tool', async () => {
    const names = await toolNamesAs(probe)
    for (const tool of TOOLS) expect(names).not.toContain(tool)
    await expect(callAs(probe, 'get_dashboard_layout', { identifier: 1 })).rejects.toMatchObject({
      code: -32602,
    })
  })
})

describe('get_dashboard_layout', () => {
  it('answers DashboardLayout: the tabs of a tabbed dashboard and each chart with its tab context', async () => {
    const { uuid } = await dashboardRow(2)
    const layout = await callAs('carol', 'get_dashboard_layout', { identifier: 2 })
    expect(Object.keys(layout).sort()).toEqual([
      'cache_status',
      'charts',
      'dashboard_title',
      'has_layout',
      'id',
      'tabs',
      'uuid',
    ])
    expect(layout).toMatchObject({ id: 2, dashboard_title: 'Marketing Performance', uuid, has_layout: true })
    expect(layout.tabs).toEqual([
      { id: 'TAB-35737290', name: 'Campaigns', parent_tab_id: null, chart_ids: [18, 16, 17] },
      { id: 'TAB-f6806a2d', name: 'Web traffic', parent_tab_id: null, chart_ids: [19, 20, 21] },
    ])
    expect(layout.charts).toEqual([
      {
        chart_id: 18,
        slice_name: 'Total Marketing Spend',
        tab_id: 'TAB-35737290',
        tab_path: ['Campaigns'],
        width: 4,
        height: 50,
      },
      {
        chart_id: 16,
        slice_name: 'Campaign Spend by Channel',
        tab_id: 'TAB-35737290',
        tab_path: ['Campaigns'],
        width: 8,
        height: 50,
      },
      {
        chart_id: 17,
        slice_name: 'Campaign Performance',
        tab_id: 'TAB-35737290',
        tab_path: ['Campaigns'],
        width: 12,
        height: 60,
      },
      {
        chart_id: 19,
        slice_name: 'Daily Sessions',
        tab_id: 'TAB-f6806a2d',
        tab_path: ['Web traffic'],
        width: 8,
        height: 50,
      },
      {
        chart_id: 20,
        slice_name: 'Sessions by Device',
        tab_id: 'TAB-f6806a2d',
        tab_path: ['Web traffic'],
        width: 4,
        height: 50,
      },
      {
        chart_id: 21,
        slice_name: 'Session Duration Trend',
        tab_id: 'TAB-f6806a2d',
        tab_path: ['Web traffic'],
        width: 12,
        height: 50,
      },
    ])
  })

  it('walks an untabbed dashboard row by row, and finds it by id, UUID or slug', async () => {
    const { uuid, slug } = await dashboardRow(1)
    const byId = await layoutOf('bob', 1)
    expect(byId.tabs).toEqual([])
    expect(byId.charts.map((chart: any) => chart.chart_id)).toEqual([6, 7, 11, 3, 5, 2, 8])
    expect(byId.charts[0]).toEqual({
      chart_id: 6,
      slice_name: 'Total Revenue',
      tab_id: null,
      tab_path: [],
      width: 4,
      height: 50,
    })
    expect(await layoutOf('bob', uuid)).toEqual(byId)
    expect(slug).not.toBeNull()
    expect(await layoutOf('bob', slug)).toEqual(byId)
    // As Superset's request models take it: wrapped or flat, the id as a string.
    expect(await layoutOf('bob', '1')).toEqual(byId)
  })

  it('shows a dashboard only to those who may see it; anyone else reads it as missing', async () => {
    // Dashboard 5 is Bob's draft: Bob and admins see it, Alice (all data, not an owner) does not.
    expect((await callAs('bob', 'get_dashboard_layout', { identifier: 5 })).id).toBe(5)
    expect((await callAs('admin', 'get_dashboard_layout', { identifier: 5 })).id).toBe(5)
    await expect(callAs('alice', 'get_dashboard_layout', { identifier: 5 })).rejects.toMatchObject(
      notFound(5),
    )
    // Erin has no data access: no published dashboard is hers to see.
    await expect(callAs('erin', 'get_dashboard_layout', { identifier: 2 })).rejects.toMatchObject(notFound(2))
    await expect(callAs('admin', 'get_dashboard_layout', { identifier: 999_999 })).rejects.toMatchObject(
      notFound(999_999),
    )
  })

  it('refuses bad identifiers specifically', async () => {
    for (const identifier of [true, 0, -3, '', 1.5, null]) {
      await expect(callAs('admin', 'get_dashboard_layout', { identifier })).rejects.toMatchObject({
        type: 'ValidationError',
        message: expect.stringContaining('identifier'),
      })
    }
    await expect(callAs('admin', 'get_dashboard_layout', {})).rejects.toMatchObject({
      type: 'ValidationError',
    })
  })
})

describe('get_dashboard_datasets', () => {
  async function storedDataset(id: number) {
    return withMetadataDb(async (db) => {
      const [row] = await db.query<any>(sql`
        SELECT t.uuid::text AS uuid, t.table_name, t.schema, db.id AS database_id, db.database_name,
               (SELECT count(*)::int FROM table_columns c WHERE c.table_id = t.id) AS columns,
               (SELECT count(*)::int FROM sql_metrics m WHERE m.table_id = t.id) AS metrics
          FROM tables t JOIN dbs db ON db.id = t.database_id WHERE t.id = ${id}`)
      return row
    })
  }

  it("answers DashboardDatasets: the datasets of the dashboard's charts, with columns, metrics and chart counts", async () => {
    const { uuid } = await dashboardRow(7)
    const result = await callAs('admin', 'get_dashboard_datasets', { identifier: 7 })
    expect(Object.keys(result).sort()).toEqual([
      'cache_status',
      'dashboard_title',
      'dataset_count',
      'datasets',
      'id',
      'inaccessible_dataset_count',
      'uuid',
    ])
    expect(result).toMatchObject({
      id: 7,
      dashboard_title: 'Product & Customer Insights',
      uuid,
      dataset_count: 4,
      inaccessible_dataset_count: 0,
    })
    // Charts 13, 14 (dataset 2), 15 (3), 26 (8), 28 (9): one entry per dataset, by id.
    expect(result.datasets.map((dataset: any) => [dataset.id, dataset.chart_count])).toEqual([
      [2, 2],
      [3, 1],
      [8, 1],
      [9, 1],
    ])
    const customers = result.datasets[0]
    const stored = await storedDataset(2)
    expect(customers).toMatchObject({
      uuid: stored.uuid,
      table_name: stored.table_name,
      schema: stored.schema,
      database: { id: stored.database_id, name: stored.database_name, backend: 'postgresql' },
      total_column_count: stored.columns,
      total_metric_count: stored.metrics,
      columns_truncated: false,
      metrics_truncated: false,
    })
    expect(customers.columns).toHaveLength(stored.columns)
    expect(customers.metrics).toHaveLength(stored.metrics)
    expect(Object.keys(customers.columns[0]).sort()).toEqual([
      'column_name',
      'is_dttm',
      'type',
      'verbose_name',
    ])
    if (customers.metrics.length > 0)
      expect(Object.keys(customers.metrics[0]).sort()).toEqual(['expression', 'metric_name', 'verbose_name'])
  })

  it('leaves out the datasets the caller may not use, and counts them', async () => {
    // Bob: datasource_access on datasets 1, 2, 3 and 8; dataset 9 (chart 28) is not his.
    const bob = await callAs('bob', 'get_dashboard_datasets', { identifier: 7 })
    expect(bob.datasets.map((dataset: any) => dataset.id)).toEqual([2, 3, 8])
    expect(bob).toMatchObject({ dataset_count: 3, inaccessible_dataset_count: 1 })
    // Heidi owns dashboard 9 but may use none of its data: she sees the dashboard, not its dataset.
    const heidi = await callAs('heidi', 'get_dashboard_datasets', { identifier: 9 })
    expect(heidi).toMatchObject({ id: 9, dataset_count: 0, inaccessible_dataset_count: 1, datasets: [] })
    // Judy owns dataset 6 (and may read it): she sees it on the same dashboard.
    const judy = await callAs('judy', 'get_dashboard_datasets', { identifier: 9 })
    expect(judy.datasets.map((dataset: any) => [dataset.id, dataset.chart_count])).toEqual([[6, 2]])
  })

  it('answers an empty list for a dashboard without charts, and missing for a hidden one', async () => {
    expect(await callAs('heidi', 'get_dashboard_datasets', { identifier: 4 })).toMatchObject({
      id: 4,
      dataset_count: 0,
      inaccessible_dataset_count: 0,
      datasets: [],
    })
    await expect(callAs('bob', 'get_dashboard_datasets', { identifier: 6 })).rejects.toMatchObject(
      notFound(6),
    )
    await expect(callAs('erin', 'get_dashboard_datasets', { identifier: 7 })).rejects.toMatchObject(
      notFound(7),
    )
    await expect(
      callAs('admin', 'get_dashboard_datasets', { identifier: 'no-such-slug' }),
    ).rejects.toMatchObject(notFound('no-such-slug'))
  })
})

describe('the layout walk (layout-tree.ts)', () => {
  const nested = JSON.stringify({
    DASHBOARD_VERSION_KEY: 'v2',
    ROOT_ID: { type: 'ROOT', id: 'ROOT_ID', children: ['GRID_ID'] },
    GRID_ID: { type: 'GRID', id: 'GRID_ID', children: ['TABS-a', 'ROW-top'], parents: ['ROOT_ID'] },
    'ROW-top': { type: 'ROW', id: 'ROW-top', children: ['CHART-top'] },
    'CHART-top': { type: 'CHART', id: 'CHART-top', children: [], meta: { chartId: 1, sliceName: 'Top' } },
    'TABS-a': { type: 'TABS', id: 'TABS-a', children: ['TAB-outer', 'TAB-empty'] },
    'TAB-empty': { type: 'TAB', id: 'TAB-empty', children: [], meta: {} },
    'TAB-outer': { type: 'TAB', id: 'TAB-outer', children: ['TABS-b'], meta: { text: 'Outer' } },
    'TABS-b': { type: 'TABS', id: 'TABS-b', children: ['TAB-inner'] },
    'TAB-inner': { type: 'TAB', id: 'TAB-inner', children: ['ROW-in', 'GRID_ID'], meta: { text: 'Inner' } },
    'ROW-in': { type: 'ROW', id: 'ROW-in', children: ['COLUMN-in'] },
    'COLUMN-in': { type: 'COLUMN', id: 'COLUMN-in', children: ['CHART-2', 'MISSING'] },
    'CHART-2': {
      type: 'CHART',
      id: 'CHART-2',
      children: [],
      meta: { chartId: 2, sliceName: 'Two', sliceNameOverride: 'Two (renamed)', width: 6, height: 'tall' },
    },
  })

  it('nests tabs, names the tab path, visits each component once and skips what is malformed', () => {
    const { tabs, charts } = readLayout(nested)
    expect(tabs).toEqual([
      { id: 'TAB-empty', name: null, parent_tab_id: null, chart_ids: [] },
      { id: 'TAB-outer', name: 'Outer', parent_tab_id: null, chart_ids: [2] },
      { id: 'TAB-inner', name: 'Inner', parent_tab_id: 'TAB-outer', chart_ids: [2] },
    ])
    expect(charts).toEqual([
      {
        chart_id: 2,
        slice_name: 'Two (renamed)',
        tab_id: 'TAB-inner',
        tab_path: ['Outer', 'Inner'],
        width: 6,
        height: null,
      },
      { chart_id: 1, slice_name: 'Top', tab_id: null, tab_path: [], width: null, height: null },
    ])
    for (const broken of [null, '', 'not json', '[]', '{"GRID_ID": {}}'])
      expect(readLayout(broken)).toEqual({ tabs: [], charts: [] })
  })

  it('prunes the rows and columns a removal empties, never tabs, and cleans per-chart metadata', () => {
    const layout = JSON.parse(nested)
    layout['COLUMN-in'].children = ['CHART-2']
    expect(removeChartFromLayout(layout, 2)).toEqual(['CHART-2', 'COLUMN-in', 'ROW-in'])
    expect(layout['TAB-inner'].children).toEqual(['GRID_ID'])
    expect(removeChartFromLayout(layout, 2)).toEqual([])
    const metadata: Record<string, any> = {
      expanded_slices: { '2': true, '3': true },
      timed_refresh_immune_slices: [2, '2', 3],
      filter_scopes: {
        '2': { region: { scope: ['ROOT_ID'], immune: [] } },
        '3': { region: { immune: [2, 4] } },
      },
      default_filters: JSON.stringify({ '2': { region: ['EMEA'] }, '3': {} }),
      chart_configuration: { '2': { id: 2 }, '3': { id: 3, crossFilters: { chartsInScope: [2, 4] } } },
      global_chart_configuration: { scope: { rootPath: ['ROOT_ID'], excluded: [2] }, chartsInScope: [2, 3] },
      native_filter_configuration: [{ id: 'F', scope: { excluded: [2, 5] }, chartsInScope: [3, 2] }, 'junk'],
      positions: { 'CHART-2': {}, 'ROW-x': {} },
    }
    expect(removeChartFromMetadata(metadata, 2, ['CHART-2'])).toBe(true)
    expect(metadata).toEqual({
      expanded_slices: { '3': true },
      timed_refresh_immune_slices: [3],
      filter_scopes: { '3': { region: { immune: [4] } } },
      default_filters: JSON.stringify({ '3': {} }),
      chart_configuration: { '3': { id: 3, crossFilters: { chartsInScope: [4] } } },
      global_chart_configuration: { scope: { rootPath: ['ROOT_ID'], excluded: [] }, chartsInScope: [3] },
      native_filter_configuration: [{ id: 'F', scope: { excluded: [5] }, chartsInScope: [3] }, 'junk'],
      positions: { 'ROW-x': {} },
    })
    expect(removeChartFromMetadata(metadata, 2)).toBe(false)
  })
})
