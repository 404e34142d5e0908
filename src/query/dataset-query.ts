/**
 * query_dataset's request → the engine's QueryObject: saved metrics and dataset columns by name (nothing
 * else: no ad-hoc SQL), simple filters whose values are bound, a time range on the dataset's temporal
 * column, ordering and a row limit. Every name must exist in the dataset; unknown ones are refused with
 * close matches, as Superset's query_dataset refuses them, before anything reaches a database.
 */
import { quoteAuthored } from '../markers'
import { GatewayError } from '../errors'
import type { DatasetMeta } from '../superset'
import { closeMatches } from '../suggest'
import type { ColumnRef, FilterOperator, MetricRef, OrderBy, QueryObject } from './query-object'

type Scalar = string | number | boolean | null

export interface DatasetQueryFilter {
  col: string
  op: FilterOperator
  val?: Scalar | Scalar[] | undefined
}

export interface DatasetQueryRequest {
  metrics: readonly string[]
  columns: readonly string[]
  filters: readonly DatasetQueryFilter[]
  time_range?: string | undefined
  time_column?: string | undefined
  order_by?: readonly string[] | undefined
  order_desc: boolean
  row_limit: number
}

export interface DatasetQueryPlan {
  query: QueryObject
  /** The filters applied, the time range's TEMPORAL_RANGE filter included. */
  appliedFilters: DatasetQueryFilter[]
  warnings: string[]
}

function unknownNames(requested: readonly string[], valid: readonly string[], kind: string): string[] {
  return requested
    .filter((name) => !valid.includes(name))
    .map((name) => {
      const close = closeMatches(name, valid)
      const hint = close.length > 0 ? `. Did you mean: ${close.map(quoteAuthored).join(', ')}?` : ''
      return `Unknown ${kind}: ${quoteAuthored(name)}${hint}`
    })
}

function invalid(message: string): GatewayError {
  return new GatewayError('ValidationError', message, { details: { reason: 'invalid_query' } })
}

export function datasetQuery(dataset: DatasetMeta, request: DatasetQueryRequest): DatasetQueryPlan {
  const columnNames = dataset.columns.map((column) => column.column_name)
  const metricNames = dataset.metrics.map((metric) => metric.metric_name)
  const errors = [
    ...unknownNames(request.columns, columnNames, 'column'),
    ...unknownNames(request.metrics, metricNames, 'metric'),
    ...unknownNames(
      request.filters.map((filter) => filter.col),
      columnNames,
      'filter column',
    ),
    ...unknownNames(request.order_by ?? [], [...columnNames, ...metricNames], 'order_by'),
  ]
  if (errors.length > 0)
    throw invalid(`${errors.join('; ')}. Use get_dataset_info to see the dataset's columns and metrics.`)

  const column = (name: string): ColumnRef => ({ kind: 'column', name, label: name })
  const metric = (name: string): MetricRef => ({ kind: 'saved', name, label: name })
  const appliedFilters = request.filters.map((filter) => ({ ...filter }))
  const warnings: string[] = []
  if (request.time_range !== undefined) {
    const temporal = request.time_column ?? dataset.main_dttm_col ?? undefined
    if (temporal === undefined || temporal === '') {
      throw invalid(
        'time_range was given but the dataset has no main datetime column; pass time_column with a temporal column.',
      )
    }
    const found = dataset.columns.find((candidate) => candidate.column_name === temporal)
    if (found === undefined)
      throw invalid(`time_column ${quoteAuthored(temporal)} does not exist on this dataset.`)
    if (!found.is_dttm) {
      warnings.push(
        `Column ${quoteAuthored(temporal)} is not marked as a datetime column on this dataset; time filtering may not work as expected.`,
      )
    }
    appliedFilters.push({ col: temporal, op: 'TEMPORAL_RANGE', val: request.time_range })
  }
  const ascending = !request.order_desc
  const orderby: OrderBy[] = (request.order_by ?? []).map((name) =>
    metricNames.includes(name) && !request.columns.includes(name)
      ? { target: { metric: metric(name) }, ascending }
      : { target: { column: column(name) }, ascending },
  )
  if (orderby.length === 0 && request.metrics.length > 0) {
    orderby.push({ target: { metric: metric(request.metrics[0]!) }, ascending })
  }
  return {
    query: {
      columns: request.columns.map(column),
      metrics: request.metrics.map(metric),
      filters: appliedFilters.map((filter) => ({
        column: column(filter.col),
        operator: filter.op,
        value: filter.val ?? null,
      })),
      where: [],
      having: [],
      orderby,
      rowLimit: request.row_limit,
    },
    appliedFilters,
    warnings,
  }
}
