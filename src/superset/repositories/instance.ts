/**
 * The figures of get_instance_info and instance://metadata, counted as the caller may see them: every
 * model through its list tool's permission and Superset's base filter, so no figure says more than list_*
 * would; instance-wide figures (every user, role and tag) only for admins.
 */
import { sql, trusted, type SqlFragment } from '../../db'
import { chartSpec } from '../models/chart'
import { dashboardSpec } from '../models/dashboard'
import { BACKEND_SQL, databaseSpec } from '../models/database'
import { datasetSpec } from '../models/dataset'
import type { ModelContext, ModelSpec } from '../models/model'

export interface InstanceRow {
  total_dashboards: number
  total_charts: number
  total_datasets: number
  total_databases: number
  total_users: number
  total_roles: number
  total_tags: number
  dashboards_with_charts: number
  dashboard_chart_links: number
  published: number
  certified: number
  dashboards_created_last_30_days: number
  charts_created_last_30_days: number
  datasets_created_last_30_days: number
  dashboards_modified_last_7_days: number
  charts_modified_last_7_days: number
  datasets_modified_last_7_days: number
  by_backend: Record<string, number> | string | null
  top_tags: string[] | string | null
  top_creators: string[] | string | null
}

/**
 * The rows of one model the caller may count: exactly what its list tool shows them (the tool's Superset
 * permission, then the model's base filter), so no figure says more than list_* would.
 */
export function countableRows(spec: ModelSpec, context: ModelContext): SqlFragment {
  const { permission, view } = spec.readPermission
  return context.principal.can(permission, view) ? spec.visibility(context) : trusted('FALSE')
}

export async function instanceFigures(
  context: ModelContext,
  { monthAgo, weekAgo }: { monthAgo: Date; weekAgo: Date },
): Promise<InstanceRow> {
  // Instance-wide figures (every user, role and tag, tags on objects the caller cannot see) are for the
  // admins Superset names (MCP_ADMIN_ROLE); anyone else counts themselves, their roles and what they see.
  const instanceWide = context.principal.isAdmin
  const visibleTagged = instanceWide
    ? trusted('TRUE')
    : trusted(`((tob.object_type::text = 'dashboard' AND tob.object_id IN (SELECT id FROM vd))
                OR (tob.object_type::text = 'chart' AND tob.object_id IN (SELECT id FROM vc))
                OR (tob.object_type::text = 'dataset' AND tob.object_id IN (SELECT id FROM vt)))`)
  const totals = instanceWide
    ? trusted(`(SELECT count(*)::int FROM ab_user) AS total_users,
                 (SELECT count(*)::int FROM ab_role) AS total_roles,
                 (SELECT count(*)::int FROM tag) AS total_tags`)
    : sql`1 AS total_users, ${context.principal.roles.length}::int AS total_roles,
            (SELECT count(DISTINCT tob.tag_id)::int FROM tagged_object tob WHERE ${visibleTagged}) AS total_tags`
  const [row] = await context.db.query<InstanceRow>(sql`
      WITH vd AS (SELECT d.id, d.published, d.certified_by, d.created_on, d.changed_on
                    FROM ${dashboardSpec.from} WHERE ${countableRows(dashboardSpec, context)}),
           vc AS (SELECT s.id, s.created_on, s.changed_on, s.created_by_fk
                    FROM ${chartSpec.from} WHERE ${countableRows(chartSpec, context)}),
           vt AS (SELECT t.id, t.created_on, t.changed_on
                    FROM ${datasetSpec.from} WHERE ${countableRows(datasetSpec, context)}),
           vdb AS (SELECT db.id, db.sqlalchemy_uri
                     FROM ${databaseSpec.from} WHERE ${countableRows(databaseSpec, context)})
      SELECT (SELECT count(*)::int FROM vd) AS total_dashboards,
             (SELECT count(*)::int FROM vc) AS total_charts,
             (SELECT count(*)::int FROM vt) AS total_datasets,
             (SELECT count(*)::int FROM vdb) AS total_databases,
             ${totals},
             (SELECT count(DISTINCT ds.dashboard_id)::int FROM dashboard_slices ds JOIN vd ON vd.id = ds.dashboard_id) AS dashboards_with_charts,
             (SELECT count(*)::int FROM dashboard_slices ds JOIN vd ON vd.id = ds.dashboard_id) AS dashboard_chart_links,
             (SELECT count(*)::int FROM vd WHERE vd.published IS TRUE) AS published,
             (SELECT count(*)::int FROM vd WHERE vd.certified_by IS NOT NULL AND vd.certified_by <> '') AS certified,
             (SELECT count(*)::int FROM vd WHERE vd.created_on >= ${monthAgo}) AS dashboards_created_last_30_days,
             (SELECT count(*)::int FROM vc WHERE vc.created_on >= ${monthAgo}) AS charts_created_last_30_days,
             (SELECT count(*)::int FROM vt WHERE vt.created_on >= ${monthAgo}) AS datasets_created_last_30_days,
             (SELECT count(*)::int FROM vd WHERE vd.changed_on >= ${weekAgo}) AS dashboards_modified_last_7_days,
             (SELECT count(*)::int FROM vc WHERE vc.changed_on >= ${weekAgo}) AS charts_modified_last_7_days,
             (SELECT count(*)::int FROM vt WHERE vt.changed_on >= ${weekAgo}) AS datasets_modified_last_7_days,
             (SELECT json_object_agg(backend, n) FROM (
                SELECT split_part(split_part(vdb.sqlalchemy_uri, ':', 1), '+', 1) AS backend, count(*)::int AS n
                  FROM vdb GROUP BY 1) b) AS by_backend,
             (SELECT json_agg(name ORDER BY n DESC, name) FROM (
                SELECT tg.name, count(*)::int AS n FROM tagged_object tob JOIN tag tg ON tg.id = tob.tag_id
                 WHERE tg.type::text = 'custom' AND ${visibleTagged}
                 GROUP BY tg.name ORDER BY n DESC, tg.name LIMIT 5) t) AS top_tags,
             (SELECT json_agg(username ORDER BY n DESC, username) FROM (
                SELECT u.username, count(*)::int AS n FROM vc JOIN ab_user u ON u.id = vc.created_by_fk
                 GROUP BY u.username ORDER BY n DESC, u.username LIMIT 5) c) AS top_creators`)
  if (row === undefined) throw new Error('instance info query returned no row')
  return row
}

/** The 20 most recently changed datasets the caller can list. */
export async function recentDatasets(context: ModelContext) {
  return context.db.query<{ id: number; table_name: string; schema: string | null; database_id: number }>(sql`
    SELECT t.id, t.table_name, t.schema, t.database_id FROM ${datasetSpec.from}
     WHERE ${countableRows(datasetSpec, context)}
     ORDER BY t.changed_on DESC NULLS LAST, t.id DESC LIMIT 20`)
}

/** The databases the caller can list, with their engine. */
export async function usableDatabases(context: ModelContext) {
  return context.db.query<{ id: number; database_name: string; backend: string }>(sql`
    SELECT db.id, db.database_name, ${trusted(BACKEND_SQL)} AS backend FROM ${databaseSpec.from}
     WHERE ${countableRows(databaseSpec, context)} ORDER BY db.database_name`)
}
