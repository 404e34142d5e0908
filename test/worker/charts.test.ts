/**
 * list_charts and get_chart_info: Superset 6.1's contract on the demo content (scripts/seed/README.md).
 */
import { describe, expect, it } from 'vitest'
import { callAs } from '../helpers/call-as'

const ids = (result: any): number[] => result.charts.map((chart: any) => chart.id)

describe('list_charts', () => {
  it("lists every chart for the admin with Superset's default columns", async () => {
    const result = await callAs('admin', 'list_charts', { page_size: 100, order_column: 'id' })
    expect(result.total_count).toBe(32)
    expect(ids(result)).toEqual(Array.from({ length: 32 }, (_, index) => index + 1))
    expect(result.columns_requested).toEqual([
      'id',
      'slice_name',
      'viz_type',
      'description',
      'certified_by',
      'certification_details',
      'url',
      'changed_on',
      'changed_on_humanized',
    ])
    expect(result.charts[0].url).toBe('https://superset.example.test/explore/?slice_id=1')
  })

  it('filters by viz type, dataset name, owner and dashboard', async () => {
    const pies = await callAs('admin', 'list_charts', {
      filters: [{ col: 'viz_type', opr: 'eq', value: 'pie' }],
      order_column: 'id',
    })
    expect(ids(pies)).toEqual([5, 13, 20, 30])
    const orders = await callAs('admin', 'list_charts', {
      filters: [{ col: 'datasource_name', opr: 'eq', value: 'sales.orders' }],
      page_size: 100,
      order_column: 'id',
    })
    expect(ids(orders)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 32])
    const heidis = await callAs('admin', 'list_charts', { filters: [{ col: 'owner', opr: 'eq', value: 9 }] })
    expect(ids(heidis)).toEqual([22])
    const onPeople = await callAs('admin', 'list_charts', {
      filters: [{ col: 'dashboards', opr: 'eq', value: 9 }],
      order_column: 'id',
    })
    expect(ids(onPeople)).toEqual([22, 23])
  })

  it('searches names and descriptions', async () => {
    const search = async (text: string) =>
      callAs('admin', 'list_charts', {
        search: text,
        select_columns: ['id', 'slice_name', 'description'],
        order_column: 'id',
      })
    // In names only: no description says "revenue by region".
    expect(ids(await search('revenue by region'))).toEqual([2, 8, 10])
    // In a description only: chart 9's name does not mention baskets.
    expect((await search('basket')).charts).toEqual([
      { id: 9, slice_name: 'Units per Order over Time', description: 'Average basket size per day.' },
    ])
    // Either, in one search and in any case: 11 and 23 by name, 9 and 22 by description alone.
    const average = await search('AVERAGE')
    expect(ids(average)).toEqual([9, 11, 22, 23])
    expect(average.charts.find((chart: any) => chart.id === 22)).toMatchObject({
      slice_name: 'Headcount by Department',
      description: 'Active headcount and average salary per department. CONFIDENTIAL.',
    })
  })

  it('returns the parsed form data on request', async () => {
    const result = await callAs('admin', 'list_charts', {
      select_columns: ['id', 'form_data'],
      filters: [{ col: 'slice_name', opr: 'eq', value: 'Revenue Share by Region' }],
    })
    expect(result.charts[0].form_data).toMatchObject({ viz_type: 'pie', datasource: '1__table' })
  })
})

describe('get_chart_info', () => {
  it("returns Superset 6.1's ChartInfo by id and by uuid", async () => {
    for (const identifier of [3, 'c4a70000-0000-4000-8000-000000000003']) {
      const chart = await callAs('admin', 'get_chart_info', { identifier })
      expect(chart).toMatchObject({
        id: 3,
        slice_name: 'Daily Revenue',
        viz_type: 'echarts_timeseries_line',
        datasource_name: 'sales.orders',
        datasource_type: 'table',
        url: 'https://superset.example.test/explore/?slice_id=3',
        is_unsaved_state: false,
        form_data_key: null,
      })
      expect(chart.form_data).toMatchObject({ viz_type: 'echarts_timeseries_line', time_grain_sqla: 'P1D' })
      expect(chart.filters).toMatchObject({ time_range: 'Last year' })
      expect(chart.owners.map((owner: any) => owner.username)).toEqual(['alice'])
    }
  })

  it('needs an identifier or a form_data_key, and explains that unsaved state is out of reach', async () => {
    await expect(callAs('admin', 'get_chart_info', {})).rejects.toMatchObject({
      type: 'ValidationError',
      message: expect.stringContaining("At least one of 'identifier' or 'form_data_key' must be provided."),
    })
    await expect(callAs('admin', 'get_chart_info', { form_data_key: 'abc' })).rejects.toMatchObject({
      type: 'NotFoundError',
      message: expect.stringContaining("Superset's own cache"),
    })
  })

  it('answers a missing chart and a chart the caller may not see the same way', async () => {
    await expect(callAs('admin', 'get_chart_info', { identifier: 999 })).rejects.toMatchObject({
      type: 'NotFoundError',
      message: "Chart with identifier '999' not found. Check the identifier with list_charts.",
    })
    await expect(callAs('bob', 'get_chart_info', { identifier: 22 })).rejects.toMatchObject({
      type: 'NotFoundError',
      message: "Chart with identifier '22' not found. Check the identifier with list_charts.",
    })
  })
})
