/**
 * get_chart_preview (ascii, table, vega_lite, url) and get_chart_type_schema.
 */
import { describe, expect, it } from 'vitest'
import { callAs } from '../helpers/call-as'
import { relaxLimits } from '../helpers/limits'

relaxLimits()

// 6.1's default format is url (GetChartPreviewRequest); the drawing tests ask for ascii by name.
const preview = (request: Record<string, unknown>, user = 'admin') =>
  callAs(user, 'get_chart_preview', { format: 'ascii', ...request })

describe('get_chart_preview', () => {
  it('draws a pie as labelled bars with shares, in the ChartPreview envelope', async () => {
    const result = await preview({ identifier: 5 })
    expect(result).toMatchObject({
      chart_id: 5,
      chart_name: 'Revenue Share by Region',
      chart_type: 'pie',
      explore_url: 'https://superset.example.test/explore/?slice_id=5',
      schema_version: '2.0',
      api_version: 'v1',
      content: { type: 'ascii', width: 80, height: 20, supports_color: false },
      // 6.1's backward-compatible copies (chart/tool/get_chart_preview.py).
      format: 'ascii',
      width: 80,
      height: 20,
      table_data: null,
    })
    expect(result.ascii_chart).toBe(result.content.ascii_content)
    const lines = result.content.ascii_content.split('\n')
    expect(lines[0]).toBe('Revenue Share by Region')
    const emea = lines.find((line: string) => line.startsWith('EMEA'))
    // 256477.50 / 988410.00 = 25.9 %
    expect(emea).toMatch(/^EMEA\s+│█+\s+256,477\.5 \(25\.9%\)$/)
    expect(lines.filter((line: string) => line.includes('│'))).toHaveLength(4)
  })

  it('plots a time series with one marker per series and a legend', async () => {
    const ascii = (await preview({ identifier: 4, ascii_width: 60, ascii_height: 12 })).content.ascii_content
    expect(ascii).toContain('* Online   o Partner   + Phone   x Retail')
    expect(ascii).toContain('2026-01-01')
    expect(ascii).toContain('2026-06-01')
    expect(ascii.split('\n').every((line: string) => line.length <= 60)).toBe(true)
  })

  it('shows big numbers, with a sparkline for the trendline variant', async () => {
    expect((await preview({ identifier: 6 })).content.ascii_content).toContain('945,798.9')
    const trend = (await preview({ identifier: 29 })).content.ascii_content
    expect(trend).toMatch(/[▁▂▃▄▅▆▇█]{10,}/)
  })

  it('draws tables and pivot tables as text tables', async () => {
    const table = await preview({ identifier: 2, format: 'table' })
    expect(table.content).toMatchObject({ type: 'table', row_count: 4, supports_sorting: false })
    expect(table.content.table_data).toMatch(/\| region \|\s+revenue \| count \| avg_order_value \|/)
    expect(table.content.table_data).toMatch(/\| EMEA\s+\|\s+245,686\.47 \|\s+718 \|/)
    const pivot = (await preview({ identifier: 8 })).content.ascii_content
    expect(pivot).toContain('revenue · Online')
    expect(pivot).toMatch(/\| EMEA\s+\|/)
  })

  it('builds a Vega-Lite v5 spec with the rows inline', async () => {
    const result = await preview({ identifier: 4, format: 'vega_lite', width: 640, height: 320 })
    const spec = result.content.specification
    expect(result.content).toMatchObject({ type: 'vega_lite', data_url: null, supports_streaming: false })
    expect(spec).toMatchObject({
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      width: 640,
      height: 320,
      mark: { type: 'bar' },
      encoding: {
        x: { field: 'order_date', type: 'temporal' },
        y: { field: 'revenue', type: 'quantitative' },
        color: { field: 'channel', type: 'nominal' },
      },
    })
    expect(spec.data.values).toHaveLength(24)
    const pie = (await preview({ identifier: 5, format: 'vega_lite' })).content.specification
    expect(pie.mark.type).toBe('arc')
    expect(pie.encoding.theta.field).toBe('revenue')
    const multiMetric = (await preview({ identifier: 25, format: 'vega_lite' })).content.specification
    expect(multiMetric.transform).toEqual([
      { fold: ['total_debit', 'total_credit'], as: ['metric', 'value'] },
    ])
  })

  it('returns the explore URL without querying, and applies RLS to previews', async () => {
    const url = await callAs('admin', 'get_chart_preview', { identifier: 2 })
    expect(url.content).toEqual({
      type: 'url',
      preview_url: 'https://superset.example.test/explore/?slice_id=2',
      width: 800,
      height: 600,
      supports_interaction: false,
    })
    expect(url).toMatchObject({ format: 'url', width: 800, height: 600, ascii_chart: null, table_data: null })
    const ivan = (await preview({ identifier: 5 }, 'ivan')).content.ascii_content
    expect(ivan).toContain('EMEA')
    expect(ivan).not.toContain('APAC')
    await expect(preview({ identifier: 2 }, 'erin')).rejects.toMatchObject({ type: 'NotFoundError' })
  })
})

/** generate_chart without saving (nothing is written): its previews of a config on dataset 1 (sales.orders). */
const previewConfig = (config: Record<string, unknown>, formats: string[]) =>
  callAs('admin', 'generate_chart', { dataset_id: 1, config, save_chart: false, preview_formats: formats })

/** A number computed by plain SQL (execute_sql as admin), independent of the chart engine. */
async function scalar(sql: string): Promise<number> {
  const result = await callAs('admin', 'execute_sql', { database_id: 1, sql })
  return Number(Object.values(result.rows[0])[0])
}

describe('PERCENTILE runs as SQL through the guardrails (chart/schemas.py ColumnRef.aggregate ~517)', () => {
  it('a 90th percentile per region equals PostgreSQL percentile_cont(0.9)', async () => {
    const result = await previewConfig(
      {
        chart_type: 'table',
        columns: [
          { name: 'region' },
          { name: 'order_total', aggregate: 'PERCENTILE', percentile: 90, label: 'p90' },
        ],
        filters: [{ column: 'region', op: 'IN', value: ['EMEA'] }],
      },
      ['vega_lite'],
    )
    const [row] = result.previews.vega_lite.specification.data.values
    const expected = await scalar(
      "SELECT percentile_cont(0.9) WITHIN GROUP (ORDER BY order_total) FROM sales.orders WHERE region = 'EMEA'",
    )
    expect(row.region).toBe('EMEA')
    expect(row.p90).toBeCloseTo(expected, 6)
  })
})

const MIXED = {
  chart_type: 'mixed_timeseries',
  x: { name: 'order_date' },
  time_grain: 'P1M',
  y: [{ name: 'order_total', aggregate: 'SUM', label: 'Revenue' }],
  y_secondary: [{ name: 'order_id', aggregate: 'COUNT', label: 'Orders' }],
}

// 6.1's previews (chart/tool/get_chart_preview.py, preview_utils.py) query form_data.metrics only: query A.
// The gateway draws query B, the secondary axis, too (README, Differences from Superset 6.1).
describe('mixed_timeseries previews draw both queries', () => {
  it('ascii: query A, then query B, each with its own heading and scale', async () => {
    const { previews } = await previewConfig(MIXED, ['ascii'])
    const ascii: string = previews.ascii.ascii_content
    const a = ascii.indexOf('Query A (primary axis): Revenue')
    const b = ascii.indexOf('Query B (secondary axis): Orders')
    expect(a).toBeGreaterThan(0)
    expect(b).toBeGreaterThan(a)
    // Each part is a plotted series over the same months.
    expect(ascii.slice(a, b)).toContain('┤')
    expect(ascii.slice(b)).toContain('┤')
    expect(ascii.split('\n').every((line) => line.length <= 80)).toBe(true)
  })

  it('table: both tables, row_count counting both', async () => {
    const { previews } = await previewConfig(MIXED, ['table'])
    const text: string = previews.table.table_data
    expect(text).toMatch(/Query A \(primary axis\): Revenue\n\+-+/)
    expect(text).toMatch(/Query B \(secondary axis\): Orders\n\+-+/)
    expect(text).toMatch(/\| order_date\s+\|\s+Revenue \|/)
    expect(text).toMatch(/\| order_date\s+\|\s+Orders \|/)
    const months = (text.match(/\| \d{4}-\d{2}-01/g) ?? []).length
    expect(previews.table.row_count).toBe(months)
    expect(months % 2).toBe(0)
  })

  it('vega_lite: two layers with independent y scales; data stays query A (get_chart_data rows)', async () => {
    const { previews } = await previewConfig(MIXED, ['vega_lite'])
    const spec = previews.vega_lite.specification
    expect(spec.resolve).toEqual({ scale: { y: 'independent' } })
    expect(spec.layer).toHaveLength(2)
    const [a, b] = spec.layer
    expect(a).not.toHaveProperty('data')
    expect(a).toMatchObject({
      mark: { type: 'line' },
      encoding: { y: { field: 'Revenue', axis: { orient: 'left' } }, color: { datum: 'Revenue' } },
    })
    expect(b).toMatchObject({
      mark: { type: 'bar' },
      encoding: { y: { field: 'Orders', axis: { orient: 'right' } }, color: { datum: 'Orders' } },
    })
    expect(Object.keys(spec.data.values[0])).toEqual(expect.arrayContaining(['order_date', 'Revenue']))
    expect(Object.keys(b.data.values[0])).toEqual(expect.arrayContaining(['order_date', 'Orders']))
    expect(b.data.values).toHaveLength(spec.data.values.length)
    const orders = b.data.values.reduce((total: number, row: any) => total + row.Orders, 0)
    expect(orders).toBe(await scalar('SELECT count(order_id) FROM sales.orders'))
  })
})

// 6.1 does not render a handlebars template in previews: its ASCII and table previews fall back to the
// query's rows as a table (get_chart_preview.py generate_ascii_chart, _generate_ascii_table), as here.
describe('handlebars previews are the rows as a table, the template not rendered', () => {
  it('ascii and table', async () => {
    const { previews } = await previewConfig(
      {
        chart_type: 'handlebars',
        handlebars_template: '<ul>{{#each data}}<li>{{region}} MARK</li>{{/each}}</ul>',
        groupby: [{ name: 'region' }],
        metrics: [{ name: 'order_total', aggregate: 'SUM', label: 'revenue' }],
      },
      ['ascii', 'table'],
    )
    for (const text of [previews.ascii.ascii_content, previews.table.table_data]) {
      expect(text).toMatch(/\| region \|\s+revenue \|/)
      expect(text).not.toContain('MARK')
      expect(text).not.toContain('<li>')
    }
    expect(previews.table.row_count).toBe(4)
  })
})

describe('get_chart_type_schema', () => {
  it('returns the config schema and examples for each chart type', async () => {
    // chart/tool/test_get_chart_type_schema.py: test_valid_chart_type_returns_schema, test_examples_match_chart_type
    for (const chartType of [
      'xy',
      'table',
      'pie',
      'big_number',
      'pivot_table',
      'mixed_timeseries',
      'handlebars',
    ]) {
      const result = await callAs('bob', 'get_chart_type_schema', { chart_type: chartType })
      expect(result.chart_type).toBe(chartType)
      expect(result.schema.type).toBe('object')
      expect(result.schema.properties.chart_type).toMatchObject({ const: chartType })
      expect(result.examples.length).toBeGreaterThan(0)
      for (const example of result.examples) expect(example.chart_type).toBe(chartType)
    }
  })

  it('accepts Superset viz_type names; without examples when include_examples is false', async () => {
    const xy = await callAs('admin', 'get_chart_type_schema', {
      chart_type: 'echarts_timeseries_bar',
      include_examples: false,
    })
    // test_include_examples_false_omits_examples
    expect(xy).toMatchObject({ chart_type: 'xy' })
    expect(xy).not.toHaveProperty('examples')
    expect(xy.schema.required).toEqual(expect.arrayContaining(['chart_type', 'y']))
  })

  it('answers an unknown chart type with the valid ones (test_invalid_chart_type_returns_error)', async () => {
    const result = await callAs('admin', 'get_chart_type_schema', { chart_type: 'sankey' })
    expect(result).toEqual({
      error: "Unknown chart_type: 'sankey'",
      valid_chart_types: [
        'big_number',
        'handlebars',
        'mixed_timeseries',
        'pie',
        'pivot_table',
        'table',
        'xy',
      ],
      hint: expect.stringContaining('Use one of the valid chart_type values'),
    })
  })
})
