/**
 * get_chart_data: a saved chart's data, queried as Superset's ChartDataCommand would (the chart's
 * stored query_context, else the one its viz type builds from its form_data), with the caller's row-level security, as Superset 6.1's
 * ChartData (JSON rows or CSV).
 */
import * as z from 'zod'
import { GatewayError } from '../../errors'
import { MAX_ROW_LIMIT, runDatasetQuery, type QueryObject, type QueryResultSet } from '../../query'
import {
  authored,
  byteLength,
  type DataColumn,
  defineTool,
  describeColumns,
  IdentifierSchema,
  looseRequestObject,
  READ_ONLY,
  toCsv,
  type ToolContext,
  trimToBytes,
} from '../core'
import { formDataKeyUnsupported, loadChart, type LoadedChart } from './lookup'

export const ChartTargetSchema = {
  identifier: IdentifierSchema.optional().describe('Chart id or UUID.'),
  form_data_key: z
    .string()
    .min(1)
    .optional()
    .describe('Unsaved explore state key (not readable by the gateway).'),
  use_cache: z
    .boolean()
    .default(true)
    .describe('Accepted for compatibility; results are never cached across users.'),
  force_refresh: z
    .boolean()
    .default(false)
    .describe('Accepted for compatibility; every call queries the database.'),
}

const GetChartDataRequestSchema = looseRequestObject({
  ...ChartTargetSchema,
  // Superset 6.1 takes any int (`request.limit or <the chart's row_limit>`, then capped by ROW_LIMIT):
  // 0 means the chart's own limit, and more than the gateway serves is capped at MAX_ROW_LIMIT.
  limit: z
    .int()
    .min(0)
    .transform((limit) => (limit === 0 ? undefined : Math.min(limit, MAX_ROW_LIMIT)))
    .optional()
    .describe(`Row cap (at most ${MAX_ROW_LIMIT}); replaces the chart's own row limit.`),
  format: z.enum(['json', 'csv', 'excel']).default('json'),
  extra_form_data: z
    .record(z.string(), z.unknown())
    .optional()
    .describe('Dashboard filter overlay (not supported; must be empty).'),
  cache_form_data: z.boolean().optional(),
  cache_timeout: z.int().nullable().optional().describe('Accepted for compatibility.'),
}).transform((request) => ({
  ...request,
  identifier:
    request.identifier ?? (request as { id?: unknown }).id ?? (request as { chart_id?: unknown }).chart_id,
}))

const DataColumnSchema = z.object({
  name: z.string(),
  // A column's or metric's verbose name from the dataset.
  display_name: authored(z.string()),
  data_type: z.string(),
  sample_values: z.array(z.unknown()),
  null_count: z.int(),
  unique_count: z.int(),
  statistics: z.object({ min: z.number(), max: z.number(), mean: z.number() }).nullable(),
  semantic_type: z.string().nullable(),
})

/** 6.1's PerformanceMetadata (chart/schemas.py); `cache_status` is "fresh_query": the gateway never caches chart data. */
export const PerformanceSchema = z.object({
  query_duration_ms: z.int(),
  estimated_cost: z.string().nullable(),
  cache_status: z.string(),
  optimization_suggestions: z.array(z.string()),
})

/** 6.1's CacheStatus (common/cache_schemas.py), as get_cache_status_from_result builds it for a query. */
const CacheStatusSchema = z.object({
  cache_hit: z.boolean(),
  cache_type: z.string().nullable(),
  cache_age_seconds: z.int().nullable(),
  cache_key: z.string().nullable(),
  refreshed: z.boolean(),
})

/** 6.1's PerformanceMetadata for a query that ran now (chart/tool/get_chart_data.py). */
export function performanceOf(durationMs: number) {
  const ms = Math.round(durationMs)
  return {
    query_duration_ms: ms,
    estimated_cost: null,
    cache_status: 'fresh_query',
    optimization_suggestions:
      ms > 5000 ? ["Slow query: pass a smaller limit or narrow the chart's filters"] : ([] as string[]),
  }
}

const ChartDataSchema = z.object({
  chart_id: z.int(),
  chart_name: authored(z.string()),
  chart_type: z.string(),
  columns: z.array(DataColumnSchema),
  data: z.array(z.record(z.string(), z.unknown())),
  row_count: z.int(),
  total_rows: z.int(),
  data_freshness: z.string(),
  // Names the chart, its metrics and dimensions.
  summary: authored(z.string()),
  insights: z.array(z.string()),
  data_quality: z.object({ completeness: z.number(), null_cells: z.int(), total_cells: z.int() }).partial(),
  recommended_visualizations: z.array(z.string()),
  performance: PerformanceSchema,
  cache_status: CacheStatusSchema,
  format: z.enum(['json', 'csv']),
  csv_data: z.string().nullable(),
  excel_data: z.null(),
  warnings: z.array(z.string()),
  schema_version: z.literal('2.0'),
  api_version: z.literal('v1'),
})

export const getChartData = defineTool({
  name: 'get_chart_data',
  title: 'Get chart data',
  description:
    "The data behind a saved chart (by id or UUID), queried live with the chart's metrics, dimensions and filters and your " +
    'row-level security: rows as JSON (or CSV with format="csv"), column types, null/distinct counts and min/max/mean. ' +
    'Use limit to cap rows.',
  input: GetChartDataRequestSchema,
  output: ChartDataSchema,
  annotations: READ_ONLY,
  permission: { permission: 'can_read', view: 'Chart' },
  run: async (request, context) => {
    if (request.format === 'excel') {
      throw new GatewayError(
        'ValidationError',
        'format "excel" is not supported by the gateway; use "csv" or "json".',
        {
          details: { reason: 'unsupported_format' },
        },
      )
    }
    if (request.extra_form_data !== undefined && Object.keys(request.extra_form_data).length > 0) {
      throw new GatewayError(
        'ValidationError',
        'extra_form_data (dashboard filter overlays) is not supported by the gateway; add the filters to the chart instead.',
        {
          details: { reason: 'extra_form_data_unsupported' },
        },
      )
    }
    // A client that asked for progress (an MCP progressToken) sees the chart found, then its query done.
    const loaded = await loadTarget(request, context)
    await context.client.progress(1, 2, 'Chart loaded; running its query')
    const started = Date.now()
    const result = await queryChart(loaded, context, request.limit)
    await context.client.progress(2, 2, `Query returned ${result.rows.length} rows`)
    return chartDataResponse(
      loaded,
      result,
      request.format,
      Date.now() - started,
      context,
      request.force_refresh,
    )
  },
})

/** The chart a request names: identifier required; form_data_key refused with the reason. */
export async function loadTarget(
  request: { identifier?: unknown; form_data_key?: string | undefined },
  context: ToolContext,
): Promise<LoadedChart> {
  const identifier = IdentifierSchema.safeParse(request.identifier)
  if (identifier.success) return loadChart(identifier.data, context)
  if (request.form_data_key !== undefined) throw formDataKeyUnsupported(request.form_data_key)
  throw new GatewayError(
    'ValidationError',
    "At least one of 'identifier' or 'form_data_key' must be provided.",
    {
      details: { reason: 'missing_identifier' },
    },
  )
}

export async function queryChart(
  loaded: LoadedChart,
  context: ToolContext,
  limit?: number,
): Promise<QueryResultSet> {
  return runChartQuery(loaded, loaded.query.query, context, limit)
}

/** A mixed_timeseries chart's query B (its secondary axis), which previews draw; undefined for other charts. */
export async function querySecondary(
  loaded: LoadedChart,
  context: ToolContext,
  limit?: number,
): Promise<QueryResultSet | undefined> {
  const secondary = loaded.query.secondary
  return secondary === undefined ? undefined : runChartQuery(loaded, secondary.query, context, limit)
}

async function runChartQuery(
  loaded: LoadedChart,
  chartQuery: QueryObject,
  context: ToolContext,
  limit: number | undefined,
): Promise<QueryResultSet> {
  const query = limit === undefined ? chartQuery : { ...chartQuery, rowLimit: limit }
  return runDatasetQuery(
    {
      metadata: context.db,
      principal: context.principal,
      config: context.config,
      log: context.log,
      now: context.now,
    },
    loaded.dataset,
    query,
    `Chart ${loaded.chart.id}`,
  )
}

function chartDataResponse(
  loaded: LoadedChart,
  result: QueryResultSet,
  format: 'json' | 'csv',
  durationMs: number,
  context: ToolContext,
  refreshed: boolean,
) {
  const { chart, query } = loaded
  const metricLabels = new Set(query.shape.metrics)
  const displayNames = displayNamesOf(loaded)
  const columns = describeColumns(result.fields, result.rows, metricLabels, displayNames)
  const warnings: string[] = []
  if (result.rows.length >= result.rowLimit) {
    warnings.push(
      `The chart's row limit (${result.rowLimit}) was reached; more rows may exist. Pass a smaller limit or narrow the chart's filters.`,
    )
  }
  const build = (count: number) => {
    const rows = result.rows.slice(0, count)
    return {
      chart_id: chart.id,
      chart_name: chart.slice_name ?? `Chart ${chart.id}`,
      chart_type: chart.viz_type,
      columns,
      data: format === 'json' ? rows : [],
      row_count: rows.length,
      total_rows: result.rows.length,
      data_freshness: context.now.toISOString(),
      summary: summaryOf(loaded, rows.length, result.rows.length, columns),
      // 6.1's rules (chart/tool/get_chart_data.py); its CSV export answers no insights of this kind.
      insights: format === 'json' ? insightsOf(rows.length, result.fields.length) : [],
      data_quality: format === 'json' ? dataQuality(columns, rows.length) : {},
      recommended_visualizations: format === 'json' ? recommendedVisualizations(result.fields) : [],
      performance: performanceOf(durationMs),
      cache_status: {
        cache_hit: false,
        cache_type: 'none',
        cache_age_seconds: null,
        cache_key: null,
        refreshed,
      },
      format,
      csv_data: format === 'csv' ? toCsv(result.fields, rows) : null,
      excel_data: null,
      warnings,
      schema_version: '2.0' as const,
      api_version: 'v1' as const,
    }
  }
  const trimmed = trimToBytes(result.rows, context.config.responseMaxBytes, (count) =>
    byteLength(build(count)),
  )
  if (trimmed.trimmed) {
    warnings.push(
      `Only the first ${trimmed.rows.length} of ${result.rows.length} rows fit in the response size limit ` +
        `(${context.config.responseMaxBytes} bytes). Pass a smaller limit, use format="csv", or narrow the chart's filters.`,
    )
  }
  return build(trimmed.rows.length)
}

function displayNamesOf({ dataset, query }: LoadedChart): Map<string, string> {
  const names = new Map<string, string>()
  for (const column of dataset.columns)
    if (column.verbose_name) names.set(column.column_name, column.verbose_name)
  for (const metric of dataset.metrics)
    if (metric.verbose_name) names.set(metric.metric_name, metric.verbose_name)
  for (const column of query.query.columns) if (column.kind === 'sql') names.set(column.label, column.label)
  return names
}

function summaryOf(
  loaded: LoadedChart,
  shown: number,
  total: number,
  columns: readonly DataColumn[],
): string {
  const { chart, query } = loaded
  const parts = [
    `Chart "${chart.slice_name ?? chart.id}" (${chart.viz_type}): ${shown} row${shown === 1 ? '' : 's'}${shown < total ? ` of ${total}` : ''}, ${columns.length} columns.`,
  ]
  if (query.shape.metrics.length > 0) parts.push(`Metrics: ${query.shape.metrics.join(', ')}.`)
  if (query.shape.dimensions.length > 0) parts.push(`Dimensions: ${query.shape.dimensions.join(', ')}.`)
  return parts.join(' ')
}

/** 6.1's `{"completeness": 1 - nulls / max(rows × columns, 1)}`, with the two counts it comes from. */
function dataQuality(columns: readonly DataColumn[], rowCount: number) {
  const nullCells = columns.reduce((total, column) => total + column.null_count, 0)
  const totalCells = columns.length * rowCount
  return {
    completeness: 1 - nullCells / Math.max(totalCells, 1),
    null_cells: nullCells,
    total_cells: totalCells,
  }
}

/** 6.1's insights for a query that did not come from the cache. */
function insightsOf(rowCount: number, columnCount: number): string[] {
  const insights: string[] = []
  if (rowCount > 100) insights.push('Large dataset - consider filtering for better performance')
  if (columnCount > 10) insights.push('Many columns available - focus on key metrics')
  insights.push('Fresh data retrieved from database')
  return insights
}

/** 6.1's recommended_visualizations: time-like column names suggest lines, few columns bars and scatter. */
export function recommendedVisualizations(fields: readonly { name: string }[]): string[] {
  const recommended: string[] = []
  if (fields.some((field) => /time|date/.test(field.name.toLowerCase())))
    recommended.push('line chart', 'time series')
  if (fields.length <= 3) recommended.push('bar chart', 'scatter plot')
  return recommended
}
