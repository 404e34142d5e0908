/**
 * One chart model (issue 16, item 3): for every viz family, a chart saved by generate_chart gives through
 * get_chart_data exactly the rows update_chart_preview previewed and generate_chart checked, and
 * get_chart_preview draws the same rows; the query_context it stores is Superset's shape and is what
 * runs. A stored query_context that is not JSON or not a query context is a clear ValidationError.
 * Every call goes through the Worker's own fetch (POST /tools/<name>, and MCP tools/call), as admin.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from '../../src/db'
import { withMetadataDb } from '../helpers/db'
import { relaxLimits } from '../helpers/limits'
import { callHttpTool, connectClient } from '../helpers/mcp'

relaxLimits()

async function call(tool: string, request: unknown): Promise<any> {
  const response = await callHttpTool(tool, request)
  const body = (await response.json()) as any
  if (response.status !== 200) throw new Error(`${tool} answered ${response.status}: ${JSON.stringify(body)}`)
  return body
}

const vegaRows = (content: any): unknown[] => content.specification.data.values

const CASES: { name: string; vizType: string; config: Record<string, unknown> }[] = [
  {
    name: 'table, raw rows with a sort and filters',
    vizType: 'table',
    config: {
      chart_type: 'table',
      columns: [{ name: 'order_id' }, { name: 'region' }, { name: 'order_total' }],
      filters: [
        { column: 'region', op: 'IN', value: ['EMEA', 'APAC'] },
        { column: 'status', op: '!=', value: 'cancelled' },
      ],
      sort_by: ['order_id'],
      row_limit: 25,
    },
  },
  {
    name: 'table, aggregated (simple, saved and SQL metrics)',
    vizType: 'table',
    config: {
      chart_type: 'table',
      columns: [
        { name: 'region' },
        { name: 'order_total', aggregate: 'SUM', label: 'Gross' },
        { name: 'revenue', saved_metric: true },
        // A column is a metric when it has an aggregate or is saved; the SQL expression is the metric.
        { name: 'net', aggregate: 'SUM', sql_expression: 'SUM(order_total - discount)', label: 'Net' },
        { name: 'quantity', aggregate: 'MEDIAN' },
      ],
      filters: [{ column: 'channel', op: 'LIKE', value: '%e%' }],
    },
  },
  {
    name: 'ag-grid-table, aggregated',
    vizType: 'ag-grid-table',
    config: {
      chart_type: 'table',
      viz_type: 'ag-grid-table',
      columns: [{ name: 'channel' }, { name: 'order_id', aggregate: 'COUNT_DISTINCT', label: 'Orders' }],
    },
  },
  {
    name: 'line over time with a grain and series',
    vizType: 'echarts_timeseries_line',
    config: {
      chart_type: 'xy',
      kind: 'line',
      x: { name: 'order_date' },
      y: [{ name: 'revenue', saved_metric: true }],
      time_grain: 'P1M',
      group_by: { name: 'region' },
    },
  },
  {
    name: "bar over the dataset's main temporal column (no x given)",
    vizType: 'echarts_timeseries_bar',
    config: {
      chart_type: 'xy',
      kind: 'bar',
      y: [{ name: 'order_total', aggregate: 'SUM', label: 'Revenue' }],
      time_grain: 'P3M',
      stacked: true,
      filters: [{ column: 'status', op: '=', value: 'completed' }],
    },
  },
  {
    name: 'bar over a category',
    vizType: 'echarts_timeseries_bar',
    config: {
      chart_type: 'xy',
      kind: 'bar',
      x: { name: 'channel' },
      y: [{ name: 'count', saved_metric: true }],
    },
  },
  {
    name: 'area with two metrics and series',
    vizType: 'echarts_area',
    config: {
      chart_type: 'xy',
      kind: 'area',
      x: { name: 'order_date' },
      y: [
        { name: 'quantity', aggregate: 'SUM', label: 'Units' },
        { name: 'discount', aggregate: 'AVG', label: 'Avg discount' },
      ],
      time_grain: 'P1Y',
      group_by: [{ name: 'channel' }],
    },
  },
  {
    name: 'scatter',
    vizType: 'echarts_timeseries_scatter',
    config: {
      chart_type: 'xy',
      kind: 'scatter',
      x: { name: 'order_date' },
      y: [{ name: 'quantity', aggregate: 'AVG', label: 'Avg units' }],
      time_grain: 'P1W',
      row_limit: 30,
    },
  },
  {
    name: 'pie',
    vizType: 'pie',
    config: {
      chart_type: 'pie',
      dimension: { name: 'region' },
      metric: { name: 'order_total', aggregate: 'SUM', label: 'Revenue' },
      filters: [{ column: 'channel', op: 'NOT IN', value: ['partner'] }],
    },
  },
  {
    name: 'big number',
    vizType: 'big_number_total',
    config: {
      chart_type: 'big_number',
      metric: { name: 'avg_order_value', saved_metric: true },
      subheader: 'All orders',
    },
  },
  {
    name: 'big number with trendline',
    vizType: 'big_number',
    config: {
      chart_type: 'big_number',
      metric: { name: 'order_id', aggregate: 'COUNT', label: 'Orders' },
      temporal_column: 'order_date',
      show_trendline: true,
      time_grain: 'P1M',
    },
  },
  {
    name: 'pivot table',
    vizType: 'pivot_table_v2',
    config: {
      chart_type: 'pivot_table',
      rows: [{ name: 'region' }],
      columns: [{ name: 'channel' }],
      metrics: [
        { name: 'revenue', saved_metric: true },
        { name: 'units_sold', saved_metric: true },
      ],
    },
  },
]

describe('a saved chart runs what was previewed and checked', () => {
  const created: number[] = []
  afterAll(() =>
    withMetadataDb(async (db) => {
      await db.query(sql`DELETE FROM slice_user WHERE slice_id = ANY(${created})`)
      await db.query(sql`DELETE FROM slices WHERE id = ANY(${created})`)
    }),
  )

  it.each(CASES)('$name', async ({ config, vizType }) => {
    const preview = await call('update_chart_preview', {
      dataset_id: 1,
      config,
      preview_formats: ['vega_lite'],
    })
    const previewed = vegaRows(preview.previews.vega_lite)
    expect(previewed.length).toBeGreaterThan(0)

    const generated = await call('generate_chart', {
      dataset_id: 1,
      config,
      save_chart: true,
      preview_formats: ['vega_lite'],
    })
    const id: number = generated.chart.id
    created.push(id)
    expect(generated.chart_type_label).toBe(vizType)
    expect(vegaRows(generated.previews.vega_lite)).toEqual(previewed)

    const data = await call('get_chart_data', { identifier: id })
    expect(data.chart_type).toBe(vizType)
    expect(data.data).toEqual(previewed)

    const drawn = await call('get_chart_preview', { identifier: id, format: 'vega_lite' })
    expect(vegaRows(drawn.content)).toEqual(previewed)

    // What is stored is Superset's query_context for the saved params.
    const [row] = await withMetadataDb((db) =>
      db.query<{ params: string; query_context: string }>(
        sql`SELECT params, query_context FROM slices WHERE id = ${id}`,
      ),
    )
    const queryContext = JSON.parse(row!.query_context)
    expect(queryContext).toMatchObject({
      datasource: { id: 1, type: 'table' },
      form_data: JSON.parse(row!.params),
      result_format: 'json',
      result_type: 'full',
    })
    expect(queryContext.queries).toHaveLength(1)
    expect(queryContext.queries[0]).toMatchObject({ filters: expect.any(Array), extras: expect.any(Object) })
  })

  it('get_chart_data runs the stored query_context, not a query rebuilt from params', async () => {
    const generated = await call('generate_chart', {
      dataset_id: 1,
      config: CASES[0]!.config,
      save_chart: true,
    })
    const id: number = generated.chart.id
    created.push(id)
    await withMetadataDb((db) =>
      db.query(sql`
        UPDATE slices SET query_context = jsonb_set(query_context::jsonb, '{queries,0,row_limit}', '3')::text
         WHERE id = ${id}`),
    )
    const data = await call('get_chart_data', { identifier: id })
    expect(data.row_count).toBe(3)
  })

  it('update_chart saves the query_context its check ran', async () => {
    const generated = await call('generate_chart', {
      dataset_id: 1,
      config: CASES[8]!.config,
      save_chart: true,
    })
    const id: number = generated.chart.id
    created.push(id)
    const config = CASES[11]!.config
    const updated = await call('update_chart', {
      identifier: id,
      config,
      preview_formats: ['vega_lite'],
    })
    const preview = await call('update_chart_preview', {
      dataset_id: 1,
      config,
      preview_formats: ['vega_lite'],
    })
    const data = await call('get_chart_data', { identifier: id })
    expect(data.chart_type).toBe('pivot_table_v2')
    expect(data.data).toEqual(vegaRows(updated.previews.vega_lite))
    expect(data.data).toEqual(vegaRows(preview.previews.vega_lite))
  })
})

describe('a stored query_context that cannot be read', () => {
  const charts: Record<string, number> = {}
  const stored = {
    notJson: '{"datasource": {"id": 1, "type": "table"}, "queries": [',
    notAnObject: '[1, 2, 3]',
    queriesNotAList: '{"datasource": {"id": 1, "type": "table"}, "queries": "region"}',
    noQueries: '{"datasource": {"id": 1, "type": "table"}, "queries": []}',
    columnsNotAList: '{"datasource": {"id": 1, "type": "table"}, "queries": [{"columns": "region"}]}',
    otherDataset: '{"datasource": {"id": 2, "type": "table"}, "queries": [{"metrics": ["count"]}]}',
  }
  beforeAll(async () => {
    await withMetadataDb(async (db) => {
      for (const [key, text] of Object.entries(stored)) {
        const [row] = await db.query<{ id: number }>(sql`
          INSERT INTO slices (created_on, changed_on, slice_name, datasource_type, datasource_name, viz_type, params,
                              created_by_fk, changed_by_fk, perm, datasource_id, schema_perm, uuid, query_context)
          SELECT now(), now(), ${`Broken ${key}`}, datasource_type, datasource_name, viz_type, params,
                 created_by_fk, changed_by_fk, perm, datasource_id, schema_perm, gen_random_uuid(), ${text}
            FROM slices WHERE datasource_id = 1 ORDER BY id LIMIT 1
          RETURNING id`)
        charts[key] = row!.id
      }
    })
  })
  afterAll(() =>
    withMetadataDb((db) => db.query(sql`DELETE FROM slices WHERE id = ANY(${Object.values(charts)})`)),
  )

  async function failure(key: keyof typeof stored): Promise<{ status: number; body: any }> {
    const response = await callHttpTool('get_chart_data', { identifier: charts[key] })
    return { status: response.status, body: await response.json() }
  }

  it('is not JSON: the message names the chart and the field', async () => {
    const { status, body } = await failure('notJson')
    expect(status).toBe(400)
    expect(body).toMatchObject({
      error_type: 'ValidationError',
      error: `Chart ${charts.notJson} has invalid JSON in its query_context; re-save the chart in Superset.`,
    })
  })

  it.each([
    ['notAnObject', 'query_context: '],
    ['queriesNotAList', 'queries: '],
    ['noQueries', 'queries: has no queries'],
    ['columnsNotAList', 'queries.0.columns: '],
  ] as const)('has the wrong shape (%s): a ValidationError saying what is wrong', async (key, problem) => {
    const { status, body } = await failure(key)
    expect(status).toBe(400)
    expect(body.error_type).toBe('ValidationError')
    expect(body.error).toContain(
      `Chart ${charts[key]} has a query_context that is not a Superset query context (`,
    )
    expect(body.error).toContain(problem)
    expect(body.error).toMatch(/re-save the chart in Superset\.$/)
    expect(body.details).toMatchObject({ reason: 'invalid_query_context', chart_id: charts[key] })
  })

  it("names another dataset than the chart's: refused, not run on either", async () => {
    const { status, body } = await failure('otherDataset')
    expect(status).toBe(400)
    expect(body.error).toBe(
      `Chart ${charts.otherDataset} has a query_context for dataset 2, not for its own dataset 1; re-save the chart in Superset.`,
    )
  })

  it('is a tool error over MCP too (get_chart_data and get_chart_preview), never an internal error', async () => {
    const client = await connectClient()
    try {
      const identifier = charts.columnsNotAList
      for (const [tool, request] of [
        ['get_chart_data', { identifier }],
        ['get_chart_preview', { identifier, format: 'table' }],
      ] as const) {
        const result: any = await client.callTool({ name: tool, arguments: { request } })
        expect(result.isError).toBe(true)
        expect(JSON.stringify(result.content)).toContain('is not a Superset query context')
        expect(JSON.stringify(result.content)).not.toContain('InternalError')
      }
    } finally {
      await client.close()
    }
  })
})
