/**
 * Superset's query_context (slices.query_context, the body of /api/v1/chart/data): the datasource, the
 * query objects the frontend's buildQuery made from the chart's form_data, the form_data itself and the
 * result format. The gateway writes it when it saves a chart (chart-model.ts) and reads it back here,
 * always through this schema: a stored query_context is untrusted text, parsed and shape-checked before
 * anything in it is used. What the items mean (columns, metrics, filters) is read by query-reader.ts,
 * which refuses what the engine cannot run with a message naming it.
 */
import * as z from 'zod'
import { GatewayError } from '../errors'

/** A column: a name, or an ad-hoc column object (sqlExpression, label, columnType, timeGrain). */
const ColumnValueSchema = z.union([z.string(), z.record(z.string(), z.unknown())])
/** A metric: a saved metric name, or an ad-hoc metric object (SIMPLE or SQL). */
const MetricValueSchema = z.union([z.string(), z.record(z.string(), z.unknown())])

export const QueryObjectSchema = z.looseObject({
  columns: z.array(ColumnValueSchema).optional(),
  metrics: z.array(MetricValueSchema).nullish(),
  filters: z
    .array(z.looseObject({ col: ColumnValueSchema, op: z.string(), val: z.unknown().optional() }))
    .optional(),
  extras: z
    .looseObject({
      where: z.string().optional(),
      having: z.string().optional(),
      time_grain_sqla: z.string().nullish(),
    })
    .optional(),
  orderby: z
    .array(z.tuple([z.union([z.string(), z.record(z.string(), z.unknown())]), z.boolean()]))
    .optional(),
  row_limit: z.union([z.number(), z.string()]).nullish(),
  /** Legacy time filter: `time_range` on the `granularity` column. */
  granularity: z.string().nullish(),
  time_range: z.string().nullish(),
  series_columns: z.array(ColumnValueSchema).optional(),
  post_processing: z.array(z.unknown()).optional(),
})

export const QueryContextSchema = z.looseObject({
  datasource: z.looseObject({ id: z.union([z.int(), z.string()]), type: z.string() }).optional(),
  force: z.boolean().optional(),
  queries: z.array(QueryObjectSchema).min(1, 'has no queries'),
  form_data: z.record(z.string(), z.unknown()).nullish(),
  result_format: z.string().optional(),
  result_type: z.string().optional(),
})

/** One query object of a query_context, as Superset's QueryObject carries it. */
export type QueryObjectJson = z.output<typeof QueryObjectSchema>
export type QueryContext = z.output<typeof QueryContextSchema>

/**
 * A chart's stored query_context, parsed and shape-checked: undefined when there is none (NULL, empty,
 * JSON null), a ValidationError naming the chart and what is wrong when it is not JSON or not a query
 * context. Never a bare JSON.parse: what reaches the engine has the shape the reader expects.
 */
export function parseQueryContext(text: string | null, chartId: number): QueryContext | undefined {
  if (text === null || text.trim() === '') return undefined
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new GatewayError(
      'ValidationError',
      `Chart ${chartId} has invalid JSON in its query_context; re-save the chart in Superset.`,
      { details: { reason: 'invalid_chart_params', chart_id: chartId } },
    )
  }
  if (value === null) return undefined
  const parsed = QueryContextSchema.safeParse(value)
  if (parsed.success) return parsed.data
  const problems = parsed.error.issues.map(
    (issue) => `${issue.path.length === 0 ? 'query_context' : issue.path.join('.')}: ${issue.message}`,
  )
  throw new GatewayError(
    'ValidationError',
    `Chart ${chartId} has a query_context that is not a Superset query context (${problems.slice(0, 3).join('; ')}); ` +
      're-save the chart in Superset.',
    { details: { reason: 'invalid_query_context', chart_id: chartId, problems } },
  )
}

/** A chart's params (form_data): an object, or undefined; not JSON is a ValidationError naming the chart. */
export function parseFormData(text: string | null, chartId: number): Record<string, unknown> | undefined {
  if (text === null || text.trim() === '') return undefined
  try {
    const value: unknown = JSON.parse(text)
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined
  } catch {
    throw new GatewayError(
      'ValidationError',
      `Chart ${chartId} has invalid JSON in its params; re-save the chart in Superset.`,
      { details: { reason: 'invalid_chart_params', chart_id: chartId } },
    )
  }
}
