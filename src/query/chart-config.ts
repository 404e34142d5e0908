/**
 * Superset 6.1's generate_chart `config` (reference §3.4): one schema per chart_type (xy, table, pie,
 * pivot_table, big_number), and the pieces every chart type's form_data is made of (metrics, dimensions,
 * filters, as Superset's create_metric_object and map_filter_operator write them). What each chart type
 * becomes is its definition in chart-model.ts.
 */
import * as z from 'zod'

const AGGREGATE_NAMES = [
  'SUM',
  'COUNT',
  'AVG',
  'MIN',
  'MAX',
  'COUNT_DISTINCT',
  'STDDEV',
  'VAR',
  'MEDIAN',
] as const

export const ColumnRefSchema = z
  .object({
    name: z
      .string()
      .min(1)
      .describe('Dataset column name (or the saved metric name with saved_metric=true).'),
    label: z.string().min(1).optional().describe('Display label.'),
    dtype: z.string().optional().describe('Column type hint (informational).'),
    aggregate: z.enum(AGGREGATE_NAMES).optional().describe('Aggregate that makes this column a metric.'),
    saved_metric: z.boolean().optional().describe('true: "name" is a saved metric of the dataset.'),
    sql_expression: z.string().max(2000).optional().describe('Custom SQL expression (requires label).'),
  })
  .describe('A column or metric reference.')

export const FilterConfigSchema = z.object({
  column: z.string().min(1),
  op: z.enum(['=', '>', '<', '>=', '<=', '!=', 'LIKE', 'ILIKE', 'NOT LIKE', 'IN', 'NOT IN']),
  value: z.union([
    z.string(),
    z.number(),
    z.boolean(),
    z.array(z.union([z.string(), z.number(), z.boolean()])),
  ]),
})

const TIME_GRAIN = z
  .enum(['PT1S', 'PT1M', 'PT5M', 'PT10M', 'PT15M', 'PT30M', 'PT1H', 'P1D', 'P1W', 'P1M', 'P3M', 'P1Y'])
  .describe('ISO-8601 time grain of the temporal axis.')

const AxisSchema = z.object({
  title: z.string().optional(),
  scale: z.enum(['linear', 'log']).optional(),
  format: z.string().optional().describe('d3 format, e.g. "$,.2f".'),
})

export const XYConfigSchema = z.object({
  chart_type: z.literal('xy'),
  x: ColumnRefSchema.optional().describe("X axis; defaults to the dataset's main temporal column."),
  y: z.array(ColumnRefSchema).min(1).describe('Metrics on the y axis.'),
  kind: z.enum(['line', 'bar', 'area', 'scatter']).default('line'),
  time_grain: TIME_GRAIN.optional(),
  group_by: z
    .union([ColumnRefSchema, z.array(ColumnRefSchema)])
    .optional()
    .describe('Series dimension(s).'),
  orientation: z.enum(['vertical', 'horizontal']).optional(),
  stacked: z.boolean().optional(),
  x_axis: AxisSchema.optional(),
  y_axis: AxisSchema.optional(),
  legend: z
    .object({ show: z.boolean().optional(), position: z.enum(['top', 'bottom', 'left', 'right']).optional() })
    .optional(),
  filters: z.array(FilterConfigSchema).optional(),
  row_limit: z.int().min(1).max(50_000).default(10_000),
})

export const TableConfigSchema = z.object({
  chart_type: z.literal('table'),
  viz_type: z.enum(['table', 'ag-grid-table']).default('table'),
  query_mode: z
    .enum(['raw', 'aggregate'])
    .optional()
    .describe('Inferred from whether any column is aggregated.'),
  columns: z.array(ColumnRefSchema).min(1),
  filters: z.array(FilterConfigSchema).optional(),
  sort_by: z.array(z.string()).optional(),
  row_limit: z.int().min(1).max(50_000).default(1000),
})

export const PieConfigSchema = z.object({
  chart_type: z.literal('pie'),
  dimension: ColumnRefSchema,
  metric: ColumnRefSchema,
  donut: z.boolean().default(false),
  show_labels: z.boolean().default(true),
  label_type: z
    .enum(['key', 'value', 'percent', 'key_value', 'key_percent', 'key_value_percent'])
    .default('key'),
  sort_by_metric: z.boolean().default(true),
  show_legend: z.boolean().default(true),
  number_format: z.string().default('SMART_NUMBER'),
  show_total: z.boolean().default(false),
  labels_outside: z.boolean().default(true),
  outer_radius: z.int().min(10).max(100).default(70),
  inner_radius: z.int().min(0).max(100).default(30),
  row_limit: z.int().min(1).max(10_000).default(100),
  filters: z.array(FilterConfigSchema).optional(),
})

export const BigNumberConfigSchema = z.object({
  chart_type: z.literal('big_number'),
  metric: ColumnRefSchema,
  temporal_column: z
    .string()
    .optional()
    .describe('With show_trendline: the trendline x axis (viz big_number).'),
  show_trendline: z.boolean().default(false),
  time_grain: TIME_GRAIN.optional(),
  compare_lag: z.int().min(1).optional(),
  subheader: z.string().optional(),
  y_axis_format: z.string().default('SMART_NUMBER'),
  start_y_axis_at_zero: z.boolean().default(true),
  filters: z.array(FilterConfigSchema).optional(),
})

export const PivotTableConfigSchema = z.object({
  chart_type: z.literal('pivot_table'),
  rows: z.array(ColumnRefSchema).min(1).describe('Row groupings.'),
  columns: z.array(ColumnRefSchema).optional().describe('Column groupings.'),
  metrics: z.array(ColumnRefSchema).min(1),
  aggregate_function: z.enum(['Sum', 'Average', 'Median', 'Count', 'Minimum', 'Maximum']).default('Sum'),
  show_row_totals: z.boolean().default(true),
  show_column_totals: z.boolean().default(true),
  row_limit: z.int().min(1).max(50_000).default(10_000),
  filters: z.array(FilterConfigSchema).optional(),
})

export const CHART_CONFIG_SCHEMAS = {
  xy: XYConfigSchema,
  table: TableConfigSchema,
  pie: PieConfigSchema,
  big_number: BigNumberConfigSchema,
  pivot_table: PivotTableConfigSchema,
} as const

export type ChartType = keyof typeof CHART_CONFIG_SCHEMAS
export const ChartConfigSchema = z.discriminatedUnion('chart_type', [
  XYConfigSchema,
  TableConfigSchema,
  PieConfigSchema,
  BigNumberConfigSchema,
  PivotTableConfigSchema,
])
export type ChartConfig = z.output<typeof ChartConfigSchema>
type ColumnRefConfig = z.output<typeof ColumnRefSchema>
type FilterConfig = z.output<typeof FilterConfigSchema>

/** An xy config's series dimensions, always as a list. */
export function seriesOf(config: z.output<typeof XYConfigSchema>): ColumnRefConfig[] {
  if (config.group_by === undefined) return []
  return Array.isArray(config.group_by) ? config.group_by : [config.group_by]
}

/** Superset's create_metric_object: a saved metric name, a SIMPLE or an SQL ad-hoc metric. */
export function metricOf(column: ColumnRefConfig): unknown {
  if (column.saved_metric === true) return column.name
  const label = column.label
  if (column.sql_expression !== undefined) {
    return {
      expressionType: 'SQL',
      sqlExpression: column.sql_expression,
      label: label ?? column.sql_expression,
      hasCustomLabel: label !== undefined,
    }
  }
  const aggregate = column.aggregate ?? 'SUM'
  const sqlAggregate = { STDDEV: 'STDDEV', VAR: 'VARIANCE', MEDIAN: undefined } as const
  if (aggregate === 'STDDEV' || aggregate === 'VAR' || aggregate === 'MEDIAN') {
    const expression =
      aggregate === 'MEDIAN'
        ? `PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY ${quoteColumn(column.name)})`
        : `${sqlAggregate[aggregate]}(${quoteColumn(column.name)})`
    return {
      expressionType: 'SQL',
      sqlExpression: expression,
      label: label ?? `${aggregate}(${column.name})`,
      hasCustomLabel: true,
    }
  }
  return {
    expressionType: 'SIMPLE',
    column: { column_name: column.name },
    aggregate,
    label: label ?? `${aggregate}(${column.name})`,
    hasCustomLabel: label !== undefined,
  }
}

function quoteColumn(name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}

export function dimensionOf(column: ColumnRefConfig): unknown {
  if (column.sql_expression !== undefined) {
    return {
      expressionType: 'SQL',
      sqlExpression: column.sql_expression,
      label: column.label ?? column.sql_expression,
    }
  }
  return column.name
}

export function filtersOf(filters: readonly FilterConfig[] | undefined): unknown[] {
  return (filters ?? []).map((filter) => ({
    expressionType: 'SIMPLE',
    clause: 'WHERE',
    subject: filter.column,
    operator: filter.op === '=' ? '==' : filter.op,
    comparator: filter.value,
  }))
}
