/**
 * Issue 7's scenario, end to end through an MCP client: an agent creates a bar chart from a demo dataset
 * and a dashboard holding it; both appear for the creator and for users with access to the dataset;
 * get_chart_data works on the new chart; the audit log shows both calls.
 */
import { describe, expect, it } from 'vitest'
import { sql } from '../../src/db'
import { callAs } from '../helpers/call-as'
import { withMetadataDb } from '../helpers/db'
import { eventually } from '../helpers/eventually'
import { relaxLimits } from '../helpers/limits'
import { connectClient } from '../helpers/mcp'

relaxLimits()

describe('an agent builds a chart and a dashboard', () => {
  it('creates them, others with access see them, the data is right, and the audit log has both calls', async () => {
    const client = await connectClient()
    const chartResult = await client.callTool({
      name: 'generate_chart',
      arguments: {
        request: {
          dataset_id: 1,
          chart_name: 'Agent: revenue by region',
          save_chart: true,
          config: {
            chart_type: 'xy',
            kind: 'bar',
            x: { name: 'region' },
            y: [{ name: 'revenue', saved_metric: true }],
          },
        },
      },
    })
    expect(chartResult.isError).toBeFalsy()
    const chartId = (chartResult.structuredContent as any).chart.id as number
    const dashboardResult = await client.callTool({
      name: 'generate_dashboard',
      arguments: {
        request: { chart_ids: [chartId], dashboard_title: 'Agent: regional revenue', published: true },
      },
    })
    expect(dashboardResult.isError).toBeFalsy()
    const dashboardId = (dashboardResult.structuredContent as any).dashboard.id as number

    // The creator (the gateway's development user, admin) sees both.
    const charts = await client.callTool({
      name: 'list_charts',
      arguments: { request: { search: 'Agent: revenue', select_columns: ['id'] } },
    })
    expect((charts.structuredContent as any).charts.map((chart: any) => chart.id)).toContain(chartId)
    const dashboards = await client.callTool({
      name: 'list_dashboards',
      arguments: { request: { search: 'Agent: regional', select_columns: ['id'] } },
    })
    expect((dashboards.structuredContent as any).dashboards.map((dashboard: any) => dashboard.id)).toContain(
      dashboardId,
    )

    // A user with access to the dataset sees both too; one without does not.
    const bobCharts = await callAs('bob', 'list_charts', { search: 'Agent: revenue', select_columns: ['id'] })
    expect(bobCharts.charts.map((chart: any) => chart.id)).toContain(chartId)
    const bobDashboards = await callAs('bob', 'list_dashboards', {
      search: 'Agent: regional',
      select_columns: ['id'],
    })
    expect(bobDashboards.dashboards.map((dashboard: any) => dashboard.id)).toContain(dashboardId)
    const carolCharts = await callAs('carol', 'list_charts', {
      search: 'Agent: revenue',
      select_columns: ['id'],
    })
    expect(carolCharts.charts).toEqual([])

    // The new chart's data equals the hand-computed sums.
    const data = await client.callTool({
      name: 'get_chart_data',
      arguments: { request: { identifier: chartId } },
    })
    const rows = (data.structuredContent as any).data as Record<string, unknown>[]
    expect(Object.fromEntries(rows.map((row) => [row.region, row.revenue]))).toEqual({
      EMEA: 256477.5,
      NA: 252727.5,
      APAC: 254977.5,
      LATAM: 224227.5,
    })
    await client.close()

    // Both writes are in the audit log, with the ids they created.
    const audited = await eventually(
      async () => {
        const rows = await withMetadataDb((db) =>
          db.query(sql`SELECT tool, outcome, created_ids, username, transport FROM mcp_gateway.audit_log
                        WHERE tool IN ('generate_chart', 'generate_dashboard')
                          AND (created_ids->'chart' @> ${JSON.stringify([chartId])}::jsonb
                               OR created_ids->'dashboard' @> ${JSON.stringify([dashboardId])}::jsonb)
                        ORDER BY id`),
        )
        expect(rows.length).toBeGreaterThanOrEqual(2)
        return rows
      },
      { timeout: 5_000, interval: 50 },
    )
    expect(audited).toEqual([
      {
        tool: 'generate_chart',
        outcome: 'success',
        created_ids: { chart: [chartId] },
        username: 'admin',
        transport: 'mcp',
      },
      {
        tool: 'generate_dashboard',
        outcome: 'success',
        created_ids: { dashboard: [dashboardId] },
        username: 'admin',
        transport: 'mcp',
      },
    ])
  })
})
