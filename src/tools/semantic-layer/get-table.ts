/**
 * get_table (superset/mcp_service/semantic_layer/tool/get_table.py): one dataset queried by metric and
 * dimension names, as a table. Only a dataset the caller may see (a hidden one answers like a missing one),
 * only its own metrics and columns (every name checked against the dataset; values are bound), on its
 * analytics database, read-only, with the caller's row-level security (src/query's chart-data engine).
 */
import * as z from 'zod'
import { GatewayError } from '../../errors'
import { quoteAuthored } from '../../markers'
import {
  FILTER_OPERATORS,
  parseTimeRange,
  runDatasetQuery,
  type FilterOperator,
  type QueryObject,
  type SimpleFilter,
} from '../../query'
import { loadDataset, visibleSemanticDatasets } from '../../superset'
import {
  authored,
  byteLength,
  describeColumns,
  defineTool,
  READ_ONLY,
  requestObject,
  trimToBytes,
} from '../core'
import {
  SemanticLayerErrorSchema,
  semanticLayerFailure,
  semanticLayersDisabled,
  unknownNames,
} from './schemas'

const FilterSchema = z.object({
  col: z.string().describe('Column or dimension name to filter on.'),
  op: z
    .string()
    .default('==')
    .describe(
      "Operator: '==', '!=', '>', '<', '>=', '<=', 'IN', 'NOT IN', 'LIKE', 'ILIKE', 'TEMPORAL_RANGE', ….",
    ),
  val: z
    .union([
      z.string(),
      z.number(),
      z.boolean(),
      z.null(),
      z.array(z.union([z.string(), z.number(), z.boolean(), z.null()])),
    ])
    .optional()
    .describe("Value; a list for 'IN' / 'NOT IN'."),
})

const DataColumnSchema = z.object({
  name: z.string(),
  display_name: authored(z.string()),
  data_type: z.string(),
  sample_values: z.array(z.unknown()),
  null_count: z.int(),
  unique_count: z.int(),
  statistics: z.object({ min: z.number(), max: z.number(), mean: z.number() }).nullable(),
  semantic_type: z.string().nullable(),
})

const GetTableResponseSchema = z.object({
  columns: z.array(DataColumnSchema),
  data: z.array(z.record(z.string(), z.unknown())),
  row_count: z.int(),
  total_rows: z.int().nullable(),
  from_dttm: z.string().nullable(),
  to_dttm: z.string().nullable(),
  // Both carry the dataset's name, which its owner wrote.
  summary: authored(z.string()),
  source: z.enum(['builtin', 'external']),
  dataset_id: z.int().nullable(),
  dataset_name: authored(z.string().nullable()),
  view_id: z.int().nullable(),
  view_name: z.string().nullable(),
  performance: z.object({
    query_duration_ms: z.int(),
    estimated_cost: z.string().nullable(),
    cache_status: z.string(),
    optimization_suggestions: z.array(z.string()),
  }),
  cache_status: z.null(),
  warnings: z.array(z.string()),
  success: z.literal(true),
})

/** A naive timestamp as Superset serialises one (no zone: Superset's logical time). */
const naive = (date: Date | null): string | null => (date === null ? null : date.toISOString().slice(0, 19))

export const getTable = defineTool({
  name: 'get_table',
  title: 'Get table',
  description:
    'Query one dataset by metric and dimension names (from list_metrics and get_compatible_dimensions), with ' +
    'optional filters, time range, ordering and row limit, and get the result as a table. Row-level security applies.',
  input: requestObject({
    semantic_selection_version: z
      .string()
      .optional()
      .describe('Identity version list_metrics returns for a semantic view (views only).'),
    dataset_id: z
      .int()
      .optional()
      .describe('Built-in dataset id (from list_metrics). Provide this or view_id.'),
    view_id: z.int().optional().describe('Semantic view id. Provide this or dataset_id.'),
    metrics: z.array(z.string()).default([]).describe('Metric names to compute (of the one dataset).'),
    dimensions: z.array(z.string()).default([]).describe('Column names to group by.'),
    filters: z.array(FilterSchema).default([]).describe('Filters, ANDed.'),
    time_range: z
      .string()
      .optional()
      .describe(
        "Time range: 'Last 7 days', 'Last month', 'previous calendar year', '2024-01-01 : 2024-12-31', ….",
      ),
    time_column: z
      .string()
      .optional()
      .describe("Temporal column time_range applies to (default: the dataset's main datetime column)."),
    time_grain: z.string().optional().describe('Time grain (semantic views only).'),
    row_limit: z.int().min(1).max(50_000).default(1000).describe('Maximum rows to return (1–50000).'),
    order_by: z.array(z.string()).default([]).describe('Metric or column names to sort by.'),
    order_desc: z.boolean().default(true).describe('Sort descending (default).'),
    use_cache: z.boolean().default(true).describe('Accepted; the gateway never caches query results.'),
    force_refresh: z.boolean().default(false).describe('Accepted; every query runs fresh.'),
  }),
  output: z.union([GetTableResponseSchema, SemanticLayerErrorSchema]),
  annotations: READ_ONLY,
  permission: { permission: 'can_read', view: 'Dataset' },
  inBandFailure: (failure, _request, context) => semanticLayerFailure(failure, context.now),
  run: async (request, context) => {
    if (request.dataset_id === undefined && request.view_id === undefined) {
      throw new GatewayError(
        'ValidationError',
        'Provide either dataset_id (built-in dataset) or view_id (external semantic view). Both are in the list_metrics response.',
      )
    }
    if (request.dataset_id !== undefined && request.view_id !== undefined) {
      throw new GatewayError('ValidationError', 'Provide only one of dataset_id or view_id, not both.')
    }
    if (request.dataset_id === undefined) throw semanticLayersDisabled()
    const datasetId = request.dataset_id
    if (request.time_grain !== undefined && request.time_grain.trim() !== '') {
      throw new GatewayError(
        'ValidationError',
        'time_grain applies to semantic views only, not built-in datasets.',
      )
    }
    const [visible] = await visibleSemanticDatasets(context.db, context.principal, datasetId)
    const dataset = visible === undefined ? undefined : await loadDataset(context.db, datasetId)
    if (dataset === undefined) {
      throw new GatewayError('NotFoundError', `No dataset found with id: ${datasetId}.`, {
        details: { resource_type: 'dataset', resource_id: datasetId },
      })
    }
    const name = dataset.table_name
    const columnNames = dataset.columns.map((column) => column.column_name)
    const temporal = dataset.columns.filter((column) => column.is_dttm).map((column) => column.column_name)
    const metricNames = dataset.metrics.map((metric) => metric.metric_name)

    const timeRange =
      request.time_range === undefined || request.time_range.trim() === '' ? undefined : request.time_range
    let timeColumn = request.time_column
    if (timeColumn === undefined && timeRange !== undefined) {
      timeColumn = dataset.main_dttm_col ?? undefined
      if (timeColumn === undefined || timeColumn === '') {
        throw new GatewayError(
          'ValidationError',
          'time_range was provided but no temporal column is configured. Set time_column explicitly.',
        )
      }
    }
    if (timeColumn !== undefined && !temporal.includes(timeColumn)) {
      throw new GatewayError(
        'ValidationError',
        columnNames.includes(timeColumn)
          ? `time_column '${timeColumn}' on dataset ${quoteAuthored(name)} is not marked as a temporal column.`
          : `Unknown time_column: '${timeColumn}' on dataset ${quoteAuthored(name)}.`,
      )
    }
    const range =
      timeRange === undefined ? { since: null, until: null } : parseTimeRange(timeRange, context.now)

    const errors = [
      ...(request.metrics.length > 0 && metricNames.length === 0
        ? request.metrics.map(
            (metric) =>
              `Unknown metric: '${metric}'. This data source has no metrics defined. Use list_metrics to discover data sources that expose metrics.`,
          )
        : unknownNames(request.metrics, metricNames, 'metric')),
      ...unknownNames(request.dimensions, columnNames, 'dimension'),
      ...unknownNames(
        request.filters.map((filter) => filter.col),
        columnNames,
        'filter column',
      ),
      ...unknownNames(request.order_by, [...metricNames, ...columnNames], 'order_by name'),
    ]
    const badOperators = request.filters
      .map((filter) => filter.op.trim().toUpperCase())
      .filter((op) => !(FILTER_OPERATORS as readonly string[]).includes(op))
    for (const op of badOperators)
      errors.push(`Unknown filter operator: '${op}'. Valid operators: ${FILTER_OPERATORS.join(', ')}`)
    if (request.metrics.length === 0 && request.dimensions.length === 0)
      errors.push('Select at least one metric or dimension.')
    if (errors.length > 0) throw new GatewayError('ValidationError', errors.join('; '))

    const column = (columnName: string) => ({ kind: 'column' as const, name: columnName, label: columnName })
    const metric = (metricName: string) => ({ kind: 'saved' as const, name: metricName, label: metricName })
    const filters: SimpleFilter[] = request.filters.map((filter) => ({
      column: column(filter.col),
      operator: filter.op.trim().toUpperCase() as FilterOperator,
      value: filter.val ?? null,
    }))
    if (timeRange !== undefined && timeColumn !== undefined)
      filters.push({ column: column(timeColumn), operator: 'TEMPORAL_RANGE', value: timeRange })
    const ordering = request.order_by.length > 0 ? request.order_by : request.metrics.slice(0, 1)
    const query: QueryObject = {
      columns: request.dimensions.map(column),
      metrics: request.metrics.map(metric),
      filters,
      where: [],
      having: [],
      orderby: ordering.map((target) => ({
        target: metricNames.includes(target) ? { metric: metric(target) } : { column: column(target) },
        ascending: !request.order_desc,
      })),
      rowLimit: request.row_limit,
    }

    const started = Date.now()
    const result = await runDatasetQuery(
      {
        metadata: context.db,
        principal: context.principal,
        config: context.config,
        log: context.log,
        now: context.now,
      },
      dataset,
      query,
      `Dataset ${dataset.id}`,
    )
    const durationMs = Math.round(Date.now() - started)
    const displayNames = new Map<string, string>()
    for (const item of dataset.columns)
      if (item.verbose_name) displayNames.set(item.column_name, item.verbose_name)
    for (const item of dataset.metrics)
      if (item.verbose_name) displayNames.set(item.metric_name, item.verbose_name)
    const columns = describeColumns(result.fields, result.rows, new Set(request.metrics), displayNames)
    const warnings: string[] = []
    if (result.rows.length >= result.rowLimit)
      warnings.push(`The row limit (${result.rowLimit}) was reached; more rows may exist.`)
    const build = (count: number) => ({
      columns: result.rows.length === 0 ? [] : columns,
      data: result.rows.slice(0, count),
      row_count: Math.min(count, result.rows.length),
      total_rows: result.rows.length,
      from_dttm: naive(range.since),
      to_dttm: naive(range.until),
      summary:
        result.rows.length === 0
          ? `'${name}': query returned no data.`
          : `'${name}': ${Math.min(count, result.rows.length)} rows, ${result.fields.length} columns (fresh).`,
      source: 'builtin' as const,
      dataset_id: dataset.id,
      dataset_name: name,
      view_id: null,
      view_name: null,
      performance: {
        query_duration_ms: durationMs,
        estimated_cost: null,
        cache_status: result.rows.length === 0 ? 'no_data' : 'fresh',
        optimization_suggestions: [] as string[],
      },
      cache_status: null,
      warnings,
      success: true as const,
    })
    const trimmed = trimToBytes(result.rows, context.config.responseMaxBytes, (count) =>
      byteLength(build(count)),
    )
    if (trimmed.trimmed)
      warnings.push(
        `Only the first ${trimmed.rows.length} of ${result.rows.length} rows fit in the response size limit; pass a smaller row_limit or fewer dimensions.`,
      )
    return build(trimmed.rows.length)
  },
})
