/**
 * The request and response of every list tool (Superset's ModelListCore): filters, search,
 * select_columns, ordering and 1-based pages, with Superset's names, defaults and bounds. The query itself
 * is src/superset's (the model specs and the one statement they compile to).
 */
import * as z from 'zod'
import { GatewayError } from '../../errors'
import { OPERATORS, type ListResult, type ModelSpec } from '../../superset'
import { CacheControlFields, CacheStatusField } from './cache-flags'
import { jsonListField, requestObject } from './request'
export const DEFAULT_PAGE_SIZE = 10
export const MAX_PAGE_SIZE = 100

/** `select_columns` as a list, a JSON array string or a comma-separated string (6.1's parse_json_or_list). */
export const SelectColumnsSchema = z
  .union([z.array(z.string()), z.string()])
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
export function listRequestSchema(
  spec: ModelSpec,
  extra: Record<string, z.ZodType> = {},
  defaultPageSize: number = DEFAULT_PAGE_SIZE,
) {
  const filterColumns = Object.keys(spec.filters) as [string, ...string[]]
  return requestObject({
    ...extra,
    filters: jsonListField(
      'filters',
      z.array(
        z.object({
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
      ),
    )
      .default([])
      .describe(
        `Filters, ANDed (a list, or its JSON string). Columns: ${filterColumns.join(', ')}. Cannot be combined with search.`,
      ),
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
      .describe(`Sort column: one of ${spec.sortable.join(', ')} (another name keeps the default order).`),
    order_direction: z.enum(['asc', 'desc']).default(spec.defaultOrder.direction).describe('Sort direction.'),
    page: z.int().min(1).default(1).describe('1-based page number.'),
    page_size: z
      .int()
      .min(1)
      .max(MAX_PAGE_SIZE)
      .default(defaultPageSize)
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
