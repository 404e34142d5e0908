/**
 * Reading and pruning a dashboard's stored layout (`position_json`) and metadata (`json_metadata`), as
 * Superset's development branch does in dashboard/schemas.py (`_extract_layout_from_position`) and
 * dashboard/tool/remove_chart_from_dashboard.py. Both texts are written by the frontend, imports and
 * hand edits, so every value is checked before it is used: malformed parts are skipped, never trusted.
 */

/** A tab of the layout (development branch DashboardTab). */
export interface LayoutTab {
  id: string
  name: string | null
  parent_tab_id: string | null
  chart_ids: number[]
}

/** A chart placed in the layout (development branch ChartPosition). */
export interface LayoutChartPosition {
  chart_id: number | null
  slice_name: string | null
  tab_id: string | null
  tab_path: string[]
  width: number | null
  height: number | null
}

type Json = Record<string, unknown>

const isRecord = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

const integerOrNull = (value: unknown): number | null =>
  typeof value === 'number' && Number.isInteger(value) ? value : null

/** A JSON text parsed to an object, or undefined when it is empty, invalid or not an object. */
export function parseJsonObject(text: string | null | undefined): Json | undefined {
  if (typeof text !== 'string' || text === '') return undefined
  try {
    const parsed: unknown = JSON.parse(text)
    return isRecord(parsed) ? parsed : undefined
  } catch {
    return undefined
  }
}

/**
 * The tabs and chart placements of a layout, walking the component tree depth-first from ROOT_ID in
 * children order. Each component is visited once (a cycle or a shared child cannot loop); a chart's tab
 * is its innermost enclosing TAB, and every enclosing tab lists the chart. Tabs come in the order the
 * layout object declares them.
 */
export function readLayout(positionJson: string | null | undefined): {
  tabs: LayoutTab[]
  charts: LayoutChartPosition[]
} {
  const layout = parseJsonObject(positionJson)
  if (layout === undefined || !('ROOT_ID' in layout)) return { tabs: [], charts: [] }
  const tabs = new Map<string, LayoutTab>()
  const charts: LayoutChartPosition[] = []
  const seen = new Set<string>()
  const pending: { key: string; tabChain: string[] }[] = [{ key: 'ROOT_ID', tabChain: [] }]
  while (pending.length > 0) {
    const { key, tabChain } = pending.pop()!
    if (seen.has(key)) continue
    seen.add(key)
    const node = layout[key]
    if (!isRecord(node)) continue
    const meta = isRecord(node.meta) ? node.meta : {}
    let inner = tabChain
    if (node.type === 'TAB') {
      tabs.set(key, {
        id: key,
        name: typeof meta.text === 'string' ? meta.text : null,
        parent_tab_id: tabChain.at(-1) ?? null,
        chart_ids: [],
      })
      inner = [...tabChain, key]
    } else if (node.type === 'CHART') {
      const chartId = integerOrNull(meta.chartId)
      const shown = meta.sliceNameOverride || meta.sliceName
      charts.push({
        chart_id: chartId,
        slice_name: typeof shown === 'string' ? shown : null,
        tab_id: tabChain.at(-1) ?? null,
        tab_path: tabChain.filter((id) => tabs.has(id)).map((id) => tabs.get(id)!.name || id),
        width: integerOrNull(meta.width),
        height: integerOrNull(meta.height),
      })
      if (chartId !== null) {
        for (const id of tabChain) {
          const tab = tabs.get(id)
          if (tab !== undefined && !tab.chart_ids.includes(chartId)) tab.chart_ids.push(chartId)
        }
      }
    }
    const children = Array.isArray(node.children) ? node.children : []
    // Last pushed, first visited: children are walked in their stored order.
    for (const child of [...children].reverse()) {
      if (typeof child === 'string') pending.push({ key: child, tabChain: inner })
    }
  }
  const ordered = Object.keys(layout).filter((key) => tabs.has(key))
  return { tabs: ordered.map((key) => tabs.get(key)!), charts }
}

/** Layout containers removed once the removal leaves them empty; tabs, grids and the root always stay. */
const PRUNABLE = new Set(['ROW', 'COLUMN'])

const refersTo = (value: unknown, chartId: number): boolean => value === chartId || value === String(chartId)

/** The key of the component whose children list holds `key` (children lists, not `parents`, are the truth). */
function parentOf(layout: Json, key: string): string | undefined {
  for (const [candidate, node] of Object.entries(layout)) {
    if (isRecord(node) && Array.isArray(node.children) && node.children.includes(key)) return candidate
  }
  return undefined
}

/** The keys of the CHART components that place `chartId` (a chart may be placed more than once). */
export function chartPlacements(layout: Json, chartId: number): string[] {
  return Object.entries(layout)
    .filter(
      ([, node]) =>
        isRecord(node) &&
        node.type === 'CHART' &&
        isRecord(node.meta) &&
        refersTo(node.meta.chartId, chartId),
    )
    .map(([key]) => key)
}

/**
 * Removes every CHART component of `chartId` from `layout` (in place), and each ROW or COLUMN that is
 * left without children, upwards. Returns the removed component keys, charts first for each placement.
 */
export function removeChartFromLayout(layout: Json, chartId: number): string[] {
  const placements = chartPlacements(layout, chartId)
  const removed: string[] = []
  for (const placement of placements) {
    if (!(placement in layout)) continue
    let child = placement
    let parent = parentOf(layout, child)
    delete layout[child]
    removed.push(child)
    while (parent !== undefined) {
      const container = layout[parent]
      if (!isRecord(container)) break
      if (Array.isArray(container.children))
        container.children = container.children.filter((key: unknown) => key !== child)
      const empty = !Array.isArray(container.children) || container.children.length === 0
      if (!PRUNABLE.has(String(container.type)) || !empty) break
      const above = parentOf(layout, parent)
      delete layout[parent]
      removed.push(parent)
      child = parent
      parent = above
    }
  }
  return removed
}

/** `list` without `chartId` (as a number or a string), and whether anything was taken out. */
function withoutChart(list: unknown, chartId: number): { list: unknown; changed: boolean } {
  if (!Array.isArray(list)) return { list, changed: false }
  const kept = list.filter((item) => !refersTo(item, chartId))
  return { list: kept, changed: kept.length !== list.length }
}

/** Takes `chartId` out of `holder[field]` when it is a list; whether it did. */
function dropFromList(holder: unknown, field: string, chartId: number): boolean {
  if (!isRecord(holder)) return false
  const { list, changed } = withoutChart(holder[field], chartId)
  if (changed) holder[field] = list
  return changed
}

/** Deletes `holder[key]` when `holder` is an object that has it; whether it did. */
function dropKey(holder: unknown, key: string): boolean {
  if (!isRecord(holder) || !(key in holder)) return false
  delete holder[key]
  return true
}

/**
 * Removes the chart from `metadata` (in place) wherever Superset keeps per-chart settings: the
 * development branch's `expanded_slices`, `timed_refresh_immune_slices`, `filter_scopes` (the chart's
 * own entry and every `immune` list) and `default_filters` (a JSON text keyed by chart id); and, kept by
 * Superset 6.1's frontend, `chart_configuration` (the chart's cross-filter entry and other charts'
 * `chartsInScope`), `global_chart_configuration` and each native filter's `scope.excluded` and
 * `chartsInScope`, and the `positions` of the removed layout components. Whether anything changed.
 */
export function removeChartFromMetadata(
  metadata: Json,
  chartId: number,
  removedKeys: readonly string[] = [],
): boolean {
  const key = String(chartId)
  let changed = false
  changed = dropKey(metadata.expanded_slices, key) || changed
  changed = dropFromList(metadata, 'timed_refresh_immune_slices', chartId) || changed
  const scopes = metadata.filter_scopes
  if (isRecord(scopes)) {
    changed = dropKey(scopes, key) || changed
    for (const columns of Object.values(scopes)) {
      if (!isRecord(columns)) continue
      for (const column of Object.values(columns))
        changed = dropFromList(column, 'immune', chartId) || changed
    }
  }
  const defaults = metadata.default_filters
  if (typeof defaults === 'string') {
    const parsed = parseJsonObject(defaults)
    if (parsed !== undefined && dropKey(parsed, key)) {
      metadata.default_filters = JSON.stringify(parsed)
      changed = true
    }
  } else if (isRecord(defaults) && dropKey(defaults, key)) {
    // Superset's readers json.loads this field: it is stored back as text.
    metadata.default_filters = JSON.stringify(defaults)
    changed = true
  }
  const configuration = metadata.chart_configuration
  if (isRecord(configuration)) {
    changed = dropKey(configuration, key) || changed
    for (const entry of Object.values(configuration)) {
      if (isRecord(entry)) changed = dropFromList(entry.crossFilters, 'chartsInScope', chartId) || changed
    }
  }
  const global = metadata.global_chart_configuration
  if (isRecord(global)) {
    changed = dropFromList(global.scope, 'excluded', chartId) || changed
    changed = dropFromList(global, 'chartsInScope', chartId) || changed
  }
  if (Array.isArray(metadata.native_filter_configuration)) {
    for (const filter of metadata.native_filter_configuration) {
      if (!isRecord(filter)) continue
      changed = dropFromList(filter.scope, 'excluded', chartId) || changed
      changed = dropFromList(filter, 'chartsInScope', chartId) || changed
    }
  }
  for (const removed of removedKeys) changed = dropKey(metadata.positions, removed) || changed
  return changed
}
