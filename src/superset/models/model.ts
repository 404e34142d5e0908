/**
 * Superset's models as the catalog tools read them (Superset's ModelListCore and ModelGetInfoCore): each
 * model's row source, columns, filters, search and order columns and visibility, and the one parameterised
 * statement a list or a lookup compiles to (visibility, filtering, ordering and paging done by Postgres).
 */
import { and, ident, join, or, sql, trusted, type Db, type SqlFragment } from '../../db'
import { GatewayError } from '../../errors'
import type { SupersetLinks } from '../links'
import type { Principal } from '../principal'

export const OPERATORS = [
  'eq',
  'ne',
  'sw',
  'ew',
  'in',
  'nin',
  'gt',
  'gte',
  'lt',
  'lte',
  'like',
  'ilike',
  'is_null',
  'is_not_null',
] as const
export type Operator = (typeof OPERATORS)[number]

/** Value types as Superset's get_schema reports them. */
export type ColumnType = 'int' | 'str' | 'bool' | 'float' | 'datetime' | 'dict' | 'list'

export type Row = Record<string, unknown>

export interface ColumnSpec {
  type: ColumnType
  description: string
  /** SQL producing the value (selected as the column's name); absent for computed columns. */
  sql?: SqlFragment
  /** SQL to order by, when it differs from `sql` (timestamps are selected as text, ordered as timestamps). */
  sortSql?: SqlFragment
  /** Computed from the row (after SQL); `needs` names the SQL columns it reads. */
  compute?: (row: Row, context: ModelContext) => unknown
  needs?: string[]
  /** Reshapes the SQL value (e.g. JSON text → object). */
  transform?: (value: unknown) => unknown
}

export interface FilterSpec {
  type: 'str' | 'int' | 'bool' | 'datetime' | 'relation'
  operators: readonly Operator[]
  /** The column expression, for plain filters. */
  sql?: SqlFragment
  /** For relationship filters (owner, favorite, dashboards): the whole condition. */
  condition?: (operator: Operator, value: unknown, context: ModelContext) => SqlFragment
}

export interface ModelSpec {
  model: string
  /** The Superset permission to list and read this model (its list and get tools need it). */
  readPermission: { permission: string; view: string }
  /** Key of the item array in the response (`dashboards`, `charts`, …). */
  listKey: string
  /** `FROM …` — the row source, aliased as `alias`. */
  from: SqlFragment
  alias: string
  /** The primary key expression, the tie-breaker of every ordering. */
  idColumn: SqlFragment
  columns: Record<string, ColumnSpec>
  /**
   * The columns holding text users wrote in Superset (names, descriptions, SQL, stored JSON, owners' and
   * editors' names), as paths into a row (`owners.first_name`: that key of every owner): the MCP layer marks
   * them as untrusted content (src/tools/core/authored.ts). Ids, types, flags, timestamps, links, usernames,
   * slugs (Superset keeps them to letters, digits, `_` and `-`) and database identifiers (schema, column and
   * metric names) are not listed.
   */
  authored: readonly string[]
  defaultColumns: readonly string[]
  sortable: readonly string[]
  /** Columns a `search` term is matched against (ORed). */
  searchColumns: readonly { name: string; sql: SqlFragment }[]
  filters: Record<string, FilterSpec>
  defaultOrder: { column: string; direction: 'asc' | 'desc' }
  /** Superset's base filter for the caller (DashboardAccessFilter, ChartFilter, …). */
  visibility(context: ModelContext): SqlFragment
}

/** Who is asking, and where Superset's tables are: what a model needs to see rows as the caller may. */
export interface ModelContext {
  principal: Principal
  db: Db
  links: SupersetLinks
  config: { superset: { dashboardRbac: boolean } }
  /** The request's clock (humanized times are relative to it). */
  now: Date
}

/** What a list asks for (the list tools' request, already validated). */
export interface ListQuery {
  filters: readonly FilterInput[]
  search?: string | undefined
  order_column?: string | undefined
  order_direction: 'asc' | 'desc'
  page: number
  page_size: number
}

/** A model row identifier: a numeric id, a UUID, or (dashboards) a slug. */
export type Identifier = number | string

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/**
 * Which row an identifier names: an integer (or digit string) is an id, a UUID a uuid, anything else a
 * slug where the model has one.
 */
export function identifierCondition(
  alias: string,
  identifier: Identifier,
  options: { slug: boolean },
): SqlFragment {
  if (typeof identifier === 'number') return sql`${trusted(alias)}.id = ${identifier}`
  if (/^\d+$/.test(identifier)) return sql`${trusted(alias)}.id = ${Number(identifier)}`
  if (UUID.test(identifier)) return sql`${trusted(alias)}.uuid = ${identifier.toLowerCase()}::uuid`
  if (options.slug) return sql`${trusted(alias)}.slug = ${identifier}`
  return trusted('FALSE')
}

/** Which columns to load, checked against the model: an unknown name is an error listing the valid ones. */
export function resolveColumns(spec: ModelSpec, requested: string[] | undefined): string[] {
  const columns = requested === undefined || requested.length === 0 ? [...spec.defaultColumns] : requested
  const unknown = columns.filter((column) => !(column in spec.columns))
  if (unknown.length > 0) {
    throw new GatewayError(
      'ValidationError',
      `Unknown select_columns for ${spec.model}: ${unknown.join(', ')}. Valid columns: ${Object.keys(spec.columns).join(', ')}.`,
      { details: { invalid_columns: unknown, columns_available: Object.keys(spec.columns) } },
    )
  }
  return [...new Set(columns)]
}

/** The SQL select list for the requested columns, plus what computed columns need, plus the id. */
export function selectList(spec: ModelSpec, columns: string[]): SqlFragment {
  const names = new Set<string>()
  for (const column of columns) {
    const columnSpec = spec.columns[column]
    if (columnSpec?.sql !== undefined) names.add(column)
    for (const need of columnSpec?.needs ?? []) names.add(need)
  }
  names.add('id')
  return join(
    [...names].map((name) => {
      const expression = spec.columns[name]?.sql
      if (expression === undefined) throw new Error(`column ${name} of ${spec.model} has no SQL`)
      return sql`${expression} AS ${ident(name)}`
    }),
    ', ',
  )
}

/** The value of each requested column, computed ones included, in request order. */
export function projectRow(spec: ModelSpec, columns: string[], row: Row, context: ModelContext): Row {
  const item: Row = {}
  for (const column of columns) {
    const columnSpec = spec.columns[column]
    if (columnSpec === undefined) continue
    const value = columnSpec.compute ? columnSpec.compute(row, context) : row[column]
    item[column] = serialise(columnSpec.transform ? columnSpec.transform(value) : value)
  }
  return item
}

/** Dates as ISO-8601, everything else as is (timestamps already arrive as Superset's naive ISO text). */
function serialise(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString()
  return value
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (match) => `\\${match}`)
}

function coerce(filter: FilterSpec, column: string, value: unknown): unknown {
  const fail = (expected: string): never => {
    throw new GatewayError(
      'ValidationError',
      `Filter on "${column}": expected ${expected}, got ${JSON.stringify(value)}.`,
    )
  }
  switch (filter.type) {
    case 'int':
      if (typeof value === 'number' && Number.isInteger(value)) return value
      if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return Number(value)
      return fail('an integer')
    case 'bool':
      if (typeof value === 'boolean') return value
      if (value === 'true' || value === 'false') return value === 'true'
      return fail('true or false')
    case 'datetime':
      if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return value
      return fail('an ISO-8601 date or datetime')
    case 'str':
    case 'relation':
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value
      return fail('a string')
  }
}

export interface FilterInput {
  col: string
  opr: Operator
  value?: unknown
}

/** One filter as SQL, with the operator and value checked for the column. */
export function filterCondition(spec: ModelSpec, input: FilterInput, context: ModelContext): SqlFragment {
  const filter = spec.filters[input.col]
  if (filter === undefined) throw new GatewayError('ValidationError', `Unknown filter column "${input.col}".`)
  if (!filter.operators.includes(input.opr)) {
    throw new GatewayError(
      'ValidationError',
      `Operator "${input.opr}" is not supported on "${input.col}"; use one of: ${filter.operators.join(', ')}.`,
    )
  }
  const needsValue = input.opr !== 'is_null' && input.opr !== 'is_not_null'
  if (needsValue && (input.value === undefined || input.value === null)) {
    throw new GatewayError('ValidationError', `Filter on "${input.col}" with "${input.opr}" needs a value.`)
  }
  const listOperator = input.opr === 'in' || input.opr === 'nin'
  if (listOperator && !Array.isArray(input.value)) {
    throw new GatewayError(
      'ValidationError',
      `Filter on "${input.col}" with "${input.opr}" needs a list value.`,
    )
  }
  if (!listOperator && Array.isArray(input.value)) {
    throw new GatewayError(
      'ValidationError',
      `Filter on "${input.col}" with "${input.opr}" takes a single value, not a list.`,
    )
  }
  const value = !needsValue
    ? undefined
    : listOperator
      ? (Array.isArray(input.value) ? input.value : [input.value]).map((item) =>
          coerce(filter, input.col, item),
        )
      : coerce(filter, input.col, input.value)
  if (filter.condition !== undefined) return filter.condition(input.opr, value, context)
  if (filter.sql === undefined) throw new Error(`filter ${input.col} has neither sql nor condition`)
  return operatorCondition(filter.sql, input.opr, value)
}

/** Superset's ColumnOperatorEnum on one column expression. */
export function operatorCondition(column: SqlFragment, operator: Operator, value: unknown): SqlFragment {
  const text = (): string => String(value)
  switch (operator) {
    case 'eq':
      return sql`${column} = ${value}`
    case 'ne':
      return sql`${column} <> ${value}`
    case 'sw':
      return sql`${column}::text LIKE ${escapeLike(text()) + '%'}`
    case 'ew':
      return sql`${column}::text LIKE ${'%' + escapeLike(text())}`
    case 'like':
      return sql`${column}::text LIKE ${'%' + escapeLike(text()) + '%'}`
    case 'ilike':
      return sql`${column}::text ILIKE ${'%' + escapeLike(text()) + '%'}`
    case 'in':
      return sql`${column} = ANY(${value})`
    case 'nin':
      return sql`NOT (${column} = ANY(${value}))`
    case 'gt':
      return sql`${column} > ${value}`
    case 'gte':
      return sql`${column} >= ${value}`
    case 'lt':
      return sql`${column} < ${value}`
    case 'lte':
      return sql`${column} <= ${value}`
    case 'is_null':
      return sql`${column} IS NULL`
    case 'is_not_null':
      return sql`${column} IS NOT NULL`
  }
}

export function searchCondition(spec: ModelSpec, term: string): SqlFragment {
  const pattern = `%${escapeLike(term)}%`
  return or(spec.searchColumns.map((column) => sql`CAST(${column.sql} AS TEXT) ILIKE ${pattern}`))
}

export interface ListResult {
  items: Row[]
  totalCount: number
}

/** Runs the list: one statement; a second (count) only when the page is past the end. */
export async function runList(
  spec: ModelSpec,
  request: ListQuery,
  columns: string[],
  context: ModelContext,
): Promise<ListResult> {
  const search = request.search?.trim()
  if (search !== undefined && search !== '' && request.filters.length > 0) {
    throw new GatewayError('ValidationError', 'Use either filters or search, not both.')
  }
  const orderColumn = request.order_column ?? spec.defaultOrder.column
  if (!spec.sortable.includes(orderColumn)) {
    throw new GatewayError(
      'ValidationError',
      `Cannot order by "${orderColumn}"; sortable columns: ${spec.sortable.join(', ')}.`,
    )
  }
  const orderSpec = spec.columns[orderColumn]
  const orderExpression = orderSpec?.sortSql ?? orderSpec?.sql
  if (orderExpression === undefined) throw new Error(`sortable column ${orderColumn} has no SQL`)
  const where = and([
    spec.visibility(context),
    ...request.filters.map((filter) => filterCondition(spec, filter, context)),
    search !== undefined && search !== '' ? searchCondition(spec, search) : trusted(''),
  ])
  const direction = trusted(request.order_direction === 'asc' ? 'ASC NULLS FIRST' : 'DESC NULLS LAST')
  const offset = (request.page - 1) * request.page_size
  const rows = await context.db.query<Row & { __total_count: string | number }>(sql`
    SELECT ${selectList(spec, columns)}, count(*) OVER () AS __total_count
      FROM ${spec.from}
     WHERE ${where}
     ORDER BY ${orderExpression} ${direction}, ${spec.idColumn} ${direction}
     LIMIT ${request.page_size} OFFSET ${offset}`)
  let totalCount = rows.length > 0 ? Number(rows[0]?.__total_count) : 0
  if (rows.length === 0 && offset > 0) {
    const [count] = await context.db.query<{ n: string | number }>(
      sql`SELECT count(*) AS n FROM ${spec.from} WHERE ${where}`,
    )
    totalCount = Number(count?.n ?? 0)
  }
  return { items: rows.map((row) => projectRow(spec, columns, row, context)), totalCount }
}

/**
 * One row by identifier, through the same visibility as the list (Superset's ModelGetInfoCore): a row
 * the caller may not see answers exactly like a missing one.
 */
export async function findVisibleRow(
  spec: ModelSpec,
  identifier: Identifier,
  loaded: string[],
  context: ModelContext,
  options: { slug: boolean; label: string },
): Promise<Row> {
  const [row] = await context.db.query<Row>(sql`
    SELECT ${selectList(spec, loaded)}
      FROM ${spec.from}
     WHERE ${and([identifierCondition(spec.alias, identifier, { slug: options.slug }), spec.visibility(context)])}
     LIMIT 1`)
  if (row === undefined) {
    throw new GatewayError('NotFoundError', `${options.label} with identifier '${identifier}' not found`, {
      details: { resource_type: spec.model, resource_id: identifier },
    })
  }
  return row
}
