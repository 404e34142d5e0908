/**
 * The development branch's dashboard editing tools (update_dashboard, duplicate_dashboard,
 * manage_native_filters), checked in Postgres after each call: the fields written, owners,
 * dashboard_slices following the layout, copies with remapped chart ids; who may change what (a hidden
 * dashboard answers exactly like a missing one, a visible one the caller does not own is refused); bad
 * input changing nothing; the confirmation of removals.
 */
import { env } from 'cloudflare:workers'
import { beforeAll, describe, expect, it } from 'vitest'
import { sql, trusted } from '../../src/db'
import type { ToolOutcome } from '../../src/dispatch'
import { dispatchAs, type DispatchOptions } from '../helpers/dispatch'
import { callAs, ToolCallError } from '../helpers/call-as'
import { withMetadataDb } from '../helpers/db'

interface StoredDashboard {
  dashboard_title: string
  slug: string | null
  description: string | null
  css: string | null
  published: boolean
  layout: Record<string, any>
  metadata: Record<string, any>
  slices: number[]
  owners: number[]
  changed_by_fk: number
}

async function stored(id: number): Promise<StoredDashboard> {
  return withMetadataDb(async (db) => {
    const [row] = await db.query<any>(sql`
      SELECT d.dashboard_title, d.slug, d.description, d.css, d.published, d.position_json, d.json_metadata,
             d.changed_by_fk,
             ARRAY(SELECT slice_id FROM dashboard_slices WHERE dashboard_id = d.id ORDER BY slice_id) AS slices,
             ARRAY(SELECT user_id FROM dashboard_user WHERE dashboard_id = d.id ORDER BY user_id) AS owners
        FROM dashboards d WHERE d.id = ${id}`)
    return {
      ...row,
      layout: JSON.parse(row.position_json),
      metadata: JSON.parse(row.json_metadata),
    }
  })
}

/** A new dashboard of `username` holding `chartIds` (through generate_dashboard). */
async function dashboardOf(username: string, chartIds: number[], published = false): Promise<number> {
  const created = await callAs(username, 'generate_dashboard', {
    chart_ids: chartIds,
    dashboard_title: `Editing probe of ${username}`,
    published,
  })
  expect(created.error).toBeNull()
  return created.dashboard.id
}

/** The failure of a call, as a ToolCallError. */
async function failure(username: string, tool: string, request: unknown): Promise<ToolCallError> {
  try {
    await callAs(username, tool, request)
  } catch (error) {
    if (error instanceof ToolCallError) return error
    throw error
  }
  throw new Error(`${tool} did not fail`)
}

/** A missing-dashboard answer with the identifier taken out, to compare a hidden one with a missing one. */
function notFoundShape(error: ToolCallError, identifier: number | string) {
  return {
    type: error.type,
    message: error.message.replaceAll(String(identifier), '<id>'),
    details: { ...error.details, resource_id: '<id>' },
  }
}

// Many calls per user within a minute: limits out of the way.
beforeAll(async () => {
  await env.CONFIG.put('limits:default', JSON.stringify({ default_limits: ['10000 per minute'] }))
})

const chartLayout = (chartIds: number[]) => ({
  DASHBOARD_VERSION_KEY: 'v2',
  ROOT_ID: { type: 'ROOT', id: 'ROOT_ID', children: ['GRID_ID'] },
  GRID_ID: { type: 'GRID', id: 'GRID_ID', children: ['ROW-probe'], parents: ['ROOT_ID'] },
  'ROW-probe': {
    type: 'ROW',
    id: 'ROW-probe',
    children: chartIds.map((id) => `CHART-${id}`),
    parents: ['ROOT_ID', 'GRID_ID'],
    meta: { background: 'BACKGROUND_TRANSPARENT' },
  },
  ...Object.fromEntries(
    chartIds.map((id) => [
      `CHART-${id}`,
      {
        type: 'CHART',
        id: `CHART-${id}`,
        children: [],
        parents: ['ROOT_ID', 'GRID_ID', 'ROW-probe'],
        meta: { chartId: id, width: 4, height: 50 },
      },
    ]),
  ),
})

describe('update_dashboard', () => {
  it('changes only the fields passed, in one write, and answers which', async () => {
    const id = await dashboardOf('bob', [2, 3])
    const before = await stored(id)
    const result = await callAs('bob', 'update_dashboard', {
      identifier: id,
      dashboard_title: 'Regional sales (edited)',
      slug: `  regional sales ${id}!  `,
      description: 'Edited through the gateway.',
      published: true,
      css: '.header-controls { display: none; }',
      refresh_frequency: 300,
      json_metadata_overrides: { color_scheme: 'supersetColors', label_colors: { EMEA: '#4C78A8' } },
    })
    expect(result).toMatchObject({
      error: null,
      permission_denied: false,
      warnings: [],
      changed_fields: ['dashboard_title', 'description', 'slug', 'published', 'json_metadata', 'css'],
      dashboard: {
        id,
        dashboard_title: 'Regional sales (edited)',
        slug: `regional-sales-${id}`,
        published: true,
      },
    })
    expect(result.dashboard_url).toBe(
      `https://superset.example.test/superset/dashboard/regional-sales-${id}/`,
    )
    expect(result.dashboard.charts.map((chart: any) => chart.id)).toEqual([2, 3])
    const after = await stored(id)
    expect(after).toMatchObject({
      dashboard_title: 'Regional sales (edited)',
      slug: `regional-sales-${id}`,
      description: 'Edited through the gateway.',
      css: '.header-controls { display: none; }',
      published: true,
      owners: [3],
      slices: [2, 3],
      changed_by_fk: 3,
    })
    // Shallow merge: the other keys stay as they were.
    expect(after.metadata).toEqual({
      ...before.metadata,
      refresh_frequency: 300,
      color_scheme: 'supersetColors',
      label_colors: { EMEA: '#4C78A8' },
    })
    expect(after.layout).toEqual(before.layout)
    // The new slug names it.
    const bySlug = await callAs('bob', 'get_dashboard_info', {
      identifier: `regional-sales-${id}`,
      select_columns: ['id'],
    })
    expect(bySlug.id).toBe(id)
  })

  it('clears the slug and css with empty strings; no field at all changes nothing', async () => {
    const id = await dashboardOf('bob', [2])
    await callAs('bob', 'update_dashboard', { identifier: id, slug: `probe-${id}`, css: 'a {}' })
    const cleared = await callAs('bob', 'update_dashboard', { identifier: `probe-${id}`, slug: '', css: '' })
    expect(cleared.changed_fields).toEqual(['slug', 'css'])
    expect(await stored(id)).toMatchObject({ slug: null, css: null })
    const before = await stored(id)
    const nothing = await callAs('bob', 'update_dashboard', { identifier: id })
    expect(nothing).toMatchObject({
      changed_fields: [],
      warnings: ['No fields provided; dashboard unchanged.'],
    })
    expect(await stored(id)).toEqual(before)
  })

  it('replaces the layout: dashboard_slices follows it, each CHART gets its chart uuid', async () => {
    const id = await dashboardOf('bob', [2, 3])
    const result = await callAs('bob', 'update_dashboard', {
      identifier: id,
      position_json: chartLayout([5, 6]),
    })
    expect(result.changed_fields).toEqual(['position_json'])
    const after = await stored(id)
    expect(after.slices).toEqual([5, 6])
    const uuids = await withMetadataDb((db) =>
      db.query<{ id: number; uuid: string }>(
        sql`SELECT id, uuid::text AS uuid FROM slices WHERE id IN (5, 6) ORDER BY id`,
      ),
    )
    expect(after.layout['CHART-5'].meta).toEqual({ chartId: 5, width: 4, height: 50, uuid: uuids[0]!.uuid })
    expect(after.layout['CHART-6'].meta.uuid).toBe(uuids[1]!.uuid)
    expect(result.dashboard.chart_count).toBe(2)
  })

  it('refuses a layout with charts the caller may not see, or a broken tree, and writes nothing', async () => {
    const id = await dashboardOf('bob', [2])
    const before = await stored(id)
    // Chart 16 (marketing) is hidden from bob; 99999 does not exist: both read as missing.
    const hidden = await failure('bob', 'update_dashboard', {
      identifier: id,
      position_json: chartLayout([2, 16, 99999]),
      dashboard_title: 'Not applied',
    })
    expect(hidden.type).toBe('ValidationError')
    expect(hidden.message).toContain('Charts not found: [16, 99999]')
    const broken = await failure('bob', 'update_dashboard', {
      identifier: id,
      position_json: { GRID_ID: { type: 'GRID', children: ['ROW-x'] } },
    })
    expect(broken.type).toBe('ValidationError')
    expect(broken.message).toContain('no ROOT_ID')
    expect(broken.message).toContain('ROW-x')
    expect(await stored(id)).toEqual(before)
  })

  it('keeps slugs unique', async () => {
    const first = await dashboardOf('bob', [2])
    const second = await dashboardOf('bob', [3])
    await callAs('bob', 'update_dashboard', { identifier: first, slug: `unique-${first}` })
    const clash = await failure('bob', 'update_dashboard', { identifier: second, slug: `unique-${first}` })
    expect(clash.type).toBe('ValidationError')
    expect(clash.message).toContain('already used by another dashboard')
    expect((await stored(second)).slug).toBeNull()
    // A seeded dashboard's slug too (sales-overview is dashboard 1).
    const seeded = await failure('bob', 'update_dashboard', { identifier: second, slug: 'sales-overview' })
    expect(seeded.type).toBe('ValidationError')
    // Setting its own slug again is no clash.
    const same = await callAs('bob', 'update_dashboard', { identifier: first, slug: `unique-${first}` })
    expect(same.error).toBeNull()
  })

  it('refuses bad input specifically', async () => {
    const id = await dashboardOf('bob', [2])
    const before = await stored(id)
    const slug = await failure('bob', 'update_dashboard', { identifier: id, slug: '!!!' })
    expect(slug.message).toContain('slug contains only characters that are removed')
    const clash = await failure('bob', 'update_dashboard', {
      identifier: id,
      refresh_frequency: 60,
      json_metadata_overrides: { refresh_frequency: 120 },
    })
    expect(clash.message).toContain('Conflicting metadata for refresh_frequency')
    for (const request of [
      { identifier: id, refresh_frequency: -1 },
      { identifier: id, filter_bar_orientation: 'DIAGONAL' },
      { identifier: id, css: 'x'.repeat(50_001) },
      { identifier: id, position_json: [] },
      { dashboard_title: 'no identifier' },
    ]) {
      const error = await failure('bob', 'update_dashboard', request)
      expect(error.type).toBe('ValidationError')
    }
    expect(await stored(id)).toEqual(before)
  })

  it('lets owners and admins change a dashboard; others who see it are refused, and nothing changes', async () => {
    const id = await dashboardOf('bob', [2, 3], true)
    const before = await stored(id)
    // alice (Alpha, all data) sees bob's published dashboard but does not own it.
    const refused = await callAs('alice', 'update_dashboard', {
      identifier: id,
      dashboard_title: 'Taken over',
    })
    expect(refused).toMatchObject({
      dashboard: null,
      dashboard_url: null,
      permission_denied: true,
      changed_fields: [],
    })
    expect(refused.error).toContain(`You don't have permission to edit dashboard ${id}`)
    expect(await stored(id)).toEqual(before)
    const byAdmin = await callAs('admin', 'update_dashboard', {
      identifier: id,
      description: 'Checked by admin',
    })
    expect(byAdmin.changed_fields).toEqual(['description'])
    expect(await stored(id)).toMatchObject({ description: 'Checked by admin', owners: [3], changed_by_fk: 1 })
  })

  it('answers a dashboard the caller may not see exactly like a missing one', async () => {
    // bob's draft: only bob and admins see it; carol (marketing) sees neither it nor dashboard 99999.
    const id = await dashboardOf('bob', [2])
    const before = await stored(id)
    const hidden = await failure('carol', 'update_dashboard', { identifier: id, dashboard_title: 'x' })
    const missing = await failure('carol', 'update_dashboard', { identifier: 99_999, dashboard_title: 'x' })
    expect(hidden.type).toBe('NotFoundError')
    expect(notFoundShape(hidden, id)).toEqual(notFoundShape(missing, 99_999))
    expect(await stored(id)).toEqual(before)
  })
})

/** The charts a copy made: owners, creator, dataset and the permissions copied from it. */
async function chartRows(ids: number[]) {
  return withMetadataDb((db) =>
    db.query<any>(sql`
      SELECT s.id, s.slice_name, s.viz_type, s.params, s.datasource_id, s.perm, s.schema_perm, s.created_by_fk,
             ARRAY(SELECT user_id FROM slice_user WHERE slice_id = s.id ORDER BY user_id) AS owners
        FROM slices s WHERE s.id = ANY(${ids}::int[]) ORDER BY s.id`),
  )
}

const countOf = (table: 'dashboards' | 'slices') =>
  withMetadataDb(async (db) => {
    const [row] = await db.query<{ n: number }>(sql`SELECT count(*)::int AS n FROM ${trusted(table)}`)
    return row!.n
  })

describe('duplicate_dashboard', () => {
  it('copies a dashboard the caller sees into a draft they own, showing the same charts', async () => {
    const source = await stored(1)
    const result = await callAs('bob', 'duplicate_dashboard', {
      dashboard_id: 'sales-overview',
      dashboard_title: 'Sales Overview (my copy)',
    })
    expect(result).toMatchObject({ error: null, duplicated_slices: false, warnings: [] })
    const id = result.dashboard.id
    expect(id).not.toBe(1)
    expect(result.dashboard_url).toBe(`https://superset.example.test/superset/dashboard/${id}/`)
    const copy = await stored(id)
    expect(copy).toMatchObject({
      dashboard_title: 'Sales Overview (my copy)',
      slug: null,
      description: null,
      css: source.css,
      published: false,
      owners: [3],
      slices: source.slices,
    })
    expect(layoutIds(copy.layout)).toEqual(layoutIds(source.layout))
    expect(copy.metadata.native_filter_configuration).toEqual(source.metadata.native_filter_configuration)
    expect(result.dashboard.charts.map((chart: any) => chart.id)).toEqual(source.slices)
    // The source is untouched.
    expect(await stored(1)).toEqual(source)
  })

  it('with duplicate_slices, copies the charts too and points the layout and filters at the copies', async () => {
    const source = await stored(1)
    const chartsBefore = await countOf('slices')
    const result = await callAs('alice', 'duplicate_dashboard', {
      dashboard_id: 1,
      dashboard_title: 'Sales Overview (regional variant)',
      duplicate_slices: true,
    })
    expect(result).toMatchObject({ error: null, duplicated_slices: true })
    const copy = await stored(result.dashboard.id)
    expect(copy.owners).toEqual([2])
    expect(copy.slices).toHaveLength(source.slices.length)
    expect(copy.slices.some((id) => source.slices.includes(id))).toBe(false)
    expect(await countOf('slices')).toBe(chartsBefore + source.slices.length)
    // The layout places exactly the copies, each with its own uuid.
    expect([...layoutIds(copy.layout)].sort((a, b) => a - b)).toEqual(copy.slices)
    const originals = await chartRows(source.slices)
    const copies = await chartRows(copy.slices)
    for (const [index, chart] of copies.entries()) {
      const original = originals[index]!
      expect(chart).toMatchObject({
        slice_name: original.slice_name,
        viz_type: original.viz_type,
        params: original.params,
        datasource_id: original.datasource_id,
        perm: original.perm,
        schema_perm: original.schema_perm,
        created_by_fk: 2,
        owners: [2],
      })
    }
    // Each CHART of the layout: the copy of the chart the source's CHART placed, in the same place.
    const byName = new Map(copies.map((chart: any) => [chart.id, chart.slice_name]))
    const originalNames = new Map(originals.map((chart: any) => [chart.id, chart.slice_name]))
    for (const [key, entry] of Object.entries(source.layout)) {
      if ((entry as any)?.type !== 'CHART') continue
      const copied = copy.layout[key]
      expect(byName.get(copied.meta.chartId)).toBe(originalNames.get((entry as any).meta.chartId))
      expect(copied.meta.uuid).toMatch(/^[0-9a-f-]{36}$/)
    }
    // Native filters scoped to the copies.
    const [region] = copy.metadata.native_filter_configuration
    expect([...region.chartsInScope].sort((a: number, b: number) => a - b)).toEqual(copy.slices)
    expect(region.targets).toEqual([{ datasetId: 1, column: { name: 'region' } }])
    expect(result.dashboard.charts.map((chart: any) => chart.id)).toEqual(copy.slices)
    expect(await stored(1)).toEqual(source)
  })

  it('answers a dashboard the caller may not see exactly like a missing one, and creates nothing', async () => {
    const before = await countOf('dashboards')
    // carol sees only dashboard 2; bob's draft 5 and dashboard 1 are hidden from her.
    const hidden = await callAs('carol', 'duplicate_dashboard', { dashboard_id: 1, dashboard_title: 'x' })
    const missing = await callAs('carol', 'duplicate_dashboard', {
      dashboard_id: 99_999,
      dashboard_title: 'x',
    })
    expect(hidden).toMatchObject({ dashboard: null, dashboard_url: null, duplicated_slices: false })
    expect(hidden.error).toContain("Dashboard with identifier '1' not found")
    expect(hidden.error.replaceAll('1', '<id>')).toBe(missing.error.replaceAll('99999', '<id>'))
    expect(await countOf('dashboards')).toBe(before)
  })

  it('under DASHBOARD_RBAC copies only for owners and admins, as Superset 6.1', async () => {
    const before = await countOf('dashboards')
    // Dashboard 3 is admin's; alice sees it (published, her data) but does not own it.
    const refused = await callAs(
      'alice',
      'duplicate_dashboard',
      { dashboard_id: 3, dashboard_title: 'Executive copy' },
      { MCP_DASHBOARD_RBAC: 'true' },
    )
    expect(refused.error).toContain("You don't have permission to duplicate dashboard 3")
    expect(await countOf('dashboards')).toBe(before)
    const allowed = await callAs(
      'admin',
      'duplicate_dashboard',
      { dashboard_id: 3, dashboard_title: 'Executive copy' },
      { MCP_DASHBOARD_RBAC: 'true' },
    )
    expect(allowed.error).toBeNull()
    expect((await stored(allowed.dashboard.id)).owners).toEqual([1])
  })

  it('refuses a source whose layout places none of its charts, and bad input', async () => {
    const id = await dashboardOf('bob', [2, 3])
    await withMetadataDb((db) => db.query(sql`UPDATE dashboards SET position_json = '{}' WHERE id = ${id}`))
    const before = await countOf('dashboards')
    const broken = await callAs('bob', 'duplicate_dashboard', { dashboard_id: id, dashboard_title: 'Copy' })
    expect(broken.error).toContain('saved layout is missing or invalid')
    for (const request of [
      { dashboard_id: id, dashboard_title: '   ' },
      { dashboard_id: id },
      { dashboard_title: 'no source' },
      { dashboard_id: id, dashboard_title: 'x', duplicate_slices: 'sometimes' },
    ]) {
      const error = await failure('bob', 'duplicate_dashboard', request)
      expect(error.type).toBe('ValidationError')
    }
    expect(await countOf('dashboards')).toBe(before)
  })
})

/** The chart ids a layout places, in layout key order. */
function layoutIds(layout: Record<string, any>): number[] {
  return Object.values(layout)
    .filter((entry) => entry?.type === 'CHART' && typeof entry.meta?.chartId === 'number')
    .map((entry) => entry.meta.chartId)
}

/** One call through the dispatcher, for a client that can confirm (or not). */
const dispatch = (username: string, name: string, request: unknown, options: DispatchOptions) =>
  dispatchAs(username, name, { request }, options)

const filtersOf = async (id: number): Promise<any[]> =>
  (await stored(id)).metadata.native_filter_configuration

describe('manage_native_filters', () => {
  it('adds select and time filters with generated ids, scoped as asked, other metadata kept', async () => {
    const id = await dashboardOf('bob', [2, 3, 5])
    const before = await stored(id)
    const result = await callAs('bob', 'manage_native_filters', {
      dashboard_id: id,
      add: [
        {
          filter_type: 'filter_select',
          name: 'Region',
          dataset_id: 1,
          column: 'region',
          scope_chart_ids: [2, 3],
        },
        { filter_type: 'filter_time', name: 'Order date', default_time_range: 'Last week' },
      ],
    })
    expect(result).toMatchObject({
      dashboard_id: id,
      dashboard_url: `https://superset.example.test/superset/dashboard/${id}/`,
      updated_filter_ids: [],
      removed_filter_ids: [],
      error: null,
      permission_denied: false,
    })
    expect(result.added_filter_ids).toHaveLength(2)
    for (const filterId of result.added_filter_ids) expect(filterId).toMatch(/^NATIVE_FILTER-[\w-]{10}$/)
    expect(result.filters).toEqual([
      {
        id: result.added_filter_ids[0],
        name: 'Region',
        filter_type: 'filter_select',
        targets: [{ datasetId: 1, column: { name: 'region' } }],
      },
      { id: result.added_filter_ids[1], name: 'Order date', filter_type: 'filter_time', targets: [] },
    ])
    const after = await stored(id)
    const [region, date] = after.metadata.native_filter_configuration
    expect(region).toMatchObject({
      id: result.added_filter_ids[0],
      type: 'NATIVE_FILTER',
      filterType: 'filter_select',
      scope: { rootPath: ['ROOT_ID'], excluded: [5] },
      controlValues: {
        multiSelect: true,
        defaultToFirstItem: false,
        enableEmptyFilter: false,
        searchAllOptions: false,
      },
      defaultDataMask: { filterState: { value: null }, extraFormData: {} },
      cascadeParentIds: [],
    })
    expect(date).toMatchObject({
      filterType: 'filter_time',
      targets: [{}],
      scope: { rootPath: ['ROOT_ID'], excluded: [] },
      defaultDataMask: { filterState: { value: 'Last week' }, extraFormData: { time_range: 'Last week' } },
    })
    const { native_filter_configuration: _, ...rest } = after.metadata
    const { native_filter_configuration: __, ...restBefore } = before.metadata
    expect(rest).toEqual(restBefore)
    expect(after).toMatchObject({ layout: before.layout, slices: before.slices, owners: [3] })
    // get_dashboard_info sees them.
    const info = await callAs('bob', 'get_dashboard_info', {
      identifier: id,
      select_columns: ['native_filters'],
    })
    expect(info.native_filters.map((filter: any) => filter.name)).toEqual(['Region', 'Order date'])
  })

  it('updates, reorders and removes filters by id', async () => {
    const id = await dashboardOf('bob', [2, 3])
    const added = await callAs('bob', 'manage_native_filters', {
      dashboard_id: id,
      add: [
        { filter_type: 'filter_select', name: 'Region', dataset_id: 1, column: 'region' },
        { filter_type: 'filter_time', name: 'When' },
        { filter_type: 'filter_select', name: 'Channel', dataset_id: 1, column: 'channel' },
      ],
    })
    const [region, when, channel] = added.added_filter_ids
    const updated = await callAs('bob', 'manage_native_filters', {
      dashboard_id: id,
      update: [
        { id: region, name: 'Country', column: 'country', multi_select: false, scope_chart_ids: [3] },
        { id: when, default_time_range: 'Last month' },
      ],
      reorder: [when, channel, region],
    })
    expect(updated).toMatchObject({ error: null, updated_filter_ids: [region, when] })
    expect(updated.filters.map((filter: any) => filter.id)).toEqual([when, channel, region])
    const filters = await filtersOf(id)
    expect(filters.map((filter) => filter.id)).toEqual([when, channel, region])
    expect(filters[2]).toMatchObject({
      name: 'Country',
      targets: [{ datasetId: 1, column: { name: 'country' } }],
      controlValues: { multiSelect: false },
      scope: { excluded: [2] },
    })
    expect(filters[0].defaultDataMask).toEqual({
      filterState: { value: 'Last month' },
      extraFormData: { time_range: 'Last month' },
    })
    const removed = await callAs('bob', 'manage_native_filters', { dashboard_id: id, remove: [channel] })
    expect(removed).toMatchObject({ error: null, removed_filter_ids: [channel] })
    expect((await filtersOf(id)).map((filter) => filter.id)).toEqual([when, region])
  })

  it('refuses targets the caller may not see, unknown columns and ids, and changes nothing', async () => {
    const id = await dashboardOf('bob', [2, 3])
    const seeded = await callAs('bob', 'manage_native_filters', {
      dashboard_id: id,
      add: [
        { filter_type: 'filter_select', name: 'Region', dataset_id: 1, column: 'region' },
        { filter_type: 'filter_time', name: 'When' },
      ],
    })
    const [region, when] = seeded.added_filter_ids
    const before = await stored(id)
    const cases: [unknown, string][] = [
      // Dataset 9 (monthly_revenue) is hidden from Sales Analysts; 99999 does not exist: the same answer.
      [
        { add: [{ filter_type: 'filter_select', name: 'x', dataset_id: 9, column: 'region' }] },
        'Dataset with ID 9 not found',
      ],
      [
        { add: [{ filter_type: 'filter_select', name: 'x', dataset_id: 99999, column: 'region' }] },
        'Dataset with ID 99999 not found',
      ],
      [
        { add: [{ filter_type: 'filter_select', name: 'x', dataset_id: 1, column: 'nope' }] },
        'Available columns: ',
      ],
      [
        { add: [{ filter_type: 'filter_time', name: 'x', scope_chart_ids: [16] }] },
        'not on the dashboard: [16]',
      ],
      [{ update: [{ id: region, dataset_id: 9 }] }, 'Dataset with ID 9 not found'],
      [{ update: [{ id: when, multi_select: true }] }, 'only apply to filter_select filters'],
      [{ update: [{ id: 'NATIVE_FILTER-missing' }] }, 'not found on the dashboard'],
      [{ update: [{ id: region }, { id: region }] }, 'duplicate filter IDs'],
      [{ update: [{ id: region, name: 'y' }], remove: [region] }, 'cannot be both updated and removed'],
      [{ remove: ['NATIVE_FILTER-missing'] }, 'Cannot remove filters that do not exist'],
      [{ reorder: [region] }, 'reorder must list every remaining filter exactly once'],
      // A valid addition is not applied when another operation of the call fails.
      [
        {
          add: [{ filter_type: 'filter_time', name: 'Fine' }],
          update: [{ id: 'NATIVE_FILTER-missing', name: 'z' }],
        },
        'not found on the dashboard',
      ],
    ]
    for (const [request, message] of cases) {
      const result = await callAs('bob', 'manage_native_filters', {
        dashboard_id: id,
        ...(request as object),
      })
      expect(result).toMatchObject({ dashboard_id: id, permission_denied: false, added_filter_ids: [] })
      expect(result.error).toContain(message)
    }
    const hidden = await callAs('bob', 'manage_native_filters', {
      dashboard_id: id,
      add: [{ filter_type: 'filter_select', name: 'x', dataset_id: 9, column: 'region' }],
    })
    const missing = await callAs('bob', 'manage_native_filters', {
      dashboard_id: id,
      add: [{ filter_type: 'filter_select', name: 'x', dataset_id: 99999, column: 'region' }],
    })
    expect(hidden.error.replace('9 ', '<id> ')).toBe(missing.error.replace('99999 ', '<id> '))
    expect(await stored(id)).toEqual(before)
  })

  it('refuses bad requests', async () => {
    const id = await dashboardOf('bob', [2])
    for (const request of [
      { dashboard_id: id },
      {
        dashboard_id: id,
        add: [{ filter_type: 'filter_range', name: 'x', dataset_id: 1, column: 'quantity' }],
      },
      {
        dashboard_id: id,
        add: [{ filter_type: 'filter_select', name: '', dataset_id: 1, column: 'region' }],
      },
      { dashboard_id: id, add: [{ filter_type: 'filter_select', name: 'x', column: 'region' }] },
      { dashboard_id: 'sales-overview', remove: ['x'] },
    ]) {
      const error = await failure('bob', 'manage_native_filters', request)
      expect(error.type).toBe('ValidationError')
    }
    const none = await failure('bob', 'manage_native_filters', { dashboard_id: id })
    expect(none.message).toContain('At least one operation (add, update, remove, reorder) is required')
  })

  it('lets only owners and admins change filters; a hidden dashboard answers like a missing one', async () => {
    const id = await dashboardOf('bob', [2, 3], true)
    const before = await stored(id)
    const add = [{ filter_type: 'filter_time', name: 'When' }]
    const refused = await callAs('alice', 'manage_native_filters', { dashboard_id: id, add })
    expect(refused).toMatchObject({ dashboard_id: id, permission_denied: true, added_filter_ids: [] })
    expect(refused.error).toContain(`You don't have permission to edit dashboard ${id}`)
    expect(await stored(id)).toEqual(before)
    // carol (marketing) sees no sales dashboard.
    const hidden = await callAs('carol', 'manage_native_filters', { dashboard_id: id, add })
    const missing = await callAs('carol', 'manage_native_filters', { dashboard_id: 99_999, add })
    expect(hidden).toMatchObject({ dashboard_id: null, permission_denied: false })
    expect(hidden.error.replaceAll(String(id), '<id>')).toBe(missing.error.replaceAll('99999', '<id>'))
    expect(await stored(id)).toEqual(before)
    const byAdmin = await callAs('admin', 'manage_native_filters', { dashboard_id: id, add })
    expect(byAdmin.error).toBeNull()
    expect((await filtersOf(id)).map((filter) => filter.name)).toEqual(['When'])
  })

  it('refuses a non-owner removing filters before asking, and changes nothing', async () => {
    const id = await dashboardOf('bob', [2], true)
    await callAs('bob', 'manage_native_filters', {
      dashboard_id: id,
      add: [{ filter_type: 'filter_time', name: 'When' }],
    })
    const before = await stored(id)
    const [filterId] = (await filtersOf(id)).map((filter) => filter.id)
    const refused = await dispatch(
      'alice',
      'manage_native_filters',
      { dashboard_id: id, remove: [filterId] },
      { canConfirm: true },
    )
    expect(refused).toMatchObject({
      kind: 'answer',
      result: { dashboard_id: id, permission_denied: true, removed_filter_ids: [] },
    })
    expect(await stored(id)).toEqual(before)
  })

  it('asks before removing filters, and removes them once confirmed; additions are not asked', async () => {
    const id = await dashboardOf('bob', [2])
    const added = await dispatch(
      'bob',
      'manage_native_filters',
      { dashboard_id: id, add: [{ filter_type: 'filter_time', name: 'When' }] },
      { canConfirm: true },
    )
    expect(added.kind).toBe('answer')
    const [filterId] = (await filtersOf(id)).map((filter) => filter.id)
    const request = { dashboard_id: id, remove: [filterId] }
    const asked = await dispatch('bob', 'manage_native_filters', request, { canConfirm: true })
    expect(asked.kind).toBe('confirmation_required')
    const question = asked as Extract<ToolOutcome, { kind: 'confirmation_required' }>
    expect(question.message).toContain(
      `Remove 1 native filter (\uE000${filterId}\uE001) from dashboard ${id}`,
    )
    expect((await filtersOf(id)).map((filter) => filter.id)).toEqual([filterId])
    const confirmed = await dispatch('bob', 'manage_native_filters', request, {
      canConfirm: true,
      confirmation: { state: question.state, accepted: true },
    })
    expect(confirmed).toMatchObject({
      kind: 'answer',
      result: { removed_filter_ids: [filterId], error: null },
    })
    expect(await filtersOf(id)).toEqual([])
  })
})
