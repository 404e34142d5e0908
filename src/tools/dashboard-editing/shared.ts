/**
 * What the dashboard editing tools share: finding the dashboard the caller may change (hidden ones read
 * as missing, others' as not theirs), the dashboard as the answers show it (DashboardInfo), and the chart
 * ids a layout or a metadata document names.
 */
import * as z from 'zod'
import { GatewayError } from '../../errors'
import {
  chartsOnDashboard,
  DASHBOARD_INFO_COLUMNS,
  dashboardSpec,
  findVisibleRow,
  parseJsonText,
  projectRow,
  type Identifier,
  type Row,
} from '../../superset'
import { assertCanEdit, authored, type ToolContext } from '../core'

/** The dashboard the identifier names among those the caller may see; NotFoundError otherwise. */
export async function findVisibleDashboard(
  identifier: Identifier,
  context: ToolContext,
): Promise<{ id: number; dashboard_title: string | null }> {
  const row = await findVisibleRow(dashboardSpec, identifier, ['id', 'dashboard_title'], context, {
    slug: true,
    label: 'Dashboard',
  })
  return { id: Number(row.id), dashboard_title: (row.dashboard_title as string | null) ?? null }
}

/**
 * The dashboard, if the caller may change it: visible (else it answers as missing) and owned by the
 * caller, or the caller is an admin (Superset's raise_for_ownership; else `permission_denied`).
 */
export async function findEditableDashboard(
  identifier: Identifier,
  context: ToolContext,
): Promise<{ id: number; dashboard_title: string | null }> {
  const dashboard = await findVisibleDashboard(identifier, context)
  await assertCanEdit('dashboard', dashboard.id, context)
  return dashboard
}

/** The dashboard no longer exists (deleted between the look-up and the locked read). */
export function dashboardGone(identifier: Identifier): GatewayError {
  return new GatewayError('NotFoundError', `Dashboard with identifier '${identifier}' not found`, {
    details: { resource_type: 'dashboard', resource_id: identifier },
  })
}

const ChartSummarySchema = z.object({
  id: z.int(),
  slice_name: authored(z.string()).nullable(),
  viz_type: z.string().nullable(),
  datasource_name: authored(z.string()).nullable(),
  description: authored(z.string()).nullable(),
  url: z.string(),
})

export const NativeFilterSummarySchema = z.object({
  id: z.string().nullable(),
  name: authored(z.string()).nullable(),
  filter_type: z.string().nullable(),
  targets: authored(z.array(z.unknown())),
})

/** The development branch's DashboardInfo (dashboard/schemas.py), with 6.1's `owners`. */
export const EditedDashboardSchema = z.looseObject({
  id: z.int(),
  charts: z.array(ChartSummarySchema),
  native_filters: z.array(NativeFilterSummarySchema),
  cross_filters_enabled: z.boolean().nullable(),
})

/** A parsed JSON object from a stored text column, or {} when it is missing, invalid or not an object. */
export function jsonObject(text: unknown): Record<string, unknown> {
  const parsed = parseJsonText(text)
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
    ? (parsed as Record<string, unknown>)
    : {}
}

/** The native filters of a metadata document as DashboardInfo summarises them. */
export function nativeFilterSummaries(metadata: Record<string, unknown>) {
  return filterConfigurations(metadata).map((entry) => ({
    id: typeof entry.id === 'string' ? entry.id : null,
    name: typeof entry.name === 'string' ? entry.name : null,
    filter_type: typeof entry.filterType === 'string' ? entry.filterType : null,
    targets: Array.isArray(entry.targets)
      ? entry.targets.filter(
          (target) => typeof target === 'object' && target !== null && Object.keys(target).length > 0,
        )
      : [],
  }))
}

/** `native_filter_configuration` of a metadata document, its non-object entries dropped. */
export function filterConfigurations(metadata: Record<string, unknown>): Record<string, unknown>[] {
  const configuration = metadata.native_filter_configuration
  if (!Array.isArray(configuration)) return []
  return configuration.filter(
    (entry): entry is Record<string, unknown> =>
      typeof entry === 'object' && entry !== null && !Array.isArray(entry),
  )
}

/** The dashboard as the editing tools answer with it (the caller may see it: they own it or are admin). */
export async function editedDashboard(
  id: number,
  context: ToolContext,
): Promise<z.input<typeof EditedDashboardSchema>> {
  const row = await findVisibleRow(dashboardSpec, id, [...DASHBOARD_INFO_COLUMNS, 'json_metadata'], context, {
    slug: true,
    label: 'Dashboard',
  })
  const info: Row = projectRow(dashboardSpec, [...DASHBOARD_INFO_COLUMNS], row, context)
  const charts = await chartsOnDashboard(context.db, id)
  const metadata = jsonObject(row.json_metadata)
  info.id = id
  info.charts = charts.map((chart) => ({ ...chart, url: context.links.chart(chart.id) }))
  info.native_filters = nativeFilterSummaries(metadata)
  info.cross_filters_enabled =
    typeof metadata.cross_filters_enabled === 'boolean' ? metadata.cross_filters_enabled : null
  return info as z.input<typeof EditedDashboardSchema>
}

/** A layout component (position_json entry). */
export type LayoutEntry = Record<string, unknown> & { type?: unknown; meta?: unknown; children?: unknown }

function metaOf(entry: unknown): Record<string, unknown> | undefined {
  if (typeof entry !== 'object' || entry === null) return undefined
  const meta = (entry as LayoutEntry).meta
  return typeof meta === 'object' && meta !== null ? (meta as Record<string, unknown>) : undefined
}

/** The chart ids the CHART components of a layout place, in layout order, once each. */
export function layoutChartIds(layout: Record<string, unknown>): number[] {
  const ids: number[] = []
  for (const entry of Object.values(layout)) {
    if (typeof entry !== 'object' || entry === null || (entry as LayoutEntry).type !== 'CHART') continue
    const chartId = metaOf(entry)?.chartId
    if (typeof chartId === 'number' && Number.isInteger(chartId) && !ids.includes(chartId)) ids.push(chartId)
  }
  return ids
}

/**
 * What is wrong with a caller's layout, in words: Superset's frontend needs a ROOT_ID, children that
 * exist, and a chart id on every CHART.
 */
export function layoutProblems(layout: Record<string, unknown>): string[] {
  const problems: string[] = []
  if (!('ROOT_ID' in layout)) problems.push('it has no ROOT_ID component')
  for (const [key, entry] of Object.entries(layout)) {
    if (key === 'DASHBOARD_VERSION_KEY') continue
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      problems.push(`${key} is not a component object`)
      continue
    }
    const component = entry as LayoutEntry
    if (typeof component.type !== 'string') problems.push(`${key} has no type`)
    if (component.children !== undefined) {
      if (!Array.isArray(component.children)) problems.push(`${key}.children is not a list`)
      else
        for (const child of component.children)
          if (typeof child !== 'string' || !(child in layout))
            problems.push(`${key} names a child ${JSON.stringify(child)} that is not in the layout`)
    }
    if (component.type === 'CHART') {
      const chartId = metaOf(component)?.chartId
      if (typeof chartId !== 'number' || !Number.isInteger(chartId) || chartId <= 0)
        problems.push(`${key} is a CHART without an integer meta.chartId`)
    }
  }
  return problems
}

/** The layout with each CHART's chartId (and uuid) replaced as `remap` says; others are left as they are. */
export function remapLayout(
  layout: Record<string, unknown>,
  remap: ReadonlyMap<number, number>,
): Record<string, unknown> {
  const copy = structuredClone(layout)
  for (const entry of Object.values(copy)) {
    if (typeof entry !== 'object' || entry === null || (entry as LayoutEntry).type !== 'CHART') continue
    const meta = metaOf(entry)
    if (meta === undefined || typeof meta.chartId !== 'number') continue
    const next = remap.get(meta.chartId)
    // Superset's copy: a chart id without a copy becomes null (the component then places no chart).
    meta.chartId = next ?? null
  }
  return copy
}

/** Each CHART's meta.uuid set to its chart's uuid, as Superset's set_dash_metadata writes them. */
export function withChartUuids(
  layout: Record<string, unknown>,
  uuids: ReadonlyMap<number, string | null>,
): Record<string, unknown> {
  for (const entry of Object.values(layout)) {
    if (typeof entry !== 'object' || entry === null || (entry as LayoutEntry).type !== 'CHART') continue
    const meta = metaOf(entry)
    if (meta === undefined || typeof meta.chartId !== 'number') continue
    const uuid = uuids.get(meta.chartId)
    if (uuid !== undefined && uuid !== null) meta.uuid = uuid
  }
  return layout
}
