export { naturalTime } from './humanize'
export { supersetLinks } from './links'
export type { SupersetLinks } from './links'
export { buildPrincipal, loadPrincipal } from './principal'
export type { DataAccess, Principal, PrincipalOptions, Role, SupersetUser, UserLookup } from './principal'
export { assertSupportedLayout, getSchemaProfile, readSchemaProfile } from './schema-profile'
export type { SchemaProfile } from './schema-profile'
export {
  chartVisibility,
  dashboardVisibility,
  databaseVisibility,
  datasetAccessPredicate,
  datasetUsable,
  datasetVisibility,
} from './access'
export type { AccessOptions } from './access'
