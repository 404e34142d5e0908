/**
 * The semantic layer over built-in datasets (Superset's development branch,
 * superset/mcp_service/semantic_layer/): list_metrics, get_compatible_metrics, get_compatible_dimensions, on
 * the demo datasets' metrics and columns (scripts/seed/superset-demo.sql). Only datasets the caller may see
 * count (DatasourceFilter: access-matrix.test.ts has who sees which); a hidden dataset is a missing one.
 */
import { describe, expect, it } from 'vitest'
import { UNTRUSTED_CLOSE, UNTRUSTED_OPEN } from '../../src/mcp/untrusted'
import { callAs, rpcAs, toolNamesAs } from '../helpers/call-as'

const withoutCacheStatus = ({ cache_status: _status, ...rest }: any) => rest
const TOOLS = ['get_compatible_dimensions', 'get_compatible_metrics', 'list_metrics']
const names = (result: any): string[] =>
  result.metrics.map((metric: any) => `${metric.dataset_id}:${metric.name}`)

describe('tool visibility (can_read on Dataset)', () => {
  it.each(['admin', 'alice', 'bob', 'erin', 'heidi'])('%s sees the three tools', async (username) => {
    expect((await toolNamesAs(username)).filter((name) => TOOLS.includes(name))).toEqual(TOOLS)
  })
})

describe('list_metrics (semantic_layer/schemas.py ListMetricsRequest, MetricList, MetricInfo)', () => {
  it('lists every visible metric, by dataset then name, 25 a page', async () => {
    const result = await callAs('admin', 'list_metrics')
    expect(result).toMatchObject({ total_count: 35, page: 1, page_size: 25, total_pages: 2, success: true })
    expect(result.metrics).toHaveLength(25)
    expect(names(result).slice(0, 8)).toEqual([
      '1:avg_order_value',
      '1:count',
      '1:net_revenue',
      '1:revenue',
      '1:unique_customers',
      '1:units_sold',
      '2:count',
      '2:real_customers',
    ])
    expect(result.metrics[3]).toEqual({
      name: 'revenue',
      verbose_name: 'Revenue',
      description: 'Gross revenue before discounts',
      expression: 'SUM(order_total)',
      d3format: '$,.2f',
      warning_text: null,
      source: 'builtin',
      dataset_id: 1,
      dataset_name: 'orders',
      view_id: null,
      view_name: null,
      semantic_selection_version: null,
      compatible_dimensions: [],
    })
    const second = await callAs('admin', 'list_metrics', { page: 2 })
    expect(second.metrics).toHaveLength(10)
    expect(second).toMatchObject({ page: 2, total_count: 35, total_pages: 2 })
  })

  it('counts only the datasets the caller may see', async () => {
    const dave = await callAs('dave', 'list_metrics')
    expect(names(dave)).toEqual(['7:count', '7:net_amount', '7:total_credit', '7:total_debit'])
    const bob = await callAs('bob', 'list_metrics', { page_size: 100 })
    expect([...new Set(bob.metrics.map((metric: any) => metric.dataset_id))]).toEqual([1, 2, 3, 8])
    expect(bob.total_count).toBe(13)
    const erin = await callAs('erin', 'list_metrics')
    expect(erin).toMatchObject({
      metrics: [],
      total_count: 0,
      page: 1,
      page_size: 25,
      total_pages: 1,
      success: true,
    })
  })

  it('answers a hidden dataset exactly as a missing one: no metrics', async () => {
    const hidden = await callAs('bob', 'list_metrics', { dataset_id: 6 })
    const missing = await callAs('bob', 'list_metrics', { dataset_id: 999 })
    expect(hidden).toMatchObject({
      metrics: [],
      total_count: 0,
      page: 1,
      page_size: 25,
      total_pages: 1,
      success: true,
    })
    expect(withoutCacheStatus(missing)).toEqual(withoutCacheStatus(hidden))
    expect(names(await callAs('judy', 'list_metrics', { dataset_id: 6 }))).toEqual([
      '6:avg_salary',
      '6:count',
      '6:headcount',
      '6:total_payroll',
    ])
  })

  it('searches metric names and descriptions, case-insensitively', async () => {
    expect(names(await callAs('admin', 'list_metrics', { search: 'REVENUE' }))).toEqual([
      '1:net_revenue',
      '1:revenue',
      '8:revenue',
      '9:revenue',
    ])
    expect(names(await callAs('admin', 'list_metrics', { search: 'debits minus' }))).toEqual(['7:net_amount'])
    expect(names(await callAs('bob', 'list_metrics', { search: 'salary' }))).toEqual([])
  })

  it('embeds compatible dimensions on request, at most 4 a page', async () => {
    const result = await callAs('dave', 'list_metrics', { include_compatible_dimensions: true, page_size: 4 })
    const dimensions = result.metrics[0].compatible_dimensions
    expect(dimensions.map((dimension: any) => dimension.name)).toEqual([
      'entry_id',
      'journal_id',
      'posting_date',
      'account_code',
      'account_name',
      'cost_center',
      'region',
      'debit',
      'credit',
      'currency',
      'description',
      'net_amount',
    ])
    expect(dimensions[2]).toEqual({
      name: 'posting_date',
      verbose_name: 'Posting date',
      description: null,
      type: 'DATE',
      is_dttm: true,
      groupby: true,
      filterable: true,
      source: 'builtin',
    })
    await expect(
      callAs('dave', 'list_metrics', { include_compatible_dimensions: true, page_size: 5 }),
    ).rejects.toMatchObject({ type: 'ValidationError', message: expect.stringMatching(/page_size <= 4/) })
  })

  it('answers view_id in-band: semantic views are not enabled', async () => {
    expect(await callAs('admin', 'list_metrics', { view_id: 1 })).toMatchObject({
      success: false,
      error_type: 'SemanticLayersDisabledError',
      error: expect.stringMatching(/Semantic layers are not enabled/),
    })
    expect(await callAs('admin', 'list_metrics', { view_id: 1, dataset_id: 1 })).toMatchObject({
      success: false,
      error_type: 'ValidationError',
      error: expect.stringMatching(/only one of dataset_id or view_id/),
    })
  })

  it('rejects bad input', async () => {
    for (const request of [{ page: 0 }, { page_size: 501 }, { dataset_id: 'orders' }]) {
      await expect(callAs('admin', 'list_metrics', request)).rejects.toMatchObject({
        type: 'ValidationError',
      })
    }
  })
})

describe('get_compatible_metrics (GetCompatibleMetricsRequest, CompatibleMetricsResponse)', () => {
  it('answers the dataset’s other metrics', async () => {
    const result = await callAs('dave', 'get_compatible_metrics', {
      dataset_id: 7,
      selected_metrics: ['total_debit'],
      selected_dimensions: ['region'],
    })
    expect(result).toMatchObject({ source: 'builtin', success: true })
    expect(result.compatible_metrics.map((metric: any) => metric.name)).toEqual([
      'count',
      'total_credit',
      'net_amount',
    ])
    expect(result.compatible_metrics[2]).toMatchObject({
      name: 'net_amount',
      description: 'Debits minus credits',
      dataset_id: 7,
      dataset_name: 'gl_entries',
      compatible_dimensions: [],
    })
  })

  it('answers a hidden dataset exactly as a missing one', async () => {
    const hidden = await callAs('bob', 'get_compatible_metrics', { dataset_id: 7 })
    const missing = await callAs('bob', 'get_compatible_metrics', { dataset_id: 70 })
    expect(hidden).toMatchObject({
      success: false,
      error_type: 'NotFound',
      error: 'No dataset found with id: 7. Check the identifier with list_datasets.',
    })
    expect(missing).toMatchObject({
      success: false,
      error_type: 'NotFound',
      error: 'No dataset found with id: 70. Check the identifier with list_datasets.',
    })
    expect((await callAs('erin', 'get_compatible_metrics', { dataset_id: 1 })).error_type).toBe('NotFound')
  })

  it('rejects unknown selected names, with close matches or the valid metrics', async () => {
    const typo = await callAs('dave', 'get_compatible_metrics', {
      dataset_id: 7,
      selected_metrics: ['total_debt'],
    })
    expect(typo).toMatchObject({ success: false, error_type: 'ValidationError' })
    expect(typo.error).toMatch(/^Unknown metric: 'total_debt'\. Did you mean: "total_debit"/)
    const unknown = await callAs('dave', 'get_compatible_metrics', {
      dataset_id: 7,
      selected_metrics: ['zzzzzzzz'],
      selected_dimensions: ['nowhere'],
    })
    expect(unknown.error).toMatch(
      /^Unknown metric: 'zzzzzzzz'\. Valid metrics: "count", "net_amount", "total_credit", "total_debit"; Unknown dimension: 'nowhere'/,
    )
  })

  it('needs exactly one of dataset_id and view_id', async () => {
    expect(await callAs('admin', 'get_compatible_metrics', {})).toMatchObject({
      success: false,
      error_type: 'ValidationError',
      error: expect.stringMatching(/^Provide either dataset_id \(built-in\) or view_id \(external\)/),
    })
    expect(await callAs('admin', 'get_compatible_metrics', { dataset_id: 1, view_id: 2 })).toMatchObject({
      success: false,
      error: expect.stringMatching(/^Provide only one of dataset_id or view_id, not both/),
    })
    expect((await callAs('admin', 'get_compatible_metrics', { view_id: 2 })).error_type).toBe(
      'SemanticLayersDisabledError',
    )
  })
})

describe('get_compatible_dimensions (GetCompatibleDimensionsRequest, CompatibleDimensionsResponse)', () => {
  it("answers the dataset's group-by columns", async () => {
    const result = await callAs('carol', 'get_compatible_dimensions', {
      dataset_id: 4,
      selected_metrics: ['ctr'],
    })
    expect(result).toMatchObject({ source: 'builtin', success: true })
    expect(result.compatible_dimensions.length).toBeGreaterThan(3)
    expect(result.compatible_dimensions.every((dimension: any) => dimension.source === 'builtin')).toBe(true)
    expect(Object.keys(result.compatible_dimensions[0])).toEqual([
      'name',
      'verbose_name',
      'description',
      'type',
      'is_dttm',
      'groupby',
      'filterable',
      'source',
    ])
  })

  it('answers a hidden dataset exactly as a missing one', async () => {
    const hidden = await callAs('carol', 'get_compatible_dimensions', { dataset_id: 1 })
    expect(hidden).toMatchObject({
      success: false,
      error_type: 'NotFound',
      error: 'No dataset found with id: 1. Check the identifier with list_datasets.',
    })
    expect(
      await callAs('carol', 'get_compatible_dimensions', { dataset_id: 4, selected_metrics: ['revenue'] }),
    ).toMatchObject({
      success: false,
      error_type: 'ValidationError',
    })
  })
})

describe('get_table (GetTableRequest, GetTableResponse)', () => {
  const byRegion = {
    dataset_id: 1,
    metrics: ['count'],
    dimensions: ['region'],
    order_by: ['region'],
    order_desc: false,
  }

  it("marks the dataset's name, which its owner wrote, in dataset_name and summary", async () => {
    const result = await rpcAs('admin', 'tools/call', { name: 'get_table', arguments: { request: byRegion } })
    const answer = result.structuredContent
    for (const field of ['dataset_name', 'summary']) {
      const text = String(answer[field])
      expect(text.startsWith(UNTRUSTED_OPEN) && text.endsWith(UNTRUSTED_CLOSE), `${field}: ${text}`).toBe(
        true,
      )
      expect(text).toContain('orders')
    }
  })

  it('queries a dataset by metric and dimension names', async () => {
    const result = await callAs('admin', 'get_table', byRegion)
    expect(result).toMatchObject({
      success: true,
      source: 'builtin',
      dataset_id: 1,
      dataset_name: 'orders',
      view_id: null,
      view_name: null,
      from_dttm: null,
      to_dttm: null,
      cache_status: null,
      warnings: [],
    })
    expect(result.columns.map((column: any) => [column.name, column.semantic_type])).toEqual([
      ['region', 'dimension'],
      ['count', 'metric'],
    ])
    const regions = result.data.map((row: any) => row.region)
    expect(regions).toEqual([...regions].sort())
    expect(regions).toContain('EMEA')
    expect(result.row_count).toBe(regions.length)
    expect(result.summary).toBe(`'orders': ${regions.length} rows, 2 columns (fresh).`)
    expect(result.performance).toMatchObject({ cache_status: 'fresh', estimated_cost: null })
  })

  it("applies the caller's row-level security", async () => {
    const admin = await callAs('admin', 'get_table', byRegion)
    const ivan = await callAs('ivan', 'get_table', byRegion)
    expect(ivan.data).toEqual([admin.data.find((row: any) => row.region === 'EMEA')])
  })

  it('filters, limits and orders by a metric', async () => {
    const result = await callAs('admin', 'get_table', {
      dataset_id: 1,
      metrics: ['revenue'],
      dimensions: ['country'],
      filters: [{ col: 'region', op: 'IN', val: ['EMEA'] }],
      row_limit: 2,
    })
    expect(result.row_count).toBe(2)
    expect(result.data[0].revenue).toBeGreaterThanOrEqual(result.data[1].revenue)
    expect(result.warnings[0]).toMatch(/row limit \(2\) was reached/)
  })

  it('applies time_range to the main datetime column and reports the bounds', async () => {
    const result = await callAs('admin', 'get_table', {
      dataset_id: 1,
      metrics: ['count'],
      time_range: '2026-01-01 : 2026-02-01',
    })
    expect(result).toMatchObject({
      from_dttm: '2026-01-01T00:00:00',
      to_dttm: '2026-02-01T00:00:00',
      row_count: 1,
    })
    const all = await callAs('admin', 'get_table', { dataset_id: 1, metrics: ['count'] })
    expect(result.data[0].count).toBeLessThan(all.data[0].count)
  })

  it('answers a hidden dataset exactly as a missing one', async () => {
    const hidden = await callAs('bob', 'get_table', { dataset_id: 7, metrics: ['count'] })
    const missing = await callAs('bob', 'get_table', { dataset_id: 77, metrics: ['count'] })
    expect(hidden).toMatchObject({
      success: false,
      error_type: 'NotFound',
      error: 'No dataset found with id: 7. Check the identifier with list_datasets.',
    })
    expect(missing.error).toBe('No dataset found with id: 77. Check the identifier with list_datasets.')
    expect((await callAs('erin', 'get_table', { dataset_id: 1, metrics: ['count'] })).error_type).toBe(
      'NotFound',
    )
  })

  it('rejects names the dataset does not have, bad operators and misplaced options, in-band', async () => {
    const bad = await callAs('admin', 'get_table', {
      dataset_id: 1,
      metrics: ['revenu'],
      dimensions: ['nowhere'],
      filters: [{ col: 'region', op: 'CONTAINS', val: 'x' }],
    })
    expect(bad).toMatchObject({ success: false, error_type: 'ValidationError' })
    expect(bad.error).toMatch(/^Unknown metric: 'revenu'\. Did you mean: "revenue"/)
    expect(bad.error).toMatch(/Unknown dimension: 'nowhere'/)
    expect(bad.error).toMatch(/Unknown filter operator: 'CONTAINS'/)
    const grain = await callAs('admin', 'get_table', { dataset_id: 1, metrics: ['count'], time_grain: 'P1M' })
    expect(grain.error).toMatch(/^time_grain applies to semantic views only/)
    const notTemporal = await callAs('admin', 'get_table', {
      dataset_id: 1,
      metrics: ['count'],
      time_range: 'Last year',
      time_column: 'region',
    })
    expect(notTemporal.error).toMatch(
      /^time_column 'region' on dataset "orders" is not marked as a temporal column/,
    )
    expect((await callAs('admin', 'get_table', { metrics: ['count'] })).error).toMatch(
      /^Provide either dataset_id/,
    )
    expect((await callAs('admin', 'get_table', { view_id: 1 })).error_type).toBe(
      'SemanticLayersDisabledError',
    )
    await expect(callAs('admin', 'get_table', { dataset_id: 1, row_limit: 50_001 })).rejects.toMatchObject({
      type: 'ValidationError',
    })
  })

  it('never runs SQL smuggled in names or values', async () => {
    const names = await callAs('admin', 'get_table', {
      dataset_id: 1,
      metrics: ['count(*)); DROP TABLE sales.orders; --'],
      dimensions: ['region" FROM pg_user --'],
      order_by: ['1; SELECT pg_sleep(5)'],
    })
    expect(names).toMatchObject({ success: false, error_type: 'ValidationError' })
    const value = await callAs('admin', 'get_table', {
      dataset_id: 1,
      metrics: ['count'],
      filters: [{ col: 'region', op: '==', val: "EMEA' OR '1'='1" }],
    })
    expect(value).toMatchObject({ success: true, row_count: 1 })
    expect(value.data[0].count).toBe(0)
  })
})
