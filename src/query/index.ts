/**
 * The query engine: chart queries (form_data / query_context / chart config → parameterised SQL with
 * row-level security) and the SQL Lab rules of execute_sql, on the analytics databases registered in
 * Superset.
 */
export {
  backendOf,
  connectionUrl,
  analyticsPosture,
  label as databaseLabel,
  withAnalyticsSession,
} from './connections'
export type { AnalyticsDatabase, SessionOptions } from './connections'
export {
  CHART_CONFIG_SCHEMAS,
  CHART_TYPES,
  ChartConfigSchema,
  ColumnRefSchema,
  seriesOf,
} from './chart-config'
export type { ChartConfig, ChartType } from './chart-config'
export { buildQueryContext, configToFormData, configVizTypes, vizFamily, vizModel } from './chart-model'
export type { VizModel } from './chart-model'
export { configChart, savedChartQuery } from './chart'
export type { ConfigChart, StoredChart } from './chart'
export { parseFormData, parseQueryContext, QueryContextSchema } from './query-context'
export type { QueryContext, QueryObjectJson } from './query-context'
export { chartQuery } from './query-reader'
export { buildChartSql } from './build'
export type { ExpressionGuard } from './build'
export { prepareDatasetQuery, runDatasetQuery } from './engine'
export type { EngineContext, PreparedDatasetQuery, QueryResultSet, ResultField } from './engine'
export { displaySql } from './display'
export { datasetQuery } from './dataset-query'
export type { DatasetQueryFilter, DatasetQueryPlan, DatasetQueryRequest } from './dataset-query'
export { chartQueryError, sanitise, statementFailure } from './errors'
export type { QueryFailure } from './errors'
export { MAX_ROW_LIMIT } from './query-object'
export { FILTER_OPERATORS } from './query-object'
export type {
  ChartQuery,
  FilterOperator,
  QueryObject,
  SimpleFilter,
  VizFamily,
  VizShape,
} from './query-object'
export { combineFilters, loadRlsPredicates } from './rls'
export type { RlsPredicates } from './rls'
export { assertLeastPrivilege } from './privileges'
export type { RoleReport } from './privileges'
export { chartSource, physicalSource } from './source'
export {
  assertStatementsAllowed,
  assertSystemRelations,
  deniedTables,
  executableStatement,
  MAX_SQL_ROWS,
  statementRelations,
  tableAccessError,
  tableKey,
  uniqueTables,
  wrapWithLimit,
} from './sql-lab'
export { hasTemplate, renderTemplate } from './templates'
export { parseTimeRange } from './time-range'
export { dataKind, normaliseRows, typeName } from './values'
export type { JsonValue, ResultRow } from './values'
