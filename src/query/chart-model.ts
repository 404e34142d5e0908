/**
 * The chart model: one definition per viz family the gateway supports, and the only place that knows
 * what each one means. A definition
 *
 * - names its Superset viz_types,
 * - turns a generate_chart config (chart-config.ts, get_chart_type_schema) into the form_data Superset
 *   saves as slices.params (Superset's map_config_to_form_data), and
 * - turns form_data into the query objects of the chart's query_context, as the frontend's buildQuery
 *   for that viz type does (Superset's MCP service saves params only; the gateway also saves the
 *   query_context, so Superset's own /api/v1/chart/<id>/data can run its charts).
 *
 * Every chart query the gateway runs is a query object of a query_context: a saved chart's stored one,
 * or the one built here from form_data (a chart saved without one, a config being previewed, checked or
 * saved). So what generate_chart saves is exactly what its check and its preview ran, and what
 * get_chart_data runs afterwards. form_data here is untrusted input: its pieces are passed on as
 * Superset's query object carries them and checked when they are read (query-reader.ts) and built
 * (build.ts, src/guardrails).
 */
import { GatewayError } from '../errors'
import type { DatasetMeta } from '../superset'
import {
  type BigNumberConfigSchema,
  type ChartConfig,
  type ChartType,
  type ColumnRefConfig,
  dimensionOf,
  filtersOf,
  type HandlebarsConfigSchema,
  metricOf,
  type MixedTimeseriesConfigSchema,
  type PieConfigSchema,
  type PivotTableConfigSchema,
  seriesOf,
  type TableConfigSchema,
  type XYConfigSchema,
} from './chart-config'
import { DEFAULT_ROW_LIMIT, type VizFamily, type VizShape } from './query-object'
import type { QueryContext, QueryObjectJson } from './query-context'
import type * as z from 'zod'

type FormData = Record<string, unknown>

export interface VizModel<Config> {
  family: Exclude<VizFamily, 'other'>
  /** The generate_chart chart_type whose configs become this viz family. */
  chartType: ChartType
  /** The viz_types a config can produce (get_chart_type_schema lists them). */
  configVizTypes: readonly string[]
  /** Every Superset viz_type this definition reads: the config's ones, and other variants. */
  vizTypes: readonly string[]
  /** generate_chart config → viz_type and form_data (slices.params). */
  formData(config: Config, dataset: DatasetMeta): { vizType: string; formData: FormData }
  /** form_data → the query objects saved in query_context (the frontend's buildQuery). */
  queries(formData: FormData, dataset: DatasetMeta, vizType: string): QueryObjectJson[]
  /** xy only: how previews draw the series of query `index` (0: the first). */
  kind?(vizType: string, formData: FormData, index: number): NonNullable<VizShape['kind']>
  /** The index of a query previews draw besides the first (mixed_timeseries: query B, the right axis). */
  secondaryQuery?: number
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : [])
const asString = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined
type Item = string | Record<string, unknown>

function invalid(message: string): GatewayError {
  return new GatewayError('ValidationError', message, { details: { reason: 'unsupported_chart_params' } })
}

/** A column or metric of form_data as a query object carries it (a name or an ad-hoc object). */
function item(value: unknown, what: 'column' | 'metric'): Item {
  if ((typeof value === 'string' && value !== '') || isRecord(value)) return value
  throw invalid(
    what === 'column'
      ? `A column reference ${JSON.stringify(value)} is neither a name nor an ad-hoc column.`
      : `A metric ${JSON.stringify(value)} is neither a saved metric name nor an ad-hoc metric.`,
  )
}
const items = (value: unknown, what: 'column' | 'metric'): Item[] =>
  asArray(value).map((entry) => item(entry, what))

function rowLimit(value: unknown, fallback = DEFAULT_ROW_LIMIT): number {
  const number = typeof value === 'string' ? Number(value) : value
  return typeof number === 'number' && Number.isInteger(number) && number > 0 ? number : fallback
}

const orderDesc = (formData: FormData): boolean => formData.order_desc !== false

/**
 * What every viz type's query object has (Superset's buildQueryObject): adhoc_filters split into
 * SIMPLE filters ({col, op, val}) and SQL WHERE / HAVING text in extras, the legacy time_range on
 * granularity_sqla, the row limit.
 */
function baseQuery(formData: FormData, defaultRowLimit = DEFAULT_ROW_LIMIT): QueryObjectJson {
  const filters: NonNullable<QueryObjectJson['filters']> = []
  const where: string[] = []
  const having: string[] = []
  for (const entry of asArray(formData.adhoc_filters)) {
    if (!isRecord(entry)) throw invalid('An adhoc filter is not an object.')
    if (entry.expressionType === 'SQL') {
      const expression = asString(entry.sqlExpression)
      if (expression === undefined || expression.trim() === '') continue
      ;(entry.clause === 'HAVING' ? having : where).push(expression)
      continue
    }
    if (entry.clause === 'HAVING')
      throw invalid('SIMPLE adhoc filters in the HAVING clause are not supported.')
    filters.push({
      col: item(entry.subject, 'column'),
      op: String(entry.operator ?? ''),
      ...(entry.comparator === undefined ? {} : { val: entry.comparator }),
    })
  }
  const timeRange = asString(formData.time_range)
  const granularity = asString(formData.granularity_sqla)
  return {
    filters,
    extras: { having: sqlClauses(having), where: sqlClauses(where) },
    applied_time_extras: {},
    columns: [],
    metrics: [],
    orderby: [],
    annotation_layers: [],
    row_limit: rowLimit(formData.row_limit, defaultRowLimit),
    series_limit: 0,
    order_desc: orderDesc(formData),
    url_params: {},
    custom_params: {},
    custom_form_data: {},
    post_processing: [],
    time_offsets: [],
    ...(timeRange !== undefined && granularity !== undefined ? { granularity, time_range: timeRange } : {}),
  }
}

/** Superset's extras.where / having: one clause as written, several each in parentheses, ANDed. */
function sqlClauses(clauses: readonly string[]): string {
  return clauses.length === 1 ? clauses[0]! : clauses.map((clause) => `(${clause})`).join(' AND ')
}

/** metrics (and percent_metrics, which Superset queries alongside them). */
const pluralMetrics = (formData: FormData): Item[] => [
  ...items(formData.metrics, 'metric'),
  ...items(formData.percent_metrics, 'metric'),
]
/** The singular metric of pie and big number charts. */
const singularMetric = (formData: FormData): Item[] =>
  formData.metric === undefined || formData.metric === null ? [] : [item(formData.metric, 'metric')]

const byFirstMetric = (metrics: readonly Item[], formData: FormData): [Item, boolean][] =>
  metrics[0] === undefined ? [] : [[metrics[0], !orderDesc(formData)]]

/**
 * The temporal (or categorical) x axis as the frontend sends it: a BASE_AXIS column with its time grain.
 * form_data's x_axis, else the legacy granularity_sqla, else the dataset's main temporal column.
 */
function baseAxis(formData: FormData, dataset: DatasetMeta, vizType: string): Record<string, unknown> {
  const grain = asString(formData.time_grain_sqla)
  if (isRecord(formData.x_axis)) {
    return { ...formData.x_axis, columnType: 'BASE_AXIS', timeGrain: formData.x_axis.timeGrain ?? grain }
  }
  const x =
    asString(formData.x_axis) ?? asString(formData.granularity_sqla) ?? dataset.main_dttm_col ?? undefined
  if (x === undefined) throw invalid(`The ${vizType} chart has no x_axis.`)
  return {
    ...(grain === undefined ? {} : { timeGrain: grain }),
    columnType: 'BASE_AXIS',
    sqlExpression: x,
    label: x,
    expressionType: 'SQL',
  }
}

const labelOf = (value: unknown): string =>
  isRecord(value) ? String(value.label ?? value.sqlExpression ?? '') : String(value)

/** Superset's pivot (and flatten) post-processing of time series; the gateway returns rows long. */
function pivotOperators(axis: Record<string, unknown>, series: readonly Item[], metrics: readonly Item[]) {
  return [
    {
      operation: 'pivot',
      options: {
        index: [labelOf(axis)],
        columns: series.map(labelOf),
        aggregates: Object.fromEntries(metrics.map((metric) => [labelOf(metric), { operator: 'mean' }])),
        drop_missing_columns: false,
      },
    },
    { operation: 'flatten' },
  ]
}

/** The table's raw-mode order_by_cols entries are JSON strings: '["order_date", false]'. */
function rawOrderBy(entry: unknown): [Item, boolean] {
  let parsed: unknown = entry
  if (typeof entry === 'string') {
    try {
      parsed = JSON.parse(entry)
    } catch {
      throw invalid(`The order_by_cols entry ${JSON.stringify(entry)} is not valid JSON.`)
    }
  }
  if (!Array.isArray(parsed) || parsed.length !== 2 || typeof parsed[1] !== 'boolean') {
    throw invalid('An order_by_cols entry must be [column, ascending].')
  }
  return [item(parsed[0], 'column'), parsed[1]]
}

/** In a table config, a column is a metric when it is aggregated or names a saved metric. */
function isMetricColumn(column: { aggregate?: unknown; saved_metric?: boolean | undefined }): boolean {
  return column.aggregate !== undefined || column.saved_metric === true
}

function baseFormData(config: ChartConfig, dataset: DatasetMeta) {
  return { datasource: `${dataset.id}__table`, adhoc_filters: filtersOf(config.filters) }
}

type Config<S extends z.ZodType> = z.output<S>

/** table / ag-grid-table: raw rows (all_columns) or grouped (groupby + metrics). */
export const TABLE: VizModel<Config<typeof TableConfigSchema>> = {
  family: 'table',
  chartType: 'table',
  configVizTypes: ['table', 'ag-grid-table'],
  vizTypes: ['table', 'ag-grid-table'],
  formData(config, dataset) {
    const metrics = config.columns.filter(isMetricColumn)
    const dimensions = config.columns.filter((column) => !isMetricColumn(column))
    const mode = config.query_mode ?? (metrics.length > 0 ? 'aggregate' : 'raw')
    const formData: FormData =
      mode === 'raw'
        ? {
            all_columns: config.columns.map((column) => column.name),
            order_by_cols: (config.sort_by ?? []).map((name) => JSON.stringify([name, true])),
          }
        : { groupby: dimensions.map(dimensionOf), metrics: metrics.map(metricOf) }
    return {
      vizType: config.viz_type,
      formData: {
        ...baseFormData(config, dataset),
        viz_type: config.viz_type,
        query_mode: mode,
        row_limit: config.row_limit,
        order_desc: true,
        ...formData,
      },
    }
  },
  queries(formData) {
    const base = baseQuery(formData)
    const metrics = pluralMetrics(formData)
    const rawColumns =
      asArray(formData.all_columns).length > 0 ? asArray(formData.all_columns) : asArray(formData.columns)
    const raw =
      formData.query_mode === 'raw' ||
      (formData.query_mode === undefined && rawColumns.length > 0 && metrics.length === 0)
    if (raw) {
      return [
        {
          ...base,
          columns: rawColumns.map((column) => item(column, 'column')),
          metrics: [],
          orderby: asArray(formData.order_by_cols).map(rawOrderBy),
        },
      ]
    }
    const sortMetric = formData.timeseries_limit_metric
      ? item(formData.timeseries_limit_metric, 'metric')
      : metrics[0]
    return [
      {
        ...base,
        columns: items(formData.groupby, 'column'),
        metrics,
        orderby: sortMetric === undefined ? [] : [[sortMetric, !orderDesc(formData)]],
      },
    ]
  },
}

const XY_VIZ_TYPES = {
  line: 'echarts_timeseries_line',
  bar: 'echarts_timeseries_bar',
  area: 'echarts_area',
  scatter: 'echarts_timeseries_scatter',
} as const

/** The ECharts time series (line, bar, area, scatter, smooth, step): x axis + grain, metrics, series. */
export const XY: VizModel<Config<typeof XYConfigSchema>> = {
  family: 'xy',
  chartType: 'xy',
  configVizTypes: Object.values(XY_VIZ_TYPES),
  vizTypes: [
    ...Object.values(XY_VIZ_TYPES),
    'echarts_timeseries',
    'echarts_timeseries_smooth',
    'echarts_timeseries_step',
  ],
  formData(config, dataset) {
    const vizType = XY_VIZ_TYPES[config.kind]
    return {
      vizType,
      formData: {
        ...baseFormData(config, dataset),
        viz_type: vizType,
        ...(config.x ? { x_axis: config.x.name } : {}),
        ...(config.time_grain ? { time_grain_sqla: config.time_grain } : {}),
        metrics: config.y.map(metricOf),
        groupby: seriesOf(config).map(dimensionOf),
        row_limit: config.row_limit,
        order_desc: true,
        ...(config.stacked ? { stack: 'Stack' } : {}),
        ...(config.orientation ? { orientation: config.orientation } : {}),
      },
    }
  },
  queries(formData, dataset, vizType) {
    const base = baseQuery(formData)
    const axis = baseAxis(formData, dataset, vizType)
    const series = items(formData.groupby, 'column')
    const metrics = pluralMetrics(formData)
    const grain = asString(formData.time_grain_sqla)
    return [
      {
        ...base,
        extras: { ...base.extras, ...(grain === undefined ? {} : { time_grain_sqla: grain }) },
        columns: [axis, ...series],
        series_columns: series,
        metrics,
        orderby: byFirstMetric(metrics, formData),
        post_processing: pivotOperators(axis, series, metrics),
      },
    ]
  },
  kind(vizType) {
    if (vizType.endsWith('_bar')) return 'bar'
    if (vizType === 'echarts_area') return 'area'
    if (vizType.endsWith('_scatter')) return 'scatter'
    return 'line'
  },
}

/** pie: one dimension, one metric, sorted by it. */
export const PIE: VizModel<Config<typeof PieConfigSchema>> = {
  family: 'pie',
  chartType: 'pie',
  configVizTypes: ['pie'],
  vizTypes: ['pie'],
  formData(config, dataset) {
    return {
      vizType: 'pie',
      formData: {
        ...baseFormData(config, dataset),
        viz_type: 'pie',
        groupby: [dimensionOf(config.dimension)],
        metric: metricOf(config.metric),
        // 6.1's map_pie_config, field by field.
        color_scheme: 'supersetColors',
        show_labels: config.show_labels,
        show_legend: config.show_legend,
        label_type: config.label_type,
        number_format: config.number_format,
        sort_by_metric: config.sort_by_metric,
        row_limit: config.row_limit,
        donut: config.donut,
        show_total: config.show_total,
        labels_outside: config.labels_outside,
        outerRadius: config.outer_radius,
        innerRadius: config.inner_radius,
        date_format: 'smart_date',
      },
    }
  },
  queries(formData) {
    const metrics = singularMetric(formData)
    return [
      {
        ...baseQuery(formData, 100),
        columns: items(formData.groupby, 'column'),
        metrics,
        orderby: formData.sort_by_metric !== false && metrics[0] !== undefined ? [[metrics[0], false]] : [],
        post_processing: metrics.map((metric) => ({
          operation: 'contribution',
          options: { columns: [labelOf(metric)], rename_columns: [`%${labelOf(metric)}`] },
        })),
      },
    ]
  },
}

type BigNumberConfig = Config<typeof BigNumberConfigSchema>

/** big_number_total: one metric, no grouping. */
export const BIG_NUMBER_TOTAL: VizModel<BigNumberConfig> = {
  family: 'big_number_total',
  chartType: 'big_number',
  configVizTypes: ['big_number_total'],
  vizTypes: ['big_number_total'],
  formData(config, dataset) {
    return {
      vizType: 'big_number_total',
      formData: {
        ...baseFormData(config, dataset),
        viz_type: 'big_number_total',
        metric: metricOf(config.metric),
        ...(config.subheader ? { subheader: config.subheader } : {}),
      },
    }
  },
  queries(formData) {
    return [{ ...baseQuery(formData), metrics: singularMetric(formData) }]
  },
}

/** big_number (with trendline): one metric over the time axis. */
export const BIG_NUMBER: VizModel<BigNumberConfig> = {
  family: 'big_number',
  chartType: 'big_number',
  configVizTypes: ['big_number'],
  vizTypes: ['big_number'],
  formData(config, dataset) {
    return {
      vizType: 'big_number',
      formData: {
        ...baseFormData(config, dataset),
        viz_type: 'big_number',
        metric: metricOf(config.metric),
        x_axis: config.temporal_column,
        time_grain_sqla: config.time_grain ?? 'P1D',
        show_trend_line: true,
        ...(config.subheader ? { subheader: config.subheader } : {}),
      },
    }
  },
  queries(formData, dataset, vizType) {
    const base = baseQuery(formData)
    const axis = baseAxis(formData, dataset, vizType)
    const metrics = singularMetric(formData)
    const grain = asString(formData.time_grain_sqla)
    return [
      {
        ...base,
        extras: { ...base.extras, ...(grain === undefined ? {} : { time_grain_sqla: grain }) },
        columns: [axis],
        metrics,
        post_processing: [
          {
            operation: 'pivot',
            options: {
              index: [labelOf(axis)],
              columns: [],
              aggregates: Object.fromEntries(
                metrics.map((metric) => [labelOf(metric), { operator: 'mean' }]),
              ),
              drop_missing_columns: true,
            },
          },
          { operation: 'flatten' },
        ],
      },
    ]
  },
}

/** pivot_table_v2: row and column groupings, metrics; pivoted for previews. */
export const PIVOT_TABLE: VizModel<Config<typeof PivotTableConfigSchema>> = {
  family: 'pivot_table',
  chartType: 'pivot_table',
  configVizTypes: ['pivot_table_v2'],
  vizTypes: ['pivot_table_v2'],
  formData(config, dataset) {
    return {
      vizType: 'pivot_table_v2',
      formData: {
        ...baseFormData(config, dataset),
        viz_type: 'pivot_table_v2',
        groupbyRows: config.rows.map(dimensionOf),
        groupbyColumns: (config.columns ?? []).map(dimensionOf),
        metrics: config.metrics.map(metricOf),
        aggregateFunction: config.aggregate_function,
        rowTotals: config.show_row_totals,
        colTotals: config.show_column_totals,
        transposePivot: config.transpose,
        combineMetric: config.combine_metric,
        valueFormat: config.value_format,
        row_limit: config.row_limit,
        order_desc: true,
      },
    }
  },
  queries(formData) {
    const metrics = pluralMetrics(formData)
    const seen = new Set<string>()
    const columns = [
      ...items(formData.groupbyColumns, 'column'),
      ...items(formData.groupbyRows, 'column'),
    ].filter((column) => {
      if (typeof column !== 'string') return true
      if (seen.has(column)) return false
      seen.add(column)
      return true
    })
    return [{ ...baseQuery(formData), columns, metrics, orderby: byFirstMetric(metrics, formData) }]
  },
}

/**
 * 6.1's is_column_truly_temporal: a dataset column is temporal by its SQL type (DATE, TIME, TIMESTAMP…),
 * or by is_dttm when it has no type; a column the dataset does not have counts as temporal.
 */
function isTemporalColumn(dataset: DatasetMeta, name: string): boolean {
  const column = dataset.columns.find((c) => c.column_name.toLowerCase() === name.toLowerCase())
  if (column === undefined) return true
  const type = typeof column.type === 'string' ? column.type.trim() : ''
  if (type === '') return column.is_dttm
  return /^(date|time|timestamp|datetime|interval)\b|^timestamp/i.test(type)
}

/** Superset's MixedTimeseries series types: an area is a line series with area on. */
const MIXED_SERIES_TYPES = { line: 'line', bar: 'bar', area: 'line', scatter: 'scatter' } as const

/** The frontend's retainFormDataSuffix: the `_b` controls in place of their unsuffixed ones. */
function withSuffixControls(formData: FormData, suffix: string): FormData {
  const result: FormData = {}
  for (const [key, value] of Object.entries(formData))
    if (key.endsWith(suffix)) result[key.slice(0, -suffix.length)] = value
  for (const [key, value] of Object.entries(formData))
    if (!key.endsWith(suffix) && !(key in result)) result[key] = value
  return result
}

/** The frontend's removeFormDataSuffix: the form_data without its `_b` controls. */
const withoutSuffixControls = (formData: FormData, suffix: string): FormData =>
  Object.fromEntries(Object.entries(formData).filter(([key]) => !key.endsWith(suffix)))

/**
 * mixed_timeseries: two time series on one x axis, each its own query (the frontend's buildQuery: query A
 * from the form_data without its `_b` controls, query B with them in place of A's), each built as an xy
 * query. get_chart_data, like 6.1's, returns the first (query A); previews draw both.
 */
export const MIXED_TIMESERIES: VizModel<Config<typeof MixedTimeseriesConfigSchema>> = {
  family: 'xy',
  chartType: 'mixed_timeseries',
  configVizTypes: ['mixed_timeseries'],
  vizTypes: ['mixed_timeseries'],
  formData(config, dataset) {
    const temporal = isTemporalColumn(dataset, config.x.name)
    const series = (columns: readonly ColumnRefConfig[] | undefined) =>
      (columns ?? []).filter((column) => column.name !== config.x.name).map(dimensionOf)
    const groupby = series(config.group_by)
    const groupbyB = series(config.group_by_secondary)
    const base = baseFormData(config, dataset)
    const axis = (
      options:
        { title?: string | undefined; format?: string | undefined; scale?: string | undefined } | undefined,
      title: string,
      format: string,
      log?: string,
    ): FormData => ({
      ...(options?.title ? { [title]: options.title } : {}),
      ...(options?.format ? { [format]: options.format } : {}),
      ...(log !== undefined && options?.scale === 'log' ? { [log]: true } : {}),
    })
    return {
      vizType: 'mixed_timeseries',
      formData: {
        ...base,
        viz_type: 'mixed_timeseries',
        x_axis: config.x.name,
        metrics: config.y.map(metricOf),
        seriesType: MIXED_SERIES_TYPES[config.primary_kind],
        area: config.primary_kind === 'area',
        yAxisIndex: 0,
        metrics_b: config.y_secondary.map(metricOf),
        seriesTypeB: MIXED_SERIES_TYPES[config.secondary_kind],
        areaB: config.secondary_kind === 'area',
        yAxisIndexB: 1,
        show_legend: config.show_legend,
        zoomable: true,
        rich_tooltip: true,
        ...(temporal
          ? {
              granularity_sqla: config.x.name,
              ...(config.time_grain ? { time_grain_sqla: config.time_grain } : {}),
            }
          : {
              x_axis_sort_series_type: 'name',
              x_axis_sort_series_ascending: true,
              time_grain_sqla: null,
              granularity_sqla: null,
            }),
        ...(groupby.length > 0 ? { groupby } : {}),
        // Query B reads groupby_b and adhoc_filters_b, else query A's: say so when they differ or apply.
        ...(groupbyB.length > 0 || groupby.length > 0 ? { groupby_b: groupbyB } : {}),
        ...(base.adhoc_filters.length > 0 ? { adhoc_filters_b: base.adhoc_filters } : {}),
        row_limit: config.row_limit,
        ...axis(config.x_axis, 'xAxisTitle', 'x_axis_time_format'),
        ...axis(config.y_axis, 'yAxisTitle', 'y_axis_format', 'logAxis'),
        ...axis(
          config.y_axis_secondary,
          'yAxisTitleSecondary',
          'y_axis_format_secondary',
          'logAxisSecondary',
        ),
      },
    }
  },
  queries(formData, dataset, vizType) {
    return [
      ...XY.queries(withoutSuffixControls(formData, '_b'), dataset, vizType),
      ...XY.queries(withSuffixControls(formData, '_b'), dataset, vizType),
    ]
  },
  kind(_vizType, formData, index) {
    const [area, seriesType] =
      index === 1 ? [formData.areaB, formData.seriesTypeB] : [formData.area, formData.seriesType]
    if (area === true) return 'area'
    if (seriesType === 'bar') return 'bar'
    if (seriesType === 'scatter') return 'scatter'
    return 'line'
  },
  secondaryQuery: 1,
}

/**
 * handlebars: the rows a template renders, raw (all_columns) or grouped (groupby + metrics), ordered by
 * the first metric (the frontend's buildQuery with normalizeOrderBy): the table's query.
 */
export const HANDLEBARS: VizModel<Config<typeof HandlebarsConfigSchema>> = {
  family: 'table',
  chartType: 'handlebars',
  configVizTypes: ['handlebars'],
  vizTypes: ['handlebars'],
  formData(config, dataset) {
    const raw = config.query_mode === 'raw'
    return {
      vizType: 'handlebars',
      formData: {
        ...baseFormData(config, dataset),
        viz_type: 'handlebars',
        handlebars_template: config.handlebars_template,
        row_limit: config.row_limit,
        order_desc: config.order_desc,
        ...(config.style_template ? { styleTemplate: config.style_template } : {}),
        query_mode: config.query_mode,
        ...(raw
          ? { all_columns: (config.columns ?? []).map((column) => column.name) }
          : {
              ...(config.groupby?.length ? { groupby: config.groupby.map(dimensionOf) } : {}),
              metrics: (config.metrics ?? []).map(metricOf),
            }),
      },
    }
  },
  queries(formData, dataset, vizType) {
    return TABLE.queries(formData, dataset, vizType)
  },
}

/** Every viz family the gateway can build a query for. */
const MODELS: readonly VizModel<never>[] = [
  TABLE,
  XY,
  PIE,
  BIG_NUMBER_TOTAL,
  BIG_NUMBER,
  PIVOT_TABLE,
  MIXED_TIMESERIES,
  HANDLEBARS,
]

/** The definition of a Superset viz_type, or undefined for the types the gateway cannot build. */
export function vizModel(vizType: string): VizModel<never> | undefined {
  return MODELS.find((model) => model.vizTypes.includes(vizType))
}

/** The viz_types each chart_type's configs produce, in the order the definitions list them. */
export function configVizTypes(chartType: ChartType): string[] {
  return MODELS.filter((model) => model.chartType === chartType).flatMap((model) => model.configVizTypes)
}

export function vizFamily(vizType: string): VizFamily {
  return vizModel(vizType)?.family ?? 'other'
}

/** The form_data (slices.params) Superset would save for a generate_chart config. */
export function configToFormData(
  config: ChartConfig,
  dataset: DatasetMeta,
): { vizType: string; formData: FormData } {
  switch (config.chart_type) {
    case 'xy':
      return XY.formData(config, dataset)
    case 'table':
      return TABLE.formData(config, dataset)
    case 'pie':
      return PIE.formData(config, dataset)
    case 'big_number':
      return config.show_trendline && config.temporal_column !== undefined
        ? BIG_NUMBER.formData(config, dataset)
        : BIG_NUMBER_TOTAL.formData(config, dataset)
    case 'pivot_table':
      return PIVOT_TABLE.formData(config, dataset)
    case 'mixed_timeseries':
      return MIXED_TIMESERIES.formData(config, dataset)
    case 'handlebars':
      return HANDLEBARS.formData(config, dataset)
    default:
      return config satisfies never
  }
}

/**
 * The query_context of a chart with this viz_type and form_data, as Superset's frontend saves it (and as
 * the gateway saves it for the charts it writes). A viz type without a definition is refused.
 */
export function buildQueryContext(vizType: string, formData: FormData, dataset: DatasetMeta): QueryContext {
  const model = vizModel(vizType)
  if (model === undefined) {
    throw invalid(
      `Charts of type "${vizType}" without a saved query_context are not supported by the gateway.`,
    )
  }
  return {
    datasource: { id: dataset.id, type: 'table' },
    force: false,
    queries: model.queries(formData, dataset, vizType),
    form_data: formData,
    result_format: 'json',
    result_type: 'full',
  }
}
