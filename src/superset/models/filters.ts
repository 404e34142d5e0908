import type { Operator } from './model'

/** Operators by column kind (Superset's ColumnOperatorEnum, restricted to what makes sense). */
export const TEXT_OPERATORS: readonly Operator[] = [
  'eq',
  'ne',
  'sw',
  'ew',
  'in',
  'nin',
  'like',
  'ilike',
  'is_null',
  'is_not_null',
]
export const VALUE_OPERATORS: readonly Operator[] = [
  'eq',
  'ne',
  'in',
  'nin',
  'gt',
  'gte',
  'lt',
  'lte',
  'is_null',
  'is_not_null',
]
export const BOOLEAN_OPERATORS: readonly Operator[] = ['eq', 'ne', 'is_null', 'is_not_null']
/** Relationship columns (owner, dashboards): membership only. */
export const RELATION_OPERATORS: readonly Operator[] = ['eq', 'ne', 'in', 'nin']

/** The ids a relationship filter names (`in`/`nin` take a list, the others one id). */
export function idList(value: unknown): number[] {
  return (Array.isArray(value) ? value : [value]).map(Number)
}
