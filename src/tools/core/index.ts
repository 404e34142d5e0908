/**
 * What every tool domain shares: the tool definition and its context, list and get tools over a model,
 * the models themselves, identifiers, filters, ownership, SQL planning and answer sizes. The domains enter
 * here only (docs/ARCHITECTURE.md).
 */
export { CacheControlFields, CacheStatusField } from './cache-flags'
export { parseJsonText } from './columns'
export { databaseNotFound, visibleAnalyticsDatabase, visibleDatabase } from './databases'
export { READ_ONLY, WRITES, defineTool, isVisibleTo, noEffects } from './definition'
export type {
  AnyToolDefinition,
  CachePolicy,
  CallEffects,
  PromptArgument,
  PromptDefinition,
  ResourceDefinition,
  ToolAnnotations,
  ToolContext,
} from './definition'
export { defineGetTool } from './get-tool'
export { IdentifierSchema, identifierCondition } from './identifier'
export type { Identifier } from './identifier'
export { parseToolRequest, runTool, unwrapRequest } from './invoke'
export {
  SelectColumnsSchema,
  findVisibleRow,
  parseColumnList,
  projectRow,
  resolveColumns,
  selectList,
} from './list'
export type { ModelSpec, Row } from './list'
export { defineListTool } from './list-tool'
export { chartSpec } from './models/chart'
export { dashboardSpec } from './models/dashboard'
export { BACKEND_SQL, databaseSpec } from './models/database'
export { datasetSpec } from './models/dataset'
export { NOW_UTC, assertCanEdit } from './ownership'
export { byteLength, describeColumns, toCsv, trimToBytes } from './results'
export type { DataColumn } from './results'
export { planSql } from './sql-plan'
export type { PlannedStatement, SqlPlan } from './sql-plan'
export { closeMatches } from './suggest'
