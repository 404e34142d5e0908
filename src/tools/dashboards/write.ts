/**
 * generate_dashboard and add_chart_to_existing_dashboard: writes that keep Superset's invariants — a
 * layout valid under the frontend's rules, dashboard_slices matching it, an owner row, Superset's default
 * json_metadata — each in one transaction.
 */
import * as z from 'zod'
import type { Db } from '../../db'
import { GatewayError } from '../../errors'
import {
  addChartToLayout,
  dashboardSpec,
  findVisibleRow,
  insertDashboard,
  isChartOnDashboard,
  lockDashboardLayout,
  visibleChartsById,
} from '../../superset'
import {
  assertCanEdit,
  authoredColumnPaths,
  defineTool,
  inBandMessage,
  isDomainFailure,
  requestObject,
  type ToolContext,
  WRITES,
} from '../core'
import {
  appendChart,
  chartIdsOf,
  defaultJsonMetadata,
  newLayout,
  parseLayout,
  type LayoutChart,
} from './layout'
import { DashboardInfoSchema, dashboardInfo } from './tools'

/** The charts, if every one exists and is visible to the caller (hidden ones read as missing). */
async function visibleCharts(
  ids: readonly number[],
  context: ToolContext,
  db: Db = context.db,
): Promise<LayoutChart[]> {
  const rows = await visibleChartsById(db, ids, context.principal)
  const found = new Map(rows.map((row) => [row.id, row]))
  const missing = ids.filter((id) => !found.has(id))
  if (missing.length > 0) {
    throw new GatewayError(
      'ValidationError',
      `Charts not found: [${missing.join(', ')}]. Use list_charts to find chart ids you can use.`,
      {
        details: { missing_chart_ids: missing },
      },
    )
  }
  return ids.map((id) => {
    const row = found.get(id)!
    return { id: row.id, uuid: row.uuid, sliceName: row.slice_name }
  })
}

/**
 * 6.1's answer after a write: the dashboard as DashboardInfo (the same serialisation as get_dashboard_info)
 * and its link by id, as 6.1 builds `dashboard_url`.
 */
async function writtenDashboard(id: number, context: ToolContext) {
  const dashboard = await dashboardInfo(id, context)
  return { dashboard, dashboard_url: context.links.dashboard({ id }) }
}

const MAX_GENERATED_TITLE = 150

/**
 * Superset 6.1's _generate_title_from_charts: up to three chart names in id order ("A", "A & B",
 * "A, B, C", "A, B, C + 2 more"), at most 150 characters, "Dashboard" when no chart has a name.
 */
function titleFromCharts(charts: readonly LayoutChart[]): string {
  const names = [...charts]
    .sort((a, b) => a.id - b.id)
    .map((chart) => chart.sliceName)
    .filter((name): name is string => name !== null && name !== '')
  if (names.length === 0) return 'Dashboard'
  const [first, second, third] = names
  const title =
    names.length === 1
      ? `${first}`
      : names.length === 2
        ? `${first} & ${second}`
        : names.length === 3
          ? `${first}, ${second}, ${third}`
          : `${first}, ${second}, ${third} + ${names.length - 3} more`
  return title.length > MAX_GENERATED_TITLE ? `${title.slice(0, MAX_GENERATED_TITLE - 1)}\u2026` : title
}

export const generateDashboard = defineTool({
  name: 'generate_dashboard',
  title: 'Create a dashboard',
  description:
    'Create a dashboard holding existing charts (two per row), owned by you. Charts must exist and be visible to you. ' +
    'The dashboard is a draft unless published is true.',
  input: requestObject({
    chart_ids: z.array(z.int().positive()).min(1).max(100).describe('Ids of the charts to place, in order.'),
    dashboard_title: z
      .string()
      .trim()
      .max(500)
      .optional()
      .describe('Title; when omitted, made from the chart names.'),
    description: z.string().max(10_000).optional().describe('Description.'),
    published: z.boolean().default(false).describe('Publish it (visible to users with access to its data).'),
  }),
  output: z.object({
    dashboard: DashboardInfoSchema.nullable(),
    dashboard_url: z.string().nullable(),
    error: z.string().nullable(),
  }),
  authored: authoredColumnPaths(dashboardSpec, 'dashboard'),
  annotations: WRITES,
  permission: { permission: 'can_write', view: 'Dashboard' },
  run: async (request, context) => {
    const chartIds = [...new Set(request.chart_ids)]
    const charts = await visibleCharts(chartIds, context)
    // 6.1 generates a title only when none is given (None); an empty one is kept as sent.
    const title = request.dashboard_title ?? titleFromCharts(charts)
    const layout = newLayout(charts)
    const userId = context.principal.user.id
    const id = await context.db.transaction((tx) =>
      insertDashboard(
        tx,
        {
          title,
          description: request.description,
          published: request.published,
          layout,
          jsonMetadata: defaultJsonMetadata(),
          chartIds,
        },
        userId,
      ),
    )
    context.effects.objectsAffected += 1
    context.effects.created.dashboard = [id]
    context.effects.changed.add('dashboard')
    return { ...(await writtenDashboard(id, context)), error: null }
  },
  // Superset 6.1's GenerateDashboardResponse: no dashboard, and the reason in `error`.
  inBandFailure: (failure) => {
    if (!isDomainFailure(failure)) return undefined
    const message = inBandMessage(failure)
    const error =
      failure.details?.missing_chart_ids === undefined ? `Failed to create dashboard: ${message}` : message
    return { dashboard: null, dashboard_url: null, error }
  },
})

export const addChartToExistingDashboard = defineTool({
  name: 'add_chart_to_existing_dashboard',
  title: 'Add a chart to a dashboard',
  description:
    'Append an existing chart to a dashboard you own, in a new row at the end (or of the first tab). ' +
    'The chart must be visible to you and not already on the dashboard.',
  input: requestObject({
    dashboard_id: z.int().positive().describe('Dashboard id.'),
    chart_id: z.int().positive().describe('Chart id.'),
    target_tab: z
      .string()
      .optional()
      .describe('Tab to add the chart to, by title or id (tabbed dashboards; default the first tab).'),
  }),
  output: z.object({
    dashboard: DashboardInfoSchema.nullable(),
    dashboard_url: z.string().nullable(),
    // 6.1 (dashboard/tool/add_chart_to_existing_dashboard.py): {"row": row_key, "chart_key", "row_key"}.
    position: z.object({ row: z.string(), row_key: z.string(), chart_key: z.string() }).nullable(),
    error: z.string().nullable(),
    permission_denied: z.boolean(),
  }),
  authored: authoredColumnPaths(dashboardSpec, 'dashboard'),
  annotations: WRITES,
  permission: { permission: 'can_write', view: 'Dashboard' },
  run: async (request, context) => {
    await findVisibleRow(dashboardSpec, request.dashboard_id, ['id'], context, {
      slug: false,
      label: 'Dashboard',
    })
    await assertCanEdit('dashboard', request.dashboard_id, context)
    const [chart] = await visibleCharts([request.chart_id], context)
    const position = await context.db.transaction(async (tx) => {
      // The row lock serialises concurrent edits of one dashboard: none is lost.
      const current = await lockDashboardLayout(tx, request.dashboard_id)
      if (current === undefined)
        throw new GatewayError(
          'NotFoundError',
          `Dashboard with identifier '${request.dashboard_id}' not found`,
        )
      const layout = parseLayout(current.position_json)
      const linked = await isChartOnDashboard(tx, request.dashboard_id, request.chart_id)
      if (linked || chartIdsOf(layout).includes(request.chart_id)) {
        throw new GatewayError(
          'ConflictError',
          `Chart ${request.chart_id} is already on dashboard ${request.dashboard_id}.`,
          {
            details: { dashboard_id: request.dashboard_id, chart_id: request.chart_id },
          },
        )
      }
      const next = appendChart(layout, chart!, request.target_tab)
      await addChartToLayout(
        tx,
        { dashboardId: request.dashboard_id, chartId: request.chart_id, layout: next.layout },
        context.principal.user.id,
      )
      return next.position
    })
    context.effects.objectsAffected += 1
    context.effects.changed.add('dashboard')
    return {
      ...(await writtenDashboard(request.dashboard_id, context)),
      position: { row: position.row_key, row_key: position.row_key, chart_key: position.chart_key },
      error: null,
      permission_denied: false,
    }
  },
  // Superset 6.1's AddChartToDashboardResponse: `permission_denied` when the caller may not edit the
  // dashboard, with 6.1's instruction to ask before creating a new one.
  inBandFailure: (failure, request) => {
    if (!isDomainFailure(failure)) return undefined
    const denied = failure.details?.permission_denied === true
    const error = denied
      ? `You don't have permission to edit dashboard ${request.dashboard_id}. Ask the user if they would like a new dashboard created with this chart instead, and only proceed if they confirm.`
      : inBandMessage(failure)
    return { dashboard: null, dashboard_url: null, position: null, error, permission_denied: denied }
  },
})
