/**
 * Superset 6.1's generate_chart `config` (reference §3.4): one schema per chart_type (xy, table, pie,
 * pivot_table, mixed_timeseries, handlebars, big_number), and the pieces every chart type's form_data is
 * made of (metrics, dimensions, filters, as Superset's create_metric_object and map_filter_operator write
 * them). What each chart type becomes is its definition in chart-model.ts.
 *
 * A config is read as 6.1's models read it (`ChartConfigSchema`): 6.1's aliases (`stack` for `stacked`,
 * `series` for `group_by`, `column_name` for a column's `name`, …) are accepted, and any other key is
 * refused with a close match ("Unknown field 'stackd' — did you mean 'stacked'?", 6.1's
 * UnknownFieldCheckMixin), all in one place: `readChartConfig`.
 */
import * as z from 'zod'
import { closeMatches } from '../suggest'

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
  'PERCENTILE',
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
    percentile: z
      .number()
      .gt(0)
      .lt(100)
      .optional()
      .describe('With aggregate PERCENTILE: which percentile, e.g. 90 (required there, nowhere else).'),
    saved_metric: z.boolean().optional().describe('true: "name" is a saved metric of the dataset.'),
    sql_expression: z.string().max(2000).optional().describe('Custom SQL expression (requires label).'),
  })
  .superRefine((column, ctx) => {
    // 6.1 writes PERCENTILE as a SIMPLE metric, which Superset's query engine has no aggregation for
    // (SqlaTable.sqla_aggregations): the gateway writes PERCENTILE_CONT, so it needs the percentile.
    if (column.aggregate === 'PERCENTILE' && column.saved_metric !== true && column.percentile === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['percentile'],
        message: `Aggregate PERCENTILE on '${column.name}' needs 'percentile', a number between 0 and 100 (e.g. 90).`,
      })
    if (column.percentile !== undefined && column.aggregate !== 'PERCENTILE')
      ctx.addIssue({
        code: 'custom',
        path: ['percentile'],
        message: `'percentile' on '${column.name}' applies only to aggregate PERCENTILE; set aggregate to PERCENTILE or remove it.`,
      })
  })
  .describe('A column or metric reference.')

const FILTER_SCALAR = z.union([z.string().max(1000), z.number(), z.boolean()])

/** 6.1's Python type name of a filter value, for its error text ("got str"). */
const pythonType = (value: unknown): string =>
  typeof value === 'string'
    ? 'str'
    : typeof value === 'boolean'
      ? 'bool'
      : Number.isInteger(value)
        ? 'int'
        : 'float'

/**
 * 6.1's FilterConfig: IN / NOT IN take a list (an empty one too), every other operator one value
 * (validate_value_type_matches_operator, with its messages); a text value is at most 1,000 characters
 * (sanitize_filter_value).
 */
export const FilterConfigSchema = z
  .object({
    column: z.string().min(1).max(255),
    op: z
      .enum(['=', '>', '<', '>=', '<=', '!=', 'LIKE', 'ILIKE', 'NOT LIKE', 'IN', 'NOT IN'])
      .describe('LIKE/ILIKE use % wildcards. IN/NOT IN take a list.'),
    value: z.union([FILTER_SCALAR, z.array(FILTER_SCALAR)]).describe('For IN/NOT IN, provide a list.'),
  })
  .superRefine((filter, ctx) => {
    const list = Array.isArray(filter.value)
    if ((filter.op === 'IN' || filter.op === 'NOT IN') && !list)
      ctx.addIssue({
        code: 'custom',
        path: ['value'],
        message: `Operator '${filter.op}' requires a list of values, got ${pythonType(filter.value)}; pass e.g. [${JSON.stringify(filter.value)}].`,
      })
    else if (filter.op !== 'IN' && filter.op !== 'NOT IN' && list)
      ctx.addIssue({
        code: 'custom',
        path: ['value'],
        message: `Operator '${filter.op}' requires a single value, not a list; use IN for several values.`,
      })
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
    .enum(['key', 'value', 'percent', 'key_value', 'key_percent', 'key_value_percent', 'value_percent'])
    .default('key_value_percent'),
  sort_by_metric: z.boolean().default(true),
  show_legend: z.boolean().default(true),
  number_format: z.string().max(50).default('SMART_NUMBER'),
  show_total: z.boolean().default(false).describe('Show the total in the centre.'),
  labels_outside: z.boolean().default(true),
  outer_radius: z.int().min(1).max(100).default(70).describe('Outer radius, % (1–100).'),
  inner_radius: z.int().min(1).max(100).default(30).describe('Donut inner radius, % (1–100).'),
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
  aggregate_function: z
    .enum([
      'Sum',
      'Average',
      'Median',
      'Sample Variance',
      'Sample Standard Deviation',
      'Minimum',
      'Maximum',
      'Count',
      'Count Unique Values',
      'First',
      'Last',
    ])
    .default('Sum'),
  show_row_totals: z.boolean().default(true),
  show_column_totals: z.boolean().default(true),
  transpose: z.boolean().default(false),
  combine_metric: z.boolean().default(false).describe('Metrics side by side in columns.'),
  row_limit: z.int().min(1).max(50_000).default(10_000),
  value_format: z.string().max(50).default('SMART_NUMBER'),
  filters: z.array(FilterConfigSchema).optional(),
})

const SERIES_KIND = z.enum(['line', 'bar', 'area', 'scatter'])

/** Two series sets on one temporal x axis (Superset's mixed_timeseries: query A and query B). */
export const MixedTimeseriesConfigSchema = z.object({
  chart_type: z.literal('mixed_timeseries'),
  x: ColumnRefSchema.describe('Shared temporal x axis column.'),
  time_grain: TIME_GRAIN.optional(),
  y: z.array(ColumnRefSchema).min(1).describe('Primary y axis metrics (query A).'),
  primary_kind: SERIES_KIND.default('line'),
  group_by: z.array(ColumnRefSchema).optional().describe('Primary series dimension(s).'),
  y_secondary: z.array(ColumnRefSchema).min(1).describe('Secondary y axis metrics (query B).'),
  secondary_kind: SERIES_KIND.default('bar'),
  group_by_secondary: z.array(ColumnRefSchema).optional().describe('Secondary series dimension(s).'),
  show_legend: z.boolean().default(true),
  x_axis: AxisSchema.optional(),
  y_axis: AxisSchema.optional(),
  y_axis_secondary: AxisSchema.optional(),
  filters: z.array(FilterConfigSchema).optional().describe('Applied to both queries.'),
  row_limit: z.int().min(1).max(50_000).default(10_000),
})

type ColumnRefInput = z.output<typeof ColumnRefSchema>
/** 6.1's ColumnRef.is_metric: aggregated, or a saved metric. */
const isMetricRef = (column: ColumnRefInput): boolean =>
  column.aggregate !== undefined || column.saved_metric === true

/** Query results rendered through a Handlebars template: raw rows (columns) or grouped (groupby + metrics). */
export const HandlebarsConfigSchema = z
  .object({
    chart_type: z.literal('handlebars'),
    handlebars_template: z
      .string()
      .min(1)
      .max(50_000)
      .describe(
        'Handlebars HTML template; the rows are {{data}}, e.g. "{{#each data}}<p>{{name}}</p>{{/each}}".',
      ),
    query_mode: z.enum(['aggregate', 'raw']).default('aggregate'),
    columns: z.array(ColumnRefSchema).optional().describe("Columns of the rows (query_mode 'raw')."),
    groupby: z.array(ColumnRefSchema).optional().describe("Dimensions (query_mode 'aggregate')."),
    metrics: z
      .array(ColumnRefSchema)
      .optional()
      .describe("Aggregated or saved metrics (query_mode 'aggregate')."),
    filters: z.array(FilterConfigSchema).optional(),
    row_limit: z.int().min(1).max(50_000).default(1000),
    order_desc: z.boolean().default(true),
    style_template: z.string().max(10_000).optional().describe('CSS for the rendered template.'),
  })
  .superRefine((config, ctx) => {
    const fail = (message: string) => ctx.addIssue({ code: 'custom', message })
    if (config.query_mode === 'raw') {
      if (!config.columns?.length)
        fail(
          "Handlebars chart in 'raw' query mode requires 'columns' field. Specify which columns to include in the query results.",
        )
      if (config.metrics?.length)
        fail(
          "Handlebars chart in 'raw' query mode does not use 'metrics'. Remove 'metrics' or switch to 'aggregate' query mode.",
        )
      if (config.groupby?.length)
        fail(
          "Handlebars chart in 'raw' query mode does not use 'groupby'. Remove 'groupby' or switch to 'aggregate' query mode.",
        )
      return
    }
    if (!config.metrics?.length) {
      fail(
        "Handlebars chart in 'aggregate' query mode requires 'metrics' field. Specify at least one metric with an aggregate function.",
      )
      return
    }
    const missing = config.metrics.filter((metric) => !isMetricRef(metric)).map((metric) => metric.name)
    if (missing.length > 0)
      fail(
        `Handlebars chart in 'aggregate' query mode requires an aggregate function on every metric. Missing aggregate for: ${missing.join(', ')}. Use one of: SUM, COUNT, AVG, MIN, MAX, COUNT_DISTINCT, etc.`,
      )
  })

export const CHART_CONFIG_SCHEMAS = {
  xy: XYConfigSchema,
  table: TableConfigSchema,
  pie: PieConfigSchema,
  pivot_table: PivotTableConfigSchema,
  mixed_timeseries: MixedTimeseriesConfigSchema,
  handlebars: HandlebarsConfigSchema,
  big_number: BigNumberConfigSchema,
} as const

export type ChartType = keyof typeof CHART_CONFIG_SCHEMAS
/** 6.1's VALID_CHART_TYPES: the chart types, sorted. */
export const CHART_TYPES = (Object.keys(CHART_CONFIG_SCHEMAS) as ChartType[]).sort() as [
  ChartType,
  ...ChartType[],
]

/**
 * 6.1's validation aliases per chart type (pydantic AliasChoices): the field, then the other keys it is
 * read from, in 6.1's order (the first one present wins; the others are dropped).
 */
const CONFIG_ALIASES: Record<ChartType, Record<string, readonly string[]>> = {
  xy: {
    x: ['x_axis', 'x_column'],
    y: ['metrics'],
    time_grain: ['time_grain_sqla'],
    stacked: ['stack'],
    group_by: ['groupby', 'series', 'breakdown', 'dimension'],
  },
  table: { columns: ['all_columns', 'groupby'], sort_by: ['order_by_cols', 'order_by'] },
  pie: { dimension: ['groupby'] },
  pivot_table: { rows: ['groupby', 'dimension'] },
  mixed_timeseries: {
    x: ['x_axis'],
    time_grain: ['time_grain_sqla'],
    y: ['metrics'],
    group_by: ['groupby', 'series', 'dimension'],
    y_secondary: ['metrics_b'],
    group_by_secondary: ['groupby_b', 'groupby_secondary'],
  },
  handlebars: { groupby: ['group_by'] },
  big_number: {},
}

/** Fields holding column references (one, or a list), read with ColumnRef's alias `column_name`. */
const COLUMN_FIELDS: Record<ChartType, readonly string[]> = {
  xy: ['x', 'y', 'group_by'],
  table: ['columns'],
  pie: ['dimension', 'metric'],
  pivot_table: ['rows', 'columns', 'metrics'],
  mixed_timeseries: ['x', 'y', 'group_by', 'y_secondary', 'group_by_secondary'],
  handlebars: ['columns', 'groupby', 'metrics'],
  big_number: ['metric'],
}

/** Series fields that also take one column or a bare name (6.1's _normalize_group_by_input). */
const GROUP_BY_FIELDS: Partial<Record<ChartType, readonly string[]>> = {
  xy: ['group_by'],
  mixed_timeseries: ['group_by', 'group_by_secondary'],
}

const COLUMN_REF_ALIASES = { name: ['column_name'] }
const FILTER_ALIASES = { column: ['col'], op: ['operator', 'opr'], value: ['val'] }

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * `object` with each field read from its first present key (field, then aliases); the other aliases are
 * dropped, except an alias that is a field of its own (`x_axis` is also the axis options), which pydantic
 * reads for both.
 */
function withAliases(
  object: Record<string, unknown>,
  aliases: Record<string, readonly string[]>,
  fields: readonly string[] = [],
): Record<string, unknown> {
  const result = { ...object }
  for (const [field, others] of Object.entries(aliases)) {
    const source = [field, ...others].find((key) => object[key] !== undefined)
    for (const other of others) if (!fields.includes(other)) delete result[other]
    if (source !== undefined) result[field] = object[source]
  }
  return result
}

const columnRefWithAliases = (value: unknown): unknown =>
  isPlainObject(value) ? withAliases(value, COLUMN_REF_ALIASES) : value

function groupByList(value: unknown): unknown {
  if (typeof value === 'string') return [{ name: value }]
  if (isPlainObject(value)) return [value]
  if (Array.isArray(value)) return value.map((item) => (typeof item === 'string' ? { name: item } : item))
  return value
}

/** The keys a chart type's config may have: its fields and their aliases. */
export function knownConfigFields(chartType: ChartType): string[] {
  return [
    ...new Set([
      ...Object.keys(CHART_CONFIG_SCHEMAS[chartType].shape),
      ...Object.values(CONFIG_ALIASES[chartType]).flat(),
    ]),
  ].sort()
}

/**
 * 6.1's _check_unknown_fields: every key that is neither a field nor an alias, with the closest field
 * (or alias) when there is one, else the valid fields. Empty when every key is known.
 */
export function unknownConfigFields(chartType: ChartType, config: Record<string, unknown>): string[] {
  const known = knownConfigFields(chartType)
  const fields = Object.keys(CHART_CONFIG_SCHEMAS[chartType].shape)
  return Object.keys(config)
    .filter((key) => !known.includes(key))
    .sort()
    .map((key) => {
      const [match] = [...closeMatches(key, fields, 1), ...closeMatches(key, known, 1)]
      return match === undefined
        ? `Unknown field '${key}'. Valid fields: ${known.join(', ')}`
        : `Unknown field '${key}' — did you mean '${match}'?`
    })
}

/**
 * A config as 6.1's models read it, before its chart type's schema checks it: aliases resolved (the
 * config's, its columns' and its filters'), series fields as lists; unknown keys refused.
 */
function readChartConfig(value: unknown, ctx: z.RefinementCtx): unknown {
  if (!isPlainObject(value)) return value
  const chartType = value.chart_type
  if (typeof chartType !== 'string' || !Object.hasOwn(CHART_CONFIG_SCHEMAS, chartType)) return value
  const type = chartType as ChartType
  const problems = unknownConfigFields(type, value)
  if (problems.length > 0) {
    ctx.addIssue({ code: 'custom', message: problems.join(' | '), input: value })
    return value
  }
  const config = withAliases(value, CONFIG_ALIASES[type], Object.keys(CHART_CONFIG_SCHEMAS[type].shape))
  for (const field of GROUP_BY_FIELDS[type] ?? []) {
    if (config[field] !== undefined) config[field] = groupByList(config[field])
  }
  for (const field of COLUMN_FIELDS[type]) {
    const refs = config[field]
    if (refs !== undefined)
      config[field] = Array.isArray(refs) ? refs.map(columnRefWithAliases) : columnRefWithAliases(refs)
  }
  if (Array.isArray(config.filters)) {
    config.filters = config.filters.map((filter) =>
      isPlainObject(filter) ? withAliases(filter, FILTER_ALIASES) : filter,
    )
  }
  return config
}

const ChartConfigUnion = z.discriminatedUnion('chart_type', [
  XYConfigSchema,
  TableConfigSchema,
  PieConfigSchema,
  PivotTableConfigSchema,
  MixedTimeseriesConfigSchema,
  HandlebarsConfigSchema,
  BigNumberConfigSchema,
])

/** A generate_chart `config` of any chart type, read as 6.1 reads it (readChartConfig). */
export const ChartConfigSchema = z.preprocess(readChartConfig, ChartConfigUnion)
export type ChartConfig = z.output<typeof ChartConfigUnion>
export type ColumnRefConfig = z.output<typeof ColumnRefSchema>
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
  // Superset's query engine has SIMPLE aggregations for SUM AVG COUNT COUNT_DISTINCT MIN MAX only
  // (SqlaTable.sqla_aggregations); the others are written as the SQL metric PostgreSQL runs.
  const sqlAggregate = { STDDEV: 'STDDEV', VAR: 'VARIANCE' } as const
  if (aggregate === 'STDDEV' || aggregate === 'VAR' || aggregate === 'MEDIAN' || aggregate === 'PERCENTILE') {
    const quoted = quoteColumn(column.name)
    const expression =
      aggregate === 'MEDIAN' || aggregate === 'PERCENTILE'
        ? `PERCENTILE_CONT(${aggregate === 'MEDIAN' ? 0.5 : percentileFraction(column)}) WITHIN GROUP (ORDER BY ${quoted})`
        : `${sqlAggregate[aggregate]}(${quoted})`
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

/** 90 → 0.9 (99.9 → 0.999, not 0.9990000000000001); ColumnRefSchema requires it with PERCENTILE. */
function percentileFraction(column: ColumnRefConfig): number {
  if (column.percentile === undefined) throw new Error('a PERCENTILE column reference without percentile')
  return Number((column.percentile / 100).toPrecision(12))
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
