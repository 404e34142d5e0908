import * as z from 'zod'
import { instanceFigures } from '../../superset'
import { authored, CacheControlFields, CacheStatusField, defineTool, READ_ONLY, requestObject } from '../core'
import { GATEWAY_VERSION, SERVICE_NAME } from '../../version'

export const healthCheck = defineTool({
  name: 'health_check',
  title: 'Health check',
  description: 'Reports that the MCP service is up, its version and how long this instance has been serving.',
  input: requestObject({}),
  output: z.object({
    status: z.enum(['healthy']),
    timestamp: z.string(),
    service: z.string(),
    version: z.string(),
    // 6.1's platform.python_version(); the gateway has no Python, so the JavaScript runtime it runs on.
    python_version: z.string(),
    platform: z.string(),
    uptime_seconds: z.number().nullable(),
  }),
  annotations: READ_ONLY,
  permission: null,
  sizeGuard: false,
  run: async (_request, context) => ({
    status: 'healthy' as const,
    timestamp: context.now.toISOString(),
    service: SERVICE_NAME,
    version: GATEWAY_VERSION,
    python_version: runtimeVersion(),
    platform: 'Cloudflare Workers',
    // As 6.1's round(time.monotonic() - _start_time, 1): seconds since this isolate began serving.
    uptime_seconds: Math.round((context.now.getTime() - context.servingSince.getTime()) / 100) / 10,
  }),
})

/** The runtime in place of 6.1's Python version: workerd's user agent and the Node.js API it provides. */
function runtimeVersion(): string {
  const agent = typeof navigator === 'undefined' ? 'Cloudflare-Workers' : navigator.userAgent
  const node = (globalThis as { process?: { version?: string } }).process?.version
  return node === undefined || node === '' ? agent : `${agent} (Node.js API ${node})`
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
  // Superset 6.1's GetSupersetInstanceInfoRequest forbids extra keys (extra="forbid"); the gateway keeps
  // that, beside its own cache flags.
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
    // 6.1's PopularContent: names only (most used first); 6.1 itself always answers [] (a placeholder).
    popular_content: z.object({
      top_tags: z.array(authored(z.string())),
      top_creators: z.array(z.string()),
    }),
    current_user: z.object({
      id: z.int(),
      username: z.string(),
      first_name: authored(z.string()),
      last_name: authored(z.string()),
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
    const row = await instanceFigures(context, { monthAgo, weekAgo })
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
