/**
 * delete_chart (Superset's development branch, chart/tool/delete_chart.py): deletes a saved chart the
 * caller owns (Admin excepted), as Superset 6.1's DeleteChartCommand does — refused while an alert or
 * report sends it — and, in the same transaction, every reference to it: owners, dashboard links, the
 * CHART nodes of dashboard layouts and per-chart dashboard metadata, tags and favourites. Superset 6.1
 * has no soft delete: the delete is permanent (`soft_deleted` is false).
 */
import * as z from 'zod'
import { GatewayError } from '../../errors'
import { quoteAuthored } from '../../markers'
import {
  deleteChartRows,
  findVisibleChart,
  lockChart,
  reportsOfChart,
  type ChartRecord,
} from '../../superset'
import {
  assertCanEdit,
  authored,
  defineTool,
  IdentifierSchema,
  inBandMessage,
  isDomainFailure,
  requestObject,
  type ToolContext,
  WRITES,
} from '../core'

async function chartToDelete(identifier: number | string, context: ToolContext): Promise<ChartRecord> {
  const chart = await findVisibleChart(context.db, identifier, context.principal)
  if (chart === undefined) {
    throw new GatewayError('NotFoundError', `Chart with identifier '${identifier}' not found`, {
      details: { resource_type: 'chart', resource_id: identifier, error_type: 'NotFound' },
    })
  }
  return chart
}

/** Superset refuses to delete a chart that alerts or reports send (where report_schedule exists). */
async function assertNoReports(db: ToolContext['db'], chartId: number, context: ToolContext): Promise<void> {
  if (!context.schema.tables.includes('report_schedule')) return
  const reports = await reportsOfChart(db, chartId)
  if (reports.length > 0) {
    throw new GatewayError(
      'ConflictError',
      `Chart ${chartId} cannot be deleted: ${reports.length === 1 ? 'a report or alert sends' : `${reports.length} reports or alerts send`} it (report_schedule ${reports.join(', ')}). Remove the associated alerts/reports first.`,
      { details: { reason: 'reports_exist', error_type: 'ReportsExist', report_ids: reports } },
    )
  }
}

/** Owners or Admin only, and no report sending the chart. */
async function assertDeletable(db: ToolContext['db'], chartId: number, context: ToolContext): Promise<void> {
  await assertCanEdit('chart', chartId, context)
  await assertNoReports(db, chartId, context)
}

/** The development branch's DeleteChartResponse. */
const DeleteChartResponseSchema = z.object({
  success: z.boolean(),
  deleted_id: z.int().nullable(),
  deleted_name: authored(z.string().nullable()),
  soft_deleted: z.boolean(),
  message: authored(z.string().nullable()),
  error: z.string().nullable(),
  error_type: z.string().nullable(),
  permission_denied: z.boolean(),
})

export const deleteChart = defineTool({
  name: 'delete_chart',
  title: 'Delete chart',
  description:
    'Permanently delete a saved chart you own (admins: any chart) by numeric id or UUID, not by name. It is removed from every ' +
    'dashboard that shows it. Charts that alerts or reports send cannot be deleted until those are removed. ' +
    'When permission_denied is true, do not retry: ask the user.',
  input: requestObject({ identifier: IdentifierSchema.describe('Chart id or UUID.') }),
  output: DeleteChartResponseSchema,
  // The development branch: readOnlyHint=False, destructiveHint=True.
  annotations: { ...WRITES, destructiveHint: true },
  permission: { permission: 'can_write', view: 'Chart' },
  confirm: async (request, context) => {
    const chart = await chartToDelete(request.identifier, context)
    // Refused deletes are refused before the user is asked.
    await assertDeletable(context.db, chart.id, context)
    return {
      message: `Permanently delete chart ${chart.id} (${quoteAuthored(chart.slice_name ?? '')}) and remove it from every dashboard that shows it.`,
    }
  },
  run: async (request, context) => {
    const chart = await chartToDelete(request.identifier, context)
    await assertDeletable(context.db, chart.id, context)
    const deletion = await context.db.transaction(async (tx) => {
      if (!(await lockChart(tx, chart.id))) {
        throw new GatewayError('NotFoundError', `Chart id=${chart.id} no longer exists.`, {
          details: { resource_type: 'chart', resource_id: chart.id, error_type: 'NotFound' },
        })
      }
      // Checked again under the lock: a report scheduled meanwhile is seen.
      await assertNoReports(tx, chart.id, context)
      return deleteChartRows(tx, chart.id, {
        tags: context.schema.tables.includes('tagged_object'),
        userId: context.principal.user.id,
      })
    })
    context.effects.objectsAffected += 1 + deletion.dashboardIds.length
    context.effects.changed.add('chart')
    if (deletion.dashboardIds.length > 0) context.effects.changed.add('dashboard')
    const name = chart.slice_name ?? ''
    return {
      success: true,
      deleted_id: chart.id,
      deleted_name: chart.slice_name,
      soft_deleted: false,
      message: `Permanently deleted chart '${name}' (id=${chart.id}).`,
      error: null,
      error_type: null,
      permission_denied: false,
    }
  },
  // The development branch answers not-found, forbidden and reports-exist in-band (success=false).
  inBandFailure: (failure) => {
    if (!isDomainFailure(failure)) return undefined
    const denied = failure.details?.permission_denied === true
    const named = failure.details?.error_type
    return {
      success: false,
      deleted_id: null,
      deleted_name: null,
      soft_deleted: false,
      message: null,
      error: denied
        ? `${inBandMessage(failure)} Ask the user to delete it or grant access; do not retry.`
        : inBandMessage(failure),
      error_type: denied ? 'Forbidden' : typeof named === 'string' ? named : failure.type,
      permission_denied: denied,
    }
  },
})
