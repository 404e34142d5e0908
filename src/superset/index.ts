export { naturalTime } from './humanize'
export { supersetLinks } from './links'
export type { SupersetLinks } from './links'
export { buildPrincipal, loadPrincipal } from './principal'
export type { DataAccess, Principal, PrincipalOptions, Role, SupersetUser, UserLookup } from './principal'
export { assertSupportedLayout, getSchemaProfile, OPTIONAL_TABLES, readSchemaProfile } from './schema-profile'
export type { OptionalTable, SchemaProfile } from './schema-profile'
export {
  chartVisibility,
  dashboardVisibility,
  databaseVisibility,
  datasetAccessPredicate,
  datasetUsable,
  datasetVisibility,
} from './access'
export type { AccessOptions } from './access'
export {
  OPERATORS,
  findVisibleRow,
  identifierCondition,
  projectRow,
  resolveColumns,
  runList,
  selectList,
} from './models/model'
export type {
  ColumnSpec,
  FilterSpec,
  Identifier,
  ListQuery,
  ListResult,
  ModelContext,
  ModelSpec,
  Operator,
  Row,
} from './models/model'
export { parseJsonText } from './models/columns'
export { chartSpec } from './models/chart'
export { dashboardSpec } from './models/dashboard'
export { BACKEND_SQL, databaseSpec } from './models/database'
export { datasetSpec } from './models/dataset'
export { NOW_UTC } from './timestamps'
export { addOwner, isOwner } from './models/ownership'
export type { OwnedKind } from './models/ownership'
export {
  addChartToLayout,
  chartsOnDashboard,
  insertDashboard,
  isChartOnDashboard,
  lockDashboardLayout,
  rolesOfDashboard,
  visibleChartsById,
} from './repositories/dashboards'
export type { NewDashboard } from './repositories/dashboards'
export { datasetIdentity, insertVirtualDataset } from './repositories/datasets'
export type { NewDatasetColumn, NewVirtualDataset } from './repositories/datasets'
export { insertSavedQuery } from './repositories/saved-queries'
export type { NewSavedQuery } from './repositories/saved-queries'
export { countableRows, instanceFigures, recentDatasets, usableDatabases } from './repositories/instance'
export type { InstanceRow } from './repositories/instance'
export { findVisibleDatabase } from './repositories/databases'
export {
  applicableRlsFilters,
  findDatabase,
  loadDataset,
  registeredTables,
} from './repositories/dataset-metadata'
export type {
  DatasetColumn,
  DatasetMeta,
  DatasetMetric,
  RegisteredTable,
  RlsFilterRow,
  SupersetDatabase,
} from './repositories/dataset-metadata'
export {
  chartDatasetAccess,
  findUsableDatasetId,
  findVisibleChart,
  insertChart,
  renameChart,
  saveChart,
} from './repositories/charts'
export type { ChartContent, ChartRecord } from './repositories/charts'
export { isPermalinkOf, PERMALINK_SALT_UUIDS, readDashboardPermalink } from './repositories/permalinks'
export type { DashboardPermalink, PermalinkLookup } from './repositories/permalinks'
export { Hashids } from './hashids'
export { deleteChartRows, lockChart, reportsOfChart } from './repositories/chart-deletes'
export type { ChartDeletion } from './repositories/chart-deletes'
export {
  datasetMetrics,
  existingUserIds,
  findDatasetForTable,
  insertPhysicalDataset,
  updateMetric,
} from './repositories/dataset-edits'
export type { MetricChanges, MetricRecord, NewPhysicalDataset } from './repositories/dataset-edits'
