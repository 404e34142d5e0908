/**
 * Reading a query object of a chart's query_context (Superset's QueryObject: columns, metrics, filters,
 * extras, orderby, row_limit) into the engine's typed query, and the chart's result shape for previews.
 * The query_context is the chart's stored one (parsed by query-context.ts) or the one the chart model
 * built from its form_data (chart-model.ts): either way this is the one reading, so a chart saved by
 * the gateway runs exactly what its check and its preview ran. Unknown shapes are refused, not guessed.
 */
import { GatewayError } from '../errors'
import type { DatasetMeta } from '../superset'
import { buildQueryContext, vizModel } from './chart-model'
import type { QueryContext, QueryObjectJson } from './query-context'
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

/**
 * A chart's query and result shape, from its query_context: the stored one when the chart has one (as
 * Superset's ChartDataCommand runs it), else the one the chart model builds from form_data. The first
 * query object is the chart's data (the one get_chart_data returns, as Superset's MCP service does); a
 * mixed_timeseries chart's query B (its secondary axis) is read too, for previews.
 */
export function chartQuery(
  vizType: string,
  formData: Json,
  queryContext: QueryContext | undefined,
  dataset: DatasetMeta,
): ChartQuery {
  const context = queryContext ?? buildQueryContext(vizType, formData, dataset)
  const reader = new Reader(dataset)
  const query = reader.fromQueryObject(context.queries[0]!)
  const index = vizModel(vizType)?.secondaryQuery
  const other = index === undefined ? undefined : context.queries[index]
  if (other === undefined) return { query, shape: reader.shape(vizType, formData, query, 0) }
  const secondary = reader.fromQueryObject(other)
  return {
    query,
    shape: reader.shape(vizType, formData, query, 0),
    secondary: { query: secondary, shape: reader.shape(vizType, formData, secondary, index!) },
  }
}

class Reader {
  private readonly dataset: DatasetMeta

  constructor(dataset: DatasetMeta) {
    this.dataset = dataset
  }

  /** A query_context QueryObject (the frontend's buildQuery output, or the chart model's). */
  fromQueryObject(saved: QueryObjectJson): QueryObject {
    const extras = saved.extras ?? {}
    const grain = asString(extras.time_grain_sqla)
    const columns = (saved.columns ?? []).map((column) => this.column(column, grain))
    const filters = (saved.filters ?? []).map((filter) => this.simpleFilterFromQuery(filter))
    const granularity = asString(saved.granularity)
    const timeRange = asString(saved.time_range)
    if (
      granularity !== undefined &&
      timeRange !== undefined &&
      !filters.some((f) => f.operator === 'TEMPORAL_RANGE')
    ) {
      filters.push({ column: this.column(granularity), operator: 'TEMPORAL_RANGE', value: timeRange })
    }
    const metrics = (saved.metrics ?? []).map((metric) => this.metric(metric))
    const axis = (saved.columns ?? []).find((column) => isRecord(column) && column.columnType === 'BASE_AXIS')
    return {
      columns,
      metrics,
      filters,
      where: nonEmpty([asString(extras.where)]),
      having: nonEmpty([asString(extras.having)]),
      orderby: (saved.orderby ?? []).map((entry) => this.orderBy(entry, metrics)),
      rowLimit: rowLimit(saved.row_limit),
      axisLabel: axis === undefined ? undefined : this.column(axis).label,
    }
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
    const selected = isRecord(target) ? byLabel(asString(target.label) ?? '') : undefined
    if (selected !== undefined) return { target: { metric: selected }, ascending }
    if (isRecord(target) && looksLikeMetric(target))
      return { target: { metric: this.metric(target) }, ascending }
    return { target: { column: this.column(target) }, ascending }
  }

  private savedMetric(name: string): MetricRef | undefined {
    return this.dataset.metrics.some((metric) => metric.metric_name === name)
      ? { kind: 'saved', name, label: name }
      : undefined
  }

  shape(vizType: string, formData: Json, query: QueryObject, index: number): VizShape {
    const model = vizModel(vizType)
    const family = model?.family ?? 'other'
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
      ...(model?.kind === undefined ? {} : { kind: model.kind(vizType, formData, index) }),
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
