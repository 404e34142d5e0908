export { naturalTime } from './humanize'
export { supersetLinks } from './links'
export type { SupersetLinks } from './links'
export { buildPrincipal, loadPrincipal } from './principal'
export type { DataAccess, Principal, PrincipalOptions, Role, SupersetUser, UserLookup } from './principal'
export { assertSupportedLayout, getSchemaProfile, OPTIONAL_TABLES, readSchemaProfile } from './schema-profile'
export type { OptionalTable, SchemaProfile } from './schema-profile'
export { changeFeedMode, EXTERNAL_KINDS, readExternalGenerations, WATCHED_TABLES } from './change-feed'
export type { ChangeFeedMode, ExternalGenerations, ExternalKind } from './change-feed'
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
export { DASHBOARD_INFO_COLUMNS, dashboardSpec } from './models/dashboard'
export { BACKEND_SQL, databaseSpec } from './models/database'
export { datasetSpec } from './models/dataset'
export { querySpec, savedQuerySpec } from './models/sql-lab'
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
export {
  cloneCharts,
  dashboardChartIds,
  existingChartUuids,
  insertDashboardCopy,
  isSlugTaken,
  lockEditableDashboard,
  saveDashboardMetadata,
  setDashboardCharts,
  updateDashboardFields,
  visibleDatasetColumns,
} from './repositories/dashboard-edits'
export type {
  DashboardCopy,
  DashboardFieldChanges,
  EditableDashboard,
  FilterableDataset,
} from './repositories/dashboard-edits'
export { datasetIdentity, insertVirtualDataset } from './repositories/datasets'
export type { NewDatasetColumn, NewVirtualDataset } from './repositories/datasets'
export { insertSavedQuery } from './repositories/saved-queries'
export type { NewSavedQuery } from './repositories/saved-queries'
export { insertTheme, THEME_COLUMNS, themeSpec } from './repositories/themes'
export type { NewTheme } from './repositories/themes'
export {
  ANNOTATION_COLUMNS,
  ANNOTATION_LAYER_COLUMNS,
  annotationLayerExists,
  annotationLayerSpec,
  annotationsOfLayer,
  annotationSpec,
  layerOfAnnotation,
} from './repositories/annotations'
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
export {
  canViewUserDirectoryDetails,
  findUsersByName,
  ROLE_INFO_COLUMNS,
  roleInfoSpec,
  roleSpec,
  USER_INFO_COLUMNS,
  userInfoSpec,
  userSpec,
} from './repositories/admin-users'
export type { UserMatchRow } from './repositories/admin-users'
export { RLS_FILTER_INFO_COLUMNS, rlsFilterSpec } from './repositories/admin-rls'
export { ACTION_LOG_INFO_COLUMNS, actionLogSpec } from './repositories/admin-logs'
export {
  countVisibleTaggedObjects,
  tagSpec,
  TAGGED_OBJECT_TYPES,
  visibleTaggedObject,
  visibleTaggedObjects,
} from './repositories/tags'
export type { TaggedObject, TaggedObjectType } from './repositories/tags'
export { RECENT_EXECUTIONS, reportDetails, reportSpec, reportVisibility } from './repositories/reports'
export type { ReportDetails, ReportExecution } from './repositories/reports'
export { visibleSemanticDatasets } from './repositories/semantic'
export type { SemanticColumn, SemanticDataset, SemanticMetric } from './repositories/semantic'
export { columnsAndMetrics, datasetsOfDashboard } from './repositories/dashboard-structure'
export type {
  DashboardDatasetRow,
  DatasetColumnRow,
  DatasetMetricRow,
} from './repositories/dashboard-structure'
export {
  deleteDashboardRows,
  lockDashboardForRemoval,
  reportsOnDashboard,
  storeChartRemoval,
} from './repositories/dashboard-removals'
export type { LockedDashboard } from './repositories/dashboard-removals'
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
