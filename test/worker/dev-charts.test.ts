/**
 * The development branch's read tools for charts and datasets (docs/TOOLS.md "Charts and datasets"):
 * get_chart_sql and query_dataset, on the demo content, with the caller's access and row-level security.
 */
import { describe, expect, it } from 'vitest'
import { callAs, toolNamesAs } from '../helpers/call-as'
import { relaxLimits } from '../helpers/limits'

relaxLimits()

const chartSql = (user: string, request: unknown) => callAs(user, 'get_chart_sql', request)

describe('get_chart_sql', () => {
  it('is listed for users with SQL Lab (can_execute_sql_query on SQLLab) only', async () => {
    expect(await toolNamesAs('admin')).toContain('get_chart_sql')
    expect(await toolNamesAs('bob')).toContain('get_chart_sql')
    expect(await toolNamesAs('dave')).toContain('get_chart_sql')
    expect(await toolNamesAs('carol')).not.toContain('get_chart_sql')
    expect(await toolNamesAs('erin')).not.toContain('get_chart_sql')
  })

  it("answers the development branch's ChartSql: the chart's query, not run, with the values written in", async () => {
    const result = await chartSql('admin', { identifier: 2 })
    expect(Object.keys(result).sort()).toEqual(
      ['chart_id', 'chart_name', 'datasource_name', 'error', 'language', 'sql'].sort(),
    )
    expect(result).toMatchObject({
      chart_id: 2,
      chart_name: 'Revenue by Region',
      datasource_name: 'orders',
      language: 'sql',
      error: null,
    })
    expect(result.sql).toMatch(/^SELECT /)
    expect(result.sql).toContain('"sales"."orders"')
    expect(result.sql).toContain('GROUP BY')
    expect(result.sql).not.toMatch(/\$\d/)
    // The admin is exempt from every RLS filter.
    expect(result.sql).not.toContain('is_test_account')
  })

  it('shows SQL that execute_sql accepts and that answers what get_chart_data answers', async () => {
    const { sql } = await chartSql('admin', { identifier: 2 })
    const run = await callAs('admin', 'execute_sql', { database_id: 1, sql })
    expect(run.success).toBe(true)
    const data = await callAs('admin', 'get_chart_data', { identifier: 2 })
    expect(run.rows.map((row: any) => row.region)).toEqual(data.data.map((row: any) => row.region))
  })

  it("includes the caller's row-level security: bob's Base filter, ivan-like filters stay out of the admin's", async () => {
    const bob = await chartSql('bob', { identifier: 13 })
    expect(bob.sql).toContain('is_test_account = false')
    const admin = await chartSql('admin', { identifier: 13 })
    expect(admin.sql).not.toContain('is_test_account = false')
    // A virtual dataset: the RLS of the customers table reaches inside its SQL.
    const virtual = await chartSql('bob', { identifier: 27 })
    expect(virtual.sql).toContain('virtual_table')
    expect(virtual.sql).toContain('is_test_account = false')
  })

  it('finds a chart by UUID; a chart the caller may not see reads as missing', async () => {
    expect((await chartSql('admin', { identifier: 'c4a70000-0000-4000-8000-000000000002' })).chart_id).toBe(2)
    await expect(chartSql('dave', { identifier: 2 })).rejects.toMatchObject({
      type: 'NotFoundError',
      message: "Chart with identifier '2' not found. Check the identifier with list_charts.",
    })
    await expect(chartSql('admin', { identifier: 999 })).rejects.toMatchObject({
      type: 'NotFoundError',
      message: "Chart with identifier '999' not found. Check the identifier with list_charts.",
    })
    expect((await chartSql('dave', { identifier: 24 })).chart_id).toBe(24)
  })

  it('refuses a call without identifier or form_data_key, and explains form_data_key', async () => {
    await expect(chartSql('admin', {})).rejects.toMatchObject({
      type: 'ValidationError',
      message: expect.stringContaining("'identifier' or 'form_data_key'"),
    })
    await expect(chartSql('admin', { form_data_key: 'abc' })).rejects.toMatchObject({
      type: 'ValidationError',
      message: expect.stringContaining('cache'),
    })
  })
})

const query = (user: string, request: unknown) => callAs(user, 'query_dataset', request)

describe('query_dataset', () => {
  const revenueByRegion = {
    dataset_id: 1,
    metrics: ['count', 'revenue'],
    columns: ['region'],
    filters: [{ col: 'status', op: '!=', val: 'cancelled' }],
    order_by: ['revenue'],
  }

  it('is listed for users who may read datasets', async () => {
    expect(await toolNamesAs('admin')).toContain('query_dataset')
    expect(await toolNamesAs('bob')).toContain('query_dataset')
    expect(await toolNamesAs('carol')).toContain('query_dataset')
  })

  it("answers the development branch's QueryDatasetResponse with saved metrics per dimension", async () => {
    const result = await query('admin', revenueByRegion)
    expect(Object.keys(result).sort()).toEqual(
      [
        'applied_filters',
        'cache_status',
        'columns',
        'data',
        'dataset_id',
        'dataset_name',
        'performance',
        'row_count',
        'summary',
        'total_rows',
        'warnings',
      ].sort(),
    )
    expect(result).toMatchObject({
      dataset_id: 1,
      dataset_name: 'orders',
      row_count: 4,
      total_rows: 4,
      summary: "Dataset 'orders': 4 rows, 3 columns (fresh).",
      applied_filters: [{ col: 'status', op: '!=', val: 'cancelled' }],
      cache_status: { cache_hit: false },
      performance: { cache_status: 'fresh' },
      warnings: [],
    })
    // The same numbers as chart 2 (the same query, saved), largest revenue first.
    expect(result.data.map((row: any) => [row.region, row.revenue, row.count])).toEqual([
      ['EMEA', 245686.47, 718],
      ['APAC', 243590.48, 717],
      ['NA', 241733.49, 718],
      ['LATAM', 214788.46, 717],
    ])
    expect(result.columns.find((column: any) => column.name === 'revenue')).toMatchObject({
      display_name: 'Revenue',
      semantic_type: 'metric',
    })
  })

  it('applies a time range on the main datetime column, ordering and the row limit', async () => {
    const result = await query('admin', {
      dataset_id: 1,
      metrics: ['count'],
      columns: ['channel'],
      time_range: '2026-01-01 : 2026-04-01',
      order_by: ['channel'],
      order_desc: false,
      row_limit: 2,
    })
    expect(result.applied_filters).toEqual([
      { col: 'order_date', op: 'TEMPORAL_RANGE', val: '2026-01-01 : 2026-04-01' },
    ])
    expect(result.row_count).toBe(2)
    const channels = result.data.map((row: any) => row.channel)
    expect([...channels].sort()).toEqual(channels)
    expect(result.warnings.join(' ')).toContain('row limit (2)')
    const expected = await callAs('admin', 'execute_sql', {
      database_id: 1,
      sql: "SELECT count(*) AS n FROM sales.orders WHERE order_date >= '2026-01-01' AND order_date < '2026-04-01' AND channel = (SELECT min(channel) FROM sales.orders)",
    })
    expect(result.data[0].count).toBe(Number(expected.rows[0].n))
  })

  it("runs under the caller's row-level security", async () => {
    const ivan = await query('ivan', revenueByRegion)
    expect(ivan.data.map((row: any) => [row.region, row.revenue, row.count])).toEqual([
      ['EMEA', 245686.47, 718],
    ])
    const segments = await query('bob', { dataset_id: 2, metrics: ['count'], columns: ['segment'] })
    expect(segments.data.reduce((total: number, row: any) => total + row.count, 0)).toBe(196)
    const all = await query('admin', { dataset_id: 2, metrics: ['count'], columns: ['segment'] })
    expect(all.data.reduce((total: number, row: any) => total + row.count, 0)).toBe(200)
  })

  it('finds a dataset by UUID; one the caller may not see reads as missing', async () => {
    expect(
      (await query('admin', { dataset_id: 'da7a0000-0000-4000-8000-000000000001', metrics: ['count'] })).data,
    ).toHaveLength(1)
    for (const [user, id] of [
      ['carol', 1],
      ['erin', 1],
      ['admin', 999],
    ] as const) {
      await expect(query(user, { dataset_id: id, metrics: ['count'] })).rejects.toMatchObject({
        type: 'NotFoundError',
        message: `Dataset with identifier '${id}' not found. Check the identifier with list_datasets.`,
      })
    }
    expect((await query('carol', { dataset_id: 4, metrics: ['total_spend'] })).row_count).toBe(1)
  })

  it('refuses unknown names with close matches, and requests without metrics or columns', async () => {
    await expect(query('admin', { dataset_id: 1, metrics: ['revenu'] })).rejects.toMatchObject({
      type: 'ValidationError',
      message: expect.stringMatching(/Unknown metric: .revenu.\. Did you mean: .revenue./),
    })
    await expect(
      query('admin', { dataset_id: 1, columns: ['regon'], order_by: ['nope'] }),
    ).rejects.toMatchObject({
      type: 'ValidationError',
      message: expect.stringMatching(/Unknown column: .regon.*Unknown order_by: .nope./),
    })
    await expect(query('admin', { dataset_id: 1 })).rejects.toMatchObject({
      type: 'ValidationError',
      message: expect.stringContaining("At least one of 'metrics' or 'columns'"),
    })
    await expect(
      query('admin', { dataset_id: 1, metrics: ['count'], time_range: 'Last week', time_column: 'nope' }),
    ).rejects.toMatchObject({ type: 'ValidationError', message: expect.stringContaining('does not exist') })
    await expect(
      query('admin', {
        dataset_id: 1,
        metrics: ['count'],
        filters: [{ col: 'region', op: 'BETWEEN', val: 1 }],
      }),
    ).rejects.toMatchObject({ type: 'ValidationError' })
  })
})
