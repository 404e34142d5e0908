/**
 * remove_chart_from_dashboard and delete_dashboard (Superset's development branch, dashboard/tool/*.py),
 * checked in Postgres after every call: what each removes (and only that), in one transaction; the
 * confirmation flow (asked first, nothing changed; run once confirmed); and who may: owners and admins,
 * a visible dashboard of someone else is refused, a hidden one reads as missing, before anything is asked.
 *
 * The dashboards here are this file's own (ids 2100-2149, the dashboards group's range), made before and
 * removed after, so the demo content other tests count stays as it is.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ident, sql, type Db } from '../../src/db'
import type { ToolOutcome } from '../../src/dispatch'
import { layoutProblems, type Layout } from '../../src/tools/dashboards'
import { dispatchAs } from '../helpers/dispatch'
import { callAs } from '../helpers/call-as'
import { withMetadataDb } from '../helpers/db'

const TABBED = 2100
const FINANCE = 2101
const SLUGGED = 2102
const REPORTED = 2103
const MALFORMED = 2104
const ADMIN_OWNED = 2105
const WELCOME = 2106
const IDS = [TABBED, FINANCE, SLUGGED, REPORTED, MALFORMED, ADMIN_OWNED, WELCOME]
/** A table of this test's own whose foreign key the gateway does not know (as user_attribute's welcome dashboard). */
const FK_PROBE = 'dash_read_fk_probe'
const REPORT_ID = 2100

const chart = (key: string, chartId: number, name: string, parents: string[]) => ({
  type: 'CHART',
  id: key,
  children: [],
  parents,
  meta: {
    chartId,
    sliceName: name,
    width: 4,
    height: 50,
    uuid: `c4a70000-0000-4000-8000-0000000000${chartId.toString(16).padStart(2, '0')}`,
  },
})

/** Two tabs; chart 2 is placed twice (alone in a column of its own row, and beside chart 13). */
function tabbedLayout(): Layout {
  const tab = (id: string, text: string, children: string[]) => ({
    type: 'TAB',
    id,
    children,
    parents: ['ROOT_ID', 'GRID_ID', 'TABS-r1'],
    meta: { text, defaultText: 'Tab title', placeholder: 'Tab title' },
  })
  const inA = ['ROOT_ID', 'GRID_ID', 'TABS-r1', 'TAB-a']
  const inB = ['ROOT_ID', 'GRID_ID', 'TABS-r1', 'TAB-b']
  return {
    DASHBOARD_VERSION_KEY: 'v2',
    ROOT_ID: { type: 'ROOT', id: 'ROOT_ID', children: ['GRID_ID'] },
    GRID_ID: { type: 'GRID', id: 'GRID_ID', children: ['TABS-r1'], parents: ['ROOT_ID'] },
    'TABS-r1': { type: 'TABS', id: 'TABS-r1', children: ['TAB-a', 'TAB-b'], parents: ['ROOT_ID', 'GRID_ID'] },
    'TAB-a': tab('TAB-a', 'Regions', ['ROW-a1', 'ROW-a2']),
    'ROW-a1': {
      type: 'ROW',
      id: 'ROW-a1',
      children: ['COLUMN-a1'],
      parents: inA,
      meta: { background: 'BACKGROUND_TRANSPARENT' },
    },
    'COLUMN-a1': {
      type: 'COLUMN',
      id: 'COLUMN-a1',
      children: ['CHART-2'],
      parents: [...inA, 'ROW-a1'],
      meta: { width: 4, background: 'BACKGROUND_TRANSPARENT' },
    },
    'CHART-2': chart('CHART-2', 2, 'Revenue by Region', [...inA, 'ROW-a1', 'COLUMN-a1']),
    'ROW-a2': {
      type: 'ROW',
      id: 'ROW-a2',
      children: ['CHART-3', 'CHART-5'],
      parents: inA,
      meta: { background: 'BACKGROUND_TRANSPARENT' },
    },
    'CHART-3': chart('CHART-3', 3, 'Daily Revenue', [...inA, 'ROW-a2']),
    'CHART-5': chart('CHART-5', 5, 'Revenue Share by Region', [...inA, 'ROW-a2']),
    'TAB-b': tab('TAB-b', 'Customers', ['ROW-b1']),
    'ROW-b1': {
      type: 'ROW',
      id: 'ROW-b1',
      children: ['CHART-x2', 'CHART-13'],
      parents: inB,
      meta: { background: 'BACKGROUND_TRANSPARENT' },
    },
    'CHART-x2': chart('CHART-x2', 2, 'Revenue by Region', [...inB, 'ROW-b1']),
    'CHART-13': chart('CHART-13', 13, 'Customers by Segment', [...inB, 'ROW-b1']),
  }
}

function tabbedMetadata() {
  return {
    color_scheme: 'supersetColors',
    refresh_frequency: 0,
    expanded_slices: { '2': true, '13': false },
    timed_refresh_immune_slices: [2, 13],
    filter_scopes: {
      '2': { region: { scope: ['ROOT_ID'], immune: [] } },
      '13': { segment: { scope: ['ROOT_ID'], immune: [2, 3] } },
    },
    default_filters: JSON.stringify({ '2': { region: ['EMEA'] } }),
    chart_configuration: {
      '2': { id: 2, crossFilters: { scope: 'global', chartsInScope: [3, 5, 13] } },
      '13': { id: 13, crossFilters: { scope: 'global', chartsInScope: [2, 3, 5] } },
    },
    global_chart_configuration: {
      scope: { rootPath: ['ROOT_ID'], excluded: [] },
      chartsInScope: [2, 3, 5, 13],
    },
    native_filter_configuration: [
      {
        id: 'NATIVE_FILTER-reg',
        name: 'Region',
        filterType: 'filter_select',
        targets: [{ datasetId: 1, column: { name: 'region' } }],
        scope: { rootPath: ['ROOT_ID'], excluded: [2] },
        chartsInScope: [3, 5, 13],
      },
    ],
    cross_filters_enabled: true,
  }
}

const simpleLayout = (chartIds: number[]) => ({
  DASHBOARD_VERSION_KEY: 'v2',
  ROOT_ID: { type: 'ROOT', id: 'ROOT_ID', children: ['GRID_ID'] },
  GRID_ID: { type: 'GRID', id: 'GRID_ID', children: ['ROW-s1'], parents: ['ROOT_ID'] },
  'ROW-s1': {
    type: 'ROW',
    id: 'ROW-s1',
    children: chartIds.map((id) => `CHART-${id}`),
    parents: ['ROOT_ID', 'GRID_ID'],
  },
  ...Object.fromEntries(
    chartIds.map((id) => [
      `CHART-${id}`,
      chart(`CHART-${id}`, id, `Chart ${id}`, ['ROOT_ID', 'GRID_ID', 'ROW-s1']),
    ]),
  ),
})

/** dashboard_slices ids of this file's rows: the group's range, 2100-2149. */
let nextLinkId = 2100

async function insertDashboard(
  db: Db,
  d: {
    id: number
    title: string
    owner: number
    charts: number[]
    published?: boolean
    slug?: string
    layout?: string
    metadata?: unknown
  },
) {
  await db.query(sql`
    INSERT INTO dashboards (created_on, changed_on, id, dashboard_title, position_json, created_by_fk, changed_by_fk, css,
                            description, slug, json_metadata, published, uuid, is_managed_externally)
    VALUES ('2026-05-02 10:00:00', '2026-05-02 10:00:00', ${d.id}, ${d.title},
            ${d.layout ?? JSON.stringify(simpleLayout(d.charts))}, ${d.owner}, ${d.owner}, '', NULL, ${d.slug ?? null},
            ${JSON.stringify(d.metadata ?? { native_filter_configuration: [] })}, ${d.published ?? true},
            ${`dab02100-0000-4000-8000-00000000${String(d.id).padStart(4, '0')}`}::uuid, false)`)
  for (const chartId of d.charts) {
    await db.query(
      sql`INSERT INTO dashboard_slices (id, dashboard_id, slice_id) VALUES (${nextLinkId++}, ${d.id}, ${chartId})`,
    )
  }
  await db.query(
    sql`INSERT INTO dashboard_user (id, user_id, dashboard_id) VALUES (${d.id}, ${d.owner}, ${d.id})`,
  )
}

async function cleanUp(db: Db) {
  await db.query(sql`DROP TABLE IF EXISTS ${ident(FK_PROBE)}`)
  await db.query(sql`DELETE FROM report_schedule WHERE id = ${REPORT_ID}`)
  await db.query(sql`DELETE FROM tagged_object WHERE object_type = 'dashboard' AND object_id = ANY(${IDS})`)
  await db.query(sql`DELETE FROM favstar WHERE class_name = 'Dashboard' AND obj_id = ANY(${IDS})`)
  await db.query(sql`DELETE FROM embedded_dashboards WHERE dashboard_id = ANY(${IDS})`)
  await db.query(sql`DELETE FROM dashboard_roles WHERE dashboard_id = ANY(${IDS})`)
  await db.query(sql`DELETE FROM dashboard_user WHERE dashboard_id = ANY(${IDS})`)
  await db.query(sql`DELETE FROM dashboard_slices WHERE dashboard_id = ANY(${IDS})`)
  await db.query(sql`DELETE FROM dashboards WHERE id = ANY(${IDS})`)
}

beforeAll(async () => {
  await withMetadataDb(async (db) => {
    await cleanUp(db)
    await insertDashboard(db, {
      id: TABBED,
      title: 'Regional review (tabs)',
      owner: 3,
      charts: [2, 3, 5, 13],
      layout: JSON.stringify(tabbedLayout()),
      metadata: tabbedMetadata(),
    })
    // Dave's, with everything that hangs on a dashboard: a second owner, a role, embedding, a tag, favourites.
    await insertDashboard(db, { id: FINANCE, title: 'Finance close (to retire)', owner: 5, charts: [24, 25] })
    await db.query(sql`INSERT INTO dashboard_user (id, user_id, dashboard_id) VALUES (2120, 11, ${FINANCE})`)
    await db.query(sql`INSERT INTO dashboard_roles (id, role_id, dashboard_id) VALUES (2100, 8, ${FINANCE})`)
    await db.query(sql`
      INSERT INTO embedded_dashboards (created_on, changed_on, allow_domain_list, uuid, dashboard_id, changed_by_fk, created_by_fk)
      VALUES ('2026-05-02 10:00:00', '2026-05-02 10:00:00', 'https://intranet.example.com', 'e4bd2100-0000-4000-8000-000000002101', ${FINANCE}, 5, 5)`)
    await db.query(sql`
      INSERT INTO tagged_object (created_on, changed_on, id, tag_id, object_id, object_type, created_by_fk, changed_by_fk)
      VALUES ('2026-05-02 10:00:00', '2026-05-02 10:00:00', 2100, (SELECT min(id) FROM tag), ${FINANCE}, 'dashboard', 5, 5)`)
    await db.query(sql`
      INSERT INTO favstar (id, user_id, class_name, obj_id, dttm, uuid) VALUES
        (2100, 5, 'Dashboard', ${FINANCE}, '2026-05-03 09:00:00', 'fa552100-0000-4000-8000-000000002100'),
        (2101, 2, 'Dashboard', ${FINANCE}, '2026-05-03 09:00:00', 'fa552100-0000-4000-8000-000000002101')`)
    await insertDashboard(db, {
      id: SLUGGED,
      title: 'Slugged probe',
      owner: 1,
      charts: [6],
      slug: 'dash-read-slug-probe',
    })
    await insertDashboard(db, { id: REPORTED, title: 'Weekly digest', owner: 1, charts: [6] })
    await db.query(sql`
      INSERT INTO report_schedule (id, type, name, crontab, timezone, extra_json, dashboard_id)
      VALUES (${REPORT_ID}, 'Report', 'Monday digest', '0 9 * * 1', 'UTC', '{}', ${REPORTED})`)
    await insertDashboard(db, {
      id: MALFORMED,
      title: 'Broken layout',
      owner: 3,
      charts: [3],
      layout: '{"ROOT_ID": ',
    })
    await insertDashboard(db, {
      id: ADMIN_OWNED,
      title: 'Bob cannot touch this',
      owner: 1,
      charts: [2, 3],
      published: true,
    })
  })
})

afterAll(async () => {
  await withMetadataDb(async (db) => {
    await cleanUp(db)
  })
})

interface Stored {
  exists: boolean
  layout: any
  metadata: any
  slices: number[]
  owners: number[]
  roles: number
  embedded: number
  tags: number
  favourites: number
  changed_by_fk: number | null
}

async function stored(id: number): Promise<Stored> {
  return withMetadataDb(async (db) => {
    const [row] = await db.query<any>(sql`
      SELECT d.position_json, d.json_metadata, d.changed_by_fk,
             ARRAY(SELECT slice_id FROM dashboard_slices WHERE dashboard_id = ${id} ORDER BY slice_id) AS slices,
             ARRAY(SELECT user_id FROM dashboard_user WHERE dashboard_id = ${id} ORDER BY user_id) AS owners,
             (SELECT count(*)::int FROM dashboard_roles WHERE dashboard_id = ${id}) AS roles,
             (SELECT count(*)::int FROM embedded_dashboards WHERE dashboard_id = ${id}) AS embedded,
             (SELECT count(*)::int FROM tagged_object WHERE object_type = 'dashboard' AND object_id = ${id}) AS tags,
             (SELECT count(*)::int FROM favstar WHERE class_name = 'Dashboard' AND obj_id = ${id}) AS favourites
        FROM (SELECT ${id}::int AS id) k LEFT JOIN dashboards d ON d.id = k.id`)
    return {
      exists: row.position_json !== null || row.json_metadata !== null,
      layout: row.position_json === null ? null : safeParse(row.position_json),
      metadata: row.json_metadata === null ? null : JSON.parse(row.json_metadata),
      slices: row.slices,
      owners: row.owners,
      roles: row.roles,
      embedded: row.embedded,
      tags: row.tags,
      favourites: row.favourites,
      changed_by_fk: row.changed_by_fk,
    }
  })
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

const chartIdsIn = (layout: any): number[] =>
  Object.values(layout)
    .filter((node: any) => typeof node === 'object' && node.type === 'CHART')
    .map((node: any) => node.meta.chartId)

/** One call through the dispatcher, for a client that can confirm. */
const dispatch = (
  username: string,
  name: string,
  args: unknown,
  confirmation?: { state: string; accepted: boolean },
) => dispatchAs(username, name, args, { canConfirm: true, ...(confirmation ? { confirmation } : {}) })

/** Asks, checks nothing ran, confirms, and returns the confirmed call's answer. */
async function confirmed(username: string, name: string, request: unknown, before: () => Promise<unknown>) {
  const snapshot = await before()
  const asked = await dispatch(username, name, { request })
  expect(asked.kind).toBe('confirmation_required')
  expect(await before()).toEqual(snapshot)
  const { state, message } = asked as Extract<ToolOutcome, { kind: 'confirmation_required' }>
  const ran = await dispatch(username, name, { request }, { state, accepted: true })
  expect(ran.kind).toBe('answer')
  return { message, result: (ran as any).result }
}

describe('remove_chart_from_dashboard', () => {
  it('asks first; once confirmed, removes every placement, emptied containers, the link and the metadata references, at once', async () => {
    // Read (and cached) before: the removal must refresh it.
    const layoutBefore = await callAs('bob', 'get_dashboard_layout', { identifier: TABBED })
    expect(layoutBefore.charts.map((c: any) => c.chart_id)).toEqual([2, 3, 5, 2, 13])
    const { message, result } = await confirmed(
      'bob',
      'remove_chart_from_dashboard',
      { dashboard_id: TABBED, chart_id: 2 },
      () => stored(TABBED),
    )
    expect(message).toBe(
      `Remove chart 2 (\uE000Revenue by Region\uE001) from dashboard ${TABBED} (\uE000Regional review (tabs)\uE001): its 2 placement(s) in the layout, the rows and columns left empty, its dashboard link and its per-chart settings; the chart itself is not deleted.`,
    )
    expect(result.error).toBeNull()
    expect(result.permission_denied).toBe(false)
    expect(result.removed_layout_keys.sort()).toEqual(['CHART-2', 'CHART-x2', 'COLUMN-a1', 'ROW-a1'])
    expect(result.dashboard_url).toBe(`https://superset.example.test/superset/dashboard/${TABBED}/`)
    expect(result.dashboard).toMatchObject({ id: TABBED, chart_count: 3 })
    expect(result.dashboard.charts.map((c: any) => c.id)).toEqual([3, 5, 13])

    const after = await stored(TABBED)
    expect(after.slices).toEqual([3, 5, 13])
    expect(chartIdsIn(after.layout).sort((a, b) => a - b)).toEqual([3, 5, 13])
    expect(layoutProblems(after.layout)).toEqual([])
    expect(after.layout['TAB-a'].children).toEqual(['ROW-a2'])
    expect(after.layout['TAB-b'].children).toEqual(['ROW-b1'])
    expect(after.layout['ROW-b1'].children).toEqual(['CHART-13'])
    expect(after.layout['ROW-a1']).toBeUndefined()
    expect(after.layout['COLUMN-a1']).toBeUndefined()
    expect(after.changed_by_fk).toBe(3)
    const metadata = after.metadata
    expect(metadata.expanded_slices).toEqual({ '13': false })
    expect(metadata.timed_refresh_immune_slices).toEqual([13])
    expect(metadata.filter_scopes).toEqual({ '13': { segment: { scope: ['ROOT_ID'], immune: [3] } } })
    expect(JSON.parse(metadata.default_filters)).toEqual({})
    expect(metadata.chart_configuration).toEqual({
      '13': { id: 13, crossFilters: { scope: 'global', chartsInScope: [3, 5] } },
    })
    expect(metadata.global_chart_configuration.chartsInScope).toEqual([3, 5, 13])
    expect(metadata.native_filter_configuration[0].scope.excluded).toEqual([])
    expect(metadata.native_filter_configuration[0].chartsInScope).toEqual([3, 5, 13])
    // Untouched: what is not about chart 2.
    expect(metadata).toMatchObject({ color_scheme: 'supersetColors', cross_filters_enabled: true })
    // The chart itself stays, on its other dashboards too.
    const elsewhere = await withMetadataDb((db) =>
      db.query<{ n: number }>(
        sql`SELECT count(*)::int AS n FROM dashboard_slices WHERE slice_id = 2 AND dashboard_id = 1`,
      ),
    )
    expect(elsewhere[0]!.n).toBe(1)
    expect(await callAs('admin', 'get_chart_info', { identifier: 2, select_columns: ['id'] })).toMatchObject({
      id: 2,
    })
    const layoutAfter = await callAs('bob', 'get_dashboard_layout', { identifier: TABBED })
    expect(layoutAfter.charts.map((c: any) => c.chart_id)).toEqual([3, 5, 13])
    expect(layoutAfter.tabs.map((tab: any) => tab.chart_ids)).toEqual([[3, 5], [13]])
  })

  it('changes nothing when the user declines', async () => {
    const before = await stored(TABBED)
    const request = { dashboard_id: TABBED, chart_id: 13 }
    const asked = await dispatch('bob', 'remove_chart_from_dashboard', { request })
    expect(asked.kind).toBe('confirmation_required')
    const { state } = asked as Extract<ToolOutcome, { kind: 'confirmation_required' }>
    const declined = await dispatch(
      'bob',
      'remove_chart_from_dashboard',
      { request },
      { state, accepted: false },
    )
    expect(declined.kind).toBe('declined')
    expect(await stored(TABBED)).toEqual(before)
  })

  it('answers in-band when the chart is not on the dashboard (any more), changing nothing', async () => {
    const before = await stored(TABBED)
    const again = await callAs('bob', 'remove_chart_from_dashboard', { dashboard_id: TABBED, chart_id: 2 })
    expect(again).toEqual({
      dashboard: null,
      dashboard_url: null,
      removed_layout_keys: [],
      error: `Chart 2 is not in dashboard ${TABBED}. Use get_dashboard_info to see which charts the dashboard contains.`,
      permission_denied: false,
    })
    expect(await stored(TABBED)).toEqual(before)
  })

  it('refuses a visible dashboard of someone else before asking (permission_denied), and reads a hidden one as missing', async () => {
    const before = await stored(ADMIN_OWNED)
    // Bob sees the admin's published dashboard (its charts are on his datasets) but does not own it.
    const denied = await dispatch('bob', 'remove_chart_from_dashboard', {
      request: { dashboard_id: ADMIN_OWNED, chart_id: 3 },
    })
    expect(denied).toMatchObject({
      kind: 'answer',
      result: {
        dashboard: null,
        removed_layout_keys: [],
        permission_denied: true,
        error: `Only the owners of dashboard ${ADMIN_OWNED} (or an admin) may change it. Ask a Superset administrator for access if you need it.`,
      },
    })
    // Erin may see no dashboard: the same answer as for one that does not exist, and nothing asked.
    for (const id of [ADMIN_OWNED, 999_999]) {
      const missing = await dispatch('erin', 'remove_chart_from_dashboard', {
        request: { dashboard_id: id, chart_id: 3 },
      })
      expect(missing).toMatchObject({
        kind: 'answer',
        result: {
          dashboard: null,
          permission_denied: false,
          error: `Dashboard with identifier '${id}' not found. Check the identifier with list_dashboards.`,
        },
      })
    }
    expect(await stored(ADMIN_OWNED)).toEqual(before)
  })

  it('lets an admin remove from any dashboard; the last chart of a row takes the row with it', async () => {
    // Alice's answer, cached before the removal, is refreshed by it (the write bumps the dashboards' generation).
    const chartsOf = async () =>
      (await callAs('alice', 'get_dashboard_datasets', { identifier: ADMIN_OWNED })).datasets.map(
        (d: any) => [d.id, d.chart_count],
      )
    expect(await chartsOf()).toEqual([[1, 2]])
    const result = await callAs('admin', 'remove_chart_from_dashboard', {
      dashboard_id: ADMIN_OWNED,
      chart_id: 3,
    })
    expect(await chartsOf()).toEqual([[1, 1]])
    expect(result.removed_layout_keys).toEqual(['CHART-3'])
    const after = await stored(ADMIN_OWNED)
    expect(after.slices).toEqual([2])
    expect(after.layout['ROW-s1'].children).toEqual(['CHART-2'])
    const last = await callAs('admin', 'remove_chart_from_dashboard', {
      dashboard_id: ADMIN_OWNED,
      chart_id: 2,
    })
    expect(last.removed_layout_keys).toEqual(['CHART-2', 'ROW-s1'])
    const empty = await stored(ADMIN_OWNED)
    expect(empty.slices).toEqual([])
    expect(empty.layout.GRID_ID.children).toEqual([])
    expect(layoutProblems(empty.layout)).toEqual([])
  })

  it('refuses a layout it cannot parse rather than overwrite it, leaving the link in place', async () => {
    const result = await callAs('bob', 'remove_chart_from_dashboard', {
      dashboard_id: MALFORMED,
      chart_id: 3,
    })
    expect(result.error).toContain('malformed layout')
    const after = await stored(MALFORMED)
    expect(after.slices).toEqual([3])
    expect(after.layout).toBe('{"ROOT_ID": ')
  })

  it('refuses bad input specifically', async () => {
    for (const request of [
      { dashboard_id: TABBED },
      { chart_id: 3 },
      { dashboard_id: 'x', chart_id: 3 },
      { dashboard_id: TABBED, chart_id: -1 },
      { dashboard_id: true, chart_id: 3 },
    ]) {
      await expect(callAs('bob', 'remove_chart_from_dashboard', request)).rejects.toMatchObject({
        type: 'ValidationError',
      })
    }
  })
})

describe('delete_dashboard', () => {
  it('asks first; once confirmed, deletes the dashboard and every row that depends on it, and no chart', async () => {
    const before = await stored(FINANCE)
    expect(before).toMatchObject({
      exists: true,
      slices: [24, 25],
      owners: [5, 11],
      roles: 1,
      embedded: 1,
      tags: 1,
      favourites: 2,
    })
    const { message, result } = await confirmed('dave', 'delete_dashboard', { identifier: FINANCE }, () =>
      stored(FINANCE),
    )
    expect(message).toBe(
      `Permanently delete dashboard ${FINANCE} (\uE000Finance close (to retire)\uE001) with its 2 chart link(s), owners, roles, embedding, tags and favourites; the charts themselves are not deleted.`,
    )
    expect(result).toEqual({
      success: true,
      deleted_id: FINANCE,
      deleted_name: 'Finance close (to retire)',
      soft_deleted: false,
      message: `Permanently deleted dashboard id=${FINANCE}. Its charts were not deleted.`,
      error: null,
      error_type: null,
      permission_denied: false,
    })
    expect(await stored(FINANCE)).toMatchObject({
      exists: false,
      slices: [],
      owners: [],
      roles: 0,
      embedded: 0,
      tags: 0,
      favourites: 0,
    })
    const charts = await withMetadataDb((db) =>
      db.query<{ id: number }>(sql`SELECT id FROM slices WHERE id IN (24, 25) ORDER BY id`),
    )
    expect(charts.map((c) => c.id)).toEqual([24, 25])
    // Dashboard 6 shares those charts and keeps them; its favourite stays.
    expect((await stored(6)).slices).toEqual([24, 25])
    expect((await stored(6)).favourites).toBe(1)
    await expect(callAs('dave', 'get_dashboard_info', { identifier: FINANCE })).rejects.toMatchObject({
      type: 'NotFoundError',
    })
  })

  it('finds the dashboard by slug (and by UUID)', async () => {
    const result = await callAs('admin', 'delete_dashboard', { identifier: 'dash-read-slug-probe' })
    expect(result).toMatchObject({ success: true, deleted_id: SLUGGED })
    expect((await stored(SLUGGED)).exists).toBe(false)
    const byUuid = await callAs('admin', 'delete_dashboard', {
      identifier: 'dab02100-0000-4000-8000-000000002104',
    })
    expect(byUuid).toMatchObject({ success: true, deleted_id: MALFORMED, deleted_name: 'Broken layout' })
    expect(await stored(MALFORMED)).toMatchObject({ exists: false, slices: [], owners: [] })
  })

  it('refuses while a report uses the dashboard, naming it, and deletes nothing', async () => {
    const before = await stored(REPORTED)
    const answer = await dispatch('admin', 'delete_dashboard', { request: { identifier: REPORTED } })
    expect(answer).toMatchObject({
      kind: 'answer',
      result: {
        success: false,
        error_type: 'ReportsExist',
        permission_denied: false,
        error: `Dashboard \uE000Weekly digest\uE001 (id=${REPORTED}) cannot be deleted: there are associated alerts or reports: \uE000Monday digest\uE001. Remove the associated alerts/reports first.`,
      },
    })
    expect(await stored(REPORTED)).toEqual(before)
  })

  it('refuses a non-owner who sees it (Forbidden) and reads a hidden one as missing, before asking', async () => {
    const before = await stored(TABBED)
    // Alice (Alpha: all data) sees Bob's published dashboard but does not own it.
    const denied = await dispatch('alice', 'delete_dashboard', { request: { identifier: TABBED } })
    expect(denied).toMatchObject({
      kind: 'answer',
      result: { success: false, permission_denied: true, error_type: 'Forbidden', deleted_id: null },
    })
    for (const identifier of [TABBED, 'no-such-dashboard']) {
      const missing = await dispatch('erin', 'delete_dashboard', { request: { identifier } })
      expect(missing).toMatchObject({
        kind: 'answer',
        result: {
          success: false,
          permission_denied: false,
          error_type: 'NotFound',
          error: `Dashboard with identifier '${identifier}' not found. Check the identifier with list_dashboards.`,
        },
      })
    }
    expect(await stored(TABBED)).toEqual(before)
  })

  it('deletes nothing when any row still refers to the dashboard: one transaction, rolled back whole', async () => {
    await withMetadataDb(async (db) => {
      await insertDashboard(db, { id: WELCOME, title: 'Welcome page', owner: 1, charts: [6, 7] })
      await db.query(sql`INSERT INTO favstar (id, user_id, class_name, obj_id, dttm, uuid)
                         VALUES (2102, 1, 'Dashboard', ${WELCOME}, '2026-05-03 09:00:00', 'fa552100-0000-4000-8000-000000002102')`)
      await db.query(sql`CREATE TABLE ${ident(FK_PROBE)} (dashboard_id integer REFERENCES dashboards (id))`)
      await db.query(sql`INSERT INTO ${ident(FK_PROBE)} VALUES (${WELCOME})`)
    })
    const before = await stored(WELCOME)
    const result = await callAs('admin', 'delete_dashboard', { identifier: WELCOME })
    expect(result).toMatchObject({
      success: false,
      error_type: 'DashboardDeleteFailedError',
      error: expect.stringContaining('Nothing was deleted'),
    })
    // The links, owner and favourite deleted before the failing statement are all back.
    expect(await stored(WELCOME)).toEqual(before)
    expect(before).toMatchObject({ exists: true, slices: [6, 7], owners: [1], favourites: 1 })
    await withMetadataDb((db) => db.query(sql`DROP TABLE ${ident(FK_PROBE)}`))
    expect(await callAs('admin', 'delete_dashboard', { identifier: WELCOME })).toMatchObject({
      success: true,
    })
    expect(await stored(WELCOME)).toMatchObject({ exists: false, slices: [], owners: [], favourites: 0 })
  })

  it('refuses bad input specifically (a boolean is not dashboard 1)', async () => {
    for (const identifier of [true, false, 0, '', null]) {
      await expect(callAs('admin', 'delete_dashboard', { identifier })).rejects.toMatchObject({
        type: 'ValidationError',
      })
    }
    expect((await stored(1)).exists).toBe(true)
  })
})
