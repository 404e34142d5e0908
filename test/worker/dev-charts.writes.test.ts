/**
 * The development branch's chart and dataset writes (docs/TOOLS.md "Charts and datasets"), checked in
 * the metadata tables themselves: delete_chart, create_dataset, update_dataset_metric — ownership,
 * invariants, one transaction, the confirmation flow.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql, type Db } from '../../src/db'
import type { ToolOutcome } from '../../src/dispatch'
import { dispatchAs, type DispatchOptions } from '../helpers/dispatch'
import { callAs, toolNamesAs } from '../helpers/call-as'
import { createRole, createUser, withAnalyticsSuperuser, withMetadataDb } from '../helpers/db'
import { relaxLimits } from '../helpers/limits'

relaxLimits()

/** One call through the dispatcher; a refusal is returned, not thrown. */
async function dispatch(
  username: string,
  name: string,
  args: unknown,
  options: DispatchOptions,
): Promise<{ outcome?: ToolOutcome; error?: any }> {
  try {
    return { outcome: await dispatchAs(username, name, args, options) }
  } catch (error) {
    return { error }
  }
}

const one = async <T>(db: Db, query: ReturnType<typeof sql>): Promise<T> =>
  (await db.query<any>(query))[0] as T
const count = (query: ReturnType<typeof sql>) =>
  withMetadataDb(async (db) => (await one<{ n: number }>(db, query)).n)

interface Probe {
  chartId: number
  otherChartId: number
  dashboardId: number
}

/** A chart owned by bob (a copy of chart 2, on orders), on a new dashboard beside chart 6, tagged and favourited. */
async function probeChart(name: string): Promise<Probe> {
  return withMetadataDb(async (db) => {
    const { id: chartId } = await one<{ id: number }>(
      db,
      sql`
      INSERT INTO slices (created_on, changed_on, slice_name, datasource_type, datasource_name, viz_type, params,
                          created_by_fk, changed_by_fk, perm, datasource_id, schema_perm, uuid, query_context)
      SELECT now(), now(), ${name}, datasource_type, datasource_name, viz_type, params, 3, 3, perm, datasource_id,
             schema_perm, gen_random_uuid(), query_context
        FROM slices WHERE id = 2
      RETURNING id`,
    )
    await db.query(sql`INSERT INTO slice_user (user_id, slice_id) VALUES (3, ${chartId})`)
    const chartKey = `CHART-${chartId}`
    const layout = {
      DASHBOARD_VERSION_KEY: 'v2',
      ROOT_ID: { type: 'ROOT', id: 'ROOT_ID', children: ['GRID_ID'] },
      GRID_ID: { type: 'GRID', id: 'GRID_ID', children: ['ROW-probe'], parents: ['ROOT_ID'] },
      'ROW-probe': {
        type: 'ROW',
        id: 'ROW-probe',
        children: [chartKey, 'CHART-6'],
        parents: ['ROOT_ID', 'GRID_ID'],
      },
      [chartKey]: {
        type: 'CHART',
        id: chartKey,
        children: [],
        parents: ['ROOT_ID', 'GRID_ID', 'ROW-probe'],
        meta: { chartId, width: 6, height: 50 },
      },
      'CHART-6': {
        type: 'CHART',
        id: 'CHART-6',
        children: [],
        parents: ['ROOT_ID', 'GRID_ID', 'ROW-probe'],
        meta: { chartId: 6, width: 6, height: 50 },
      },
    }
    const metadata = {
      timed_refresh_immune_slices: [chartId, 6],
      expanded_slices: { [chartId]: true, '6': false },
      chart_configuration: {
        [chartId]: { id: chartId, crossFilters: { scope: 'global', chartsInScope: [6] } },
        '6': { id: 6, crossFilters: { scope: 'global', chartsInScope: [chartId] } },
      },
      global_chart_configuration: {
        scope: { rootPath: ['ROOT_ID'], excluded: [chartId] },
        chartsInScope: [chartId, 6],
      },
      native_filter_configuration: [
        { id: 'NATIVE_FILTER-1', chartsInScope: [chartId, 6], scope: { excluded: [chartId] } },
      ],
      default_filters: JSON.stringify({ [chartId]: { region: ['EMEA'] } }),
    }
    const { id: dashboardId } = await one<{ id: number }>(
      db,
      sql`
      INSERT INTO dashboards (created_on, changed_on, dashboard_title, position_json, json_metadata, published, uuid,
                              created_by_fk, changed_by_fk)
      VALUES (now(), now(), ${`${name} board`}, ${JSON.stringify(layout)}, ${JSON.stringify(metadata)}, false,
              gen_random_uuid(), 3, 3)
      RETURNING id`,
    )
    await db.query(sql`INSERT INTO dashboard_user (user_id, dashboard_id) VALUES (3, ${dashboardId})`)
    await db.query(
      sql`INSERT INTO dashboard_slices (dashboard_id, slice_id) VALUES (${dashboardId}, ${chartId}), (${dashboardId}, 6)`,
    )
    await db.query(sql`
      INSERT INTO tagged_object (created_on, changed_on, tag_id, object_id, object_type) VALUES (now(), now(), 1, ${chartId}, 'chart')`)
    await db.query(sql`
      INSERT INTO favstar (user_id, class_name, obj_id, dttm, uuid) VALUES (3, 'slice', ${chartId}, now(), gen_random_uuid())`)
    return { chartId, otherChartId: 6, dashboardId }
  })
}

async function references(chartId: number) {
  return {
    slices: await count(sql`SELECT count(*)::int AS n FROM slices WHERE id = ${chartId}`),
    owners: await count(sql`SELECT count(*)::int AS n FROM slice_user WHERE slice_id = ${chartId}`),
    links: await count(sql`SELECT count(*)::int AS n FROM dashboard_slices WHERE slice_id = ${chartId}`),
    tags: await count(
      sql`SELECT count(*)::int AS n FROM tagged_object WHERE object_type = 'chart' AND object_id = ${chartId}`,
    ),
    favourites: await count(
      sql`SELECT count(*)::int AS n FROM favstar WHERE class_name = 'slice' AND obj_id = ${chartId}`,
    ),
  }
}

const PRESENT = { slices: 1, owners: 1, links: 1, tags: 1, favourites: 1 }
const GONE = { slices: 0, owners: 0, links: 0, tags: 0, favourites: 0 }

describe('delete_chart', () => {
  const made: Probe[] = []
  const probe = async (name: string) => {
    const created = await probeChart(name)
    made.push(created)
    return created
  }
  afterAll(async () => {
    await withMetadataDb(async (db) => {
      for (const { chartId, dashboardId } of made) {
        await db.query(sql`DELETE FROM dashboard_slices WHERE dashboard_id = ${dashboardId}`)
        await db.query(sql`DELETE FROM dashboard_user WHERE dashboard_id = ${dashboardId}`)
        await db.query(sql`DELETE FROM dashboards WHERE id = ${dashboardId}`)
        await db.query(sql`DELETE FROM tagged_object WHERE object_type = 'chart' AND object_id = ${chartId}`)
        await db.query(sql`DELETE FROM favstar WHERE class_name = 'slice' AND obj_id = ${chartId}`)
        await db.query(sql`DELETE FROM slices WHERE id = ${chartId}`)
      }
    })
  })

  it('is listed for users who may write charts', async () => {
    expect(await toolNamesAs('admin')).toContain('delete_chart')
    expect(await toolNamesAs('bob')).toContain('delete_chart')
    expect(await toolNamesAs('mallory')).toContain('delete_chart')
  })

  it("lets the owner delete the chart with every reference to it, in the development branch's response", async () => {
    const { chartId, dashboardId } = await probe('Delete probe (owner)')
    expect(await references(chartId)).toEqual(PRESENT)
    const result = await callAs('bob', 'delete_chart', { identifier: chartId })
    expect(result).toEqual({
      success: true,
      deleted_id: chartId,
      deleted_name: 'Delete probe (owner)',
      soft_deleted: false,
      message: `Permanently deleted chart 'Delete probe (owner)' (id=${chartId}).`,
      error: null,
      error_type: null,
      permission_denied: false,
    })
    expect(await references(chartId)).toEqual(GONE)
    const dashboard = await withMetadataDb((db) =>
      one<{ position_json: string; json_metadata: string; changed_by_fk: number }>(
        db,
        sql`SELECT position_json, json_metadata, changed_by_fk FROM dashboards WHERE id = ${dashboardId}`,
      ),
    )
    const layout = JSON.parse(dashboard.position_json)
    expect(layout[`CHART-${chartId}`]).toBeUndefined()
    expect(layout['ROW-probe'].children).toEqual(['CHART-6'])
    expect(layout['CHART-6'].meta.chartId).toBe(6)
    const metadata = JSON.parse(dashboard.json_metadata)
    expect(metadata.timed_refresh_immune_slices).toEqual([6])
    expect(metadata.expanded_slices).toEqual({ '6': false })
    expect(Object.keys(metadata.chart_configuration)).toEqual(['6'])
    expect(metadata.chart_configuration['6'].crossFilters.chartsInScope).toEqual([])
    expect(metadata.global_chart_configuration).toEqual({
      scope: { rootPath: ['ROOT_ID'], excluded: [] },
      chartsInScope: [6],
    })
    expect(metadata.native_filter_configuration[0]).toMatchObject({
      chartsInScope: [6],
      scope: { excluded: [] },
    })
    expect(JSON.parse(metadata.default_filters)).toEqual({})
    expect(dashboard.changed_by_fk).toBe(3)
    // The other chart on the dashboard stays linked.
    expect(
      await count(
        sql`SELECT count(*)::int AS n FROM dashboard_slices WHERE dashboard_id = ${dashboardId} AND slice_id = 6`,
      ),
    ).toBe(1)
  })

  it('lets an admin delete any chart, by UUID', async () => {
    const { chartId } = await probe('Delete probe (admin)')
    const { uuid } = await withMetadataDb((db) =>
      one<{ uuid: string }>(db, sql`SELECT uuid::text AS uuid FROM slices WHERE id = ${chartId}`),
    )
    expect(await callAs('admin', 'delete_chart', { identifier: uuid })).toMatchObject({
      success: true,
      deleted_id: chartId,
    })
    expect(await references(chartId)).toEqual(GONE)
  })

  it('refuses a non-owner who can see the chart (in-band, permission_denied) and changes nothing', async () => {
    const { chartId } = await probe('Delete probe (not yours)')
    const result = await callAs('alice', 'delete_chart', { identifier: chartId })
    expect(result).toMatchObject({
      success: false,
      deleted_id: null,
      permission_denied: true,
      error_type: 'Forbidden',
      error: expect.stringContaining('do not retry'),
    })
    expect(await references(chartId)).toEqual(PRESENT)
  })

  it('refuses a non-owner and a chart an alert sends before asking (no confirmation for a refused delete)', async () => {
    const { chartId } = await probe('Delete probe (refused before asking)')
    const denied = await dispatch(
      'alice',
      'delete_chart',
      { request: { identifier: chartId } },
      { canConfirm: true },
    )
    expect(denied.outcome).toMatchObject({
      kind: 'answer',
      result: { success: false, permission_denied: true, error_type: 'Forbidden' },
    })
    expect(await references(chartId)).toEqual(PRESENT)
    const { id: reportId } = await withMetadataDb((db) =>
      one<{ id: number }>(
        db,
        sql`INSERT INTO report_schedule (type, name, crontab, extra_json, chart_id, created_on, changed_on)
            VALUES ('Report', ${`Probe report ask ${chartId}`}, '0 9 * * *', '{}', ${chartId}, now(), now())
            RETURNING id`,
      ),
    )
    try {
      const reported = await dispatch(
        'bob',
        'delete_chart',
        { request: { identifier: chartId } },
        { canConfirm: true },
      )
      expect(reported.outcome).toMatchObject({
        kind: 'answer',
        result: { success: false, error_type: 'ReportsExist' },
      })
    } finally {
      await withMetadataDb((db) => db.query(sql`DELETE FROM report_schedule WHERE id = ${reportId}`))
    }
    expect(await references(chartId)).toEqual(PRESENT)
  })

  it('answers a chart the caller may not see exactly like a missing one', async () => {
    const { chartId } = await probe('Delete probe (hidden)')
    const hidden = await callAs('carol', 'delete_chart', { identifier: chartId })
    const missing = await callAs('carol', 'delete_chart', { identifier: 999_999 })
    expect(hidden).toMatchObject({ success: false, error_type: 'NotFound', permission_denied: false })
    expect(hidden.error).toBe(
      `Chart with identifier '${chartId}' not found. Check the identifier with list_charts.`,
    )
    expect(missing.error).toBe(
      "Chart with identifier '999999' not found. Check the identifier with list_charts.",
    )
    expect(await references(chartId)).toEqual(PRESENT)
  })

  it('refuses bad input', async () => {
    for (const request of [{}, { identifier: 0 }, { identifier: '' }, { identifier: [1] }]) {
      await expect(callAs('admin', 'delete_chart', request)).rejects.toMatchObject({
        type: 'ValidationError',
      })
    }
  })

  it('asks first, naming the chart; deletes once when confirmed; a declined call changes nothing', async () => {
    const { chartId } = await probe('Delete probe (confirm)')
    const args = { request: { identifier: chartId } }
    const asked = await dispatch('bob', 'delete_chart', args, { canConfirm: true })
    expect(asked.outcome).toMatchObject({
      kind: 'confirmation_required',
      message: `Permanently delete chart ${chartId} (\uE000Delete probe (confirm)\uE001) and remove it from every dashboard that shows it.`,
    })
    expect(await references(chartId)).toEqual(PRESENT)
    const state = (asked.outcome as Extract<ToolOutcome, { kind: 'confirmation_required' }>).state
    const declined = await dispatch('bob', 'delete_chart', args, {
      canConfirm: true,
      confirmation: { state, accepted: false },
    })
    expect(declined.error ?? declined.outcome).toBeDefined()
    expect(await references(chartId)).toEqual(PRESENT)
    const again = await dispatch('bob', 'delete_chart', args, { canConfirm: true })
    const state2 = (again.outcome as Extract<ToolOutcome, { kind: 'confirmation_required' }>).state
    const confirmed = await dispatch('bob', 'delete_chart', args, {
      canConfirm: true,
      confirmation: { state: state2, accepted: true },
    })
    expect(confirmed.outcome).toMatchObject({
      kind: 'answer',
      result: { success: true, deleted_id: chartId },
    })
    expect(await references(chartId)).toEqual(GONE)
    const replay = await dispatch('bob', 'delete_chart', args, {
      canConfirm: true,
      confirmation: { state: state2, accepted: true },
    })
    expect(replay.error).toMatchObject({ details: { reason: 'confirmation_state_used' } })
  })

  it('refuses a chart an alert or report sends', async () => {
    const { chartId } = await probe('Delete probe (reported)')
    const { id: reportId } = await withMetadataDb((db) =>
      one<{ id: number }>(
        db,
        sql`INSERT INTO report_schedule (type, name, crontab, extra_json, chart_id, created_on, changed_on)
            VALUES ('Report', ${`Probe report ${chartId}`}, '0 9 * * *', '{}', ${chartId}, now(), now())
            RETURNING id`,
      ),
    )
    try {
      const result = await callAs('admin', 'delete_chart', { identifier: chartId })
      expect(result).toMatchObject({ success: false, error_type: 'ReportsExist' })
      expect(result.error).toContain('Remove the associated alerts/reports first')
      expect(await references(chartId)).toEqual(PRESENT)
    } finally {
      await withMetadataDb((db) => db.query(sql`DELETE FROM report_schedule WHERE id = ${reportId}`))
    }
  })
})

/** Removes datasets the tests made, with everything Superset would remove with them. */
async function dropDatasets(ids: readonly number[]): Promise<void> {
  if (ids.length === 0) return
  await withMetadataDb(async (db) => {
    const perms = await db.query<{ perm: string }>(sql`SELECT perm FROM tables WHERE id = ANY(${[...ids]})`)
    await db.query(sql`DELETE FROM sqlatable_user WHERE table_id = ANY(${[...ids]})`)
    await db.query(sql`DELETE FROM tables WHERE id = ANY(${[...ids]})`)
    const names = perms.map((row) => row.perm)
    await db.query(sql`DELETE FROM ab_permission_view_role WHERE permission_view_id IN (
      SELECT pv.id FROM ab_permission_view pv JOIN ab_view_menu v ON v.id = pv.view_menu_id WHERE v.name = ANY(${names}))`)
    await db.query(
      sql`DELETE FROM ab_permission_view WHERE view_menu_id IN (SELECT id FROM ab_view_menu WHERE name = ANY(${names}))`,
    )
    await db.query(sql`DELETE FROM ab_view_menu WHERE name = ANY(${names})`)
  })
}

describe('create_dataset', () => {
  const created: number[] = []
  const cleanups: (() => Promise<void>)[] = []
  beforeAll(async () => {
    await withAnalyticsSuperuser((db) =>
      db.query(
        sql`CREATE TABLE IF NOT EXISTS scratch.dev_probe_targets (region text, month date, target numeric)`,
      ),
    )
    cleanups.push(
      await createRole('Dev Dataset Writer', [
        { permission: 'can_write', view: 'Dataset' },
        { permission: 'can_read', view: 'Dataset' },
        { permission: 'schema_access', view: '[scratchpad].[scratch]' },
      ]),
    )
    cleanups.push(await createUser('dev_writer', ['Gamma', 'Dev Dataset Writer']))
  })
  afterAll(async () => {
    await dropDatasets(created)
    for (const cleanup of cleanups.reverse()) await cleanup()
    await withAnalyticsSuperuser((db) => db.query(sql`DROP TABLE IF EXISTS scratch.dev_probe_targets`))
  })

  it('is listed for users who may write datasets only', async () => {
    expect(await toolNamesAs('admin')).toContain('create_dataset')
    expect(await toolNamesAs('alice')).toContain('create_dataset')
    expect(await toolNamesAs('bob')).not.toContain('create_dataset')
    expect(await toolNamesAs('dev_writer')).toContain('create_dataset')
  })

  it("registers a table with its columns, the count metric, owners and Superset's permissions", async () => {
    const result = await callAs('admin', 'create_dataset', {
      database_id: 3,
      schema: 'sales',
      table_name: 'orders',
    })
    created.push(result.id)
    expect(result).toMatchObject({
      table_name: 'orders',
      schema: 'sales',
      database_name: 'scratchpad',
      database_id: 3,
      is_virtual: false,
      sql: null,
      main_dttm_col: 'order_date',
      url: expect.stringContaining(String(result.id)),
    })
    expect(result.metrics).toEqual([
      expect.objectContaining({ metric_name: 'count', expression: 'COUNT(*)' }),
    ])
    const expected = await withAnalyticsSuperuser((db) =>
      db.query<{ column_name: string }>(
        sql`SELECT column_name FROM information_schema.columns WHERE table_schema = 'sales' AND table_name = 'orders' ORDER BY ordinal_position`,
      ),
    )
    expect(result.columns.map((column: any) => column.column_name)).toEqual(
      expected.map((row) => row.column_name),
    )
    const row = await withMetadataDb((db) =>
      one<any>(
        db,
        sql`SELECT perm, schema_perm, catalog_perm, created_by_fk, sql,
                   (SELECT array_agg(user_id ORDER BY user_id) FROM sqlatable_user WHERE table_id = t.id) AS owners,
                   (SELECT count(*)::int FROM ab_permission_view pv JOIN ab_permission p ON p.id = pv.permission_id
                      JOIN ab_view_menu v ON v.id = pv.view_menu_id WHERE p.name = 'datasource_access' AND v.name = t.perm) AS pairs,
                   (SELECT bool_and(is_dttm) FROM table_columns WHERE table_id = t.id AND column_name IN ('order_date', 'ordered_at')) AS dttm
              FROM tables t WHERE id = ${result.id}`,
      ),
    )
    expect(row).toEqual({
      perm: `[scratchpad].[orders](id:${result.id})`,
      schema_perm: '[scratchpad].[sales]',
      catalog_perm: null,
      created_by_fk: 1,
      sql: null,
      owners: [1],
      pairs: 1,
      dttm: true,
    })
    // The dataset answers queries at once.
    const data = await callAs('admin', 'query_dataset', { dataset_id: result.id, metrics: ['count'] })
    expect(data.data[0].count).toBeGreaterThan(0)
  })

  it('refuses a table that already has a dataset, and a table that does not exist', async () => {
    await expect(
      callAs('admin', 'create_dataset', { database_id: 1, schema: 'sales', table_name: 'orders' }),
    ).rejects.toMatchObject({
      type: 'ConflictError',
      details: { error_type: 'DatasetExistsError', resource_id: 1 },
    })
    await expect(
      callAs('admin', 'create_dataset', { database_id: 3, schema: 'sales', table_name: 'no_such_table' }),
    ).rejects.toMatchObject({ type: 'NotFoundError', details: { error_type: 'TableNotFoundError' } })
    await expect(
      callAs('admin', 'create_dataset', { database_id: 999, schema: 'sales', table_name: 'orders' }),
    ).rejects.toMatchObject({
      type: 'NotFoundError',
      message: expect.stringContaining("Database with identifier '999'"),
    })
  })

  it('lets a writer with schema access register a table of that schema only, owned by them and the owners named', async () => {
    const denied = callAs('dev_writer', 'create_dataset', {
      database_id: 3,
      schema: 'sales',
      table_name: 'products',
    })
    await expect(denied).rejects.toMatchObject({
      type: 'PermissionDeniedError',
      details: { reason: 'TABLE_SECURITY_ACCESS_ERROR', tables: ['sales.products'] },
    })
    // A database the writer cannot see reads as missing.
    await expect(
      callAs('dev_writer', 'create_dataset', { database_id: 1, schema: 'finance', table_name: 'gl_entries' }),
    ).rejects.toMatchObject({ type: 'NotFoundError' })
    const result = await callAs('dev_writer', 'create_dataset', {
      database_id: 3,
      schema: 'scratch',
      table_name: 'dev_probe_targets',
      editors: [3],
    })
    created.push(result.id)
    expect(result).toMatchObject({
      table_name: 'dev_probe_targets',
      schema: 'scratch',
      main_dttm_col: 'month',
    })
    const owners = await withMetadataDb((db) =>
      db.query<{ username: string }>(
        sql`SELECT u.username FROM sqlatable_user o JOIN ab_user u ON u.id = o.user_id WHERE o.table_id = ${result.id} ORDER BY u.username`,
      ),
    )
    expect(owners.map((owner) => owner.username)).toEqual(['bob', 'dev_writer'])
  })

  it('refuses bad input: no table name, unknown owners, system schemas', async () => {
    await expect(
      callAs('admin', 'create_dataset', { database_id: 3, schema: 'sales' }),
    ).rejects.toMatchObject({
      type: 'ValidationError',
    })
    await expect(
      callAs('admin', 'create_dataset', {
        database_id: 3,
        schema: 'sales',
        table_name: 'customers',
        editors: [99999],
      }),
    ).rejects.toMatchObject({
      type: 'ValidationError',
      message: expect.stringContaining('User not found: 99999'),
    })
    for (const schema of ['pg_catalog', 'information_schema']) {
      await expect(
        callAs('admin', 'create_dataset', { database_id: 3, schema, table_name: 'pg_class' }),
      ).rejects.toMatchObject({ type: 'ValidationError', details: { reason: 'system_schema' } })
    }
  })
})

describe('update_dataset_metric', () => {
  const cleanups: (() => Promise<void>)[] = []
  let metricId: number
  let uuid: string
  const metricRow = () =>
    withMetadataDb((db) =>
      one<any>(
        db,
        sql`SELECT metric_name, expression, verbose_name, d3format, currency, changed_by_fk FROM sql_metrics WHERE id = ${metricId}`,
      ),
    )
  beforeAll(async () => {
    const row = await withMetadataDb((db) =>
      one<{ id: number; uuid: string }>(
        db,
        sql`INSERT INTO sql_metrics (id, created_on, changed_on, metric_name, verbose_name, table_id, expression, d3format, uuid)
            VALUES (2210, now(), now(), 'probe_revenue', 'Probe revenue', 1, 'SUM(order_total)', ',.2f', gen_random_uuid())
            RETURNING id, uuid::text AS uuid`,
      ),
    )
    metricId = row.id
    uuid = row.uuid
    cleanups.push(
      await createRole('Dev Metric Writer', [
        { permission: 'can_write', view: 'Dataset' },
        { permission: 'can_read', view: 'Dataset' },
        { permission: 'schema_access', view: '[scratchpad].[scratch]' },
      ]),
    )
    cleanups.push(await createUser('dev_metric_writer', ['Gamma', 'Dev Metric Writer']))
  })
  afterAll(async () => {
    await withMetadataDb((db) => db.query(sql`DELETE FROM sql_metrics WHERE id = ${metricId}`))
    for (const cleanup of cleanups.reverse()) await cleanup()
  })

  it('is listed for users who may write datasets', async () => {
    expect(await toolNamesAs('alice')).toContain('update_dataset_metric')
    expect(await toolNamesAs('bob')).not.toContain('update_dataset_metric')
  })

  it("lets an owner change only the properties passed, answering the development branch's response", async () => {
    const others = await count(
      sql`SELECT count(*)::int AS n FROM sql_metrics WHERE table_id = 1 AND id <> ${metricId}`,
    )
    const result = await callAs('alice', 'update_dataset_metric', {
      dataset_id: 1,
      metric: 'probe_revenue',
      expression: 'SUM(order_total - discount)',
      d3format: '$,.2f',
      currency: { symbol: 'EUR', symbolPosition: 'suffix' },
    })
    expect(result).toEqual({
      dataset_id: 1,
      dataset_name: 'orders',
      metric: {
        id: metricId,
        uuid,
        metric_name: 'probe_revenue',
        verbose_name: 'Probe revenue',
        // Stored as checked: built-ins pg_catalog-qualified.
        expression: 'pg_catalog.SUM(order_total - discount)',
        description: null,
        d3format: '$,.2f',
        metric_type: null,
        currency: { symbol: 'EUR', symbolPosition: 'suffix' },
        warning_text: null,
        extra: null,
      },
      updated_properties: ['currency', 'd3format', 'expression'],
      url: expect.stringContaining('datasource_id=1'),
      error: null,
    })
    expect(await metricRow()).toEqual({
      metric_name: 'probe_revenue',
      expression: 'pg_catalog.SUM(order_total - discount)',
      verbose_name: 'Probe revenue',
      d3format: '$,.2f',
      currency: { symbol: 'EUR', symbolPosition: 'suffix' },
      changed_by_fk: 2,
    })
    expect(
      await count(sql`SELECT count(*)::int AS n FROM sql_metrics WHERE table_id = 1 AND id <> ${metricId}`),
    ).toBe(others)
    // The new expression is what queries now compute.
    const data = await callAs('admin', 'query_dataset', {
      dataset_id: 1,
      metrics: ['probe_revenue', 'net_revenue'],
    })
    expect(data.data[0].probe_revenue).toBe(data.data[0].net_revenue)
  })

  it('finds the metric by id or UUID (admin, not an owner) and refuses a name another metric has', async () => {
    expect(
      (
        await callAs('admin', 'update_dataset_metric', {
          dataset_id: 1,
          metric: metricId,
          verbose_name: 'By id',
        })
      ).metric.verbose_name,
    ).toBe('By id')
    expect(
      (
        await callAs('admin', 'update_dataset_metric', {
          dataset_id: 1,
          metric: uuid,
          verbose_name: 'By uuid',
        })
      ).metric.verbose_name,
    ).toBe('By uuid')
    const clash = await callAs('admin', 'update_dataset_metric', {
      dataset_id: 1,
      metric: metricId,
      metric_name: 'count',
    })
    expect(clash).toMatchObject({
      metric: null,
      error: expect.stringContaining('already has a metric named "count"'),
    })
    expect((await metricRow()).metric_name).toBe('probe_revenue')
  })

  it('refuses non-owners and unknown metrics in-band; a hidden dataset reads as missing', async () => {
    const notOwner = await callAs('dev_metric_writer', 'update_dataset_metric', {
      dataset_id: 11,
      metric: 'count',
      verbose_name: 'x',
    })
    expect(notOwner).toMatchObject({
      metric: null,
      error: expect.stringContaining('Only the owners of dataset 11'),
    })
    const hidden = await callAs('dev_metric_writer', 'update_dataset_metric', {
      dataset_id: 1,
      metric: 'probe_revenue',
      verbose_name: 'x',
    })
    expect(hidden.error).toBe(
      "Dataset with identifier '1' not found. Check the identifier with list_datasets.",
    )
    const unknown = await callAs('alice', 'update_dataset_metric', {
      dataset_id: 1,
      metric: 'probe_revenu',
      verbose_name: 'x',
    })
    expect(unknown.error).toMatch(
      /Metric .probe_revenu. not found on this dataset\. Did you mean: .probe_revenue./,
    )
    expect((await metricRow()).verbose_name).toBe('By uuid')
  })

  it('refuses a call that changes nothing', async () => {
    await expect(
      callAs('alice', 'update_dataset_metric', { dataset_id: 1, metric: 'probe_revenue' }),
    ).rejects.toMatchObject({
      type: 'ValidationError',
      message: expect.stringContaining('Nothing to change'),
    })
  })

  it('refuses an expression the checker rejects before asking, and changes nothing', async () => {
    const before = await metricRow()
    const args = {
      request: { dataset_id: 1, metric: 'probe_revenue', expression: 'SUM((SELECT 1))' },
    }
    const refused = await dispatch('alice', 'update_dataset_metric', args, { canConfirm: true })
    expect(refused.outcome).toMatchObject({
      kind: 'answer',
      result: { metric: null, error: expect.any(String) },
    })
    expect(await metricRow()).toEqual(before)
  })

  it('asks first, naming the metric and what changes; changes it once confirmed', async () => {
    const args = { request: { dataset_id: 1, metric: 'probe_revenue', d3format: ',.0f' } }
    const asked = await dispatch('alice', 'update_dataset_metric', args, { canConfirm: true })
    expect(asked.outcome).toMatchObject({
      kind: 'confirmation_required',
      message: `Change d3format of metric ${metricId} (\uE000probe_revenue\uE001) of dataset 1 (\uE000orders\uE001); every chart using it changes.`,
    })
    expect((await metricRow()).d3format).toBe('$,.2f')
    const state = (asked.outcome as Extract<ToolOutcome, { kind: 'confirmation_required' }>).state
    const confirmed = await dispatch('alice', 'update_dataset_metric', args, {
      canConfirm: true,
      confirmation: { state, accepted: true },
    })
    expect(confirmed.outcome).toMatchObject({ kind: 'answer', result: { error: null } })
    expect((await metricRow()).d3format).toBe(',.0f')
  })
})
