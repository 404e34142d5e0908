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
