import {
  chartDatasetAccess,
  chartSpec,
  findVisibleRow,
  parseJsonText,
  projectRow,
  resolveColumns,
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
import { GatewayError } from '../../errors'

export const listCharts = defineListTool({
  name: 'list_charts',
  title: 'List charts',
  description: 'List the charts you can see in Superset (charts on datasets you may access).',
  spec: chartSpec,
  cache: { scope: 'permissions', dependsOn: ['chart', 'dataset'] },
})

/** Superset 6.1's ChartInfo fields. */
export const CHART_INFO_COLUMNS = [
  'id',
  'slice_name',
  'viz_type',
  'datasource_id',
  'datasource_name',
  'datasource_type',
  'url',
  'description',
  'cache_timeout',
  'uuid',
  'certified_by',
  'certification_details',
  'changed_by',
  'changed_by_name',
  'changed_on',
  'changed_on_humanized',
  'created_by',
  'created_on',
  'created_on_humanized',
  'owners',
  'tags',
  'form_data',
]

const ChartFiltersSchema = z.object({
  adhoc_filters: z.array(z.unknown()),
  time_range: z.string().nullable(),
  granularity_sqla: z.string().nullable(),
  where: z.string().nullable(),
  having: z.string().nullable(),
})

export const getChartInfo = defineTool({
  name: 'get_chart_info',
  title: 'Get chart details',
  description:
    'Details of one saved chart by numeric id or UUID: name, visualization type, dataset, owners, tags, its saved form data ' +
    '(metrics, dimensions, filters) and the filters it applies. Use get_chart_data for its numbers.',
  input: requestObject({
    identifier: IdentifierSchema.optional(),
    form_data_key: z
      .string()
      .min(1)
      .optional()
      .describe("Key of an unsaved explore state in Superset's cache."),
    select_columns: SelectColumnsSchema,
    ...CacheControlFields,
  }).refine((request) => request.identifier !== undefined || request.form_data_key !== undefined, {
    message: "At least one of 'identifier' or 'form_data_key' must be provided.",
  }),
  output: z.looseObject({
    id: z.int(),
    // Taken from the saved form data.
    filters: authored(ChartFiltersSchema.optional()),
    form_data_key: z.string().nullable(),
    is_unsaved_state: z.boolean(),
  }),
  annotations: READ_ONLY,
  permission: { permission: 'can_read', view: 'Chart' },
  cache: { scope: 'user', dependsOn: ['chart', 'dataset'] },
  authored: authoredColumnPaths(chartSpec),
  run: async (request, context) => {
    if (request.identifier === undefined) throw unsavedStateError()
    const explicit = parseColumnList(request.select_columns)
    const columns = resolveColumns(chartSpec, explicit ?? CHART_INFO_COLUMNS)
    const loaded = [...columns, 'params', 'datasource_id']
    const row = await findVisibleRow(chartSpec, request.identifier, loaded, context, {
      slug: false,
      label: 'Chart',
    })
    await assertDatasetAccessible(Number(row.id), context)
    const formData = parseJsonText(row.params)
    return {
      ...projectRow(chartSpec, columns, row, context),
      id: Number(row.id),
      ...(explicit === undefined ? { filters: chartFilters(formData) } : {}),
      form_data_key: null,
      is_unsaved_state: false,
    }
  },
})

function unsavedStateError(): GatewayError {
  return new GatewayError(
    'NotFoundError',
    "Unsaved explore state (form_data_key) lives in Superset's own cache, which the gateway cannot read. " +
      'Pass the identifier of a saved chart, or save the chart in Superset first.',
    { details: { resource_type: 'form_data_key' } },
  )
}

/** Superset's validate_chart_dataset: a visible chart whose dataset is gone or closed to the caller is refused. */
async function assertDatasetAccessible(chartId: number, context: ToolContext): Promise<void> {
  const access = await chartDatasetAccess(context.db, chartId, context.principal)
  if (access === 'accessible') return
  throw new GatewayError(
    'PermissionDeniedError',
    access === 'missing'
      ? `The dataset of chart ${chartId} was deleted or does not exist.`
      : `You do not have access to the dataset of chart ${chartId}.`,
    { details: { reason: 'DatasetNotAccessible', resource_type: 'chart', resource_id: chartId } },
  )
}

/** ChartFiltersInfo: the filters a chart's form data applies. */
function chartFilters(formData: unknown): z.input<typeof ChartFiltersSchema> {
  const form = typeof formData === 'object' && formData !== null ? (formData as Record<string, unknown>) : {}
  const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null)
  const adhoc = Array.isArray(form.adhoc_filters) ? form.adhoc_filters : []
  const temporal = adhoc.find(
    (filter): filter is Record<string, unknown> =>
      typeof filter === 'object' &&
      filter !== null &&
      (filter as Record<string, unknown>).operator === 'TEMPORAL_RANGE',
  )
  return {
    adhoc_filters: adhoc,
    time_range: text(temporal?.comparator) ?? text(form.time_range),
    granularity_sqla: text(form.granularity_sqla) ?? text(temporal?.subject),
    where: text(form.where),
    having: text(form.having),
  }
}
