/**
 * The untrusted-content markers through MCP, as an attacker would use them: a chart and a dashboard whose
 * titles carry every marker spelling, saved by one user and read over MCP by another. Each marked field
 * of the answer must hold exactly one opening and one closing marker, so no authored text escapes its block.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from '../../src/db'
import { UNTRUSTED_CLOSE, UNTRUSTED_OPEN } from '../../src/mcp/untrusted'
import { callAs } from '../helpers/call-as'
import { withMetadataDb } from '../helpers/db'
import { relaxLimits } from '../helpers/limits'
import { countMarkers, MARKER_VARIANTS } from '../helpers/markers'
import { connectClient } from '../helpers/mcp'

relaxLimits()

const PROBE = `marker-probe-${crypto.randomUUID().slice(0, 8)}`
// Titles hold at most 250 characters: the chart carries half of the spellings, the dashboard the rest.
const half = Math.ceil(MARKER_VARIANTS.length / 2)
const CHART_NAME = `${PROBE} ${MARKER_VARIANTS.slice(0, half).join(' ')}`
const DASHBOARD_TITLE = `${PROBE} ${MARKER_VARIANTS.slice(half).join(' ')}`

/** Every string in `value` that the gateway marked, with the path to it. */
function markedStrings(value: unknown, path = '$'): [string, string][] {
  if (typeof value === 'string') return value.startsWith(UNTRUSTED_OPEN) ? [[path, value]] : []
  if (Array.isArray(value)) return value.flatMap((item, index) => markedStrings(item, `${path}[${index}]`))
  if (typeof value === 'object' && value !== null)
    return Object.entries(value).flatMap(([key, item]) => markedStrings(item, `${path}.${key}`))
  return []
}

function expectEveryBlockWhole(result: Record<string, unknown>): string[] {
  const marked = markedStrings(result.structuredContent)
  for (const [path, text] of marked) {
    expect({ path, ...countMarkers(text) }).toEqual({ path, open: 1, close: 1 })
    expect(text.endsWith(UNTRUSTED_CLOSE)).toBe(true)
  }
  // The text content an agent reads holds the same blocks and no stray marker outside them.
  const text = (result.content as { text: string }[])[0]!.text
  expect(countMarkers(text)).toEqual({ open: marked.length, close: marked.length })
  return marked.map(([path]) => path)
}

describe('marker spellings in titles, read over MCP', () => {
  let chartId: number
  let dashboardId: number
  let client: Client

  beforeAll(async () => {
    const chart = await callAs('bob', 'generate_chart', {
      dataset_id: 1,
      config: {
        chart_type: 'xy',
        kind: 'bar',
        x: { name: 'region' },
        y: [{ name: 'order_total', aggregate: 'SUM' }],
      },
      chart_name: CHART_NAME,
      save_chart: true,
    })
    chartId = chart.chart.id
    const dashboard = await callAs('bob', 'generate_dashboard', {
      chart_ids: [chartId],
      dashboard_title: DASHBOARD_TITLE,
    })
    dashboardId = dashboard.dashboard.id
    client = await connectClient()
  })

  afterAll(async () => {
    await client.close()
    await withMetadataDb(async (db) => {
      await db.query(sql`DELETE FROM dashboard_slices WHERE dashboard_id = ${dashboardId}`)
      await db.query(sql`DELETE FROM dashboard_user WHERE dashboard_id = ${dashboardId}`)
      await db.query(sql`DELETE FROM dashboards WHERE id = ${dashboardId}`)
      await db.query(sql`DELETE FROM slice_user WHERE slice_id = ${chartId}`)
      await db.query(sql`DELETE FROM slices WHERE id = ${chartId}`)
    })
  })

  it('get_chart_info: the chart name is one block, whatever it spells', async () => {
    const result = await client.callTool({
      name: 'get_chart_info',
      arguments: { request: { identifier: chartId } },
    })
    expect(result.isError).toBeFalsy()
    expect(expectEveryBlockWhole(result)).toContain('$.slice_name')
  })

  it('list_charts and list_dashboards: every listed title is one block', async () => {
    const charts = await client.callTool({
      name: 'list_charts',
      arguments: { request: { search: PROBE, select_columns: ['id', 'slice_name', 'description'] } },
    })
    expect((charts.structuredContent as any).charts.map((chart: any) => chart.id)).toEqual([chartId])
    expect(expectEveryBlockWhole(charts)).toContain('$.charts[0].slice_name')

    const dashboards = await client.callTool({
      name: 'list_dashboards',
      arguments: { request: { search: PROBE, select_columns: ['id', 'dashboard_title', 'position_json'] } },
    })
    expect((dashboards.structuredContent as any).dashboards.map((item: any) => item.id)).toEqual([
      dashboardId,
    ])
    expect(expectEveryBlockWhole(dashboards)).toContain('$.dashboards[0].dashboard_title')
  })

  it('get_dashboard_info: the title, its charts and its layout (which repeats the chart name) stay whole', async () => {
    const result = await client.callTool({
      name: 'get_dashboard_info',
      arguments: { request: { identifier: dashboardId } },
    })
    expect(result.isError).toBeFalsy()
    expect(expectEveryBlockWhole(result)).toEqual(
      expect.arrayContaining(['$.dashboard_title', '$.charts[0].slice_name']),
    )
  })
})
