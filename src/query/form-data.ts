/**
 * A saved chart's query, read as Superset reads it: the saved `query_context` when there is one (as
 * /api/v1/chart/<id>/data and MCP get_chart_data do), otherwise built from `params` (form_data) per viz
 * type, the way the frontend's buildQuery would (reference §7). Unknown shapes are refused, not guessed.
 */
import { GatewayError } from '../errors'
import type { DatasetMeta } from '../superset'
import {
  AGGREGATES,
  DEFAULT_ROW_LIMIT,
  FILTER_OPERATORS,
  type Aggregate,
  type ChartQuery,
  type ColumnRef,
  type FilterOperator,
  type MetricRef,
  type OrderBy,
  type QueryObject,
  type SimpleFilter,
  type VizFamily,
  type VizShape,
} from './query-object'

type Json = Record<string, unknown>

const isRecord = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : [])
const asString = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined

function invalid(message: string): GatewayError {
  return new GatewayError('ValidationError', message, { details: { reason: 'unsupported_chart_params' } })
}

export function vizFamily(vizType: string): VizFamily {
  if (vizType === 'table' || vizType === 'ag-grid-table') return 'table'
  if (/^echarts_(timeseries(_line|_bar|_scatter|_smooth|_step)?|area)$/.test(vizType)) return 'xy'
  if (vizType === 'pie') return 'pie'
  if (vizType === 'big_number_total') return 'big_number_total'
  if (vizType === 'big_number') return 'big_number'
  if (vizType === 'pivot_table_v2') return 'pivot_table'
  return 'other'
}

function xyKind(vizType: string): VizShape['kind'] {
  if (vizType.endsWith('_bar')) return 'bar'
  if (vizType === 'echarts_area') return 'area'
  if (vizType.endsWith('_scatter')) return 'scatter'
  return 'line'
}

/** The chart's query and result shape; prefers query_context, falls back to form_data. */
export function chartQuery(
  vizType: string,
  formData: Json,
  queryContext: Json | undefined,
  dataset: DatasetMeta,
): ChartQuery {
  const family = vizFamily(vizType)
  const reader = new Reader(dataset)
  const savedQuery = isRecord(queryContext) ? asArray(queryContext.queries)[0] : undefined
  const query = isRecord(savedQuery)
    ? reader.fromQueryContext(savedQuery)
    : reader.fromFormData(vizType, family, formData)
  return { query, shape: reader.shape(vizType, family, formData, query) }
}

class Reader {
  private readonly dataset: DatasetMeta

  constructor(dataset: DatasetMeta) {
    this.dataset = dataset
  }

  /** A query_context QueryObject (the frontend's buildQuery output). */
  fromQueryContext(saved: Json): QueryObject {
    const extras = isRecord(saved.extras) ? saved.extras : {}
    const columns = asArray(saved.columns).map((column) =>
      this.column(column, asString(extras.time_grain_sqla)),
    )
    const filters = asArray(saved.filters).map((filter) => this.simpleFilterFromQuery(filter))
    const granularity = asString(saved.granularity)
    const timeRange = asString(saved.time_range)
    if (
      granularity !== undefined &&
      timeRange !== undefined &&
      !filters.some((f) => f.operator === 'TEMPORAL_RANGE')
    ) {
      filters.push({ column: this.column(granularity), operator: 'TEMPORAL_RANGE', value: timeRange })
    }
    const metrics = asArray(saved.metrics).map((metric) => this.metric(metric))
    const axis = asArray(saved.columns).find(
      (column) => isRecord(column) && column.columnType === 'BASE_AXIS',
    )
    return {
      columns,
      metrics,
      filters,
      where: nonEmpty([asString(extras.where)]),
      having: nonEmpty([asString(extras.having)]),
      orderby: asArray(saved.orderby).map((entry) => this.orderBy(entry, metrics)),
      rowLimit: rowLimit(saved.row_limit),
      axisLabel: axis === undefined ? undefined : this.column(axis).label,
    }
  }

  /** A query built from form_data alone (charts saved without query_context, e.g. by MCP). */
  fromFormData(vizType: string, family: VizFamily, formData: Json): QueryObject {
    const { filters, where, having } = this.adhocFilters(formData)
    const metrics = this.metricsOf(family, formData)
    const orderDesc = formData.order_desc !== false
    const base = { filters, where, having, rowLimit: rowLimit(formData.row_limit), metrics }
    switch (family) {
      case 'table':
        return this.tableQuery(formData, base, orderDesc)
      case 'xy':
      case 'big_number': {
        const x =
          asString(formData.x_axis) ??
          asString(formData.granularity_sqla) ??
          this.dataset.main_dttm_col ??
          undefined
        if (x === undefined) throw invalid(`The ${vizType} chart has no x_axis.`)
        const axis = this.axisColumn(x, asString(formData.time_grain_sqla))
        const series = family === 'xy' ? asArray(formData.groupby).map((column) => this.column(column)) : []
        const orderby: OrderBy[] =
          family === 'xy' && metrics[0] !== undefined
            ? [{ target: { metric: metrics[0] }, ascending: !orderDesc }]
            : []
        return { ...base, columns: [axis, ...series], orderby, axisLabel: axis.label }
      }
      case 'pie': {
        const orderby: OrderBy[] =
          formData.sort_by_metric !== false && metrics[0]
            ? [{ target: { metric: metrics[0] }, ascending: false }]
            : []
        return {
          ...base,
          columns: asArray(formData.groupby).map((column) => this.column(column)),
          orderby,
          rowLimit: rowLimit(formData.row_limit, 100),
        }
      }
      case 'big_number_total':
        return { ...base, columns: [], orderby: [] }
      case 'pivot_table': {
        const columns = [...asArray(formData.groupbyColumns), ...asArray(formData.groupbyRows)].map(
          (column) => this.column(column),
        )
        const orderby: OrderBy[] = metrics[0]
          ? [{ target: { metric: metrics[0] }, ascending: !orderDesc }]
          : []
        return { ...base, columns, orderby }
      }
      case 'other':
        throw invalid(
          `Charts of type "${vizType}" without a saved query_context are not supported by the gateway.`,
        )
      default:
        return family satisfies never
    }
  }

  private tableQuery(
    formData: Json,
    base: Omit<QueryObject, 'columns' | 'orderby'>,
    orderDesc: boolean,
  ): QueryObject {
    const rawColumns =
      asArray(formData.all_columns).length > 0 ? asArray(formData.all_columns) : asArray(formData.columns)
    const raw =
      formData.query_mode === 'raw' ||
      (formData.query_mode === undefined && rawColumns.length > 0 && base.metrics.length === 0)
    if (raw) {
      const orderby = asArray(formData.order_by_cols).map((entry) => this.rawOrderBy(entry))
      return { ...base, metrics: [], columns: rawColumns.map((column) => this.column(column)), orderby }
    }
    const sortMetric = formData.timeseries_limit_metric
      ? this.metric(formData.timeseries_limit_metric)
      : base.metrics[0]
    const orderby: OrderBy[] = sortMetric ? [{ target: { metric: sortMetric }, ascending: !orderDesc }] : []
    return { ...base, columns: asArray(formData.groupby).map((column) => this.column(column)), orderby }
  }

  private metricsOf(family: VizFamily, formData: Json): MetricRef[] {
    if (family === 'pie' || family === 'big_number_total' || family === 'big_number') {
      return formData.metric === undefined || formData.metric === null ? [] : [this.metric(formData.metric)]
    }
    return [...asArray(formData.metrics), ...asArray(formData.percent_metrics)].map((metric) =>
      this.metric(metric),
    )
  }

  /** adhoc_filters (SIMPLE and SQL, WHERE and HAVING) plus the legacy time_range on granularity_sqla. */
  private adhocFilters(formData: Json): { filters: SimpleFilter[]; where: string[]; having: string[] } {
    const filters: SimpleFilter[] = []
    const where: string[] = []
    const having: string[] = []
    for (const entry of asArray(formData.adhoc_filters)) {
      if (!isRecord(entry)) throw invalid('An adhoc filter is not an object.')
      if (entry.expressionType === 'SQL') {
        const expression = asString(entry.sqlExpression)
        if (expression === undefined) continue
        ;(entry.clause === 'HAVING' ? having : where).push(expression)
        continue
      }
      if (entry.clause === 'HAVING')
        throw invalid('SIMPLE adhoc filters in the HAVING clause are not supported.')
      filters.push({
        column: this.column(entry.subject),
        operator: operatorOf(entry.operator),
        value: entry.comparator,
      })
    }
    const timeRange = asString(formData.time_range)
    const granularity = asString(formData.granularity_sqla)
    if (
      timeRange !== undefined &&
      granularity !== undefined &&
      !filters.some((f) => f.operator === 'TEMPORAL_RANGE')
    ) {
      filters.push({ column: this.column(granularity), operator: 'TEMPORAL_RANGE', value: timeRange })
    }
    return { filters, where, having }
  }

  private simpleFilterFromQuery(entry: unknown): SimpleFilter {
    if (!isRecord(entry)) throw invalid('A query filter is not an object.')
    return { column: this.column(entry.col), operator: operatorOf(entry.op), value: entry.val }
  }

  /** A column: a name, or an ad-hoc column object (`sqlExpression` naming a column counts as that column). */
  column(value: unknown, defaultGrain?: string): ColumnRef {
    if (typeof value === 'string' && value !== '') return { kind: 'column', name: value, label: value }
    if (!isRecord(value))
      throw invalid(`A column reference ${JSON.stringify(value)} is neither a name nor an ad-hoc column.`)
    const expression = asString(value.sqlExpression) ?? asString(value.column_name)
    if (expression === undefined) throw invalid('An ad-hoc column has no sqlExpression.')
    const label = asString(value.label) ?? expression
    const isAxis = value.columnType === 'BASE_AXIS'
    const grain = asString(value.timeGrain) ?? (isAxis ? defaultGrain : undefined)
    const known = this.dataset.columns.find((column) => column.column_name === expression)
    const timeGrain = grain !== undefined && (known === undefined || known.is_dttm) ? grain : undefined
    if (known !== undefined)
      return { kind: 'column', name: known.column_name, label, ...(timeGrain ? { timeGrain } : {}) }
    return { kind: 'sql', sql: expression, label, ...(timeGrain ? { timeGrain } : {}) }
  }

  private axisColumn(name: string, grain: string | undefined): ColumnRef {
    const known = this.dataset.columns.find((column) => column.column_name === name)
    const timeGrain = known?.is_dttm === true ? grain : undefined
    return { kind: 'column', name, label: name, ...(timeGrain ? { timeGrain } : {}) }
  }

  metric(value: unknown): MetricRef {
    if (typeof value === 'string' && value !== '') return { kind: 'saved', name: value, label: value }
    if (!isRecord(value))
      throw invalid(`A metric ${JSON.stringify(value)} is neither a saved metric name nor an ad-hoc metric.`)
    const customLabel = asString(value.label)
    if (value.expressionType === 'SQL') {
      const expression = asString(value.sqlExpression)
      if (expression === undefined) throw invalid('An ad-hoc SQL metric has no sqlExpression.')
      return { kind: 'sql', sql: expression, label: customLabel ?? expression }
    }
    const aggregate = String(value.aggregate ?? '').toUpperCase()
    if (!(AGGREGATES as readonly string[]).includes(aggregate)) {
      throw invalid(
        `The ad-hoc metric aggregate "${String(value.aggregate)}" is not supported; use one of ${AGGREGATES.join(', ')}.`,
      )
    }
    const columnValue = value.column
    const column =
      typeof columnValue === 'string'
        ? columnValue
        : isRecord(columnValue)
          ? asString(columnValue.column_name)
          : undefined
    if (column === undefined) throw invalid('An ad-hoc SIMPLE metric has no column.')
    return {
      kind: 'simple',
      aggregate: aggregate as Aggregate,
      column,
      label: customLabel ?? `${aggregate}(${column})`,
    }
  }

  private orderBy(entry: unknown, metrics: readonly MetricRef[]): OrderBy {
    if (!Array.isArray(entry) || entry.length !== 2 || typeof entry[1] !== 'boolean') {
      throw invalid('An orderby entry must be [metric or column, ascending].')
    }
    const [target, ascending] = entry as [unknown, boolean]
    const byLabel = (label: string) => metrics.find((metric) => metric.label === label)
    if (typeof target === 'string') {
      const metric = byLabel(target) ?? this.savedMetric(target)
      return metric !== undefined
        ? { target: { metric }, ascending }
        : { target: { column: this.column(target) }, ascending }
    }
    if (isRecord(target) && looksLikeMetric(target))
      return { target: { metric: this.metric(target) }, ascending }
    return { target: { column: this.column(target) }, ascending }
  }

  private savedMetric(name: string): MetricRef | undefined {
    return this.dataset.metrics.some((metric) => metric.metric_name === name)
      ? { kind: 'saved', name, label: name }
      : undefined
  }

  /** Raw-mode order_by_cols entries are JSON strings: '["order_date", false]'. */
  private rawOrderBy(entry: unknown): OrderBy {
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
    return { target: { column: this.column(parsed[0]) }, ascending: parsed[1] }
  }

  shape(vizType: string, family: VizFamily, formData: Json, query: QueryObject): VizShape {
    const metrics = query.metrics.map((metric) => metric.label)
    const dimensions = query.columns.map((column) => column.label)
    const axisLabel = query.axisLabel
    const series = axisLabel === undefined ? [] : dimensions.filter((label) => label !== axisLabel)
    const axisColumn = query.columns.find((column) => column.label === axisLabel)
    const temporalX =
      axisColumn !== undefined &&
      (axisColumn.timeGrain !== undefined ||
        (axisColumn.kind === 'column' &&
          this.dataset.columns.some((c) => c.column_name === axisColumn.name && c.is_dttm)))
    return {
      vizType,
      family,
      ...(family === 'xy' ? { kind: xyKind(vizType) } : {}),
      ...(axisLabel !== undefined ? { xAxis: axisLabel } : {}),
      series,
      metrics,
      dimensions,
      pivotRows: asArray(formData.groupbyRows).map((column) => this.column(column).label),
      pivotColumns: asArray(formData.groupbyColumns).map((column) => this.column(column).label),
      temporalX,
    }
  }
}

/** Ad-hoc metrics carry an aggregate or a metric_* optionName; ad-hoc columns carry neither. */
function looksLikeMetric(value: Json): boolean {
  if ('aggregate' in value && value.aggregate !== null && value.aggregate !== undefined) return true
  return typeof value.optionName === 'string' && value.optionName.startsWith('metric_')
}

function operatorOf(value: unknown): FilterOperator {
  const operator = String(value ?? '').toUpperCase()
  if (operator === '=') return '=='
  if (operator === '<>') return '!='
  if ((FILTER_OPERATORS as readonly string[]).includes(operator)) return operator as FilterOperator
  throw invalid(
    `The filter operator "${String(value)}" is not supported; use one of ${FILTER_OPERATORS.join(', ')}.`,
  )
}

function rowLimit(value: unknown, fallback = DEFAULT_ROW_LIMIT): number {
  const number = typeof value === 'string' ? Number(value) : value
  return typeof number === 'number' && Number.isInteger(number) && number > 0 ? number : fallback
}

function nonEmpty(values: readonly (string | undefined)[]): string[] {
  return values.filter((value): value is string => value !== undefined && value.trim() !== '')
}
