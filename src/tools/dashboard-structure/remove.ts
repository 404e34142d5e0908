/**
 * remove_chart_from_dashboard and delete_dashboard (Superset's development branch,
 * superset/mcp_service/dashboard/tool/remove_chart_from_dashboard.py and delete_dashboard.py; response
 * models RemoveChartFromDashboardResponse and DeleteDashboardResponse in dashboard/schemas.py). Both are
 * destructive: the user confirms first (src/confirm), each runs in one transaction under a row lock, and
 * only the dashboard's owners or an admin may run them (Superset's raise_for_editorship / ownership).
 * A dashboard the caller may not see reads as missing, before anything is asked.
 */
import * as z from 'zod'
import { sqlState } from '../../db'
import { GatewayError } from '../../errors'
import { quoteAuthored } from '../../markers'
import {
  chartsOnDashboard,
  dashboardSpec,
  deleteDashboardRows,
  findVisibleRow,
  lockDashboardForRemoval,
  projectRow,
  reportsOnDashboard,
  resolveColumns,
  storeChartRemoval,
  type Identifier,
  type LockedDashboard,
  type Row,
} from '../../superset'
import {
  assertCanEdit,
  authoredColumnPaths,
  defineTool,
  IdentifierSchema,
  inBandMessage,
  isDomainFailure,
  requestObject,
  WRITES,
  type ToolAnnotations,
  type ToolContext,
} from '../core'
import {
  chartPlacements,
  parseJsonObject,
  removeChartFromLayout,
  removeChartFromMetadata,
} from './layout-tree'

/** Both tools' annotations in the development branch: readOnlyHint=False, destructiveHint=True. */
const DESTRUCTIVE: ToolAnnotations = { ...WRITES, destructiveHint: true }

/** The dashboard if the caller may see it and may change it (owner or admin). */
async function editableDashboard(identifier: Identifier, context: ToolContext, slug: boolean): Promise<Row> {
  const row = await findVisibleRow(
    dashboardSpec,
    identifier,
    ['id', 'dashboard_title', 'chart_count', 'position_json'],
    context,
    { slug, label: 'Dashboard' },
  )
  await assertCanEdit('dashboard', Number(row.id), context)
  return row
}

const titleOf = (row: { dashboard_title?: unknown }): string =>
  typeof row.dashboard_title === 'string' ? row.dashboard_title : ''

// ------------------------------------------------------------------------ remove_chart_from_dashboard

/** The fields of DashboardInfo the development branch fills after a removal (and the charts left). */
const REMOVAL_INFO_COLUMNS = [
  'id',
  'dashboard_title',
  'slug',
  'description',
  'published',
  'created_on',
  'changed_on',
  'uuid',
  'url',
  'chart_count',
  'tags',
]

const DashboardAfterRemovalSchema = z.looseObject({
  id: z.int(),
  charts: z.array(
    z.object({
      id: z.int(),
      slice_name: z.string().nullable(),
      viz_type: z.string().nullable(),
      datasource_name: z.string().nullable(),
      description: z.string().nullable(),
      url: z.string(),
    }),
  ),
})

function notOnDashboard(dashboardId: number, chartId: number): GatewayError {
  return new GatewayError(
    'NotFoundError',
    `Chart ${chartId} is not in dashboard ${dashboardId}. Use get_dashboard_info to see which charts the dashboard contains.`,
    { details: { resource_type: 'chart', resource_id: chartId, dashboard_id: dashboardId } },
  )
}

/** The stored layout as an object: none is an empty one; text that is not JSON is refused, never overwritten. */
function layoutOf(dashboard: Pick<LockedDashboard, 'id' | 'position_json'>): Record<string, unknown> {
  const text = dashboard.position_json
  if (text === null || text.trim() === '') return {}
  const parsed = parseJsonObject(text)
  if (parsed !== undefined) return parsed
  try {
    JSON.parse(text)
    // Valid JSON that is not an object holds no component to keep.
    return {}
  } catch {
    throw new GatewayError(
      'ConflictError',
      `Dashboard ${dashboard.id} has a malformed layout (position_json could not be parsed); cannot safely remove a chart from it. Edit the dashboard in Superset.`,
      { details: { dashboard_id: dashboard.id } },
    )
  }
}

/** How many times the layout places the chart (for the question asked before the removal). */
function placementsOf(positionJson: unknown, chartId: number): number {
  return chartPlacements(
    parseJsonObject(typeof positionJson === 'string' ? positionJson : null) ?? {},
    chartId,
  ).length
}

export const removeChartFromDashboard = defineTool({
  name: 'remove_chart_from_dashboard',
  title: 'Remove chart from dashboard',
  description:
    "Remove a chart from a dashboard you own: every placement of it in the layout (under tabs too), rows and columns the removal leaves empty, its link to the dashboard, and the dashboard metadata's references to it. " +
    'The chart itself is NOT deleted and stays available to other dashboards.',
  input: requestObject({
    dashboard_id: z.int().positive().describe('ID of the dashboard to remove the chart from'),
    chart_id: z.int().positive().describe('ID of the chart to remove from the dashboard'),
  }),
  output: z.object({
    dashboard: DashboardAfterRemovalSchema.nullable().describe('The updated dashboard info, if successful'),
    dashboard_url: z.string().nullable().describe('URL to view the updated dashboard'),
    removed_layout_keys: z
      .array(z.string())
      .describe(
        'Layout component IDs removed from position_json (the CHART components and emptied ROW/COLUMN containers)',
      ),
    error: z.string().nullable(),
    permission_denied: z.boolean(),
  }),
  authored: [
    ...authoredColumnPaths(dashboardSpec, 'dashboard'),
    'dashboard.charts.slice_name',
    'dashboard.charts.datasource_name',
    'dashboard.charts.description',
  ],
  annotations: DESTRUCTIVE,
  permission: { permission: 'can_write', view: 'Dashboard' },
  confirm: async (request, context) => {
    const dashboard = await editableDashboard(request.dashboard_id, context, false)
    const placements = placementsOf(dashboard.position_json, request.chart_id)
    const charts = await chartsOnDashboard(context.db, request.dashboard_id)
    const linked = charts.find((chart) => chart.id === request.chart_id)
    if (placements === 0 && linked === undefined) throw notOnDashboard(request.dashboard_id, request.chart_id)
    const named = linked?.slice_name ? ` (${quoteAuthored(linked.slice_name)})` : ''
    return {
      message: `Remove chart ${request.chart_id}${named} from dashboard ${request.dashboard_id} (${quoteAuthored(titleOf(dashboard))}): its ${placements} placement(s) in the layout, the rows and columns left empty, its dashboard link and its per-chart settings; the chart itself is not deleted.`,
    }
  },
  run: async (request, context) => {
    const { dashboard_id: dashboardId, chart_id: chartId } = request
    await editableDashboard(dashboardId, context, false)
    const removed = await context.db.transaction(async (tx) => {
      // The row lock serialises edits of one dashboard: none is lost, none half-written.
      const current = await lockDashboardForRemoval(tx, dashboardId)
      if (current === undefined)
        throw new GatewayError('NotFoundError', `Dashboard with identifier '${dashboardId}' not found`)
      const layout = layoutOf(current)
      const keys = removeChartFromLayout(layout, chartId)
      if (keys.length === 0 && !current.chart_ids.includes(chartId))
        throw notOnDashboard(dashboardId, chartId)
      const metadata = parseJsonObject(current.json_metadata)
      const metadataChanged = metadata !== undefined && removeChartFromMetadata(metadata, chartId, keys)
      await storeChartRemoval(
        tx,
        {
          dashboardId,
          chartId,
          positionJson: JSON.stringify(layout),
          jsonMetadata: metadataChanged ? JSON.stringify(metadata) : null,
        },
        context.principal.user.id,
      )
      return keys
    })
    context.effects.objectsAffected += 1
    context.effects.changed.add('dashboard')
    return {
      dashboard: await dashboardAfterRemoval(dashboardId, context),
      dashboard_url: context.links.dashboard({ id: dashboardId }),
      removed_layout_keys: removed,
      error: null,
      permission_denied: false,
    }
  },
  // The development branch's RemoveChartFromDashboardResponse: no dashboard, the reason in `error`, and
  // `permission_denied` when the caller may not edit it.
  inBandFailure: (failure) => {
    if (!isDomainFailure(failure)) return undefined
    const denied = failure.details?.permission_denied === true
    return {
      dashboard: null,
      dashboard_url: null,
      removed_layout_keys: [],
      error: inBandMessage(failure),
      permission_denied: denied,
    }
  },
})

/** DashboardInfo as the development branch answers after the removal: the dashboard and the charts left. */
async function dashboardAfterRemoval(dashboardId: number, context: ToolContext) {
  const columns = resolveColumns(dashboardSpec, REMOVAL_INFO_COLUMNS)
  const row = await findVisibleRow(dashboardSpec, dashboardId, columns, context, {
    slug: false,
    label: 'Dashboard',
  })
  const charts = await chartsOnDashboard(context.db, dashboardId)
  return {
    ...projectRow(dashboardSpec, columns, row, context),
    id: dashboardId,
    charts: charts.map((chart) => ({ ...chart, url: context.links.chart(chart.id) })),
  }
}

// ------------------------------------------------------------------------ delete_dashboard

function reportsExist(dashboardId: number, title: string, names: readonly string[]): GatewayError {
  return new GatewayError(
    'ConflictError',
    `Dashboard ${quoteAuthored(title)} (id=${dashboardId}) cannot be deleted: there are associated alerts or reports: ${names.map(quoteAuthored).join(', ')}. Remove the associated alerts/reports first.`,
    { details: { reason: 'reports_exist', dashboard_id: dashboardId, report_count: names.length } },
  )
}

/**
 * A foreign key of a table this gateway does not clean (a user's welcome dashboard, a table of a newer
 * Superset) still pointing at the dashboard: the whole delete was rolled back, and the caller is told so
 * plainly (Superset answers DashboardDeleteFailedError), not with an internal error.
 */
function stillReferenced(failure: unknown, dashboardId: number): GatewayError | undefined {
  const cause = failure instanceof GatewayError ? failure.cause : failure
  if (sqlState(cause) !== '23503') return undefined
  return new GatewayError(
    'ConflictError',
    `Dashboard ${dashboardId} could not be deleted: other Superset records still refer to it (for example a user's welcome dashboard). Nothing was deleted; remove those references in Superset first.`,
    { details: { reason: 'still_referenced', dashboard_id: dashboardId } },
  )
}

/** Superset refuses to delete a dashboard that alerts or reports use (where report_schedule exists). */
async function assertNoReports(
  db: ToolContext['db'],
  dashboard: { id: number; title: string },
  context: ToolContext,
) {
  if (!context.schema.tables.includes('report_schedule')) return
  const names = await reportsOnDashboard(db, dashboard.id)
  if (names.length > 0) throw reportsExist(dashboard.id, dashboard.title, names)
}

export const deleteDashboard = defineTool({
  name: 'delete_dashboard',
  title: 'Delete dashboard',
  description:
    'Permanently delete a dashboard you own, by numeric id, UUID or slug, with its chart links, owners, roles, embedding, tags and favourites. ' +
    'The charts on it are NOT deleted. Dashboards with alerts or reports attached cannot be deleted until those are removed.',
  input: requestObject({
    identifier: IdentifierSchema.describe('Dashboard identifier - numeric ID, UUID string, or slug.'),
  }),
  output: z.object({
    success: z.boolean().describe('Whether the dashboard was deleted'),
    deleted_id: z.int().nullable().describe('ID of the deleted dashboard'),
    deleted_name: z.string().nullable().describe('Title of the deleted dashboard'),
    soft_deleted: z
      .boolean()
      .describe('Always false here: Superset 6.1 has no trash, so the delete is permanent.'),
    message: z.string().nullable().describe('Human-readable outcome message'),
    error: z.string().nullable().describe('Error message if the delete failed'),
    error_type: z.string().nullable().describe('Type of error if failed'),
    permission_denied: z
      .boolean()
      .describe('True when you may not delete the dashboard (do not retry; ask the user).'),
  }),
  authored: ['deleted_name'],
  annotations: DESTRUCTIVE,
  permission: { permission: 'can_write', view: 'Dashboard' },
  confirm: async (request, context) => {
    const dashboard = await editableDashboard(request.identifier, context, true)
    const id = Number(dashboard.id)
    await assertNoReports(context.db, { id, title: titleOf(dashboard) }, context)
    const charts = Number(dashboard.chart_count ?? 0)
    return {
      message: `Permanently delete dashboard ${id} (${quoteAuthored(titleOf(dashboard))}) with its ${charts} chart link(s), owners, roles, embedding, tags and favourites; the charts themselves are not deleted.`,
    }
  },
  run: async (request, context) => {
    const dashboard = await editableDashboard(request.identifier, context, true)
    const id = Number(dashboard.id)
    const title = titleOf(dashboard)
    try {
      await context.db.transaction(async (tx) => {
        // Locked first: a report scheduled meanwhile is seen, or waits for the delete.
        const locked = await lockDashboardForRemoval(tx, id)
        if (locked === undefined)
          throw new GatewayError('NotFoundError', `Dashboard id=${id} no longer exists.`, {
            details: { resource_type: 'dashboard', resource_id: id },
          })
        await assertNoReports(tx, { id, title }, context)
        await deleteDashboardRows(tx, id, context.schema.tables)
      })
    } catch (failure) {
      throw stillReferenced(failure, id) ?? failure
    }
    context.effects.objectsAffected += 1
    context.effects.changed.add('dashboard')
    return {
      success: true,
      deleted_id: id,
      deleted_name: title,
      soft_deleted: false,
      // The title is in deleted_name (marked as user-written); the gateway's sentence names the id.
      message: `Permanently deleted dashboard id=${id}. Its charts were not deleted.`,
      error: null,
      error_type: null,
      permission_denied: false,
    }
  },
  // The development branch's DeleteDashboardResponse: success false, the reason and its kind in-band.
  inBandFailure: (failure) => {
    if (!isDomainFailure(failure)) return undefined
    const denied = failure.details?.permission_denied === true
    const errorType = denied
      ? 'Forbidden'
      : failure.details?.reason === 'reports_exist'
        ? 'ReportsExist'
        : failure.details?.reason === 'still_referenced'
          ? 'DashboardDeleteFailedError'
          : failure.type === 'NotFoundError'
            ? 'NotFound'
            : failure.type
    return {
      success: false,
      deleted_id: null,
      deleted_name: null,
      soft_deleted: false,
      message: null,
      error: inBandMessage(failure),
      error_type: errorType,
      permission_denied: denied,
    }
  },
})
