import * as z from 'zod'
import {
  CacheControlFields,
  CacheStatusField,
  chartSpec,
  dashboardSpec,
  databaseSpec,
  datasetSpec,
  defineTool,
  type ModelSpec,
  READ_ONLY,
  type ToolContext,
} from '../core'
import { sql, trusted, type SqlFragment } from '../../db'
import { GATEWAY_VERSION, SERVICE_NAME } from '../../version'

export const healthCheck = defineTool({
  name: 'health_check',
  title: 'Health check',
  description: 'Reports that the MCP service is up, its version and how long this instance has been serving.',
  input: z.strictObject({}),
  output: z.object({
    status: z.enum(['healthy']),
    timestamp: z.string(),
    service: z.string(),
    version: z.string(),
    platform: z.string(),
    uptime_seconds: z.number(),
  }),
  annotations: READ_ONLY,
  permission: null,
  sizeGuard: false,
  run: async (_request, context) => ({
    status: 'healthy' as const,
    timestamp: context.now.toISOString(),
    service: SERVICE_NAME,
    version: GATEWAY_VERSION,
    platform: 'Cloudflare Workers',
    uptime_seconds: Math.round((context.now.getTime() - context.servingSince.getTime()) / 1000),
  }),
})

/**
 * The rows of one model the caller may count: exactly what its list tool shows them (the tool's Superset
 * permission, then the model's base filter), so no figure says more than list_* would.
 */
export function countableRows(spec: ModelSpec, context: ToolContext): SqlFragment {
  const { permission, view } = spec.readPermission
  return context.principal.can(permission, view) ? spec.visibility(context) : trusted('FALSE')
}

interface InstanceRow {
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
  top_tags: { name: string; count: number }[] | string | null
  top_creators: { username: string; count: number }[] | string | null
}

const count = z.int().nonnegative()

export const getInstanceInfo = defineTool({
  name: 'get_instance_info',
  title: 'Superset instance overview',
  description:
    'An overview of the Superset instance as you can see it: how many dashboards, charts, datasets and databases, recent activity, ' +
    'database engines, popular tags and creators, and who you are (user and roles). A good first call. ' +
    'Every count covers only what you may list; user, role and tag totals are instance-wide for admins only ' +
    '(for others: 1 user, your roles, the tags on what you can see).',
  input: z.strictObject({ ...CacheControlFields }),
  output: z.object({
    instance_summary: z.object({
      total_dashboards: count,
      total_charts: count,
      total_datasets: count,
      total_databases: count,
      total_users: count,
      total_roles: count,
      total_tags: count,
      avg_charts_per_dashboard: z.number(),
    }),
    recent_activity: z.object({
      dashboards_created_last_30_days: count,
      charts_created_last_30_days: count,
      datasets_created_last_30_days: count,
      dashboards_modified_last_7_days: count,
      charts_modified_last_7_days: count,
      datasets_modified_last_7_days: count,
    }),
    dashboard_breakdown: z.object({
      published: count,
      unpublished: count,
      certified: count,
      with_charts: count,
      without_charts: count,
    }),
    database_breakdown: z.object({ by_type: z.record(z.string(), count) }),
    popular_content: z.object({
      top_tags: z.array(z.object({ name: z.string(), count })),
      top_creators: z.array(z.object({ username: z.string(), count })),
    }),
    current_user: z.object({
      id: z.int(),
      username: z.string(),
      first_name: z.string(),
      last_name: z.string(),
      email: z.string(),
      active: z.boolean(),
      roles: z.array(z.string()),
    }),
    feature_availability: z.object({ accessible_menus: z.array(z.string()) }),
    timestamp: z.string(),
    ...CacheStatusField,
  }),
  annotations: READ_ONLY,
  permission: null,
  cache: { scope: 'user', dependsOn: ['dashboard', 'chart', 'dataset', 'database'] },
  run: async (_request, context) => {
    const { principal } = context
    const monthAgo = new Date(context.now.getTime() - 30 * 86_400_000)
    const weekAgo = new Date(context.now.getTime() - 7 * 86_400_000)
    // Instance-wide figures (every user, role and tag, tags on objects the caller cannot see) are for the
    // admins Superset names (MCP_ADMIN_ROLE); anyone else counts themselves, their roles and what they see.
    const instanceWide = principal.isAdmin
    const visibleTagged = instanceWide
      ? trusted('TRUE')
      : trusted(`((tob.object_type::text = 'dashboard' AND tob.object_id IN (SELECT id FROM vd))
                OR (tob.object_type::text = 'chart' AND tob.object_id IN (SELECT id FROM vc))
                OR (tob.object_type::text = 'dataset' AND tob.object_id IN (SELECT id FROM vt)))`)
    const totals = instanceWide
      ? trusted(`(SELECT count(*)::int FROM ab_user) AS total_users,
                 (SELECT count(*)::int FROM ab_role) AS total_roles,
                 (SELECT count(*)::int FROM tag) AS total_tags`)
      : sql`1 AS total_users, ${principal.roles.length}::int AS total_roles,
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
             (SELECT json_agg(json_build_object('name', name, 'count', n) ORDER BY n DESC, name) FROM (
                SELECT tg.name, count(*)::int AS n FROM tagged_object tob JOIN tag tg ON tg.id = tob.tag_id
                 WHERE tg.type::text = 'custom' AND ${visibleTagged}
                 GROUP BY tg.name ORDER BY n DESC, tg.name LIMIT 5) t) AS top_tags,
             (SELECT json_agg(json_build_object('username', username, 'count', n) ORDER BY n DESC, username) FROM (
                SELECT u.username, count(*)::int AS n FROM vc JOIN ab_user u ON u.id = vc.created_by_fk
                 GROUP BY u.username ORDER BY n DESC, u.username LIMIT 5) c) AS top_creators`)
    if (row === undefined) throw new Error('instance info query returned no row')
    const json = <T>(value: T | string | null, fallback: T): T =>
      value === null ? fallback : typeof value === 'string' ? (JSON.parse(value) as T) : value
    const dashboards = row.total_dashboards
    return {
      instance_summary: {
        total_dashboards: dashboards,
        total_charts: row.total_charts,
        total_datasets: row.total_datasets,
        total_databases: row.total_databases,
        total_users: row.total_users,
        total_roles: row.total_roles,
        total_tags: row.total_tags,
        avg_charts_per_dashboard:
          dashboards === 0 ? 0 : Math.round((row.dashboard_chart_links / dashboards) * 100) / 100,
      },
      recent_activity: {
        dashboards_created_last_30_days: row.dashboards_created_last_30_days,
        charts_created_last_30_days: row.charts_created_last_30_days,
        datasets_created_last_30_days: row.datasets_created_last_30_days,
        dashboards_modified_last_7_days: row.dashboards_modified_last_7_days,
        charts_modified_last_7_days: row.charts_modified_last_7_days,
        datasets_modified_last_7_days: row.datasets_modified_last_7_days,
      },
      dashboard_breakdown: {
        published: row.published,
        unpublished: dashboards - row.published,
        certified: row.certified,
        with_charts: row.dashboards_with_charts,
        without_charts: dashboards - row.dashboards_with_charts,
      },
      database_breakdown: { by_type: json(row.by_backend, {}) },
      popular_content: { top_tags: json(row.top_tags, []), top_creators: json(row.top_creators, []) },
      current_user: {
        id: principal.user.id,
        username: principal.user.username,
        first_name: principal.user.firstName,
        last_name: principal.user.lastName,
        email: principal.user.email,
        active: principal.user.active,
        roles: principal.roles.map((role) => role.name),
      },
      feature_availability: {
        accessible_menus: principal.permissionKeys
          .filter((key) => key.startsWith('menu_access|'))
          .map((key) => key.slice('menu_access|'.length)),
      },
      timestamp: context.now.toISOString(),
    }
  },
})
