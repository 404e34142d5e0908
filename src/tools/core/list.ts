/**
 * The list machinery shared by list_dashboards, list_charts, list_datasets and list_databases
 * (Superset's ModelListCore): filters, search, select_columns, ordering and 1-based pages, compiled into
 * one parameterised SQL statement with visibility, filtering, ordering and paging done by Postgres.
 */
import * as z from 'zod'
import type { SqlFragment } from '../../db'
import { and, ident, join, or, sql, trusted } from '../../db'
import { GatewayError } from '../../errors'
import { CacheControlFields, CacheStatusField } from './cache-flags'
import type { ToolContext } from './definition'
import { identifierCondition, type Identifier } from './identifier'

export const DEFAULT_PAGE_SIZE = 10
export const MAX_PAGE_SIZE = 100

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
  compute?: (row: Row, context: ToolContext) => unknown
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
  condition?: (operator: Operator, value: unknown, context: ToolContext) => SqlFragment
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
  defaultColumns: readonly string[]
  sortable: readonly string[]
  /** Columns a `search` term is matched against (ORed). */
  searchColumns: readonly { name: string; sql: SqlFragment }[]
  filters: Record<string, FilterSpec>
  defaultOrder: { column: string; direction: 'asc' | 'desc' }
  /** Superset's base filter for the caller (DashboardAccessFilter, ChartFilter, …). */
  visibility(context: ToolContext): SqlFragment
}

/** `select_columns` as a list, a JSON array string or a comma-separated string. */
export const SelectColumnsSchema = z
  .union([z.array(z.string().min(1)), z.string()])
  .optional()
  .describe('Columns to return. Defaults to a compact set; get_schema lists every selectable column.')

export function parseColumnList(value: string[] | string | undefined): string[] | undefined {
  if (value === undefined) return undefined
  if (Array.isArray(value)) return value.map((column) => column.trim()).filter((column) => column !== '')
  const text = value.trim()
  if (text === '') return undefined
  if (text.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(text)
      if (Array.isArray(parsed) && parsed.every((item) => typeof item === 'string')) return parsed
    } catch {
      // fall through to the error below
    }
    throw new GatewayError('ValidationError', 'select_columns: expected a list of column names.')
  }
  return text
    .split(',')
    .map((column) => column.trim())
    .filter((column) => column !== '')
}

/** The request fields every list tool shares, with Superset's names, defaults and bounds. */
export function listRequestSchema(spec: ModelSpec) {
  const filterColumns = Object.keys(spec.filters) as [string, ...string[]]
  return z.strictObject({
    filters: z
      .array(
        z.strictObject({
          col: z.enum(filterColumns).describe('Column to filter on.'),
          opr: z.enum(OPERATORS).describe('Operator.'),
          value: z
            .union([
              z.string(),
              z.number(),
              z.boolean(),
              z.null(),
              z.array(z.union([z.string(), z.number(), z.boolean()])),
            ])
            .optional()
            .describe('Value to compare with (a list for in/nin; omitted for is_null/is_not_null).'),
        }),
      )
      .default([])
      .describe(`Filters, ANDed. Columns: ${filterColumns.join(', ')}. Cannot be combined with search.`),
    search: z
      .string()
      .optional()
      .describe(
        `Case-insensitive text search across ${spec.searchColumns.map((column) => column.name).join(', ')}. Cannot be combined with filters.`,
      ),
    select_columns: SelectColumnsSchema,
    order_column: z
      .string()
      .optional()
      .describe(`Sort column: one of ${spec.sortable.join(', ')}.`),
    order_direction: z.enum(['asc', 'desc']).default(spec.defaultOrder.direction).describe('Sort direction.'),
    page: z.int().min(1).default(1).describe('1-based page number.'),
    page_size: z
      .int()
      .min(1)
      .max(MAX_PAGE_SIZE)
      .default(DEFAULT_PAGE_SIZE)
      .describe(`Items per page (1–${MAX_PAGE_SIZE}).`),
    ...CacheControlFields,
  })
}

export type ListRequest = z.output<ReturnType<typeof listRequestSchema>>

export function listResponseSchema(listKey: string) {
  return z.object({
    [listKey]: z.array(z.record(z.string(), z.unknown())),
    count: z.int(),
    total_count: z.int(),
    page: z.int(),
    page_size: z.int(),
    total_pages: z.int(),
    has_previous: z.boolean(),
    has_next: z.boolean(),
    columns_requested: z.array(z.string()),
    columns_loaded: z.array(z.string()),
    columns_available: z.array(z.string()),
    sortable_columns: z.array(z.string()),
    filters_applied: z.array(z.record(z.string(), z.unknown())),
    pagination: z.object({
      page: z.int(),
      page_size: z.int(),
      total_count: z.int(),
      total_pages: z.int(),
      has_next: z.boolean(),
      has_previous: z.boolean(),
    }),
    timestamp: z.string(),
    truncated: z.boolean().optional(),
    truncation_hint: z.string().optional(),
    ...CacheStatusField,
  })
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
export function projectRow(spec: ModelSpec, columns: string[], row: Row, context: ToolContext): Row {
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
export function filterCondition(spec: ModelSpec, input: FilterInput, context: ToolContext): SqlFragment {
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
  request: ListRequest,
  columns: string[],
  context: ToolContext,
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

/** Superset's list response envelope. */
export function listResponse(
  spec: ModelSpec,
  request: ListRequest,
  requested: string[],
  loaded: string[],
  result: ListResult,
  now: Date,
) {
  const totalPages = result.totalCount === 0 ? 0 : Math.ceil(result.totalCount / request.page_size)
  const pagination = {
    page: request.page,
    page_size: request.page_size,
    total_count: result.totalCount,
    total_pages: totalPages,
    has_next: request.page < totalPages,
    has_previous: request.page > 1,
  }
  return {
    [spec.listKey]: result.items,
    count: result.items.length,
    total_count: result.totalCount,
    page: request.page,
    page_size: request.page_size,
    total_pages: totalPages,
    has_previous: pagination.has_previous,
    has_next: pagination.has_next,
    columns_requested: requested,
    columns_loaded: loaded,
    columns_available: Object.keys(spec.columns),
    sortable_columns: [...spec.sortable],
    filters_applied: request.filters.map((filter) => ({ ...filter })),
    pagination,
    timestamp: now.toISOString(),
  }
}

/**
 * One row by identifier, through the same visibility as the list (Superset's ModelGetInfoCore): a row
 * the caller may not see answers exactly like a missing one.
 */
export async function findVisibleRow(
  spec: ModelSpec,
  identifier: Identifier,
  loaded: string[],
  context: ToolContext,
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
