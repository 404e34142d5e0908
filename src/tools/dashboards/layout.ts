/**
 * Superset's dashboard layout (`position_json`, v2): a flat object of components keyed by id, each with
 * its type, children and the chain of parents from ROOT_ID (reference §7.5). New layouts and appended
 * charts are built as Superset 6.1's MCP service builds them (generate_dashboard.py
 * `_create_dashboard_layout`, add_chart_to_existing_dashboard.py `_add_chart_to_layout`): ROW → COLUMN →
 * CHART, two charts to a row, the chart's component named `CHART-<chart id>`; they keep the frontend's
 * nesting rules (isValidChild).
 */
import { GatewayError } from '../../errors'

export const GRID_COLUMN_COUNT = 12
export const DEFAULT_CHART_WIDTH = 4
export const DEFAULT_CHART_HEIGHT = 50
const CHARTS_PER_ROW = 2

export interface LayoutComponent {
  id: string
  type: string
  children: string[]
  parents?: string[]
  meta?: Record<string, unknown>
}

export type Layout = Record<string, LayoutComponent | string>

export interface LayoutChart {
  id: number
  uuid: string | null
  sliceName: string | null
}

/** Which component types may hold which (superset-frontend/src/dashboard/util/isValidChild.ts). */
const VALID_CHILDREN: Record<string, readonly string[]> = {
  ROOT: ['GRID', 'TABS'],
  GRID: ['ROW', 'TABS', 'CHART', 'MARKDOWN', 'COLUMN', 'DIVIDER', 'HEADER'],
  ROW: ['CHART', 'MARKDOWN', 'COLUMN'],
  COLUMN: ['CHART', 'MARKDOWN', 'HEADER', 'ROW', 'DIVIDER', 'TABS'],
  TABS: ['TAB'],
  TAB: ['ROW', 'TABS', 'CHART', 'MARKDOWN', 'COLUMN', 'DIVIDER', 'HEADER'],
  CHART: [],
  MARKDOWN: [],
  DIVIDER: [],
  HEADER: [],
}

/** `<PREFIX>-<8 hex>`, as Superset's generate_id makes component ids. */
export function componentId(prefix: 'ROW' | 'COLUMN' | 'CHART', taken: Layout): string {
  for (;;) {
    const id = `${prefix}-${crypto.randomUUID().replaceAll('-', '').slice(0, 8)}`
    if (!(id in taken)) return id
  }
}

/**
 * 6.1's `CHART-<chart id>`; a chart the layout already places (6.1 would overwrite its component and
 * orphan the first placement) gets a fresh id instead.
 */
function chartKey(chart: LayoutChart, layout: Layout): string {
  const key = `CHART-${chart.id}`
  return key in layout ? componentId('CHART', layout) : key
}

function chartComponent(chart: LayoutChart, id: string, parents: string[]): LayoutComponent {
  return {
    type: 'CHART',
    id,
    children: [],
    parents,
    meta: {
      chartId: chart.id,
      height: DEFAULT_CHART_HEIGHT,
      sliceName: chart.sliceName || `Chart ${chart.id}`,
      uuid: chart.uuid ?? `chart-${chart.id}`,
      width: DEFAULT_CHART_WIDTH,
    },
  }
}

const TRANSPARENT = { background: 'BACKGROUND_TRANSPARENT' }

/** A new dashboard's layout: rows of two charts, each in a column sharing the row's width. */
export function newLayout(charts: readonly LayoutChart[]): Layout {
  const layout: Layout = {
    DASHBOARD_VERSION_KEY: 'v2',
    ROOT_ID: { type: 'ROOT', id: 'ROOT_ID', children: ['GRID_ID'] },
    GRID_ID: { type: 'GRID', id: 'GRID_ID', children: [], parents: ['ROOT_ID'] },
  }
  for (let start = 0; start < charts.length; start += CHARTS_PER_ROW) {
    addRow(layout, 'GRID_ID', charts.slice(start, start + CHARTS_PER_ROW))
  }
  return layout
}

function component(layout: Layout, id: string): LayoutComponent {
  const found = layout[id]
  if (found === undefined || typeof found === 'string') throw new Error(`layout has no component ${id}`)
  return found
}

function addRow(
  layout: Layout,
  containerId: string,
  charts: readonly LayoutChart[],
): { rowKey: string; chartKeys: string[] } {
  const container = component(layout, containerId)
  const rowParents = [...(container.parents ?? []), containerId]
  const rowKey = componentId('ROW', layout)
  const row: LayoutComponent = {
    type: 'ROW',
    id: rowKey,
    children: [],
    parents: rowParents,
    meta: TRANSPARENT,
  }
  layout[rowKey] = row
  container.children.push(rowKey)
  const columnParents = [...rowParents, rowKey]
  const width = Math.floor(GRID_COLUMN_COUNT / Math.max(charts.length, 1))
  const chartKeys = charts.map((chart) => {
    const columnKey = componentId('COLUMN', layout)
    const key = chartKey(chart, layout)
    layout[columnKey] = {
      type: 'COLUMN',
      id: columnKey,
      children: [key],
      parents: columnParents,
      meta: { ...TRANSPARENT, width },
    }
    layout[key] = chartComponent(chart, key, [...columnParents, columnKey])
    row.children.push(columnKey)
    return key
  })
  return { rowKey, chartKeys }
}

/**
 * Appends a chart in a new row at the end of the grid — or of a tab when the dashboard uses tabs at its top
 * level (under ROOT_ID or GRID_ID) — as Superset 6.1's add_chart_to_existing_dashboard does: the tab
 * `targetTab` names (by component id or title; titles also match case-insensitively without emoji), else
 * the first tab.
 */
export function appendChart(
  layout: Layout,
  chart: LayoutChart,
  targetTab?: string,
): { layout: Layout; position: { row: number; row_key: string; chart_key: string } } {
  const next: Layout = structuredClone(layout)
  const container = tabTarget(next, targetTab) ?? 'GRID_ID'
  const { rowKey, chartKeys } = addRow(next, container, [chart])
  const rowIndex = component(next, container).children.indexOf(rowKey)
  return { layout: next, position: { row: rowIndex, row_key: rowKey, chart_key: chartKeys[0] ?? '' } }
}

function asComponent(layout: Layout, id: string): LayoutComponent | undefined {
  const item = layout[id]
  return typeof item === 'object' ? item : undefined
}

/** The TAB children of every TABS group directly under ROOT_ID or GRID_ID (Superset's _collect_tabs_groups). */
function topTabGroups(layout: Layout): string[][] {
  const groups: string[][] = []
  for (const parent of ['ROOT_ID', 'GRID_ID']) {
    for (const childId of asComponent(layout, parent)?.children ?? []) {
      const child = asComponent(layout, childId)
      if (child?.type === 'TABS' && child.children.length > 0) groups.push(child.children)
    }
  }
  return groups
}

const EMOJI = /\p{Extended_Pictographic}|[\u{1F1E6}-\u{1F1FF}]|[\u{FE00}-\u{FE0F}]|\u{200D}/gu

function normaliseTabText(text: string): string {
  return text.replace(EMOJI, '').trim().toLowerCase()
}

function tabTarget(layout: Layout, targetTab: string | undefined): string | undefined {
  const groups = topTabGroups(layout)
  if (targetTab !== undefined && targetTab !== '') {
    const wanted = normaliseTabText(targetTab)
    for (const tabId of groups.flat()) {
      const tab = asComponent(layout, tabId)
      if (tab?.type !== 'TAB') continue
      const text = typeof tab.meta?.text === 'string' ? tab.meta.text : ''
      if (targetTab === tabId || targetTab === text) return tabId
      if (wanted !== '' && normaliseTabText(text) === wanted) return tabId
    }
  }
  for (const group of groups) {
    const first = group[0]
    if (first !== undefined && asComponent(layout, first)?.type === 'TAB') return first
  }
  return undefined
}

/** Parses stored position_json; an empty or missing layout starts from a new one. */
export function parseLayout(text: string | null): Layout {
  if (text === null || text.trim() === '' || text.trim() === '{}') return newLayout([])
  try {
    const parsed: unknown = JSON.parse(text)
    if (typeof parsed === 'object' && parsed !== null && 'GRID_ID' in parsed && 'ROOT_ID' in parsed)
      return parsed as Layout
  } catch {
    // falls through to the refusal below
  }
  throw new GatewayError(
    'ConflictError',
    'The dashboard layout (position_json) is not a layout the gateway can extend safely; edit the dashboard in Superset.',
  )
}

/** The chart ids a layout places. */
export function chartIdsOf(layout: Layout): number[] {
  return Object.values(layout)
    .filter((item): item is LayoutComponent => typeof item === 'object' && item.type === 'CHART')
    .map((item) => Number(item.meta?.chartId))
    .filter((id) => Number.isInteger(id))
}

/** Every violation of the nesting rules, parent chains and row widths; empty when valid. */
export function layoutProblems(layout: Layout): string[] {
  const problems: string[] = []
  for (const [key, item] of Object.entries(layout)) {
    if (key === 'DASHBOARD_VERSION_KEY' || typeof item === 'string') continue
    if (item.id !== key) problems.push(`${key}: id is ${item.id}`)
    const allowed = VALID_CHILDREN[item.type]
    if (allowed === undefined) {
      problems.push(`${key}: unknown type ${item.type}`)
      continue
    }
    let width = 0
    for (const childId of item.children) {
      const child = layout[childId]
      if (child === undefined || typeof child === 'string') {
        problems.push(`${key}: child ${childId} does not exist`)
        continue
      }
      if (!allowed.includes(child.type))
        problems.push(`${key}: ${item.type} may not contain ${child.type} (${childId})`)
      const expectedParents = [...(item.parents ?? []), key]
      if (JSON.stringify(child.parents) !== JSON.stringify(expectedParents))
        problems.push(`${childId}: parents should be ${expectedParents.join(' > ')}`)
      if (item.type === 'ROW') width += Number(child.meta?.width ?? 0)
    }
    if (item.type === 'ROW' && width > GRID_COLUMN_COUNT)
      problems.push(`${key}: widths add up to ${width} > ${GRID_COLUMN_COUNT}`)
  }
  if (layout.DASHBOARD_VERSION_KEY !== 'v2') problems.push('DASHBOARD_VERSION_KEY must be "v2"')
  return problems
}

/** Superset's default json_metadata for a dashboard created by its MCP service. */
export function defaultJsonMetadata(): Record<string, unknown> {
  return {
    filter_scopes: {},
    expanded_slices: {},
    refresh_frequency: 0,
    timed_refresh_immune_slices: [],
    color_scheme: null,
    label_colors: {},
    shared_label_colors: {},
    color_scheme_domain: [],
    cross_filters_enabled: false,
    native_filter_configuration: [],
    global_chart_configuration: { scope: { rootPath: ['ROOT_ID'], excluded: [] } },
    chart_configuration: {},
  }
}
