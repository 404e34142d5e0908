/**
 * get_dashboard_layout and get_dashboard_datasets (Superset's development branch,
 * superset/mcp_service/dashboard/tool/get_dashboard_layout.py and get_dashboard_datasets.py, response
 * models DashboardLayout and DashboardDatasets in dashboard/schemas.py): what a dashboard is made of,
 * for a dashboard the caller may see (DashboardAccessFilter; a hidden one reads as missing).
 */
import * as z from 'zod'
import {
  columnsAndMetrics,
  dashboardSpec,
  datasetsOfDashboard,
  findVisibleRow,
  type Identifier,
  type Row,
} from '../../superset'
import {
  authored,
  CacheStatusField,
  defineTool,
  IdentifierSchema,
  READ_ONLY,
  requestObject,
  type ToolContext,
} from '../core'
import { readLayout } from './layout-tree'

const DashboardIdentifier = IdentifierSchema.describe(
  'Dashboard identifier - can be numeric ID, UUID string, or slug',
)

/** The dashboard, if the caller may see it, with the columns named. */
function visibleDashboard(identifier: Identifier, columns: string[], context: ToolContext): Promise<Row> {
  return findVisibleRow(dashboardSpec, identifier, columns, context, { slug: true, label: 'Dashboard' })
}

const TabSchema = z.object({
  id: z.string().describe('Tab component ID from position_json'),
  name: authored(z.string()).nullable().describe('Tab display name'),
  parent_tab_id: z
    .string()
    .nullable()
    .describe('ID of the enclosing tab when tabs are nested, otherwise null.'),
  chart_ids: z.array(z.int()).describe('IDs of charts contained directly or indirectly under this tab'),
})

const ChartPositionSchema = z.object({
  chart_id: z.int().nullable().describe('Chart (slice) ID'),
  slice_name: authored(z.string())
    .nullable()
    .describe('Display name as configured in the layout (sliceNameOverride or sliceName)'),
  tab_id: z.string().nullable().describe('ID of the tab that contains this chart, or null outside any tab.'),
  tab_path: authored(z.array(z.string())).describe('Names of ancestor tabs, outermost first.'),
  width: z.int().nullable().describe('Grid column width'),
  height: z.int().nullable().describe('Grid row height'),
})

export const getDashboardLayout = defineTool({
  name: 'get_dashboard_layout',
  title: 'Get dashboard layout',
  description:
    "The parsed layout of one dashboard by numeric id, UUID or slug: its tabs (nested tabs name their parent) and every chart placement with its tab, tab path, width and height, from the dashboard's position_json. " +
    'Use it to explain which charts live under which tab, or to find a chart on a tabbed dashboard.',
  input: requestObject({ identifier: DashboardIdentifier }),
  output: z.object({
    id: z.int().nullable(),
    dashboard_title: authored(z.string()).nullable(),
    uuid: z.string().nullable(),
    tabs: z.array(TabSchema).describe('Tabs declared in the layout (empty for untabbed dashboards)'),
    charts: z.array(ChartPositionSchema).describe('Charts placed in the layout with their tab context'),
    has_layout: z.boolean().describe('False when position_json is missing or empty'),
    ...CacheStatusField,
  }),
  annotations: READ_ONLY,
  permission: { permission: 'can_read', view: 'Dashboard' },
  // Visibility depends on ownership: answers are per user.
  cache: { scope: 'user', dependsOn: ['dashboard', 'chart', 'dataset'] },
  run: async (request, context) => {
    const row = await visibleDashboard(
      request.identifier,
      ['id', 'dashboard_title', 'uuid', 'position_json'],
      context,
    )
    const positionJson = typeof row.position_json === 'string' ? row.position_json : null
    const { tabs, charts } = readLayout(positionJson)
    return {
      id: Number(row.id),
      dashboard_title:
        typeof row.dashboard_title === 'string' && row.dashboard_title !== ''
          ? row.dashboard_title
          : 'Untitled',
      uuid: typeof row.uuid === 'string' ? row.uuid : null,
      tabs,
      charts,
      has_layout: positionJson !== null && positionJson !== '',
    }
  },
})

/** The development branch's per-dataset caps (MAX_DASHBOARD_DATASET_COLUMNS / _METRICS). */
const MAX_COLUMNS = 100
const MAX_METRICS = 50

const DatasetSummarySchema = z.object({
  id: z.int().nullable(),
  uuid: z.string().nullable(),
  table_name: authored(z.string()).nullable(),
  schema: z.string().nullable(),
  database: z
    .object({
      id: z.int().nullable(),
      name: authored(z.string()).nullable(),
      backend: z.string().nullable(),
    })
    .nullable(),
  chart_count: z.int().describe('Number of charts on the dashboard using this dataset'),
  columns: z.array(
    z.object({
      column_name: authored(z.string()),
      verbose_name: authored(z.string()).nullable(),
      type: z.string().nullable(),
      is_dttm: z.boolean().nullable(),
    }),
  ),
  metrics: z.array(
    z.object({
      metric_name: authored(z.string()),
      verbose_name: authored(z.string()).nullable(),
      expression: authored(z.string()).nullable(),
    }),
  ),
  total_column_count: z.int(),
  total_metric_count: z.int(),
  columns_truncated: z.boolean(),
  metrics_truncated: z.boolean(),
})

export const getDashboardDatasets = defineTool({
  name: 'get_dashboard_datasets',
  title: 'Get dashboard datasets',
  description:
    "The datasets used by one dashboard's charts (by numeric id, UUID or slug), each with its table, schema, database, the number of charts using it, and its columns (up to 100) and metrics (up to 50). " +
    'Datasets you may not access are left out and counted in inaccessible_dataset_count. Use it before configuring native filters or analysing a dashboard’s data model.',
  input: requestObject({ identifier: DashboardIdentifier }),
  output: z.object({
    id: z.int().nullable(),
    dashboard_title: authored(z.string()).nullable(),
    uuid: z.string().nullable(),
    dataset_count: z.int().describe('Number of accessible datasets used by the dashboard'),
    inaccessible_dataset_count: z
      .int()
      .describe('Number of datasets used by the dashboard that you cannot access (excluded from datasets)'),
    datasets: z.array(DatasetSummarySchema),
    ...CacheStatusField,
  }),
  annotations: READ_ONLY,
  permission: { permission: 'can_read', view: 'Dashboard' },
  // Dataset ownership counts as access: answers are per user.
  cache: { scope: 'user', dependsOn: ['dashboard', 'chart', 'dataset'] },
  run: async (request, context) => {
    const row = await visibleDashboard(request.identifier, ['id', 'dashboard_title', 'uuid'], context)
    const id = Number(row.id)
    const all = await datasetsOfDashboard(context.db, id, context.principal)
    const usable = all.filter((dataset) => dataset.usable)
    const { columns, metrics } = await columnsAndMetrics(
      context.db,
      usable.map((dataset) => dataset.id),
    )
    const datasets = usable.map((dataset) => {
      const own = columns.filter((column) => column.table_id === dataset.id)
      const saved = metrics.filter((metric) => metric.table_id === dataset.id)
      return {
        id: dataset.id,
        uuid: dataset.uuid,
        table_name: dataset.table_name,
        schema: dataset.schema,
        database:
          dataset.database_id === null
            ? null
            : { id: dataset.database_id, name: dataset.database_name, backend: dataset.backend },
        chart_count: dataset.chart_count,
        columns: own.slice(0, MAX_COLUMNS).map((column) => ({
          column_name: column.column_name,
          verbose_name: column.verbose_name,
          type: column.type,
          is_dttm: column.is_dttm,
        })),
        metrics: saved.slice(0, MAX_METRICS).map((metric) => ({
          metric_name: metric.metric_name,
          verbose_name: metric.verbose_name,
          expression: metric.expression,
        })),
        total_column_count: own.length,
        total_metric_count: saved.length,
        columns_truncated: own.length > MAX_COLUMNS,
        metrics_truncated: saved.length > MAX_METRICS,
      }
    })
    return {
      id,
      dashboard_title:
        typeof row.dashboard_title === 'string' && row.dashboard_title !== ''
          ? row.dashboard_title
          : 'Untitled',
      uuid: typeof row.uuid === 'string' ? row.uuid : null,
      dataset_count: datasets.length,
      inaccessible_dataset_count: all.length - usable.length,
      datasets,
    }
  },
})
