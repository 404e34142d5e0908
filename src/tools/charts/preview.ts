/**
 * get_chart_preview: a saved chart drawn for an agent — an ASCII chart, a formatted text table, a
 * Vega-Lite v5 specification with the data inline, or the explore URL — in Superset 6.1's ChartPreview
 * envelope. The data comes from the same query as get_chart_data, with the caller's RLS.
 */
import * as z from 'zod'
import { GatewayError } from '../../errors'
import type { QueryResultSet, ResultRow, VizShape } from '../../query'
import { authored, clampedInt, defineTool, looseRequestObject, READ_ONLY } from '../core'
import { ChartTargetSchema, loadTarget, PerformanceSchema, queryChart, querySecondary } from './data'
import type { LoadedChart } from './lookup'
import {
  barChart,
  formatCell,
  formatNumber,
  lineChart,
  pivotTable,
  sparkline,
  textTable,
  type TextSize,
} from './render-text'
import { vegaLiteDualAxis, vegaLiteSpec } from './render-vega'

export const PREVIEW_FORMATS = ['url', 'ascii', 'table', 'vega_lite'] as const

// Superset 6.1 takes any width and height; sizes outside what the gateway draws are clamped.
const GetChartPreviewRequestSchema = looseRequestObject({
  ...ChartTargetSchema,
  format: z.enum(PREVIEW_FORMATS).default('url'),
  width: clampedInt(100, 4000).default(800).describe('Pixels, 100–4000 (clamped).'),
  height: clampedInt(100, 4000).default(600).describe('Pixels, 100–4000 (clamped).'),
  ascii_width: clampedInt(20, 240).default(80).describe('Characters, 20–240 (clamped).'),
  ascii_height: clampedInt(5, 80).default(20).describe('Lines, 5–80 (clamped).'),
  cache_timeout: z.int().nullable().optional().describe('Accepted for compatibility.'),
}).transform((request) => ({
  ...request,
  identifier:
    request.identifier ?? (request as { id?: unknown }).id ?? (request as { chart_id?: unknown }).chart_id,
}))

/** Where a preview's Vega-Lite specification holds the chart's name, below the preview's own path. */
/**
 * The user-written text of a Vega-Lite preview: its title (the chart's name) and, in a dual-axis chart,
 * the metric labels each layer shows as its axis title and colour (labels may be written in Superset).
 */
export const VEGA_AUTHORED = [
  'specification.title',
  'specification.layer.encoding.y.title',
  'specification.layer.encoding.color.datum',
] as const

export const ContentSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('url'),
    preview_url: z.string(),
    width: z.int(),
    height: z.int(),
    supports_interaction: z.boolean(),
  }),
  z.object({
    type: z.literal('ascii'),
    // The chart's name and labels with its data, drawn: marked as a whole.
    ascii_content: authored(z.string()),
    width: z.int(),
    height: z.int(),
    supports_color: z.boolean(),
  }),
  z.object({
    type: z.literal('table'),
    table_data: authored(z.string()),
    row_count: z.int(),
    supports_sorting: z.boolean(),
  }),
  z.object({
    type: z.literal('vega_lite'),
    // Its `title` and dual-axis labels are user-written (VEGA_AUTHORED); the rest is the gateway's Vega-Lite, field names identifiers.
    specification: z.record(z.string(), z.unknown()),
    data_url: z.string().nullable(),
    supports_streaming: z.boolean(),
  }),
])

const ChartPreviewSchema = z.object({
  chart_id: z.int(),
  chart_name: authored(z.string()),
  chart_type: z.string(),
  explore_url: z.string(),
  content: ContentSchema,
  chart_description: authored(z.string()),
  accessibility: z.object({
    color_blind_safe: z.boolean(),
    alt_text: authored(z.string()),
    high_contrast_available: z.boolean(),
  }),
  performance: PerformanceSchema,
  // 6.1's backward-compatible copies of the content (ChartPreview.format, ascii_chart, table_data, width, height).
  format: z.enum(PREVIEW_FORMATS),
  ascii_chart: authored(z.string()).nullable(),
  table_data: authored(z.string()).nullable(),
  width: z.int().nullable(),
  height: z.int().nullable(),
  schema_version: z.literal('2.0'),
  api_version: z.literal('v1'),
})

export const getChartPreview = defineTool({
  name: 'get_chart_preview',
  title: 'Preview a chart',
  description:
    'Draws a saved chart from its live data (with your row-level security): format "ascii" (a text chart: bars, lines, ' +
    'big numbers, tables), "table" (formatted text table), "vega_lite" (a Vega-Lite v5 spec with the data inline) or "url" ' +
    "(default: the chart's explore link, no image, no query).",
  input: GetChartPreviewRequestSchema,
  output: ChartPreviewSchema,
  authored: VEGA_AUTHORED.map((path) => `content.${path}`),
  annotations: READ_ONLY,
  permission: { permission: 'can_read', view: 'Chart' },
  run: async (request, context) => {
    const loaded = await loadTarget(request, context)
    const exploreUrl = context.links.chart(loaded.chart.id)
    const started = Date.now()
    const [result, secondary] =
      request.format === 'url'
        ? [undefined, undefined]
        : await Promise.all([queryChart(loaded, context), querySecondary(loaded, context)])
    const name = loaded.chart.slice_name ?? `Chart ${loaded.chart.id}`
    const content = renderPreview(
      request.format,
      name,
      loaded,
      result,
      {
        exploreUrl,
        width: request.width,
        height: request.height,
        asciiWidth: request.ascii_width,
        asciiHeight: request.ascii_height,
      },
      secondary,
    )
    return {
      chart_id: loaded.chart.id,
      chart_name: name,
      chart_type: loaded.chart.viz_type,
      explore_url: exploreUrl,
      content,
      // As 6.1 (chart/tool/get_chart_preview.py): "Preview of {viz_type}: {name}".
      chart_description: `Preview of ${loaded.chart.viz_type || 'chart'}: ${name}`,
      accessibility: {
        color_blind_safe: true,
        alt_text: altText(name, loaded, result, secondary),
        high_contrast_available: false,
      },
      performance: {
        query_duration_ms: Math.round(Date.now() - started),
        estimated_cost: null,
        cache_status: 'miss',
        optimization_suggestions: [],
      },
      ...compatibilityFields(content),
      schema_version: '2.0' as const,
      api_version: 'v1' as const,
    }
  },
})

/** 6.1's top-level copies of the content, set per content type as get_chart_preview sets them. */
function compatibilityFields(content: PreviewContent) {
  const none = { ascii_chart: null, table_data: null, width: null, height: null }
  switch (content.type) {
    case 'ascii':
      return {
        ...none,
        format: content.type,
        ascii_chart: content.ascii_content,
        width: content.width,
        height: content.height,
      }
    case 'table':
      return { ...none, format: content.type, table_data: content.table_data }
    case 'vega_lite':
      return { ...none, format: content.type }
    case 'url':
      return { ...none, format: content.type, width: content.width, height: content.height }
    default:
      return content satisfies never
  }
}

export type PreviewFormat = (typeof PREVIEW_FORMATS)[number]
type PreviewContent = z.output<typeof ContentSchema>

interface PreviewOptions {
  exploreUrl: string
  width: number
  height: number
  asciiWidth: number
  asciiHeight: number
}

/**
 * One preview of a chart's query result (`result` may be absent for the url format only); `secondary`
 * is a mixed_timeseries chart's query B (loaded.query.secondary), drawn beside query A.
 */
export function renderPreview(
  format: PreviewFormat,
  name: string,
  loaded: LoadedChart,
  result: QueryResultSet | undefined,
  options: PreviewOptions,
  secondary?: QueryResultSet,
): PreviewContent {
  const second = secondaryOf(loaded, secondary)
  switch (format) {
    case 'url':
      return {
        type: 'url' as const,
        preview_url: options.exploreUrl,
        width: options.width,
        height: options.height,
        // 6.1's URLPreview: the explore link, supports_interaction False.
        supports_interaction: false,
      }
    case 'ascii':
      return {
        type: 'ascii' as const,
        ascii_content: asciiChart(
          name,
          loaded,
          result!,
          { width: options.asciiWidth, height: options.asciiHeight },
          second,
        ),
        width: options.asciiWidth,
        height: options.asciiHeight,
        supports_color: false,
      }
    case 'table': {
      const table = tableOf(loaded.query.shape, result!)
      if (second !== undefined) {
        const other = tableOf(second.shape, second.result)
        return {
          type: 'table' as const,
          table_data: [
            name,
            `${PRIMARY_AXIS}: ${loaded.query.shape.metrics.join(', ')}`,
            textTable(table.columns, table.rows),
            `${SECONDARY_AXIS}: ${second.shape.metrics.join(', ')}`,
            textTable(other.columns, other.rows),
          ].join('\n'),
          row_count: table.rows.length + other.rows.length,
          supports_sorting: false,
        }
      }
      return {
        type: 'table' as const,
        table_data: `${name}\n${textTable(table.columns, table.rows)}`,
        row_count: table.rows.length,
        supports_sorting: false,
      }
    }
    case 'vega_lite': {
      const size = { width: options.width, height: options.height }
      return {
        type: 'vega_lite' as const,
        specification:
          second === undefined
            ? vegaLiteSpec(name, loaded.query.shape, result!.fields, result!.rows, size)
            : vegaLiteDualAxis(
                name,
                { shape: loaded.query.shape, fields: result!.fields, rows: result!.rows },
                { shape: second.shape, fields: second.result.fields, rows: second.result.rows },
                size,
              ),
        data_url: null,
        supports_streaming: false,
      }
    }
    default:
      return format satisfies never
  }
}

const PRIMARY_AXIS = 'Query A (primary axis)'
const SECONDARY_AXIS = 'Query B (secondary axis)'

interface SecondaryData {
  shape: VizShape
  result: QueryResultSet
}

function secondaryOf(loaded: LoadedChart, result: QueryResultSet | undefined): SecondaryData | undefined {
  const secondary = loaded.query.secondary
  return secondary === undefined || result === undefined ? undefined : { shape: secondary.shape, result }
}

function tableOf(shape: VizShape, result: QueryResultSet): { columns: string[]; rows: ResultRow[] } {
  if (shape.family === 'pivot_table' && shape.pivotRows.length > 0) return pivotTable(shape, result.rows)
  return { columns: result.fields.map((field) => field.name), rows: result.rows }
}

/**
 * The ASCII drawing that suits the chart's family; a mixed_timeseries chart's two queries one above the
 * other, each on its own y scale (they share the x axis, as Superset's two axes do).
 */
function asciiChart(
  name: string,
  loaded: LoadedChart,
  result: QueryResultSet,
  size: TextSize,
  secondary?: SecondaryData,
): string {
  const heading = `${name}\n${'='.repeat(Math.min(size.width, Math.max(name.length, 3)))}\n`
  if (secondary !== undefined) {
    const half = { width: size.width, height: Math.max(5, Math.floor((size.height - 2) / 2)) }
    const primary = asciiBody(loaded, loaded.query.shape, result, half)
    const other = asciiBody(loaded, secondary.shape, secondary.result, half)
    return (
      `${heading}${PRIMARY_AXIS}: ${loaded.query.shape.metrics.join(', ')}\n${primary}\n` +
      `${SECONDARY_AXIS}: ${secondary.shape.metrics.join(', ')}\n${other}`
    )
  }
  return `${heading}${asciiBody(loaded, loaded.query.shape, result, size)}`
}

function asciiBody(loaded: LoadedChart, shape: VizShape, result: QueryResultSet, size: TextSize): string {
  const body = (() => {
    switch (shape.family) {
      case 'table':
      case 'pivot_table': {
        const table = tableOf(shape, result)
        return textTable(table.columns, table.rows, Math.max(5, size.height))
      }
      case 'pie':
        return barChart(categoryItems(shape, result.rows), size, true)
      case 'big_number_total':
        return bigNumber(shape, result.rows)
      case 'big_number':
        return trendNumber(shape, result.rows, size)
      case 'xy':
        return shape.temporalX
          ? lineChart(seriesOf(shape, result.rows), size)
          : barChart(categoryItems(shape, result.rows), size)
      case 'other':
        return textTable(
          result.fields.map((field) => field.name),
          result.rows,
          Math.max(5, size.height),
        )
      default:
        return shape.family satisfies never
    }
  })()
  if (body === '')
    throw new GatewayError('ValidationError', `Chart ${loaded.chart.id} has nothing to draw.`, {
      details: { reason: 'UnsupportedChart' },
    })
  return body
}

/** One bar per category (pie slices, categorical x); with series, "category / series". */
function categoryItems(shape: VizShape, rows: readonly ResultRow[]): { label: string; value: number }[] {
  const metric = shape.metrics[0]
  const dimensions = shape.dimensions
  if (metric === undefined) return []
  return rows.map((row) => ({
    label: dimensions.map((dimension) => formatCell(row[dimension])).join(' / ') || metric,
    value: Number(row[metric] ?? 0),
  }))
}

/** Time series: one plotted line per (series value, metric). */
function seriesOf(shape: VizShape, rows: readonly ResultRow[]) {
  const x = shape.xAxis
  if (x === undefined) return []
  const lines = new Map<string, { name: string; points: { x: string; y: number }[] }>()
  for (const row of rows) {
    const seriesName = shape.series.map((column) => formatCell(row[column])).join(' / ')
    for (const metric of shape.metrics) {
      const value = row[metric]
      if (typeof value !== 'number') continue
      const name = [seriesName, shape.metrics.length > 1 || seriesName === '' ? metric : '']
        .filter((part) => part !== '')
        .join(' · ')
      const line = lines.get(name) ?? { name, points: [] }
      line.points.push({ x: String(row[x]), y: value })
      lines.set(name, line)
    }
  }
  return [...lines.values()].slice(0, 6)
}

function bigNumber(shape: VizShape, rows: readonly ResultRow[]): string {
  const metric = shape.metrics[0]
  const value = metric === undefined ? undefined : rows[0]?.[metric]
  return `${typeof value === 'number' ? formatNumber(value) : formatCell(value)}\n${metric ?? ''}`
}

function trendNumber(shape: VizShape, rows: readonly ResultRow[], size: TextSize): string {
  const metric = shape.metrics[0]
  const x = shape.xAxis
  if (metric === undefined || x === undefined || rows.length === 0) return bigNumber(shape, rows)
  const values = rows.map((row) => Number(row[metric] ?? 0))
  const latest = rows[rows.length - 1]!
  const trend = sparkline(values.slice(-Math.max(10, size.width - 4)))
  return `${formatNumber(values[values.length - 1]!)}\n${metric} (${formatCell(latest[x])})\n${trend}\n${formatCell(rows[0]![x])} → ${formatCell(latest[x])}`
}

function altText(
  name: string,
  loaded: LoadedChart,
  result: QueryResultSet | undefined,
  secondary?: QueryResultSet,
): string {
  const describe = (shape: VizShape, rows: QueryResultSet | undefined) => {
    const what = shape.metrics.length > 0 ? shape.metrics.join(', ') : shape.dimensions.join(', ')
    const by =
      shape.dimensions.length > 0 && shape.metrics.length > 0 ? ` by ${shape.dimensions.join(', ')}` : ''
    return `${what}${by}${rows === undefined ? '' : ` (${rows.rows.length} rows)`}`
  }
  const other = loaded.query.secondary
  const second =
    other === undefined || secondary === undefined
      ? ''
      : `; secondary axis: ${describe(other.shape, secondary)}`
  return `${loaded.chart.viz_type} chart "${name}": ${describe(loaded.query.shape, result)}${second}.`
}
