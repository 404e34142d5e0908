/**
 * SQL guardrails: every SQL text written through the gateway or by an agent (execute_sql, ad-hoc chart
 * expressions, virtual dataset SQL) is read with PostgreSQL's own parser and held to allow-lists of
 * functions, operators, types and constructs; every relation it touches is reported for access checks.
 * docs/SECURITY.md describes what is enforced.
 */
export {
  ALLOWED_FUNCTIONS,
  ALLOWED_OPERATORS,
  ALLOWED_TYPES,
  FUNCTION_CATEGORIES,
  VOLATILE_ALLOWED,
} from './allow-list'
export { MAX_SERIES_ROWS } from './bounds'
export { MAX_AGGREGATED_ROW_LENGTH, MAX_GENERATED_LENGTH, MAX_STORED_FACTOR, SIZED_FUNCTIONS } from './sizes'
export { checkExpression } from './expression'
export type { ExpressionOrigin, ExpressionRules } from './expression'
export { GuardrailViolation } from './violation'
export type { InspectOptions, RelationRole } from './inspect'
export { MAX_SQL_LENGTH, Offsets, sqlParser, SqlSyntaxError } from './parser'
export type { ScanToken, SqlParser } from './parser'
export { extensionPolicy, NO_EXTENSIONS, policyFor } from './policy'
export type { FunctionPolicy } from './policy'
export { isSystemSchema, isTemporarySchema, READABLE_CATALOG_RELATIONS, resolveRelation } from './relations'
export type { ResolvedRelation } from './relations'
export { readScript, statementRefusal } from './script'
export type { CheckedStatement, LocatedRelation, RefusalFactory, StatementKind } from './script'
export { applyEdits, isComment } from './text'
export type { Edit } from './text'
