/**
 * Deleting a chart as Superset's DeleteChartCommand leaves the metadata: the `slices` row and everything
 * that names it — its owners (slice_user), its dashboard links (dashboard_slices), every CHART node of a
 * dashboard layout (position_json) and the per-chart entries of a dashboard's json_metadata, its tags
 * (tagged_object) and favourites (favstar). Run inside the caller's transaction.
 */
import { sql, type Db } from '../../db'
import { NOW_UTC } from '../timestamps'

export interface ChartDeletion {
  /** Dashboards whose layout, metadata or chart links changed. */
  dashboardIds: number[]
}

/** Report schedules (alerts and reports) that send this chart, by id. */
export async function reportsOfChart(db: Db, chartId: number): Promise<number[]> {
  const rows = await db.query<{ id: number }>(
    sql`SELECT id FROM report_schedule WHERE chart_id = ${chartId} ORDER BY id`,
  )
  return rows.map((row) => row.id)
}

/** Locks the chart row; false when it is gone. */
export async function lockChart(tx: Db, chartId: number): Promise<boolean> {
  const [row] = await tx.query<{ id: number }>(sql`SELECT id FROM slices WHERE id = ${chartId} FOR UPDATE`)
  return row !== undefined
}

export async function deleteChartRows(
  tx: Db,
  chartId: number,
  options: { tags: boolean; userId: number },
): Promise<ChartDeletion> {
  // Every dashboard that links the chart or names it in its layout or metadata, locked so no concurrent
  // layout edit is lost.
  const dashboards = await tx.query<{
    id: number
    position_json: string | null
    json_metadata: string | null
  }>(sql`
    SELECT d.id, d.position_json, d.json_metadata FROM dashboards d
     WHERE d.id IN (SELECT dashboard_id FROM dashboard_slices WHERE slice_id = ${chartId})
        OR d.position_json ~ ${`"chartId"\\s*:\\s*${chartId}([^0-9]|$)`}
        OR d.json_metadata ~ ${`(^|[^0-9])${chartId}([^0-9]|$)`}
     ORDER BY d.id FOR UPDATE`)
  const changed = new Set<number>()
  for (const dashboard of dashboards) {
    const layout = withoutChartInLayout(dashboard.position_json, chartId)
    const metadata = withoutChartInMetadata(dashboard.json_metadata, chartId)
    if (layout === undefined && metadata === undefined) continue
    await tx.query(sql`
      UPDATE dashboards SET position_json = ${layout ?? dashboard.position_json},
                            json_metadata = ${metadata ?? dashboard.json_metadata},
                            changed_on = ${NOW_UTC}, changed_by_fk = ${options.userId}
       WHERE id = ${dashboard.id}`)
    changed.add(dashboard.id)
  }
  const linked = await tx.query<{ dashboard_id: number }>(
    sql`DELETE FROM dashboard_slices WHERE slice_id = ${chartId} RETURNING dashboard_id`,
  )
  for (const row of linked) changed.add(row.dashboard_id)
  await tx.query(sql`DELETE FROM slice_user WHERE slice_id = ${chartId}`)
  if (options.tags)
    await tx.query(sql`DELETE FROM tagged_object WHERE object_type = 'chart' AND object_id = ${chartId}`)
  await tx.query(sql`DELETE FROM favstar WHERE class_name = 'slice' AND obj_id = ${chartId}`)
  await tx.query(sql`DELETE FROM slices WHERE id = ${chartId}`)
  return { dashboardIds: [...changed].sort((a, b) => a - b) }
}

type Json = Record<string, unknown>

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

function parse(text: string | null): Json | undefined {
  if (text === null || text.trim() === '') return undefined
  try {
    const value: unknown = JSON.parse(text)
    return isObject(value) ? value : undefined
  } catch {
    return undefined
  }
}

/** The layout without the chart's CHART nodes (and their keys in every parent's children); undefined if unchanged. */
export function withoutChartInLayout(text: string | null, chartId: number): string | undefined {
  const layout = parse(text)
  if (layout === undefined) return undefined
  const removed = new Set(
    Object.entries(layout)
      .filter(
        ([, node]) =>
          isObject(node) &&
          node.type === 'CHART' &&
          isObject(node.meta) &&
          Number(node.meta.chartId) === chartId,
      )
      .map(([key]) => key),
  )
  if (removed.size === 0) return undefined
  const next: Json = {}
  for (const [key, node] of Object.entries(layout)) {
    if (removed.has(key)) continue
    next[key] =
      isObject(node) && Array.isArray(node.children)
        ? { ...node, children: node.children.filter((child) => !removed.has(String(child))) }
        : node
  }
  return JSON.stringify(next)
}

const withoutId = (list: unknown, chartId: number): unknown =>
  Array.isArray(list) ? list.filter((item) => Number(item) !== chartId) : list

function withoutKey(map: unknown, chartId: number): unknown {
  if (!isObject(map)) return map
  const { [String(chartId)]: _, ...rest } = map
  return rest
}

/** A scope's chart lists without the chart: chartsInScope, excluded, immune. */
function scrubScope(value: unknown, chartId: number): unknown {
  if (!isObject(value)) return value
  const next: Json = { ...value }
  for (const key of ['chartsInScope', 'excluded', 'immune'])
    if (key in next) next[key] = withoutId(next[key], chartId)
  if (isObject(next.scope)) next.scope = scrubScope(next.scope, chartId)
  if (isObject(next.crossFilters)) next.crossFilters = scrubScope(next.crossFilters, chartId)
  return next
}

/** json_metadata without the chart's per-chart entries; undefined if unchanged. */
export function withoutChartInMetadata(text: string | null, chartId: number): string | undefined {
  const metadata = parse(text)
  if (metadata === undefined) return undefined
  const next: Json = { ...metadata }
  if ('timed_refresh_immune_slices' in next)
    next.timed_refresh_immune_slices = withoutId(next.timed_refresh_immune_slices, chartId)
  for (const key of ['expanded_slices', 'filter_scopes', 'chart_configuration']) {
    if (key in next) next[key] = withoutKey(next[key], chartId)
  }
  if (isObject(next.filter_scopes)) {
    next.filter_scopes = Object.fromEntries(
      Object.entries(next.filter_scopes).map(([key, scopes]) => [
        key,
        isObject(scopes)
          ? Object.fromEntries(
              Object.entries(scopes).map(([column, scope]) => [column, scrubScope(scope, chartId)]),
            )
          : scopes,
      ]),
    )
  }
  if (isObject(next.chart_configuration)) {
    next.chart_configuration = Object.fromEntries(
      Object.entries(next.chart_configuration).map(([key, config]) => [key, scrubScope(config, chartId)]),
    )
  }
  if ('global_chart_configuration' in next)
    next.global_chart_configuration = scrubScope(next.global_chart_configuration, chartId)
  if (Array.isArray(next.native_filter_configuration)) {
    next.native_filter_configuration = next.native_filter_configuration.map((filter) =>
      scrubScope(filter, chartId),
    )
  }
  if (typeof next.default_filters === 'string') {
    const filters = parse(next.default_filters)
    if (filters !== undefined && String(chartId) in filters)
      next.default_filters = JSON.stringify(withoutKey(filters, chartId))
  }
  const result = JSON.stringify(next)
  return result === JSON.stringify(metadata) ? undefined : result
}
