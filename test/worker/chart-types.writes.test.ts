/**
 * The two chart types 6.1 added (mixed_timeseries, handlebars; issue 17, item 4) end to end, as
 * test/worker/chart-model.writes.test.ts checks the others: a chart saved by generate_chart gives through
 * get_chart_data exactly the rows update_chart_preview previewed and generate_chart checked, and stores
 * Superset's query_context for its params (mixed_timeseries: query A and query B, as the frontend's
 * buildQuery makes them; get_chart_data returns query A, as 6.1's does). update_chart switches a chart to
 * and between them. Every call goes through the Worker's fetch (MCP tools/call), as admin.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { sql } from '../../src/db'
import { callAs } from '../helpers/call-as'
import { withMetadataDb } from '../helpers/db'
import { relaxLimits } from '../helpers/limits'

relaxLimits()

const call = (tool: string, request: unknown) => callAs('admin', tool, request)
const vegaRows = (content: any): unknown[] => content.specification.data.values

const CASES: {
  name: string
  config: Record<string, unknown>
  /** What each stored query object has (6.1's form_data through the frontend's buildQuery). */
  queries: Record<string, unknown>[]
}[] = [
  {
    name: 'mixed_timeseries: revenue as a line, orders as bars, monthly (test_basic_mixed_form_data)',
    config: {
      chart_type: 'mixed_timeseries',
      x: { name: 'order_date' },
      time_grain: 'P1M',
      y: [{ name: 'order_total', aggregate: 'SUM', label: 'Revenue' }],
      y_secondary: [{ name: 'order_id', aggregate: 'COUNT', label: 'Orders' }],
      filters: [{ column: 'status', op: '=', value: 'completed' }],
    },
    queries: [
      {
        columns: [
          expect.objectContaining({ columnType: 'BASE_AXIS', sqlExpression: 'order_date', timeGrain: 'P1M' }),
        ],
        metrics: [expect.objectContaining({ label: 'Revenue' })],
        filters: [{ col: 'status', op: '==', val: 'completed' }],
        extras: expect.objectContaining({ time_grain_sqla: 'P1M' }),
      },
      {
        columns: [
          expect.objectContaining({ columnType: 'BASE_AXIS', sqlExpression: 'order_date', timeGrain: 'P1M' }),
        ],
        metrics: [expect.objectContaining({ label: 'Orders' })],
        filters: [{ col: 'status', op: '==', val: 'completed' }],
      },
    ],
  },
  {
    name: 'mixed_timeseries with a series on each query (test_mixed_form_data_with_groupby)',
    config: {
      chart_type: 'mixed_timeseries',
      x: { name: 'order_date' },
      time_grain: 'P3M',
      y: [{ name: 'revenue', saved_metric: true }],
      group_by: [{ name: 'region' }],
      primary_kind: 'area',
      y_secondary: [{ name: 'quantity', aggregate: 'SUM', label: 'Units' }],
      group_by_secondary: [{ name: 'channel' }],
      secondary_kind: 'line',
    },
    queries: [
      { series_columns: ['region'], metrics: ['revenue'] },
      { series_columns: ['channel'], metrics: [expect.objectContaining({ label: 'Units' })] },
    ],
  },
  {
    name: 'mixed_timeseries, a series on query A only: query B is not grouped',
    config: {
      chart_type: 'mixed_timeseries',
      x: { name: 'order_date' },
      time_grain: 'P1Y',
      y: [{ name: 'order_total', aggregate: 'SUM', label: 'Revenue' }],
      group_by: 'region',
      y_secondary: [{ name: 'order_id', aggregate: 'COUNT', label: 'Orders' }],
    },
    queries: [{ series_columns: ['region'] }, { series_columns: [] }],
  },
  {
    name: 'handlebars, aggregate (test_aggregate_mode_with_groupby)',
    config: {
      chart_type: 'handlebars',
      handlebars_template: '<ul>{{#each data}}<li>{{region}}: {{revenue}}</li>{{/each}}</ul>',
      groupby: [{ name: 'region' }],
      metrics: [{ name: 'order_total', aggregate: 'SUM', label: 'revenue' }],
      order_desc: false,
    },
    queries: [
      {
        columns: ['region'],
        metrics: [expect.objectContaining({ label: 'revenue' })],
        orderby: [[expect.objectContaining({ label: 'revenue' }), true]],
      },
    ],
  },
  {
    name: 'handlebars, raw rows (test_raw_mode)',
    config: {
      chart_type: 'handlebars',
      query_mode: 'raw',
      handlebars_template: '{{#each data}}<p>{{order_id}} {{region}}</p>{{/each}}',
      columns: [{ name: 'order_id' }, { name: 'region' }, { name: 'order_total' }],
      filters: [{ column: 'region', op: 'IN', value: ['EMEA', 'APAC'] }],
      row_limit: 20,
    },
    queries: [
      {
        columns: ['order_id', 'region', 'order_total'],
        metrics: [],
        row_limit: 20,
        filters: [{ col: 'region', op: 'IN', val: ['EMEA', 'APAC'] }],
      },
    ],
  },
]

const created: number[] = []
afterAll(() =>
  withMetadataDb(async (db) => {
    await db.query(sql`DELETE FROM slice_user WHERE slice_id = ANY(${created})`)
    await db.query(sql`DELETE FROM slices WHERE id = ANY(${created})`)
  }),
)

async function stored(id: number): Promise<{ viz_type: string; params: any; query_context: any }> {
  const [row] = await withMetadataDb((db) =>
    db.query<{ viz_type: string; params: string; query_context: string }>(
      sql`SELECT viz_type, params, query_context FROM slices WHERE id = ${id}`,
    ),
  )
  return {
    viz_type: row!.viz_type,
    params: JSON.parse(row!.params),
    query_context: JSON.parse(row!.query_context),
  }
}

describe('a saved mixed_timeseries or handlebars chart runs what was previewed and checked', () => {
  it.each(CASES)('$name', async ({ config, queries }) => {
    const vizType = config.chart_type as string
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
      preview_formats: ['vega_lite', 'table', 'ascii'],
    })
    const id: number = generated.chart.id
    created.push(id)
    expect(generated.chart_type_label).toBe(vizType)
    expect(vegaRows(generated.previews.vega_lite)).toEqual(previewed)
    expect(generated.previews.ascii.ascii_content).not.toBe('')

    const link = await call('generate_explore_link', { dataset_id: 1, config })
    expect(link.form_data).toEqual(generated.form_data)

    const data = await call('get_chart_data', { identifier: id })
    expect(data.chart_type).toBe(vizType)
    expect(data.data).toEqual(previewed)

    const drawn = await call('get_chart_preview', { identifier: id, format: 'vega_lite' })
    expect(vegaRows(drawn.content)).toEqual(previewed)

    const row = await stored(id)
    expect(row.viz_type).toBe(vizType)
    expect(row.params).toEqual(generated.form_data)
    expect(row.query_context).toMatchObject({
      datasource: { id: 1, type: 'table' },
      form_data: row.params,
      result_format: 'json',
      result_type: 'full',
    })
    expect(row.query_context.queries).toHaveLength(queries.length)
    queries.forEach((query, index) => expect(row.query_context.queries[index]).toMatchObject(query))
  })

  it('get_chart_data of a mixed_timeseries chart returns query A, whatever query B holds', async () => {
    const generated = await call('generate_chart', {
      dataset_id: 1,
      config: CASES[0]!.config,
      save_chart: true,
    })
    const id: number = generated.chart.id
    created.push(id)
    await withMetadataDb((db) =>
      db.query(sql`
        UPDATE slices SET query_context = jsonb_set(query_context::jsonb, '{queries,1,row_limit}', '1')::text
         WHERE id = ${id}`),
    )
    const data = await call('get_chart_data', { identifier: id })
    expect(data.columns.map((column: any) => column.name)).toContain('Revenue')
    expect(data.row_count).toBeGreaterThan(1)
  })

  it('update_chart turns a pie into a mixed_timeseries chart, then into a handlebars chart', async () => {
    const generated = await call('generate_chart', {
      dataset_id: 1,
      config: {
        chart_type: 'pie',
        dimension: { name: 'region' },
        metric: { name: 'order_total', aggregate: 'SUM' },
      },
      save_chart: true,
    })
    const id: number = generated.chart.id
    created.push(id)
    for (const { config, queries } of [CASES[1]!, CASES[4]!]) {
      const updated = await call('update_chart', { identifier: id, config, preview_formats: ['vega_lite'] })
      expect(updated.chart_type_label).toBe(config.chart_type)
      const data = await call('get_chart_data', { identifier: id })
      expect(data.data).toEqual(vegaRows(updated.previews.vega_lite))
      const row = await stored(id)
      expect(row.viz_type).toBe(config.chart_type)
      expect(row.query_context.queries).toHaveLength(queries.length)
    }
  })
})
