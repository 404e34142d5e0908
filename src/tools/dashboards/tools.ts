import {
  chartsOnDashboard,
  rolesOfDashboard,
  DASHBOARD_INFO_COLUMNS,
  dashboardSpec,
  findVisibleRow,
  isPermalinkOf,
  parseJsonText,
  readDashboardPermalink,
  projectRow,
  resolveColumns,
  type Identifier,
  type Row,
} from '../../superset'
import * as z from 'zod'
import {
  authored,
  authoredColumnPaths,
  CacheControlFields,
  defineListTool,
  defineTool,
  IdentifierSchema,
  parseColumnList,
  READ_ONLY,
  requestObject,
  SelectColumnsSchema,
  type ToolContext,
} from '../core'

export const listDashboards = defineListTool({
  name: 'list_dashboards',
  title: 'List dashboards',
  description: 'List the dashboards you can see in Superset.',
  spec: dashboardSpec,
  cache: { scope: 'user', dependsOn: ['dashboard', 'chart', 'dataset'] },
})

const LARGE_COLUMNS = ['position_json', 'json_metadata'] as const

const DashboardChartSchema = z.object({
  id: z.int(),
  slice_name: authored(z.string()).nullable(),
  viz_type: z.string().nullable(),
  datasource_name: authored(z.string()).nullable(),
  description: authored(z.string()).nullable(),
  url: z.string(),
})

const RoleSchema = z.object({ id: z.int(), name: z.string() })

// From the dashboard's metadata: a filter's name and its targets (dataset ids, column names) as stored.
const NativeFilterSchema = z.object({
  id: z.string().nullable(),
  name: authored(z.string()).nullable(),
  filter_type: z.string().nullable(),
  targets: authored(z.array(z.unknown())),
})

/**
 * Superset 6.1's DashboardInfo (dashboard/schemas.py): get_dashboard_info's answer, and the `dashboard`
 * of generate_dashboard and add_chart_to_existing_dashboard.
 */
export const DashboardInfoSchema = z.looseObject({
  id: z.int(),
  charts: z.array(DashboardChartSchema).optional(),
  roles: z.array(RoleSchema).optional(),
  native_filters: z.array(NativeFilterSchema).optional(),
  cross_filters_enabled: z.boolean().optional(),
  omitted_fields: z.record(z.string(), z.string()).optional(),
  permalink_key: z.string().nullable().optional(),
  // Filter values and tab names come from the dashboard's users.
  filter_state: authored(z.record(z.string(), z.unknown())).nullable().optional(),
  is_permalink_state: z.boolean().optional(),
})

const EXTRA_FIELDS = ['charts', 'roles', 'native_filters', 'cross_filters_enabled']

/**
 * One dashboard as DashboardInfo: every field, or those `selectColumns` names. Hidden dashboards read as
 * missing (NotFoundError).
 */
export async function dashboardInfo(
  identifier: Identifier,
  context: ToolContext,
  options: { selectColumns?: string[] | undefined; permalinkKey?: string | undefined } = {},
): Promise<Row & { id: number }> {
  const explicit = options.selectColumns
  const requested = explicit ?? [...DASHBOARD_INFO_COLUMNS, ...EXTRA_FIELDS]
  const wanted = requested.filter((column) => !EXTRA_FIELDS.includes(column))
  const columns = resolveColumns(dashboardSpec, wanted.length > 0 ? wanted : ['id'])
  const needsMetadata = requested.includes('native_filters') || requested.includes('cross_filters_enabled')
  // The layout and metadata are read even when not returned: native filters and omitted_fields need them.
  const loaded = [...columns]
  if (needsMetadata || explicit === undefined) loaded.push('json_metadata')
  if (explicit === undefined) loaded.push('position_json')
  // A permalink names its dashboard by id, uuid or slug.
  const permalinkKey = options.permalinkKey
  if (permalinkKey) loaded.push(...['uuid', 'slug'].filter((column) => !loaded.includes(column)))
  const row = await findVisibleRow(dashboardSpec, identifier, loaded, context, {
    slug: true,
    label: 'Dashboard',
  })
  const info: Row = projectRow(dashboardSpec, columns, row, context)
  info.id = row.id
  if (requested.includes('charts')) info.charts = await dashboardCharts(Number(row.id), context)
  if (requested.includes('roles')) info.roles = await rolesOfDashboard(context.db, Number(row.id))
  if (explicit === undefined) info.omitted_fields = omittedFields(row)
  if (needsMetadata) {
    const metadata = parseJsonText(row.json_metadata)
    const record =
      typeof metadata === 'object' && metadata !== null ? (metadata as Record<string, unknown>) : {}
    if (requested.includes('native_filters')) info.native_filters = nativeFilters(record)
    if (requested.includes('cross_filters_enabled'))
      info.cross_filters_enabled = record.cross_filters_enabled === true
  }
  // 6.1's DashboardInfo defaults (permalink_key None, filter_state None, is_permalink_state False), also
  // its answer to a permalink it cannot find or that belongs to another dashboard.
  if (permalinkKey !== undefined || explicit === undefined) {
    info.permalink_key = null
    info.filter_state = null
    info.is_permalink_state = false
  }
  // As 6.1, an empty key reads no permalink.
  if (permalinkKey) Object.assign(info, await permalinkState(permalinkKey, row, context))
  return info as Row & { id: number }
}

export const getDashboardInfo = defineTool({
  name: 'get_dashboard_info',
  title: 'Get dashboard details',
  description:
    'Details of one dashboard by numeric id, UUID or slug: title, publication, owners, roles, tags, its charts and native filters. ' +
    'The raw layout and metadata are omitted unless you name "position_json" or "json_metadata" in select_columns.',
  input: requestObject({
    identifier: IdentifierSchema,
    permalink_key: z
      .string()
      .optional()
      .describe(
        'The key of a permalink to this dashboard (the last part of a /superset/dashboard/p/<key>/ URL). The answer then has the filter state the permalink saved (filter_state: dataMask, activeTabs, anchor, urlParams, chartStates) and is_permalink_state true; a key that is unknown, expired or of another dashboard leaves the default state (is_permalink_state false).',
      ),
    select_columns: SelectColumnsSchema,
    ...CacheControlFields,
  }),
  output: DashboardInfoSchema,
  annotations: READ_ONLY,
  permission: { permission: 'can_read', view: 'Dashboard' },
  cache: { scope: 'user', dependsOn: ['dashboard', 'chart', 'dataset'] },
  authored: authoredColumnPaths(dashboardSpec),
  run: (request, context) =>
    dashboardInfo(request.identifier, context, {
      selectColumns: parseColumnList(request.select_columns),
      permalinkKey: request.permalink_key,
    }),
})

/**
 * 6.1's `_get_permalink_state` and its dashboardId check: the permalink's state when it belongs to this
 * dashboard, else nothing (6.1 logs a warning and keeps the defaults). The dashboard is one the caller
 * sees, so the state returned is always of a visible dashboard; a permalink of any other dashboard,
 * visible or not, answers as one that does not exist.
 */
async function permalinkState(key: string, row: Row, context: ToolContext): Promise<Row> {
  const dashboard = {
    id: Number(row.id),
    uuid: typeof row.uuid === 'string' ? row.uuid : null,
    slug: typeof row.slug === 'string' ? row.slug : null,
  }
  const lookup = await readDashboardPermalink(context.db, key)
  if ('missing' in lookup) {
    context.log.warn('permalink_not_found', { dashboard_id: dashboard.id, reason: lookup.missing })
    return {}
  }
  if (!isPermalinkOf(lookup.found, dashboard)) {
    context.log.warn('permalink_of_another_dashboard', { dashboard_id: dashboard.id })
    return {}
  }
  const state = lookup.found.state
  return { permalink_key: key, filter_state: { ...(state ?? {}) }, is_permalink_state: true }
}

async function dashboardCharts(dashboardId: number, context: ToolContext) {
  const rows = await chartsOnDashboard(context.db, dashboardId)
  return rows.map((chart) => ({ ...chart, url: context.links.chart(chart.id) }))
}

/** Superset 6.1 leaves the layout and metadata out of DashboardInfo and says how large they are. */
function omittedFields(row: Row): Record<string, string> {
  const omitted: Record<string, string> = {}
  for (const column of LARGE_COLUMNS) {
    const value = row[column]
    if (typeof value !== 'string' || value === '') continue
    const kilobytes = Math.max(1, Math.round(new TextEncoder().encode(value).length / 1024))
    omitted[column] = `Omitted (~${kilobytes} KB) — name it in select_columns to get it.`
  }
  return omitted
}

function nativeFilters(metadata: Record<string, unknown>) {
  const configuration = Array.isArray(metadata.native_filter_configuration)
    ? metadata.native_filter_configuration
    : []
  return configuration
    .filter((entry): entry is Record<string, unknown> => typeof entry === 'object' && entry !== null)
    .map((entry) => ({
      id: typeof entry.id === 'string' ? entry.id : null,
      name: typeof entry.name === 'string' ? entry.name : null,
      filter_type: typeof entry.filterType === 'string' ? entry.filterType : null,
      targets: Array.isArray(entry.targets) ? entry.targets : [],
    }))
}
