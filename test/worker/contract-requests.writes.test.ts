/**
 * Write-tool requests as lenient as Superset 6.1.0's request models, through the Worker's fetch as a
 * client; each case names the 6.1.0 schema or tool it comes from (superset/mcp_service/dashboard/).
 */
import { describe, expect, it } from 'vitest'
import { sql } from '../../src/db'
import { callAs } from '../helpers/call-as'
import { withMetadataDb } from '../helpers/db'

const layoutOf = (id: number) =>
  withMetadataDb(async (db) => {
    const [row] = await db.query<{ position_json: string; dashboard_title: string }>(
      sql`SELECT position_json, dashboard_title FROM dashboards WHERE id = ${id}`,
    )
    return { layout: JSON.parse(row!.position_json), title: row!.dashboard_title }
  })

describe('generate_dashboard without dashboard_title (schemas.py GenerateDashboardRequest: dashboard_title: str | None = None)', () => {
  it('titles it from the chart names in id order, as _generate_title_from_charts (tool/generate_dashboard.py)', async () => {
    const one = await callAs('bob', 'generate_dashboard', { chart_ids: [3], unknown_field: true })
    const names = await callAs('admin', 'list_charts', {
      filters: [{ col: 'slice_name', opr: 'ne', value: '' }],
      select_columns: ['id', 'slice_name'],
      order_column: 'id',
      order_direction: 'asc',
      page_size: 100,
    })
    const name = (id: number) => names.charts.find((chart: any) => chart.id === id).slice_name
    expect(one.dashboard.dashboard_title).toBe(name(3))
    const two = await callAs('bob', 'generate_dashboard', { chart_ids: [5, 2], dashboard_title: null })
    expect(two.dashboard.dashboard_title).toBe(`${name(2)} & ${name(5)}`)
    const many = await callAs('bob', 'generate_dashboard', { chart_ids: [6, 5, 3, 2] })
    const expected = `${name(2)}, ${name(3)}, ${name(5)} + 1 more`
    expect(many.dashboard.dashboard_title).toBe(
      expected.length > 150 ? `${expected.slice(0, 149)}\u2026` : expected,
    )
    expect((await layoutOf(many.dashboard.id)).title).toBe(many.dashboard.dashboard_title)
    // As 6.1 (`dashboard_title if … is not None`): an empty title is kept, not generated.
    const untitled = await callAs('bob', 'generate_dashboard', { chart_ids: [3], dashboard_title: '' })
    expect(untitled.dashboard.dashboard_title).toBe('')
  })
})

describe('add_chart_to_existing_dashboard.target_tab (schemas.py AddChartToDashboardRequest: target_tab: str | None)', () => {
  it('adds into the tab named (by title, case and emoji aside, or id), else the first tab', async () => {
    // A new dashboard with the tabbed layout of dashboard 2 (tabs "Campaigns" and "Web traffic", charts 16–21).
    const { dashboard } = await callAs('admin', 'generate_dashboard', { chart_ids: [16] })
    await withMetadataDb((db) =>
      db.query(sql`UPDATE dashboards SET position_json = (SELECT position_json FROM dashboards WHERE id = 2)
                    WHERE id = ${dashboard.id}`),
    )
    const spare = [2, 3, 5]
    const parentTab = async (rowKey: string) => {
      const { layout } = await layoutOf(dashboard.id)
      return layout[rowKey].parents.at(-1)
    }
    const byTitle = await callAs('admin', 'add_chart_to_existing_dashboard', {
      dashboard_id: dashboard.id,
      chart_id: spare[0],
      target_tab: '🌐 WEB traffic ',
    })
    expect(await parentTab(byTitle.position.row_key)).toBe('TAB-f6806a2d')
    const byId = await callAs('admin', 'add_chart_to_existing_dashboard', {
      dashboard_id: dashboard.id,
      chart_id: spare[1],
      target_tab: 'TAB-f6806a2d',
    })
    expect(await parentTab(byId.position.row_key)).toBe('TAB-f6806a2d')
    const unknown = await callAs('admin', 'add_chart_to_existing_dashboard', {
      dashboard_id: dashboard.id,
      chart_id: spare[2],
      target_tab: 'No such tab',
    })
    expect(await parentTab(unknown.position.row_key)).toBe('TAB-35737290')
  })
})
