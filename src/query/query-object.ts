/**
 * The engine's typed query: what Superset's QueryObject says (columns, metrics, filters, extras,
 * ordering, row limit), after reading it from a chart's query_context or form_data. build.ts turns it
 * into SQL; nothing here touches a database.
 */

export const AGGREGATES = ['SUM', 'AVG', 'COUNT', 'COUNT_DISTINCT', 'MIN', 'MAX'] as const
export type Aggregate = (typeof AGGREGATES)[number]

export const FILTER_OPERATORS = [
  '==',
  '!=',
  '>',
  '<',
  '>=',
  '<=',
  'IN',
  'NOT IN',
  'LIKE',
  'NOT LIKE',
  'ILIKE',
  'NOT ILIKE',
  'IS NULL',
  'IS NOT NULL',
  'IS TRUE',
  'IS FALSE',
  'TEMPORAL_RANGE',
] as const
export type FilterOperator = (typeof FILTER_OPERATORS)[number]

/** A dimension: a dataset column (physical or calculated) or an ad-hoc SQL expression. */
export type ColumnRef =
  | { kind: 'column'; name: string; label: string; timeGrain?: string }
  | { kind: 'sql'; sql: string; label: string; timeGrain?: string }

export type MetricRef =
  | { kind: 'saved'; name: string; label: string }
  | { kind: 'simple'; aggregate: Aggregate; column: string; label: string }
  | { kind: 'sql'; sql: string; label: string }

export interface SimpleFilter {
  column: ColumnRef
  operator: FilterOperator
  value: unknown
}

export interface OrderBy {
  target: { metric: MetricRef } | { column: ColumnRef }
  ascending: boolean
}

export interface QueryObject {
  /** Dimensions (GROUP BY when there are metrics) or, without metrics, the raw columns. */
  columns: ColumnRef[]
  metrics: MetricRef[]
  filters: SimpleFilter[]
  /** Ad-hoc SQL WHERE / HAVING clauses (ANDed). */
  where: string[]
  having: string[]
  orderby: OrderBy[]
  rowLimit: number
  /** Label of the x-axis column of a time series / categorical x (results are sorted by it). */
  axisLabel?: string
}

/** How a chart's data is shaped for previews, from its viz_type and form_data. */
export type VizFamily = 'table' | 'xy' | 'pie' | 'big_number_total' | 'big_number' | 'pivot_table' | 'other'

export interface VizShape {
  vizType: string
  family: VizFamily
  /** xy: line | bar | area | scatter. */
  kind?: 'line' | 'bar' | 'area' | 'scatter'
  xAxis?: string
  series: string[]
  metrics: string[]
  dimensions: string[]
  pivotRows: string[]
  pivotColumns: string[]
  temporalX: boolean
}

export interface ChartQuery {
  query: QueryObject
  shape: VizShape
  /**
   * mixed_timeseries: query B, the series on the secondary y axis. get_chart_data returns query A only,
   * as 6.1; previews draw both.
   */
  secondary?: { query: QueryObject; shape: VizShape }
}

export const DEFAULT_ROW_LIMIT = 10_000
/** Superset's SQL_MAX_ROW for chart queries; the gateway's own ceiling. */
export const MAX_ROW_LIMIT = 50_000
