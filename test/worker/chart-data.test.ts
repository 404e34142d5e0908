/**
 * get_chart_data on the demo charts, checked against answers computed by hand from the analytics demo
 * (scripts/seed/README.md "Analytics data facts", and plain SQL over analytics-demo.sql), for every
 * viz family; the RLS matrix; access and error cases.
 */
import { describe, expect, it } from 'vitest'
import { callAs } from '../helpers/call-as'
import { relaxLimits } from '../helpers/limits'

relaxLimits()

const data = (user: string, request: unknown) => callAs(user, 'get_chart_data', request)
const sum = (rows: any[], key: string) =>
  Math.round(rows.reduce((total, row) => total + Number(row[key]), 0) * 100) / 100

/** The "Last year" window Superset computes: from today's midnight (UTC) one year back. */
function lastYear(): { since: string; until: string } {
  const today = new Date()
  today.setUTCHours(0, 0, 0, 0)
  const since = new Date(today)
  since.setUTCFullYear(since.getUTCFullYear() - 1)
  return { since: since.toISOString().slice(0, 10), until: today.toISOString().slice(0, 10) }
}

/** A number computed by plain SQL (execute_sql as admin), independent of the chart engine. */
async function scalar(sql: string): Promise<number> {
  const result = await callAs('admin', 'execute_sql', { database_id: 1, sql })
  return Number(Object.values(result.rows[0])[0])
}

describe('get_chart_data: viz families against hand-computed answers', () => {
  it('table, aggregate (chart 2): revenue, count and AOV per region excluding cancelled orders', async () => {
    const result = await data('admin', { identifier: 2 })
    expect(result).toMatchObject({
      chart_id: 2,
      chart_name: 'Revenue by Region',
      chart_type: 'table',
      format: 'json',
      row_count: 4,
      total_rows: 4,
    })
    expect(result.data.map((row: any) => [row.region, row.revenue, row.count])).toEqual([
      ['EMEA', 245686.47, 718],
      ['APAC', 243590.48, 717],
      ['NA', 241733.49, 718],
      ['LATAM', 214788.46, 717],
    ])
    expect(result.data[0].avg_order_value).toBeCloseTo(342.1817, 4)
    // 2870 orders / 945798.90 excluding cancelled (README)
    expect(sum(result.data, 'count')).toBe(2870)
    expect(sum(result.data, 'revenue')).toBe(945798.9)
    const revenue = result.columns.find((column: any) => column.name === 'revenue')
    expect(revenue).toMatchObject({
      data_type: 'numeric',
      display_name: 'Revenue',
      null_count: 0,
      unique_count: 4,
      semantic_type: 'metric',
    })
    expect(revenue.statistics).toEqual({
      min: 214788.46,
      max: 245686.47,
      mean: expect.closeTo(236449.725, 3),
    })
    expect(result.columns[0]).toMatchObject({
      name: 'region',
      display_name: 'Region',
      data_type: 'string',
      semantic_type: 'dimension',
    })
  })

  it('table, raw (chart 17): the selected columns in order, newest campaigns first', async () => {
    const result = await data('admin', { identifier: 17 })
    expect(result.row_count).toBe(24)
    expect(Object.keys(result.data[0])).toEqual([
      'campaign_name',
      'channel',
      'region',
      'start_date',
      'spend',
      'clicks',
      'conversions',
    ])
    const dates = result.data.map((row: any) => row.start_date)
    expect(dates).toEqual([...dates].sort().reverse())
    expect(sum(result.data, 'spend')).toBe(260250) // = chart 18, Total Marketing Spend
  })

  it('table with SIMPLE and SQL ad-hoc metrics, an IN filter and a SQL filter (chart 12)', async () => {
    const result = await data('admin', { identifier: 12 })
    expect(result.data).toEqual([
      { sales_rep: 'lena', Gross: 178881.72, Net: 178481.52, unique_customers: 40 },
      { sales_rep: 'frank', Gross: 178449.82, Net: 178067.72, unique_customers: 40 },
      { sales_rep: 'ivan', Gross: 178387.72, Net: 178000.92, unique_customers: 40 },
      { sales_rep: 'bob', Gross: 177172.85, Net: 176782.05, unique_customers: 40 },
      { sales_rep: 'kim', Gross: 176903.86, Net: 176520.76, unique_customers: 40 },
    ])
  })

  it('pie (chart 5): revenue share per region, largest first', async () => {
    const result = await data('admin', { identifier: 5 })
    expect(result.data).toEqual([
      { region: 'EMEA', revenue: 256477.5 },
      { region: 'APAC', revenue: 254977.5 },
      { region: 'NA', revenue: 252727.5 },
      { region: 'LATAM', revenue: 224227.5 },
    ])
    expect(sum(result.data, 'revenue')).toBe(988410)
  })

  it('big number total (chart 6, saved metric and != filter; chart 11, ad-hoc SQL metric and a date range)', async () => {
    expect((await data('admin', { identifier: 6 })).data).toEqual([{ revenue: 945798.9 }])
    const aov = await data('admin', { identifier: 11 })
    // 327438.18 / 994 orders in 2026-01-01 : 2026-07-01 (README)
    expect(aov.data[0].AOV).toBeCloseTo(327438.18 / 994, 6)
  })

  it('xy bar with a time grain, series and an explicit range (chart 4): 6 months × 4 channels', async () => {
    const result = await data('admin', { identifier: 4 })
    expect(result.row_count).toBe(24)
    expect(sum(result.data, 'revenue')).toBe(327438.18)
    expect(result.data.slice(0, 4)).toEqual([
      { order_date: '2026-01-01T00:00:00', channel: 'Online', revenue: 14138.69 },
      { order_date: '2026-01-01T00:00:00', channel: 'Partner', revenue: 13086.77 },
      { order_date: '2026-01-01T00:00:00', channel: 'Phone', revenue: 14643.71 },
      { order_date: '2026-01-01T00:00:00', channel: 'Retail', revenue: 14260.73 },
    ])
    expect(result.data.at(-1).order_date).toBe('2026-06-01T00:00:00')
  })

  it('xy area, stacked by region, no time filter (chart 10): 18 months × 4 regions', async () => {
    const result = await data('admin', { identifier: 10 })
    expect(result.row_count).toBe(72)
    expect(sum(result.data, 'revenue')).toBe(988410)
  })

  it('xy line over "Last year" (chart 3) and scatter with an ad-hoc AVG (chart 9), relative to today', async () => {
    const { since, until } = lastYear()
    const window = `order_date >= DATE '${since}' AND order_date < DATE '${until}'`
    const line = await data('admin', { identifier: 3 })
    expect(line.row_count).toBe(
      await scalar(`SELECT count(DISTINCT order_date) FROM sales.orders WHERE ${window}`),
    )
    expect(sum(line.data, 'revenue')).toBe(
      await scalar(`SELECT COALESCE(sum(order_total), 0) FROM sales.orders WHERE ${window}`),
    )
    const scatter = await data('admin', { identifier: 9 })
    expect(scatter.row_count).toBe(line.row_count)
    if (scatter.row_count > 0) {
      const first = scatter.data[0]
      const expected = await scalar(
        `SELECT avg(quantity) FROM sales.orders WHERE order_date = DATE '${first.order_date.slice(0, 10)}'`,
      )
      expect(first['Avg units per order']).toBeCloseTo(expected, 6)
    }
  })

  it('big number with trendline (chart 7): weekly order counts over the last year', async () => {
    const { since, until } = lastYear()
    const result = await data('admin', { identifier: 7 })
    const orders = await scalar(
      `SELECT count(*) FROM sales.orders WHERE order_date >= DATE '${since}' AND order_date < DATE '${until}'`,
    )
    expect(sum(result.data, 'count')).toBe(orders)
    for (const row of result.data) expect(new Date(`${row.order_date}Z`).getUTCDay()).toBe(1) // weeks start on Monday
  })

  it('pivot table (chart 8): revenue and units per channel × region; channel totals match', async () => {
    const result = await data('admin', { identifier: 8 })
    expect(result.row_count).toBe(16)
    const online = result.data.filter((row: any) => row.channel === 'Online')
    expect(sum(online, 'revenue')).toBe(237445.51)
    expect(sum(online, 'units_sold')).toBe(2249)
    expect(sum(result.data, 'revenue')).toBe(988410)
  })

  it('categorical x on a virtual dataset (chart 26) and a virtual dataset with a time grain (chart 28)', async () => {
    const categories = await data('admin', { identifier: 26 })
    expect(categories.data).toEqual([
      { category: 'Electronics', revenue: 246218.4 },
      { category: 'Home', revenue: 252727.5 },
      { category: 'Office', revenue: 224227.5 },
      { category: 'Outdoors', revenue: 245618.4 },
    ])
    const monthly = await data('admin', { identifier: 28 })
    expect(monthly.row_count).toBe(72) // README: monthly_revenue has 18 months × 4 regions
    expect(sum(monthly.data, 'revenue')).toBe(945798.9)
  })

  it('charts saved without query_context are built from params (chart 32)', async () => {
    const result = await data('admin', { identifier: 32 })
    expect(Object.fromEntries(result.data.map((row: any) => [row.status, row.count]))).toEqual({
      completed: 2667,
      returned: 169,
      cancelled: 130,
      pending: 34,
    })
  })
})

describe('get_chart_data: row-level security matrix', () => {
  it('ivan (EMEA Sales) sees EMEA only, on the physical and the virtual dataset', async () => {
    const table = await data('ivan', { identifier: 2 })
    expect(table.data.map((row: any) => [row.region, row.revenue, row.count])).toEqual([
      ['EMEA', 245686.47, 718],
    ])
    expect((await data('ivan', { identifier: 5 })).data).toEqual([{ region: 'EMEA', revenue: 256477.5 }])
    // orders_enriched: its own EMEA filter, and the test-account Base filter of the customers table inside it
    const virtual = await data('ivan', { identifier: 27, limit: 100 })
    expect(sum(virtual.data, 'revenue')).toBe(246218.4)
    expect(sum(virtual.data, 'count')).toBe(720)
  })

  it('lena (Sales Reps) sees her own orders through the Jinja filter, also inside the virtual dataset', async () => {
    const table = await data('lena', { identifier: 2 })
    expect(table.data.map((row: any) => [row.region, row.revenue, row.count])).toEqual([
      ['EMEA', 50255.6, 146],
      ['NA', 48787.64, 146],
      ['APAC', 47951.78, 141],
      ['LATAM', 42361.74, 142],
    ])
    expect((await data('lena', { identifier: 6 })).data).toEqual([{ revenue: 189356.76 }])
    // README: 600 orders and 197682.00 per sales rep
    const virtual = await data('lena', { identifier: 27, limit: 100 })
    expect(sum(virtual.data, 'count')).toBe(600)
    expect(sum(virtual.data, 'revenue')).toBe(197682)
  })

  it('judy (HR Restricted) sees Finance and Marketing only: two ORed filters of one group', async () => {
    const headcount = await data('judy', { identifier: 22 })
    expect(headcount.data).toEqual([
      { department: 'Marketing', headcount: 10, avg_salary: 79500 },
      { department: 'Finance', headcount: 8, avg_salary: 88000 },
    ])
    const salaries = await data('judy', { identifier: 23 })
    expect(salaries.data).toEqual([
      { department: 'Finance', avg_salary: 85500 },
      { department: 'Marketing', avg_salary: 79500 },
    ])
    // 20 employees, average salary 82500 (README)
    expect((85500 * 10 + 79500 * 10) / 20).toBe(82500)
  })

  it('non-admins do not see test-account customers (Base filter); the admin, exempt, sees all 200', async () => {
    const counts = (result: any) =>
      Object.fromEntries(result.data.map((row: any) => [row.segment, row.count]))
    const bob = await data('bob', { identifier: 13 })
    expect(counts(bob)).toEqual({ SMB: 66, Consumer: 65, Enterprise: 65 })
    expect(sum(bob.data, 'count')).toBe(196)
    const admin = await data('admin', { identifier: 13 })
    expect(counts(admin)).toEqual({ SMB: 67, Consumer: 67, Enterprise: 66 })
    // the Base filter also reaches inside orders_enriched: 60 orders (19618.20) belong to test accounts
    const enriched = await data('bob', { identifier: 27, limit: 100 })
    expect(sum(enriched.data, 'revenue')).toBe(988410 - 19618.2)
    expect(sum((await data('admin', { identifier: 27, limit: 100 })).data, 'revenue')).toBe(988410)
  })

  it('the admin sees everything (no RLS)', async () => {
    expect((await data('admin', { identifier: 6 })).data).toEqual([{ revenue: 945798.9 }])
    expect((await data('admin', { identifier: 22 })).row_count).toBe(6)
  })
})

describe('get_chart_data: access, formats and errors', () => {
  it('finds a chart by UUID, and hides charts the caller may not see behind the same not-found message', async () => {
    const byUuid = await data('admin', { identifier: 'c4a70000-0000-4000-8000-000000000002' })
    expect(byUuid.chart_id).toBe(2)
    const missing = data('admin', { identifier: 999 })
    await expect(missing).rejects.toMatchObject({
      type: 'NotFoundError',
      message: "Chart with identifier '999' not found. Check the identifier with list_charts.",
    })
    await expect(data('erin', { identifier: 2 })).rejects.toMatchObject({
      type: 'NotFoundError',
      message: "Chart with identifier '2' not found. Check the identifier with list_charts.",
    })
    // heidi owns chart 22 but has no data access: ChartFilter has no owner clause
    await expect(data('heidi', { identifier: 22 })).rejects.toMatchObject({ type: 'NotFoundError' })
    await expect(data('carol', { identifier: 2 })).rejects.toMatchObject({ type: 'NotFoundError' })
  })

  it('refuses a chart on a non-PostgreSQL database, naming it', async () => {
    await expect(data('admin', { identifier: 30 })).rejects.toMatchObject({
      type: 'ValidationError',
      message: expect.stringMatching(/legacy_mysql.*mysql.*PostgreSQL/),
      details: { reason: 'unsupported_backend', database_name: 'legacy_mysql' },
    })
  })

  it("explains that form_data_key state lives in Superset's cache, and refuses excel", async () => {
    await expect(data('admin', { form_data_key: 'abc123' })).rejects.toMatchObject({
      type: 'ValidationError',
      message: expect.stringContaining('cache'),
    })
    await expect(data('admin', {})).rejects.toMatchObject({
      type: 'ValidationError',
      message: expect.stringContaining("'identifier' or 'form_data_key'"),
    })
    await expect(data('admin', { identifier: 2, format: 'excel' })).rejects.toMatchObject({
      type: 'ValidationError',
      message: expect.stringContaining('excel'),
    })
  })

  it('returns CSV, honours limit, and accepts the cache flags', async () => {
    const csv = await data('admin', { identifier: 2, format: 'csv', use_cache: false, force_refresh: true })
    expect(csv.format).toBe('csv')
    expect(csv.data).toEqual([])
    expect(csv.csv_data.split('\r\n')).toEqual([
      'region,revenue,count,avg_order_value',
      expect.stringMatching(/^EMEA,245686\.47,718,342\.18/),
      expect.stringMatching(/^APAC,/),
      expect.stringMatching(/^NA,/),
      expect.stringMatching(/^LATAM,/),
      '',
    ])
    const limited = await data('admin', { identifier: 2, limit: 2 })
    expect(limited.data.map((row: any) => row.region)).toEqual(['EMEA', 'APAC'])
    expect(limited.warnings[0]).toContain('row limit (2)')
    // 6.1's CacheStatus for a query that did not come from the cache (utils/cache_utils.py).
    expect(limited.cache_status).toMatchObject({ cache_hit: false, cache_type: 'none' })
  })

  it('trims rows to the response size limit with a hint to narrow the query', async () => {
    const result = await callAs(
      'admin',
      'get_chart_data',
      { identifier: 17 },
      { MCP_RESPONSE_MAX_BYTES: '3000' },
    )
    expect(result.total_rows).toBe(24)
    expect(result.row_count).toBeLessThan(24)
    expect(result.row_count).toBeGreaterThan(0)
    expect(result.warnings.join(' ')).toMatch(/response size limit.*smaller limit/)
    expect(new TextEncoder().encode(JSON.stringify(result)).length).toBeLessThanOrEqual(3000)
  })
})
