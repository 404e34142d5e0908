/**
 * Superset's row visibility rules as SQL predicates (reference §5): DatasourceFilter for datasets,
 * ChartFilter for charts, DashboardAccessFilter for dashboards, DatabaseFilter for databases. They
 * compare the stored perm / schema_perm / catalog_perm columns with the caller's view-menu names and
 * never rebuild those strings.
 */
import type { SqlFragment } from '../db'
import { or, sql, trusted } from '../db'
import type { Principal } from './principal'

export interface AccessOptions {
  /** Superset's DASHBOARD_RBAC feature flag. */
  dashboardRbac: boolean
}

/**
 * `get_dataset_access_filters(model)`: database_access ids, or the model's perm columns among the
 * caller's datasource / catalog / schema grants. `perms` is the alias of the row holding perm columns
 * (the dataset, or a chart's copies); `databaseId` the expression of its database id.
 */
export function datasetAccessPredicate(principal: Principal, perms: string, databaseId: string): SqlFragment {
  const data = principal.data
  const parts: SqlFragment[] = []
  if (data.databaseIds.length > 0) parts.push(sql`${trusted(databaseId)} = ANY(${data.databaseIds})`)
  if (data.datasourcePerms.length > 0)
    parts.push(sql`${trusted(`${perms}.perm`)} = ANY(${data.datasourcePerms})`)
  if (data.catalogPerms.length > 0)
    parts.push(sql`${trusted(`${perms}.catalog_perm`)} = ANY(${data.catalogPerms})`)
  if (data.schemaPerms.length > 0)
    parts.push(sql`${trusted(`${perms}.schema_perm`)} = ANY(${data.schemaPerms})`)
  return or(parts)
}

/** DatasourceFilter on `tables` aliased `alias`. */
export function datasetVisibility(principal: Principal, alias: string): SqlFragment {
  if (principal.data.all) return trusted('TRUE')
  return datasetAccessPredicate(principal, alias, `${alias}.database_id`)
}

/** ChartFilter on `slices` aliased `alias`: the chart's own perm copies, through its dataset's database. */
export function chartVisibility(principal: Principal, alias: string): SqlFragment {
  if (principal.data.all) return trusted('TRUE')
  return sql`EXISTS (
    SELECT 1 FROM tables cv_t JOIN dbs cv_db ON cv_db.id = cv_t.database_id
     WHERE cv_t.id = ${trusted(`${alias}.datasource_id`)}
       AND (${datasetAccessPredicate(principal, alias, 'cv_db.id')}))`
}

/** DashboardAccessFilter (Superset ≤ 6.1 layout) on `dashboards` aliased `alias`. */
export function dashboardVisibility(
  principal: Principal,
  alias: string,
  options: AccessOptions,
): SqlFragment {
  if (principal.isAdmin) return trusted('TRUE')
  const id = trusted(`${alias}.id`)
  const published = trusted(`${alias}.published IS TRUE`)
  const owner = sql`EXISTS (SELECT 1 FROM dashboard_user dv_o WHERE dv_o.dashboard_id = ${id} AND dv_o.user_id = ${principal.user.id})`
  const hasRoles = sql`EXISTS (SELECT 1 FROM dashboard_roles dv_r WHERE dv_r.dashboard_id = ${id})`
  const accessibleChart = sql`EXISTS (
    SELECT 1 FROM dashboard_slices dv_ds
      JOIN slices dv_s ON dv_s.id = dv_ds.slice_id
      JOIN tables dv_t ON dv_t.id = dv_s.datasource_id
      JOIN dbs dv_db ON dv_db.id = dv_t.database_id
     WHERE dv_ds.dashboard_id = ${id}
       AND (${principal.data.all ? trusted('TRUE') : datasetAccessPredicate(principal, 'dv_s', 'dv_db.id')}))`
  const branches: SqlFragment[] = [
    owner,
    options.dashboardRbac
      ? sql`${published} AND NOT ${hasRoles} AND ${accessibleChart}`
      : sql`${published} AND ${accessibleChart}`,
  ]
  const roleIds = principal.roles.map((role) => role.id)
  if (options.dashboardRbac && roleIds.length > 0) {
    branches.push(sql`${published} AND EXISTS (
      SELECT 1 FROM dashboard_roles dv_rr WHERE dv_rr.dashboard_id = ${id} AND dv_rr.role_id = ANY(${roleIds}))`)
  }
  return or(branches)
}

/**
 * DatabaseFilter on `dbs` aliased `alias`: all_database_access (not all_datasource_access) sees every
 * database; otherwise a database_access grant on its perm, or a catalog / schema / datasource grant whose
 * view name starts with `[<database_name>]`.
 */
export function databaseVisibility(principal: Principal, alias: string): SqlFragment {
  const data = principal.data
  if (data.allDatabases) return trusted('TRUE')
  const parts: SqlFragment[] = []
  if (data.databasePerms.length > 0) {
    parts.push(
      sql`('[' || ${trusted(`${alias}.database_name`)} || '].(id:' || ${trusted(`${alias}.id`)} || ')') = ANY(${data.databasePerms})`,
    )
  }
  const names = databaseNamesOf([...data.catalogPerms, ...data.schemaPerms, ...data.datasourcePerms])
  if (names.length > 0) parts.push(sql`${trusted(`${alias}.database_name`)} = ANY(${names})`)
  return or(parts)
}

/** Superset's reading of a view name's database: the part before the first dot, brackets stripped. */
export function databaseNamesOf(viewNames: readonly string[]): string[] {
  const names = new Set<string>()
  for (const view of viewNames) {
    const head = view.split('.')[0] ?? ''
    if (head.length >= 2) names.add(head.slice(1, -1))
  }
  return [...names].sort()
}

/**
 * raise_for_access(datasource=…) for one dataset aliased `alias`: data access (DatasourceFilter's grants)
 * or ownership of the dataset. Admins pass through all-data access.
 */
export function datasetUsable(principal: Principal, alias: string): SqlFragment {
  return or([
    datasetVisibility(principal, alias),
    sql`EXISTS (SELECT 1 FROM sqlatable_user du_o WHERE du_o.table_id = ${trusted(`${alias}.id`)} AND du_o.user_id = ${principal.user.id})`,
  ])
}
