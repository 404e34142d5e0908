/**
 * query_dataset (Superset's development branch, dataset/tool/query_dataset.py): a dataset's saved
 * metrics and columns, with filters, a time range and a row limit, without a saved chart — through the
 * same engine as get_chart_data (src/query), under the caller's row-level security. Never cached.
 */
import * as z from 'zod'
import { datasetQuery, FILTER_OPERATORS, MAX_ROW_LIMIT, runDatasetQuery } from '../../query'
import { datasetSpec, findVisibleRow, loadDataset } from '../../superset'
import {
  authored,
  byteLength,
  defineTool,
  describeColumns,
  IdentifierSchema,
  READ_ONLY,
  requestObject,
  trimToBytes,
} from '../core'

const Scalar = z.union([z.string(), z.number(), z.boolean(), z.null()])
const FilterValueSchema = z.union([Scalar, z.array(Scalar)])

const FilterSchema = z.object({
  col: z.string().min(1).describe('Column name to filter on.'),
  op: z
    .enum(FILTER_OPERATORS)
    .describe('Filter operator: "==", "!=", "IN", "NOT IN", "IS NULL", "LIKE", "TEMPORAL_RANGE", ...'),
  val: FilterValueSchema.optional().describe('Filter value (omit for IS NULL / IS NOT NULL).'),
})

const QueryDatasetRequestSchema = requestObject({
  dataset_id: IdentifierSchema.describe('Dataset identifier: numeric id or UUID.'),
  metrics: z
    .array(z.string().min(1))
    .default([])
    .describe('Saved metric names to compute (see get_dataset_info).'),
  columns: z
    .array(z.string().min(1))
    .default([])
    .describe('Column (dimension) names to group by or select (see get_dataset_info).'),
  filters: z
    .array(FilterSchema)
    .default([])
    .describe('Filter conditions, e.g. [{"col": "status", "op": "==", "val": "active"}].'),
  time_range: z
    .string()
    .min(1)
    .optional()
    .describe("Time range, e.g. 'Last 7 days' or '2024-01-01 : 2024-12-31'."),
  time_column: z
    .string()
    .min(1)
    .optional()
    .describe("Temporal column for time_range (default: the dataset's main datetime column)."),
  order_by: z.array(z.string().min(1)).optional().describe('Column or metric names to sort by.'),
  order_desc: z.boolean().default(true).describe('Sort descending (true) or ascending (false).'),
  row_limit: z
    .int()
    .min(1)
    .max(MAX_ROW_LIMIT)
    .default(1000)
    .describe(`Most rows to return (at most ${MAX_ROW_LIMIT}).`),
  use_cache: z.boolean().default(true).describe('Accepted for compatibility; data is never cached.'),
  force_refresh: z
    .boolean()
    .default(false)
    .describe('Accepted for compatibility; every call queries the database.'),
  cache_timeout: z.int().nullable().optional().describe('Accepted for compatibility.'),
}).refine((request) => request.metrics.length > 0 || request.columns.length > 0, {
  message:
    "At least one of 'metrics' or 'columns' must be provided. Use get_dataset_info to discover available metrics and columns.",
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

/** The development branch's QueryDatasetResponse. */
const QueryDatasetResponseSchema = z.object({
  dataset_id: z.int(),
  dataset_name: authored(z.string()),
  columns: z.array(DataColumnSchema),
  data: z.array(z.record(z.string(), z.unknown())),
  row_count: z.int(),
  total_rows: z.int().nullable(),
  summary: authored(z.string()),
  performance: z.object({
    query_duration_ms: z.int(),
    estimated_cost: z.string().nullable(),
    cache_status: z.string(),
    optimization_suggestions: z.array(z.string()),
  }),
  cache_status: z.object({
    cache_hit: z.boolean(),
    cache_type: z.string().nullable(),
    cache_age_seconds: z.int().nullable(),
    cache_key: z.string().nullable(),
    refreshed: z.boolean(),
  }),
  applied_filters: authored(
    z.array(z.object({ col: z.string(), op: z.string(), val: FilterValueSchema.optional() })),
  ),
  warnings: z.array(z.string()),
})

export const queryDataset = defineTool({
  name: 'query_dataset',
  title: 'Query dataset',
  description:
    'Query a dataset with its saved metrics and columns (by name), filters, a time range and a row limit, without a saved chart. ' +
    'Runs live under your row-level security. Use get_dataset_info first to see the metric and column names.',
  input: QueryDatasetRequestSchema,
  output: QueryDatasetResponseSchema,
  annotations: READ_ONLY,
  // The development branch: class_permission_name="Dataset" (read).
  permission: { permission: 'can_read', view: 'Dataset' },
  run: async (request, context) => {
    const row = await findVisibleRow(datasetSpec, request.dataset_id, ['id'], context, {
      slug: false,
      label: 'Dataset',
    })
    const dataset = await loadDataset(context.db, Number(row.id))
    if (dataset === undefined) throw new Error(`dataset ${String(row.id)} vanished`)
    const plan = datasetQuery(dataset, request)
    await context.client.progress(1, 2, 'Query built; running it')
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
      plan.query,
      `The query on dataset ${dataset.id}`,
    )
    const durationMs = Math.round(Date.now() - started)
    await context.client.progress(2, 2, `Query returned ${result.rows.length} rows`)
    context.effects.rowsReturned = result.rows.length
    const warnings = [...plan.warnings]
    if (result.rows.length >= result.rowLimit) {
      warnings.push(
        `The row limit (${result.rowLimit}) was reached; more rows may exist. Narrow the filters or raise row_limit.`,
      )
    }
    const displayNames = new Map<string, string>()
    for (const column of dataset.columns)
      if (column.verbose_name) displayNames.set(column.column_name, column.verbose_name)
    for (const metric of dataset.metrics)
      if (metric.verbose_name) displayNames.set(metric.metric_name, metric.verbose_name)
    const cacheStatus = {
      cache_hit: false,
      cache_type: 'none',
      cache_age_seconds: null,
      cache_key: null,
      refreshed: request.force_refresh,
    }
    const build = (count: number) => {
      const rows = result.rows.slice(0, count)
      const empty = rows.length === 0
      return {
        dataset_id: dataset.id,
        dataset_name: dataset.table_name,
        columns: empty ? [] : describeColumns(result.fields, rows, new Set(request.metrics), displayNames),
        data: rows,
        row_count: rows.length,
        total_rows: result.rows.length,
        summary: empty
          ? `Query on '${dataset.table_name}' returned no data.`
          : `Dataset '${dataset.table_name}': ${rows.length} rows, ${result.fields.length} columns (fresh).`,
        performance: {
          query_duration_ms: durationMs,
          estimated_cost: null,
          cache_status: empty ? 'no_data' : 'fresh',
          optimization_suggestions: [] as string[],
        },
        cache_status: cacheStatus,
        applied_filters: plan.appliedFilters,
        warnings,
      }
    }
    const trimmed = trimToBytes(result.rows, context.config.responseMaxBytes, (count) =>
      byteLength(build(count)),
    )
    if (trimmed.trimmed) {
      warnings.push(
        `Only the first ${trimmed.rows.length} of ${result.rows.length} rows fit in the response size limit ` +
          `(${context.config.responseMaxBytes} bytes). Lower row_limit or narrow the filters.`,
      )
    }
    return build(trimmed.rows.length)
  },
})
