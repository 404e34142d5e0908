/**
 * Text renderings of chart data: a formatted table, a pivot table, and ASCII charts (bars for
 * categories and pies, a plotted line for time series, a number with a sparkline for big numbers).
 */
import type { JsonValue, ResultRow, VizShape } from '../../query'

export interface TextSize {
  width: number
  height: number
}

const MAX_CELL_CHARS = 24
const MAX_TABLE_ROWS = 50
const SPARK = '▁▂▃▄▅▆▇█'
const MARKERS = ['*', 'o', '+', 'x', '#', '@']

/** A number as people read it: thousands separators, at most two decimals. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value)
  const digits = Number.isInteger(value) ? 0 : Math.abs(value) >= 100 ? 2 : 4
  return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 })
}

export function formatCell(value: JsonValue | undefined): string {
  if (value === null || value === undefined) return 'NULL'
  if (typeof value === 'number') return formatNumber(value)
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value)
  return text.length > MAX_CELL_CHARS ? `${text.slice(0, MAX_CELL_CHARS - 1)}…` : text
}

/** A boxed text table of the rows (at most 50, with a note of the rest). */
export function textTable(
  columns: readonly string[],
  rows: readonly ResultRow[],
  maxRows = MAX_TABLE_ROWS,
): string {
  const shown = rows.slice(0, maxRows)
  const cells = shown.map((row) => columns.map((column) => formatCell(row[column])))
  const widths = columns.map((column, index) =>
    Math.min(MAX_CELL_CHARS, Math.max(column.length, ...cells.map((line) => line[index]!.length))),
  )
  const numeric = columns.map((column) => shown.some((row) => typeof row[column] === 'number'))
  const fit = (text: string, index: number) => {
    const cut = text.length > widths[index]! ? `${text.slice(0, widths[index]! - 1)}…` : text
    return numeric[index] ? cut.padStart(widths[index]!) : cut.padEnd(widths[index]!)
  }
  const rule = `+${widths.map((width) => '-'.repeat(width + 2)).join('+')}+`
  const line = (values: readonly string[]) => `| ${values.map(fit).join(' | ')} |`
  const lines = [rule, line(columns), rule, ...cells.map(line), rule]
  if (rows.length > shown.length) lines.push(`… ${rows.length - shown.length} more rows`)
  return lines.join('\n')
}

/** pivot_table_v2 as a grid: row groups down, column groups × metrics across. */
export function pivotTable(
  shape: VizShape,
  rows: readonly ResultRow[],
): { columns: string[]; rows: ResultRow[] } {
  const rowKeys = shape.pivotRows
  const colKeys = shape.pivotColumns
  const keyOf = (row: ResultRow, keys: readonly string[]) =>
    keys.map((key) => formatCell(row[key])).join(' / ')
  const columnValues = [...new Set(rows.map((row) => keyOf(row, colKeys)))].sort()
  const grid = new Map<string, ResultRow>()
  for (const row of rows) {
    const rowKey = keyOf(row, rowKeys)
    const target = grid.get(rowKey) ?? Object.fromEntries(rowKeys.map((key) => [key, row[key] ?? null]))
    for (const metric of shape.metrics) {
      const header = colKeys.length === 0 ? metric : `${metric} · ${keyOf(row, colKeys)}`
      target[header] = row[metric] ?? null
    }
    grid.set(rowKey, target)
  }
  const headers =
    colKeys.length === 0
      ? shape.metrics
      : shape.metrics.flatMap((metric) => columnValues.map((value) => `${metric} · ${value}`))
  const ordered = [...grid.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, row]) => row)
  return { columns: [...rowKeys, ...headers], rows: ordered }
}

/** Horizontal bars, one per labelled value (negative values drawn with "-"). */
export function barChart(
  items: readonly { label: string; value: number }[],
  size: TextSize,
  showPercent = false,
): string {
  if (items.length === 0) return '(no data)'
  const shown = items.slice(0, Math.max(1, size.height))
  const labelWidth = Math.min(24, Math.max(...shown.map((item) => item.label.length)))
  const valueTexts = shown.map((item) => formatNumber(item.value))
  const valueWidth = Math.max(...valueTexts.map((text) => text.length))
  const total = items.reduce((sum, item) => sum + Math.abs(item.value), 0)
  const barWidth = Math.max(5, size.width - labelWidth - valueWidth - (showPercent ? 12 : 5))
  const largest = Math.max(...shown.map((item) => Math.abs(item.value)), Number.MIN_VALUE)
  const lines = shown.map((item, index) => {
    const length = Math.round((Math.abs(item.value) / largest) * barWidth)
    const bar = (item.value < 0 ? '-' : '█').repeat(length)
    const label =
      item.label.length > labelWidth
        ? `${item.label.slice(0, labelWidth - 1)}…`
        : item.label.padEnd(labelWidth)
    const percent = showPercent && total > 0 ? ` (${((Math.abs(item.value) / total) * 100).toFixed(1)}%)` : ''
    return `${label} │${bar.padEnd(barWidth)} ${valueTexts[index]!.padStart(valueWidth)}${percent}`
  })
  if (items.length > shown.length) lines.push(`… ${items.length - shown.length} more`)
  return lines.join('\n')
}

/** Points of one or more series plotted on a character grid, with a y scale and the x range. */
export function lineChart(
  series: readonly { name: string; points: { x: string; y: number }[] }[],
  size: TextSize,
): string {
  const xs = [...new Set(series.flatMap((line) => line.points.map((point) => point.x)))].sort()
  const ys = series.flatMap((line) => line.points.map((point) => point.y))
  if (xs.length === 0 || ys.length === 0) return '(no data)'
  const [low, high] = [Math.min(...ys), Math.max(...ys)]
  const labels = [formatNumber(high), formatNumber(low)]
  const axisWidth = Math.max(...labels.map((label) => label.length))
  const plotWidth = Math.max(10, size.width - axisWidth - 2)
  const plotHeight = Math.max(3, size.height - 3)
  const grid = Array.from({ length: plotHeight }, () => Array.from({ length: plotWidth }, () => ' '))
  const column = (x: string) =>
    xs.length === 1 ? 0 : Math.round((xs.indexOf(x) / (xs.length - 1)) * (plotWidth - 1))
  const row = (y: number) =>
    high === low ? plotHeight - 1 : plotHeight - 1 - Math.round(((y - low) / (high - low)) * (plotHeight - 1))
  series.forEach((line, index) => {
    for (const point of line.points) grid[row(point.y)]![column(point.x)] = MARKERS[index % MARKERS.length]!
  })
  const lines = grid.map((cells, index) => {
    const label = index === 0 ? labels[0]! : index === plotHeight - 1 ? labels[1]! : ''
    return `${label.padStart(axisWidth)} ┤${cells.join('')}`
  })
  lines.push(`${' '.repeat(axisWidth)} └${'─'.repeat(plotWidth)}`)
  const first = shortTime(xs[0]!)
  const last = shortTime(xs[xs.length - 1]!)
  lines.push(
    `${' '.repeat(axisWidth + 2)}${first}${last === first ? '' : last.padStart(plotWidth - first.length)}`,
  )
  if (series.length > 1)
    lines.push(series.map((line, index) => `${MARKERS[index % MARKERS.length]} ${line.name}`).join('   '))
  return lines.join('\n')
}

/** Midnight timestamps read as dates on an axis. */
export function shortTime(text: string): string {
  return /^\d{4}-\d{2}-\d{2}T00:00:00$/.test(text) ? text.slice(0, 10) : text
}

export function sparkline(values: readonly number[]): string {
  if (values.length === 0) return ''
  const [low, high] = [Math.min(...values), Math.max(...values)]
  return values
    .map((value) => SPARK[high === low ? 3 : Math.round(((value - low) / (high - low)) * (SPARK.length - 1))])
    .join('')
}
