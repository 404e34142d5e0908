/**
 * update_dashboard (Superset development branch, dashboard/tool/update_dashboard.py; request and response
 * models UpdateDashboardRequest / UpdateDashboardResponse in dashboard/schemas.py): patch the fields
 * passed, leave the others. The caller must own the dashboard or be an admin; one transaction under the
 * dashboard's row lock; a replaced layout brings dashboard_slices along, as Superset's save does.
 */
import * as z from 'zod'
import { GatewayError } from '../../errors'
import {
  dashboardSpec,
  existingChartUuids,
  isSlugTaken,
  lockEditableDashboard,
  setDashboardCharts,
  updateDashboardFields,
  visibleChartsById,
  type DashboardFieldChanges,
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
  findEditableDashboard,
  jsonObject,
  layoutChartIds,
  layoutProblems,
  withChartUuids,
} from './shared'

/** The typed json_metadata fields the development branch offers beside json_metadata_overrides. */
const TYPED_METADATA_FIELDS = [
  'cross_filters_enabled',
  'refresh_frequency',
  'filter_bar_orientation',
] as const

/**
 * The development branch's slug normalisation (REST DashboardPutSchema's): trimmed, spaces to hyphens,
 * anything but letters, digits, `_` and `-` dropped; blank clears the slug.
 */
function normaliseSlug(slug: string): string {
  const trimmed = slug.trim()
  if (trimmed === '') return ''
  const normalised = trimmed.replaceAll(' ', '-').replace(/[^\p{L}\p{N}_-]+/gu, '')
  if (normalised === '') {
    throw new GatewayError(
      'ValidationError',
      'slug contains only characters that are removed during normalization; use letters, digits, underscores, or hyphens.',
      { details: { field: 'slug' } },
    )
  }
  return normalised
}

const UpdateDashboardInput = requestObject({
  identifier: IdentifierSchema.describe('Dashboard id, UUID or slug.'),
  dashboard_title: z.string().max(500).optional().describe('New title.'),
  description: z.string().max(10_000).optional().describe('New description.'),
  slug: z.string().max(255).optional().describe('New unique URL slug; "" clears it.'),
  published: z.boolean().optional().describe('Published.'),
  position_json: z
    .record(z.string(), z.unknown())
    .optional()
    .describe('Replacement layout; its charts must be visible to you and become the chart list.'),
  json_metadata_overrides: z
    .record(z.string(), z.unknown())
    .optional()
    .describe('Keys merged shallowly into json_metadata (label_colors, color_scheme...).'),
  css: z.string().max(50_000).optional().describe('New CSS; "" clears it.'),
  cross_filters_enabled: z.boolean().optional().describe('Cross filtering.'),
  refresh_frequency: z.int().min(0).optional().describe('Auto-refresh seconds (0 = off).'),
  filter_bar_orientation: z.enum(['VERTICAL', 'HORIZONTAL']).optional().describe('Filter bar orientation.'),
})

type UpdateRequest = z.output<typeof UpdateDashboardInput>

/** The metadata keys to set: the generic overrides and the typed fields, a key given twice refused. */
function metadataOverrides(request: UpdateRequest): Record<string, unknown> {
  const overrides: Record<string, unknown> = { ...(request.json_metadata_overrides ?? {}) }
  const typed = TYPED_METADATA_FIELDS.filter((field) => request[field] !== undefined)
  const clashes = typed.filter((field) => Object.hasOwn(overrides, field)).sort()
  if (clashes.length > 0) {
    throw new GatewayError(
      'ValidationError',
      `Conflicting metadata for ${clashes.join(', ')}: set via both a typed field and json_metadata_overrides. Pass each key only once.`,
      { details: { fields: clashes } },
    )
  }
  for (const field of typed) overrides[field] = request[field]
  return overrides
}

/** The layout, checked: a valid component tree whose charts exist and are visible to the caller. */
async function checkedLayout(
  layout: Record<string, unknown>,
  context: ToolContext,
): Promise<{ layout: Record<string, unknown>; chartIds: number[] }> {
  const problems = layoutProblems(layout)
  if (problems.length > 0) {
    throw new GatewayError(
      'ValidationError',
      `position_json is not a valid layout: ${problems.join('; ')}.`,
      {
        details: { field: 'position_json', problems },
      },
    )
  }
  const chartIds = layoutChartIds(layout)
  const visible = new Set((await visibleChartsById(context.db, chartIds, context.principal)).map((c) => c.id))
  const missing = chartIds.filter((id) => !visible.has(id))
  if (missing.length > 0) {
    throw new GatewayError(
      'ValidationError',
      `Charts not found: [${missing.join(', ')}]. Use list_charts to find chart ids you can use.`,
      { details: { missing_chart_ids: missing } },
    )
  }
  return { layout: structuredClone(layout), chartIds }
}

export const updateDashboard = defineTool({
  name: 'update_dashboard',
  title: 'Update a dashboard',
  description: 'Patch a dashboard you own: only the fields passed change (listed in changed_fields).',
  input: UpdateDashboardInput,
  output: z.object({
    dashboard: EditedDashboardSchema.nullable(),
    dashboard_url: z.string().nullable(),
    error: z.string().nullable(),
    permission_denied: z.boolean(),
    changed_fields: z.array(z.string()),
    warnings: z.array(z.string()),
  }),
  authored: authoredColumnPaths(dashboardSpec, 'dashboard'),
  annotations: WRITES,
  permission: { permission: 'can_write', view: 'Dashboard' },
  run: async (request, context) => {
    const target = await findEditableDashboard(request.identifier, context)
    const overrides = metadataOverrides(request)
    const slug = request.slug === undefined ? undefined : normaliseSlug(request.slug)
    const layout =
      request.position_json === undefined ? undefined : await checkedLayout(request.position_json, context)

    const changes: DashboardFieldChanges = {}
    const changed: string[] = []
    if (request.dashboard_title !== undefined) {
      changes.title = request.dashboard_title
      changed.push('dashboard_title')
    }
    if (request.description !== undefined) {
      changes.description = request.description
      changed.push('description')
    }
    if (slug !== undefined) {
      changes.slug = slug === '' ? null : slug
      changed.push('slug')
    }
    if (request.published !== undefined) {
      changes.published = request.published
      changed.push('published')
    }
    if (layout !== undefined) changed.push('position_json')
    if (Object.keys(overrides).length > 0) changed.push('json_metadata')
    if (request.css !== undefined) {
      changes.css = request.css === '' ? null : request.css
      changed.push('css')
    }

    if (changed.length === 0) {
      const dashboard = await editedDashboard(target.id, context)
      return {
        dashboard,
        dashboard_url: context.links.dashboard({ id: target.id, slug: dashboard.slug as string | null }),
        error: null,
        permission_denied: false,
        changed_fields: [],
        warnings: ['No fields provided; dashboard unchanged.'],
      }
    }

    await context.db.transaction(async (tx) => {
      const current = await lockEditableDashboard(tx, target.id)
      if (current === undefined) throw dashboardGone(request.identifier)
      if (typeof changes.slug === 'string' && (await isSlugTaken(tx, changes.slug, target.id))) {
        throw new GatewayError(
          'ValidationError',
          `Slug '${changes.slug}' is already used by another dashboard; slugs must be unique.`,
          { details: { field: 'slug', slug: changes.slug } },
        )
      }
      if (Object.keys(overrides).length > 0)
        changes.jsonMetadata = { ...jsonObject(current.json_metadata), ...overrides }
      if (layout !== undefined)
        changes.layout = withChartUuids(layout.layout, await existingChartUuids(tx, layout.chartIds))
      await updateDashboardFields(tx, target.id, changes, context.principal.user.id)
      if (layout !== undefined) await setDashboardCharts(tx, target.id, layout.chartIds)
    })
    context.effects.objectsAffected += 1
    context.effects.changed.add('dashboard')
    const dashboard = await editedDashboard(target.id, context)
    return {
      dashboard,
      dashboard_url: context.links.dashboard({ id: target.id, slug: dashboard.slug as string | null }),
      error: null,
      permission_denied: false,
      changed_fields: changed,
      warnings: [],
    }
  },
  // The development branch answers a caller who may not edit the dashboard in UpdateDashboardResponse
  // (permission_denied); a missing dashboard and bad input are its DashboardError, the gateway's error.
  inBandFailure: (failure, request) => {
    if (!isDomainFailure(failure) || failure.details?.permission_denied !== true) return undefined
    return {
      dashboard: null,
      dashboard_url: null,
      error: `You don't have permission to edit dashboard ${String(request.identifier)}. ${inBandMessage(failure)}`,
      permission_denied: true,
      changed_fields: [],
      warnings: [],
    }
  },
})
