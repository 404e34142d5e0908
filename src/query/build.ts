/**
 * QueryObject + dataset metadata → one parameterised PostgreSQL query, the way Superset's
 * get_sqla_query shapes it: dimensions and metrics labelled, WHERE (simple filters, time range, ad-hoc
 * SQL), GROUP BY when there are metrics, HAVING, ORDER BY, LIMIT. Pure: no I/O, so it is unit-tested.
 *
 * Values are always bound parameters. Column names must exist in the dataset and are quoted by the one
 * helper (quoteIdent). SQL expressions from the metadata or chart params are checked with PostgreSQL's
 * parser (src/guardrails: ad-hoc ones against the allow-lists) and parenthesised. Row-level security is not decided here: it arrives inside `source`, the FROM
 * item, as a filtered subquery (source.ts), so nothing in the outer query can widen it.
 */
import { quoteAuthored } from '../markers'
import { EMPTY, join, quoteIdent, sql, trusted, type SqlFragment } from '../db'
import { GatewayError } from '../errors'
import { checkExpression, type ExpressionOrigin, type FunctionPolicy, type SqlParser } from '../guardrails'
import type { DatasetColumn, DatasetMeta } from '../superset'
import type { ColumnRef, MetricRef, OrderBy, QueryObject, SimpleFilter } from './query-object'
import { applyTimeGrain } from './time-grain'
import { parseTimeRange, toSqlTimestamp } from './time-range'

export interface BuildInput {
  query: QueryObject
  dataset: DatasetMeta
  /** The FROM item, row-level security included. */
  source: string
  /** The request clock, for relative time ranges. */
  now: Date
  /** The parser and the database's function policy, for the SQL expressions. */
  guard: ExpressionGuard
}

export interface ExpressionGuard {
  parser: SqlParser
  policy: FunctionPolicy
}

export function buildChartSql({ query, dataset, source, now, guard }: BuildInput): SqlFragment {
  const check = expressionChecker(guard, now)
  const resolver = new Resolver(dataset, check)
  const dimensions = query.columns.map((column) => ({ label: column.label, sql: resolver.column(column) }))
  const metrics = query.metrics.map((metric) => ({ label: metric.label, sql: resolver.metric(metric) }))
  const selected = [...dimensions, ...metrics]
  if (selected.length === 0) throw invalid('The query selects no columns and no metrics.')
  assertUniqueLabels(selected.map((item) => item.label))
  const selectList = join(
    selected.map((item) => trusted(`${item.sql} AS ${quoteIdent(item.label)}`)),
    ', ',
  )
  const conditions = [
    ...query.filters.map((filter) => filterCondition(filter, resolver, now)),
    ...query.where.map((clause) => trusted(`(${check(clause, 'ad-hoc WHERE filter', clipped(clause))})`)),
  ]
  const where = conditions.length === 0 ? EMPTY : sql` WHERE ${join(conditions, ' AND ')}`
  const grouped = metrics.length > 0 && dimensions.length > 0
  const groupBy = grouped ? trusted(` GROUP BY ${dimensions.map((_, index) => index + 1).join(', ')}`) : EMPTY
  const having =
    query.having.length === 0 || metrics.length === 0
      ? EMPTY
      : trusted(
          ` HAVING ${query.having.map((clause) => `(${check(clause, 'ad-hoc HAVING filter', clipped(clause))})`).join(' AND ')}`,
        )
  const orderBy = orderByClause(query.orderby, selected, resolver)
  const inner = sql`SELECT ${selectList} FROM ${trusted(source)}${where}${groupBy}${having}${orderBy} LIMIT ${query.rowLimit}`
  if (query.axisLabel === undefined) return inner
  // Superset pivots time series on the x axis: rows come back in axis (then series) order.
  const sortKeys = [
    query.axisLabel,
    ...dimensions.map((item) => item.label).filter((label) => label !== query.axisLabel),
  ]
  return sql`SELECT * FROM (${inner}) AS chart_rows ORDER BY ${trusted(sortKeys.map(quoteIdent).join(', '))}`
}

type Check = (text: string, origin: ExpressionOrigin, name: string) => string

/** Ad-hoc expressions are held to the allow-lists; saved metrics and calculated columns are Superset's. */
function expressionChecker(guard: ExpressionGuard, now: Date): Check {
  return (text, origin, name) => {
    const trusted = origin === 'saved metric' || origin === 'calculated column'
    return checkExpression(guard.parser, text, {
      origin,
      name,
      trusted,
      allowSubqueries: trusted,
      policy: guard.policy,
      now: now.getTime(),
    })
  }
}

function clipped(clause: string): string {
  return clause.length > 60 ? `${clause.slice(0, 57)}...` : clause
}

function invalid(message: string, details: Record<string, unknown> = {}): GatewayError {
  return new GatewayError('ValidationError', message, { details: { reason: 'invalid_query', ...details } })
}

function assertUniqueLabels(labels: readonly string[]): void {
  const seen = new Set<string>()
  for (const label of labels) {
    if (seen.has(label))
      throw invalid(`Two selected items share the label ${quoteAuthored(label)}; give one a different label.`)
    seen.add(label)
  }
}

/** Resolves names against the dataset and renders checked SQL for columns and metrics. */
class Resolver {
  private readonly dataset: DatasetMeta
  private readonly check: Check

  constructor(dataset: DatasetMeta, check: Check) {
    this.dataset = dataset
    this.check = check
  }

  column(ref: ColumnRef): string {
    const base = ref.kind === 'column' ? this.columnSql(ref.name) : this.adhocColumnSql(ref.sql, ref.label)
    return applyTimeGrain(base, ref.timeGrain)
  }

  columnSql(name: string): string {
    const column = this.findColumn(name)
    if (column.expression === null) return quoteIdent(column.column_name)
    return `(${this.check(column.expression, 'calculated column', name)})`
  }

  private adhocColumnSql(expression: string, label: string): string {
    return `(${this.check(expression, 'ad-hoc column', label)})`
  }

  private findColumn(name: string): DatasetColumn {
    const column = this.dataset.columns.find((candidate) => candidate.column_name === name)
    if (column !== undefined) return column
    const valid = this.dataset.columns.map((candidate) => quoteAuthored(candidate.column_name)).join(', ')
    throw invalid(
      `The dataset ${quoteAuthored(this.dataset.table_name)} has no column ${quoteAuthored(name)}. Valid columns: ${valid}.`,
      {
        column: quoteAuthored(name),
      },
    )
  }

  metric(ref: MetricRef): string {
    switch (ref.kind) {
      case 'saved': {
        const metric = this.dataset.metrics.find((candidate) => candidate.metric_name === ref.name)
        if (metric === undefined) {
          const valid = this.dataset.metrics
            .map((candidate) => quoteAuthored(candidate.metric_name))
            .join(', ')
          throw invalid(
            `The dataset ${quoteAuthored(this.dataset.table_name)} has no saved metric ${quoteAuthored(ref.name)}. Saved metrics: ${valid}.`,
            {
              metric: quoteAuthored(ref.name),
            },
          )
        }
        return `(${this.check(metric.expression, 'saved metric', ref.name)})`
      }
      case 'simple': {
        const column = this.columnSql(ref.column)
        return ref.aggregate === 'COUNT_DISTINCT'
          ? `COUNT(DISTINCT ${column})`
          : `${ref.aggregate}(${column})`
      }
      case 'sql':
        return `(${this.check(ref.sql, 'ad-hoc metric', ref.label)})`
      default:
        return ref satisfies never
    }
  }
}

type Scalar = string | number | boolean

function isScalar(value: unknown): value is Scalar {
  return (
    typeof value === 'string' ||
    (typeof value === 'number' && Number.isFinite(value)) ||
    typeof value === 'boolean'
  )
}

function filterCondition(filter: SimpleFilter, resolver: Resolver, now: Date): SqlFragment {
  const column = trusted(resolver.column(filter.column))
  const label = filter.column.label
  const scalar = (): Scalar => {
    if (!isScalar(filter.value)) {
      throw invalid(
        `The filter on ${quoteAuthored(label)} (${filter.operator}) needs a single text, number or boolean value.`,
      )
    }
    return filter.value
  }
  switch (filter.operator) {
    case '==':
      return filter.value === null ? sql`${column} IS NULL` : sql`${column} = ${scalar()}`
    case '!=':
      return filter.value === null ? sql`${column} IS NOT NULL` : sql`${column} <> ${scalar()}`
    case '>':
      return sql`${column} > ${scalar()}`
    case '<':
      return sql`${column} < ${scalar()}`
    case '>=':
      return sql`${column} >= ${scalar()}`
    case '<=':
      return sql`${column} <= ${scalar()}`
    case 'IN':
    case 'NOT IN':
      return inCondition(column, filter, label)
    case 'LIKE':
      return sql`${column} LIKE ${String(scalar())}`
    case 'NOT LIKE':
      return sql`${column} NOT LIKE ${String(scalar())}`
    case 'ILIKE':
      return sql`${column} ILIKE ${String(scalar())}`
    case 'NOT ILIKE':
      return sql`${column} NOT ILIKE ${String(scalar())}`
    case 'IS NULL':
      return sql`${column} IS NULL`
    case 'IS NOT NULL':
      return sql`${column} IS NOT NULL`
    case 'IS TRUE':
      return sql`${column} IS TRUE`
    case 'IS FALSE':
      return sql`${column} IS FALSE`
    case 'TEMPORAL_RANGE':
      return temporalCondition(column, filter.value, now)
    default:
      return filter.operator satisfies never
  }
}

/** IN / NOT IN with a bound array; a null in the list matches NULL, as Superset does. */
function inCondition(column: SqlFragment, filter: SimpleFilter, label: string): SqlFragment {
  const values = Array.isArray(filter.value) ? filter.value : [filter.value]
  const present = values.filter((value) => value !== null)
  if (!present.every(isScalar))
    throw invalid(
      `The ${filter.operator} filter on "${label}" needs a list of text, number or boolean values.`,
    )
  const list = present.map((value) => (typeof value === 'boolean' ? value : String(value)))
  const hasNull = present.length < values.length
  if (filter.operator === 'IN') {
    const matches = list.length === 0 ? trusted('FALSE') : sql`${column} = ANY(${list})`
    return hasNull ? sql`(${matches} OR ${column} IS NULL)` : matches
  }
  const excluded = list.length === 0 ? trusted('TRUE') : sql`NOT (${column} = ANY(${list}))`
  return hasNull ? sql`(${excluded} AND ${column} IS NOT NULL)` : excluded
}

function temporalCondition(column: SqlFragment, value: unknown, now: Date): SqlFragment {
  if (value !== null && value !== undefined && typeof value !== 'string')
    throw invalid('A TEMPORAL_RANGE filter needs a time range text.')
  const range = parseTimeRange(value ?? null, now)
  const parts: SqlFragment[] = []
  if (range.since !== null) parts.push(sql`${column} >= CAST(${toSqlTimestamp(range.since)} AS TIMESTAMP)`)
  if (range.until !== null) parts.push(sql`${column} < CAST(${toSqlTimestamp(range.until)} AS TIMESTAMP)`)
  return parts.length === 0 ? trusted('TRUE') : join(parts, ' AND ')
}

function orderByClause(
  orderby: readonly OrderBy[],
  selected: readonly { label: string; sql: string }[],
  resolver: Resolver,
): SqlFragment {
  if (orderby.length === 0) return EMPTY
  const terms = orderby.map(({ target, ascending }) => {
    const direction = ascending ? 'ASC' : 'DESC'
    const label = 'metric' in target ? target.metric.label : target.column.label
    const position = selected.findIndex((item) => item.label === label)
    if (position >= 0) return `${position + 1} ${direction}`
    const expression = 'metric' in target ? resolver.metric(target.metric) : resolver.column(target.column)
    return `${expression} ${direction}`
  })
  return trusted(` ORDER BY ${terms.join(', ')}`)
}
