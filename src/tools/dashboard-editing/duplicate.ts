/**
 * duplicate_dashboard (Superset development branch, dashboard/tool/duplicate_dashboard.py; models
 * DuplicateDashboardRequest / DuplicateDashboardResponse in dashboard/schemas.py), which runs Superset's
 * CopyDashboardCommand: a new draft owned by the caller with the source's layout, CSS and metadata; with
 * `duplicate_slices`, copies of the source's charts (owned by the caller) and the layout and metadata
 * pointing at the copies. Only a dashboard the caller may see; under DASHBOARD_RBAC only one they own (or
 * Admin), as 6.1's copy_dashboard. One transaction.
 */
import * as z from 'zod'
import { GatewayError } from '../../errors'
import {
  cloneCharts,
  dashboardChartIds,
  dashboardSpec,
  existingChartUuids,
  insertDashboardCopy,
  isOwner,
  lockEditableDashboard,
} from '../../superset'
import {
  authoredColumnPaths,
  defineTool,
  IdentifierSchema,
  inBandMessage,
  isDomainFailure,
  requestObject,
  WRITES,
  type ToolContext,
} from '../core'
import {
  dashboardGone,
  editedDashboard,
  EditedDashboardSchema,
  findVisibleDashboard,
  layoutChartIds,
  remapLayout,
  withChartUuids,
} from './shared'

type ChartMap = ReadonlyMap<number, number>

function storedObject(text: string | null, what: string): Record<string, unknown> {
  if (text === null || text.trim() === '') return {}
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    parsed = undefined
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new GatewayError(
      'ValidationError',
      `The dashboard could not be duplicated because its stored ${what} is invalid. Open and re-save the source dashboard to repair it, then try again.`,
      { details: { reason: 'invalid_source_metadata' } },
    )
  }
  return parsed as Record<string, unknown>
}

function layoutOf(text: string | null): Record<string, unknown> {
  try {
    return storedObject(text, 'layout')
  } catch {
    // As the development branch: an unreadable layout copies as none (then refused below if it had charts).
    return {}
  }
}

const asChartId = (key: string): number | undefined => (/^\d+$/.test(key) ? Number(key) : undefined)

/** An object keyed by chart id, its keys mapped (and those without a mapping dropped). */
function remapKeys(value: unknown, remap: ChartMap): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {}
  const out: Record<string, unknown> = {}
  for (const [key, item] of Object.entries(value)) {
    const id = asChartId(key)
    const next = id === undefined ? undefined : remap.get(id)
    if (next !== undefined) out[String(next)] = item
  }
  return out
}

function remapIds(value: unknown, remap: ChartMap): number[] {
  if (!Array.isArray(value)) return []
  return value.flatMap((id) => {
    const next = typeof id === 'number' ? remap.get(id) : undefined
    return next === undefined ? [] : [next]
  })
}

/**
 * The copy's json_metadata, as 6.1's set_dash_metadata writes it: the source's, `default_filters` and
 * `filter_scopes` kept for the charts the copy has, and 6.1's defaults for the colour, refresh and cross
 * filter keys. Chart ids in it (`default_filters`, `filter_scopes`, `expanded_slices`,
 * `timed_refresh_immune_slices`, native filters' scopes) go through `remap` (identity without chart
 * copies; 6.1 itself leaves the native filters' scopes on the old ids).
 */
function copiedMetadata(source: Record<string, unknown>, remap: ChartMap): Record<string, unknown> {
  const metadata: Record<string, unknown> = structuredClone(source)
  delete metadata.positions
  let defaults: unknown = metadata.default_filters
  if (typeof defaults === 'string') {
    try {
      defaults = JSON.parse(defaults)
    } catch {
      defaults = {}
    }
  }
  metadata.default_filters = JSON.stringify(remapKeys(defaults, remap))
  const scopes = metadata.filter_scopes
  const remappedScopes: Record<string, unknown> = {}
  for (const [key, columns] of Object.entries(remapKeys(scopes, remap))) {
    if (typeof columns !== 'object' || columns === null) continue
    remappedScopes[key] = Object.fromEntries(
      Object.entries(columns).map(([column, scope]) => [
        column,
        typeof scope === 'object' && scope !== null
          ? { ...scope, immune: remapIds((scope as Record<string, unknown>).immune, remap) }
          : scope,
      ]),
    )
  }
  if (Object.keys(remappedScopes).length > 0) metadata.filter_scopes = remappedScopes
  else delete metadata.filter_scopes
  metadata.timed_refresh_immune_slices = remapIds(metadata.timed_refresh_immune_slices ?? [], remap)
  if (metadata.color_namespace === undefined || metadata.color_namespace === null)
    delete metadata.color_namespace
  metadata.expanded_slices = remapKeys(metadata.expanded_slices ?? {}, remap)
  metadata.refresh_frequency ??= 0
  metadata.color_scheme ??= ''
  metadata.label_colors ??= {}
  metadata.shared_label_colors ??= []
  metadata.map_label_colors ??= {}
  metadata.color_scheme_domain ??= []
  metadata.cross_filters_enabled ??= true
  if (Array.isArray(metadata.native_filter_configuration)) {
    metadata.native_filter_configuration = metadata.native_filter_configuration.map((entry: unknown) => {
      if (typeof entry !== 'object' || entry === null) return entry
      const filter = { ...(entry as Record<string, unknown>) }
      const scope = filter.scope
      if (
        typeof scope === 'object' &&
        scope !== null &&
        Array.isArray((scope as { excluded?: unknown }).excluded)
      )
        filter.scope = { ...scope, excluded: remapIds((scope as { excluded: unknown[] }).excluded, remap) }
      if (Array.isArray(filter.chartsInScope)) filter.chartsInScope = remapIds(filter.chartsInScope, remap)
      return filter
    })
  }
  return metadata
}

/** Superset 6.1's copy under DASHBOARD_RBAC: the source's owners (and admins) only. */
async function assertMayCopy(id: number, context: ToolContext): Promise<void> {
  if (!context.config.superset.dashboardRbac || context.principal.isAdmin) return
  if (await isOwner(context.db, 'dashboard', id, context.principal.user.id)) return
  throw new GatewayError('PermissionDeniedError', `You don't have permission to duplicate dashboard ${id}.`, {
    details: { reason: 'not_owner', resource_type: 'dashboard', resource_id: id, permission_denied: true },
  })
}

export const duplicateDashboard = defineTool({
  name: 'duplicate_dashboard',
  title: 'Duplicate a dashboard',
  description:
    'Copy a dashboard you can see under a new title, as a draft owned by you. duplicate_slices=true also copies ' +
    'its charts (owned by you); otherwise the copy shows the same charts.',
  input: requestObject({
    dashboard_id: IdentifierSchema.describe('Source dashboard id, UUID or slug.'),
    dashboard_title: z
      .string()
      .trim()
      .min(1, 'dashboard_title cannot be empty')
      .max(500)
      .describe('Title of the copy.'),
    duplicate_slices: z.boolean().default(false).describe('Copy the charts too.'),
  }),
  output: z.object({
    dashboard: EditedDashboardSchema.nullable(),
    dashboard_url: z.string().nullable(),
    duplicated_slices: z.boolean(),
    error: z.string().nullable(),
    warnings: z.array(z.string()),
  }),
  authored: authoredColumnPaths(dashboardSpec, 'dashboard'),
  annotations: WRITES,
  permission: { permission: 'can_write', view: 'Dashboard' },
  run: async (request, context) => {
    const source = await findVisibleDashboard(request.dashboard_id, context)
    await assertMayCopy(source.id, context)
    const userId = context.principal.user.id
    const { id, charts } = await context.db.transaction(async (tx) => {
      const current = await lockEditableDashboard(tx, source.id)
      if (current === undefined) throw dashboardGone(request.dashboard_id)
      const metadata = storedObject(current.json_metadata, 'metadata')
      const layout = layoutOf(current.position_json)
      const sourceCharts = await dashboardChartIds(tx, source.id)
      const placed = layoutChartIds(layout)
      if (sourceCharts.length > 0 && !placed.some((chartId) => sourceCharts.includes(chartId))) {
        throw new GatewayError(
          'ValidationError',
          `Dashboard '${String(request.dashboard_id)}' has charts but its saved layout ${placed.length === 0 ? 'is missing or invalid' : "references chart IDs that don't match any of its actual charts"}, so duplicating it would produce a dashboard with no charts. Open and re-save the source dashboard to repair its layout, then try again.`,
          { details: { reason: 'layout_without_charts' } },
        )
      }
      const copies = request.duplicate_slices ? await cloneCharts(tx, sourceCharts, userId) : undefined
      const remap: ChartMap = copies ?? new Map(placed.map((chartId) => [chartId, chartId]))
      const copiedLayout = copies === undefined ? structuredClone(layout) : remapLayout(layout, copies)
      const chartIds = layoutChartIds(copiedLayout)
      const created = await insertDashboardCopy(
        tx,
        {
          title: request.dashboard_title,
          css: current.css,
          layout: withChartUuids(copiedLayout, await existingChartUuids(tx, chartIds)),
          jsonMetadata: copiedMetadata(metadata, remap),
          chartIds,
        },
        userId,
      )
      return { id: created, charts: [...(copies?.values() ?? [])] }
    })
    context.effects.objectsAffected += 1 + charts.length
    context.effects.created.dashboard = [id]
    if (charts.length > 0) {
      context.effects.created.chart = charts
      context.effects.changed.add('chart')
    }
    context.effects.changed.add('dashboard')
    return {
      dashboard: await editedDashboard(id, context),
      dashboard_url: context.links.dashboard({ id }),
      duplicated_slices: request.duplicate_slices,
      error: null,
      warnings: [],
    }
  },
  // DuplicateDashboardResponse reports every failure in-band, in `error`.
  inBandFailure: (failure) => {
    if (!isDomainFailure(failure)) return undefined
    return {
      dashboard: null,
      dashboard_url: null,
      duplicated_slices: false,
      error: inBandMessage(failure),
      warnings: [],
    }
  },
})
