/**
 * Building charts: generate_chart, update_chart, update_chart_preview and generate_explore_link.
 * A chart config (chart://configs, get_chart_type_schema) becomes Superset's form_data and query_context
 * (the chart model, src/query); every column and metric is checked against the dataset first (unknown
 * names are answered with close matches), the query is run before anything is saved, and a saved chart
 * carries what Superset relies on: perm columns copied from its dataset, params and the very
 * query_context its check and previews ran, a uuid, audit columns and an owner.
 */
import * as z from 'zod'
import type { Db } from '../../db'
import { GatewayError } from '../../errors'
import { quoteAuthored } from '../../markers'
import {
  ChartConfigSchema,
  type ColumnRefSchema,
  configChart,
  seriesOf,
  type ChartConfig,
  type QueryResultSet,
} from '../../query'
import {
  chartSpec,
  findUsableDatasetId,
  findVisibleRow,
  insertChart,
  loadDataset,
  projectRow,
  renameChart,
  saveChart,
  type DatasetMeta,
  type Identifier,
  type Row,
} from '../../superset'
import { queryChart, querySecondary } from './data'
import type { LoadedChart } from './lookup'
import { ContentSchema, PREVIEW_FORMATS, renderPreview, VEGA_AUTHORED, type PreviewFormat } from './preview'
import {
  assertCanEdit,
  authored,
  authoredColumnPaths,
  closeMatches,
  defineTool,
  IdentifierSchema,
  inBandMessage,
  isDomainFailure,
  jsonObjectField,
  requestObject,
  type ToolContext,
  WRITES,
} from '../core'
import { CHART_INFO_COLUMNS } from './tools'

const PreviewFormatsSchema = z
  .array(z.enum(PREVIEW_FORMATS))
  .min(1)
  .default(['url'])
  .describe('Preview formats: url, ascii, table, vega_lite.')

const DatasetIdentifierSchema = IdentifierSchema.describe('Dataset id or UUID.')

/** `config` as an object or its JSON string (Superset 6.1's _coerce_config_to_dict). */
const ConfigSchema = jsonObjectField('config', ChartConfigSchema)

/** A chart name; empty means omitted (6.1 allows it and generates one). Superset's slice_name holds 250. */
const ChartNameSchema = z
  .string()
  .trim()
  .max(250)
  .transform((name) => (name === '' ? undefined : name))
  .optional()

const CacheFlags = {
  use_cache: z.boolean().optional().describe('Accepted for compatibility.'),
  force_refresh: z.boolean().optional().describe('Accepted for compatibility.'),
  cache_timeout: z.int().min(0).optional().describe('Chart cache timeout in seconds (saved with the chart).'),
}

/** Superset 6.1's FormDataCacheControl flag: only logged there; the gateway never caches form data. */
const CacheFormDataFlag = {
  cache_form_data: z.boolean().optional().describe('Accepted for compatibility (form data is never cached).'),
}

/** The dataset a request names, if the caller may use it (hidden and missing read the same). */
async function usableDataset(identifier: Identifier, context: ToolContext): Promise<DatasetMeta> {
  const id = await findUsableDatasetId(context.db, identifier, context.principal)
  const dataset = id === undefined ? undefined : await loadDataset(context.db, id)
  if (dataset === undefined) {
    throw new GatewayError('NotFoundError', `Dataset with identifier '${identifier}' not found`, {
      details: { resource_type: 'dataset', resource_id: identifier },
    })
  }
  return dataset
}

/** Every column and saved metric a config names must exist in the dataset. */
function checkConfigNames(config: ChartConfig, dataset: DatasetMeta): void {
  const columns = dataset.columns.map((column) => column.column_name)
  const metrics = dataset.metrics.map((metric) => metric.metric_name)
  const problems: string[] = []
  const check = (name: string, kind: 'column' | 'metric'): void => {
    const known = kind === 'column' ? columns : metrics
    if (known.includes(name)) return
    const suggestions = closeMatches(name, known)
    problems.push(
      `unknown ${kind} "${name}"${suggestions.length > 0 ? ` (did you mean ${suggestions.map(quoteAuthored).join(', ')}?)` : ''}`,
    )
  }
  for (const reference of columnReferences(config)) {
    if (reference.sql_expression !== undefined) continue
    check(reference.name, reference.saved_metric === true ? 'metric' : 'column')
  }
  for (const filter of config.filters ?? []) check(filter.column, 'column')
  if (config.chart_type === 'big_number' && config.temporal_column !== undefined)
    check(config.temporal_column, 'column')
  if (config.chart_type === 'table') {
    const labels = config.columns.map((column) => column.label ?? column.name)
    for (const name of config.sort_by ?? []) if (!labels.includes(name)) check(name, 'column')
  }
  if (problems.length > 0) {
    throw new GatewayError(
      'ValidationError',
      `The config does not match dataset ${quoteAuthored(dataset.table_name)}: ${problems.join('; ')}. get_dataset_info lists its columns and saved metrics.`,
      { details: { problems, dataset_id: dataset.id } },
    )
  }
}

type ColumnReference = z.output<typeof ColumnRefSchema>

function columnReferences(config: ChartConfig): ColumnReference[] {
  switch (config.chart_type) {
    case 'xy':
      return [...(config.x === undefined ? [] : [config.x]), ...config.y, ...seriesOf(config)]
    case 'table':
      return config.columns
    case 'pie':
      return [config.dimension, config.metric]
    case 'big_number':
      return [config.metric]
    case 'pivot_table':
      return [...config.rows, ...(config.columns ?? []), ...config.metrics]
    case 'mixed_timeseries':
      return [
        config.x,
        ...config.y,
        ...(config.group_by ?? []),
        ...config.y_secondary,
        ...(config.group_by_secondary ?? []),
      ]
    case 'handlebars':
      return [...(config.columns ?? []), ...(config.groupby ?? []), ...(config.metrics ?? [])]
  }
}

interface ChartPlan {
  dataset: DatasetMeta
  vizType: string
  formData: Record<string, unknown>
  /** The query_context a save stores; `loaded.query` is read back from it, so it is what runs. */
  queryContext: string
  loaded: LoadedChart
  name: string
}

/** Config → form_data → query_context → the engine's query (which also refuses what it cannot run safely). */
function planChart(
  dataset: DatasetMeta,
  config: ChartConfig,
  chartName: string | undefined,
  chartId = 0,
): ChartPlan {
  checkConfigNames(config, dataset)
  const { vizType, formData, queryContext, query } = configChart(config, dataset)
  const name = chartName ?? defaultChartName(config, dataset)
  const chart = {
    id: chartId,
    slice_name: name,
    viz_type: vizType,
    description: null,
    datasource_id: dataset.id,
    datasource_type: 'table',
    params: JSON.stringify(formData),
    query_context: queryContext,
  }
  return { dataset, vizType, formData, queryContext, name, loaded: { chart, dataset, query } }
}

/** "SUM(order_total) by region (orders)": what the chart shows, for charts created without a name. */
function defaultChartName(config: ChartConfig, dataset: DatasetMeta): string {
  const refs = columnReferences(config)
  const measure = refs.find(
    (ref) => ref.aggregate !== undefined || ref.saved_metric === true || ref.sql_expression !== undefined,
  )
  const dimension = refs.find(
    (ref) => ref !== measure && ref.aggregate === undefined && ref.saved_metric !== true,
  )
  const measureText =
    measure === undefined
      ? undefined
      : (measure.label ?? (measure.aggregate ? `${measure.aggregate}(${measure.name})` : measure.name))
  const text = [measureText, dimension === undefined ? undefined : `by ${dimension.label ?? dimension.name}`]
    .filter(Boolean)
    .join(' ')
  return `${text === '' ? config.chart_type : text} (${dataset.table_name})`.slice(0, 250)
}

/** The chart's query results: query A, and a mixed_timeseries chart's query B (checked and previewed too). */
interface PlanResult {
  result: QueryResultSet
  secondary?: QueryResultSet | undefined
}

/** Runs the chart's queries (the check Superset makes before keeping a chart) when previews or a save need them. */
async function runPlan(plan: ChartPlan, context: ToolContext, rowLimit?: number): Promise<PlanResult> {
  const [result, secondary] = await Promise.all([
    queryChart(plan.loaded, context, rowLimit),
    querySecondary(plan.loaded, context, rowLimit),
  ])
  context.effects.rowsReturned = result.rows.length + (secondary?.rows.length ?? 0)
  return { result, secondary }
}

function previewsOf(
  plan: ChartPlan,
  formats: readonly PreviewFormat[],
  planResult: PlanResult | undefined,
  exploreUrl: string,
) {
  return Object.fromEntries(
    formats.map((format) => [
      format,
      renderPreview(
        format,
        plan.name,
        plan.loaded,
        planResult?.result,
        { exploreUrl, width: 800, height: 600, asciiWidth: 80, asciiHeight: 20 },
        planResult?.secondary,
      ),
    ]),
  )
}

const needsData = (formats: readonly PreviewFormat[], generatePreview: boolean): boolean =>
  generatePreview && formats.some((format) => format !== 'url')

async function saveNewChart(
  tx: Db,
  plan: ChartPlan,
  context: ToolContext,
  cacheTimeout: number | undefined,
): Promise<number> {
  const userId = context.principal.user.id
  const created = await insertChart(
    tx,
    {
      name: plan.name,
      vizType: plan.vizType,
      params: plan.formData,
      queryContext: plan.queryContext,
      datasetId: plan.dataset.id,
      cacheTimeout,
    },
    userId,
  )
  if (created === undefined)
    throw new GatewayError('NotFoundError', `Dataset ${plan.dataset.id} disappeared while saving the chart.`)
  return created
}

async function chartInfo(id: number, context: ToolContext): Promise<Row & { id: number }> {
  const row = await findVisibleRow(chartSpec, id, CHART_INFO_COLUMNS, context, {
    slug: false,
    label: 'Chart',
  })
  return { ...projectRow(chartSpec, CHART_INFO_COLUMNS, row, context), id }
}

/** Superset 6.1's ChartGenerationError (common/error_schemas.py): why a chart was not generated. */
const ChartGenerationErrorSchema = z.object({
  error_type: z.string(),
  message: z.string(),
  details: z.string(),
  validation_errors: z.array(z.record(z.string(), z.unknown())),
  dataset_context: z.record(z.string(), z.unknown()).nullable(),
  query_info: z.record(z.string(), z.unknown()).nullable(),
  suggestions: z.array(z.string()),
  help_url: z.string().nullable(),
  error_code: z.string().nullable(),
})

const ChartResultSchema = z.object({
  chart: z.looseObject({ id: z.int() }).nullable(),
  previews: z.record(z.string(), ContentSchema),
  explore_url: z.string().nullable(),
  // The chart's definition as saved (or as it would be), names and labels included.
  form_data: authored(z.record(z.string(), z.unknown())),
  form_data_key: z.null(),
  chart_type_label: z.string(),
  // 6.1's GenerateChartResponse: capabilities and semantics are not analysed by the gateway (null, as 6.1
  // allows). performance (PerformanceMetadata) and accessibility (AccessibilityMetadata) are advertised as
  // plain objects to keep tools/list small: two tools share this schema.
  capabilities: z.null(),
  semantics: z.null(),
  embed_code: z.null(),
  api_endpoints: z.record(z.string(), z.string()),
  performance: z.record(z.string(), z.unknown()).nullable(),
  accessibility: z.record(z.string(), z.unknown()).nullable(),
  success: z.boolean(),
  error: ChartGenerationErrorSchema.nullable(),
  warnings: z.array(z.string()),
  schema_version: z.literal('2.0'),
  api_version: z.literal('v1'),
})

/** The saved chart's authored columns and each preview's Vega-Lite title, beyond the schema's fields. */
const CHART_RESULT_AUTHORED = [
  ...authoredColumnPaths(chartSpec, 'chart'),
  ...VEGA_AUTHORED.map((path) => `previews.*.${path}`),
  'accessibility.alt_text',
]

const UNSAVED_WARNING =
  "The chart is not saved: its explore link carries the whole configuration in the URL (the gateway cannot create Superset's cached form_data_key)."

export const generateChart = defineTool({
  name: 'generate_chart',
  title: 'Create a chart',
  description:
    'Build a chart from a dataset and a config (chart_type xy, table, pie, pivot_table, mixed_timeseries, handlebars or big_number; see chart://configs). ' +
    'With save_chart=false (default) you get an explore link and previews; with save_chart=true the chart is saved, owned by you. ' +
    'Unknown columns or metrics are rejected with close matches.',
  input: requestObject({
    dataset_id: DatasetIdentifierSchema.optional(),
    datasource_id: DatasetIdentifierSchema.optional().describe('Alias of dataset_id.'),
    config: ConfigSchema,
    chart_name: ChartNameSchema.describe('Chart name (generated when omitted).'),
    name: ChartNameSchema.describe('Alias of chart_name.'),
    title: ChartNameSchema.describe('Alias of chart_name.'),
    slice_name: ChartNameSchema.describe('Alias of chart_name.'),
    save_chart: z.boolean().default(false).describe('Save the chart in Superset.'),
    generate_preview: z.boolean().default(true),
    preview_formats: PreviewFormatsSchema,
    ...CacheFlags,
  }).refine((request) => (request.dataset_id ?? request.datasource_id) !== undefined, {
    message: 'dataset_id is required.',
    path: ['dataset_id'],
  }),
  output: ChartResultSchema,
  authored: CHART_RESULT_AUTHORED,
  annotations: WRITES,
  permission: { permission: 'can_write', view: 'Chart' },
  run: async (request, context) => {
    const dataset = await usableDataset((request.dataset_id ?? request.datasource_id)!, context)
    const plan = planChart(
      dataset,
      request.config,
      request.chart_name ?? request.name ?? request.title ?? request.slice_name,
    )
    const withData = needsData(request.preview_formats, request.generate_preview)
    const runsQuery = withData || request.save_chart
    // A client that asked for progress (an MCP progressToken) sees each step: planned, queried, saved.
    const steps = 1 + (runsQuery ? 1 : 0) + (request.save_chart ? 1 : 0)
    await context.client.progress(1, steps, 'Chart planned from the dataset')
    // Superset keeps a chart only if its query runs: run it before writing anything.
    const result = runsQuery ? await runPlan(plan, context, withData ? undefined : 1) : undefined
    if (result !== undefined) {
      await context.client.progress(2, steps, `Query returned ${result.result.rows.length} rows`)
    }
    let chart = null
    let exploreUrl = context.links.exploreFormData(plan.formData)
    if (request.save_chart) {
      const id = await context.db.transaction((tx) => saveNewChart(tx, plan, context, request.cache_timeout))
      context.effects.objectsAffected += 1
      context.effects.created.chart = [id]
      context.effects.changed.add('chart')
      chart = await chartInfo(id, context)
      exploreUrl = context.links.chart(id)
      await context.client.progress(steps, steps, `Chart ${id} saved`)
    }
    return chartResponse(
      {
        chart,
        previews: request.generate_preview
          ? previewsOf(plan, request.preview_formats, result, exploreUrl)
          : {},
        exploreUrl,
        formData: plan.formData,
        vizType: plan.vizType,
        warnings: request.save_chart ? [] : [UNSAVED_WARNING],
      },
      context,
    )
  },
  inBandFailure: (failure, request) =>
    isDomainFailure(failure)
      ? chartFailure(failure, (request.dataset_id ?? request.datasource_id)!)
      : undefined,
})

/**
 * Superset 6.1's GenerateChartResponse for a chart it did not generate: success=false, no chart, and a
 * ChartGenerationError whose error_type and error_code are 6.1's (dataset_not_found, compile_error for a
 * query that does not run, chart_generation_error otherwise).
 */
function chartFailure(failure: GatewayError, datasetId: Identifier): z.input<typeof ChartResultSchema> {
  const message = inBandMessage(failure)
  const [errorType, errorCode, suggestions] =
    failure.type === 'NotFoundError' && failure.details?.resource_type === 'dataset'
      ? ['dataset_not_found', 'DATASET_NOT_FOUND', ['Use the list_datasets tool to find available datasets']]
      : failure.details?.reason === 'query_error'
        ? ['compile_error', 'CHART_COMPILE_FAILED', ['Check that all columns exist in the dataset']]
        : ['chart_generation_error', 'CHART_GENERATION_FAILED', []]
  return {
    chart: null,
    previews: {},
    explore_url: null,
    form_data: {},
    form_data_key: null,
    chart_type_label: '',
    capabilities: null,
    semantics: null,
    embed_code: null,
    api_endpoints: {},
    performance: null,
    accessibility: null,
    success: false,
    error: {
      error_type: errorType,
      message: errorType === 'dataset_not_found' ? `Dataset not found: ${datasetId}` : message,
      details: message,
      validation_errors: [],
      dataset_context: null,
      query_info: null,
      suggestions,
      help_url: null,
      error_code: errorCode,
    },
    warnings: [],
    schema_version: '2.0',
    api_version: 'v1',
  }
}

export const updateChart = defineTool({
  name: 'update_chart',
  title: 'Change a saved chart',
  description:
    'Change a chart you own: a new config (and optionally another dataset) replaces its definition; chart_name alone renames it. ' +
    'The new query is run before anything is saved.',
  input: requestObject({
    identifier: IdentifierSchema.describe('Chart id or UUID.'),
    config: ConfigSchema.optional(),
    chart_name: ChartNameSchema,
    dataset_id: DatasetIdentifierSchema.optional().describe('Move the chart to this dataset (needs config).'),
    generate_preview: z.boolean().default(true),
    preview_formats: PreviewFormatsSchema,
    ...CacheFlags,
  })
    .refine((request) => request.config !== undefined || request.chart_name !== undefined, {
      message: 'Nothing to change: pass a config, a chart_name, or both.',
    })
    .refine((request) => request.dataset_id === undefined || request.config !== undefined, {
      message: 'Moving a chart to another dataset needs a config for that dataset.',
      path: ['dataset_id'],
    }),
  output: ChartResultSchema,
  authored: CHART_RESULT_AUTHORED,
  // 6.1 chart/tool/update_chart.py: readOnlyHint=False, destructiveHint=True (it replaces the saved definition).
  annotations: { ...WRITES, destructiveHint: true, idempotentHint: true },
  permission: { permission: 'can_write', view: 'Chart' },
  // Every call replaces or renames a saved chart: always asked, naming the chart as it is now.
  confirm: async (request, context) => {
    const current = await chartToUpdate(request.identifier, context)
    const chart = `chart ${Number(current.id)} (${quoteAuthored(String(current.slice_name ?? ''))})`
    const renamed = request.chart_name === undefined ? undefined : quoteAuthored(request.chart_name)
    if (request.config === undefined) return { message: `Rename ${chart} to ${renamed}.` }
    const moved =
      request.dataset_id === undefined
        ? ''
        : ` and move it to dataset ${typeof request.dataset_id === 'number' ? request.dataset_id : quoteAuthored(request.dataset_id)}`
    const named = renamed === undefined ? '' : `, renaming it ${renamed}`
    return { message: `Replace the saved definition of ${chart}${moved}${named}.` }
  },
  run: async (request, context) => {
    const current = await chartToUpdate(request.identifier, context)
    const id = Number(current.id)
    await assertCanEdit('chart', id, context)
    if (request.config === undefined) {
      await renameChart(context.db, id, request.chart_name!, context.principal.user.id)
      return finishUpdate(id, context, undefined, [])
    }
    const dataset = await usableDataset(request.dataset_id ?? Number(current.datasource_id), context)
    const plan = planChart(
      dataset,
      request.config,
      request.chart_name ?? (current.slice_name as string | null) ?? undefined,
      id,
    )
    const withData = needsData(request.preview_formats, request.generate_preview)
    const result = await runPlan(plan, context, withData ? undefined : 1)
    const userId = context.principal.user.id
    await saveChart(
      context.db,
      id,
      {
        name: plan.name,
        vizType: plan.vizType,
        params: plan.formData,
        queryContext: plan.queryContext,
        datasetId: dataset.id,
        cacheTimeout: request.cache_timeout,
      },
      userId,
    )
    return finishUpdate(
      id,
      context,
      request.generate_preview ? { plan, result } : undefined,
      request.preview_formats,
    )
  },
})

/** The chart update_chart changes, if the caller may see it (as a missing chart otherwise). */
function chartToUpdate(identifier: string | number, context: ToolContext) {
  return findVisibleRow(chartSpec, identifier, ['id', 'slice_name', 'datasource_id', 'params'], context, {
    slug: false,
    label: 'Chart',
  })
}

async function finishUpdate(
  id: number,
  context: ToolContext,
  preview: { plan: ChartPlan; result: PlanResult } | undefined,
  formats: readonly PreviewFormat[],
) {
  context.effects.objectsAffected += 1
  context.effects.changed.add('chart')
  const chart = await chartInfo(id, context)
  const exploreUrl = context.links.chart(id)
  return chartResponse(
    {
      chart,
      previews: preview === undefined ? {} : previewsOf(preview.plan, formats, preview.result, exploreUrl),
      exploreUrl,
      formData: (chart.form_data as Record<string, unknown> | null) ?? {},
      vizType: String(chart.viz_type ?? ''),
      warnings: [],
    },
    context,
  )
}

/**
 * 6.1's PerformanceMetadata as the authoring tools fill it (chart/tool/generate_chart.py,
 * update_chart_preview.py): the time since the call began, cache_status "miss", no suggestions.
 */
function authoringPerformance(context: ToolContext) {
  return {
    query_duration_ms: Math.round(Date.now() - context.now.getTime()),
    estimated_cost: null,
    cache_status: 'miss',
    optimization_suggestions: [] as string[],
  }
}

/** Superset 6.1's GenerateChartResponse envelope. */
function chartResponse(
  parts: {
    chart: (Row & { id: number }) | null
    previews: Record<string, unknown>
    exploreUrl: string
    formData: Record<string, unknown>
    vizType: string
    warnings: string[]
  },
  context: ToolContext,
): z.input<typeof ChartResultSchema> {
  const id = parts.chart?.id
  const name = typeof parts.chart?.slice_name === 'string' ? parts.chart.slice_name : parts.vizType
  return {
    chart: parts.chart,
    previews: parts.previews as z.input<typeof ChartResultSchema>['previews'],
    explore_url: parts.exploreUrl,
    form_data: parts.formData,
    form_data_key: null,
    chart_type_label: parts.vizType,
    capabilities: null,
    semantics: null,
    embed_code: null,
    // As 6.1 (chart/tool/generate_chart.py): the chart's data and export API, for a saved chart only.
    api_endpoints:
      id === undefined
        ? {}
        : {
            data: `${context.links.base}/api/v1/chart/${id}/data/`,
            export: `${context.links.base}/api/v1/chart/${id}/export/`,
          },
    performance: authoringPerformance(context),
    accessibility: {
      color_blind_safe: true,
      alt_text: id === undefined ? `Chart preview showing ${name}` : `Chart showing ${name}`,
      high_contrast_available: false,
    },
    success: true,
    error: null,
    warnings: parts.warnings,
    schema_version: '2.0',
    api_version: 'v1',
  }
}

/**
 * Superset 6.1's update_chart_preview answer (chart/tool/update_chart_preview.py builds a dict, not a
 * GenerateChartResponse): an unsaved `chart`, the new link and `form_data_key` (none: the gateway never
 * creates one), the request's `previous_form_data_key`; a failure is `chart: null`, `success: false`
 * and "Chart preview update failed: …".
 */
const ChartPreviewResultSchema = z.object({
  chart: z
    .object({
      id: z.null(),
      slice_name: authored(z.string()),
      viz_type: z.string(),
      url: z.string(),
      uuid: z.null(),
      saved: z.literal(false),
      updated: z.literal(true),
    })
    .nullable(),
  error: z.string().nullable(),
  previews: z.record(z.string(), ContentSchema).optional(),
  capabilities: z.null().optional(),
  semantics: z.null().optional(),
  explore_url: z.string().optional(),
  form_data_key: z.null().optional(),
  previous_form_data_key: z.string().nullable().optional(),
  api_endpoints: z.record(z.string(), z.string()).optional(),
  performance: z.record(z.string(), z.unknown()).optional(),
  accessibility: z.record(z.string(), z.unknown()).optional(),
  success: z.boolean(),
  schema_version: z.literal('2.0'),
  api_version: z.literal('v1'),
})

export const updateChartPreview = defineTool({
  name: 'update_chart_preview',
  title: 'Preview a changed chart without saving',
  description:
    'Preview a chart definition without saving anything: a new explore link and previews for a dataset and config. ' +
    "A form_data_key from Superset is accepted but cannot be read (it lives in Superset's cache); the config replaces it.",
  input: requestObject({
    form_data_key: z.string().optional().describe('The unsaved state being replaced (not read).'),
    dataset_id: DatasetIdentifierSchema,
    config: ConfigSchema,
    chart_name: ChartNameSchema,
    generate_preview: z.boolean().default(true),
    preview_formats: PreviewFormatsSchema,
    ...CacheFlags,
    ...CacheFormDataFlag,
  }),
  output: ChartPreviewResultSchema,
  authored: [...VEGA_AUTHORED.map((path) => `previews.*.${path}`), 'accessibility.alt_text'],
  // 6.1 chart/tool/update_chart_preview.py: readOnlyHint=False, destructiveHint=True, though nothing is saved.
  annotations: { ...WRITES, destructiveHint: true, idempotentHint: true },
  // 6.1: method_permission_name="write".
  permission: { permission: 'can_write', view: 'Chart' },
  run: async (request, context) => {
    const dataset = await usableDataset(request.dataset_id, context)
    const plan = planChart(dataset, request.config, request.chart_name)
    const withData = needsData(request.preview_formats, request.generate_preview)
    const result = withData ? await runPlan(plan, context) : undefined
    const exploreUrl = context.links.exploreFormData(plan.formData)
    return {
      chart: {
        id: null,
        slice_name: plan.name,
        viz_type: plan.vizType,
        url: exploreUrl,
        uuid: null,
        saved: false as const,
        updated: true as const,
      },
      error: null,
      previews: request.generate_preview ? previewsOf(plan, request.preview_formats, result, exploreUrl) : {},
      capabilities: null,
      semantics: null,
      explore_url: exploreUrl,
      form_data_key: null,
      previous_form_data_key: request.form_data_key ?? null,
      api_endpoints: {},
      performance: authoringPerformance(context),
      accessibility: {
        color_blind_safe: true,
        alt_text: `Updated chart preview showing ${plan.name}`,
        high_contrast_available: false,
      },
      success: true,
      schema_version: '2.0' as const,
      api_version: 'v1' as const,
    }
  },
  // 6.1 answers every failure in-band; the gateway those of the request's content (isDomainFailure).
  inBandFailure: (failure, _request, context) =>
    isDomainFailure(failure)
      ? {
          chart: null,
          error: `Chart preview update failed: ${inBandMessage(failure)}`,
          performance: {
            query_duration_ms: Math.round(Date.now() - context.now.getTime()),
            cache_status: 'error',
            optimization_suggestions: [],
          },
          success: false,
          schema_version: '2.0' as const,
          api_version: 'v1' as const,
        }
      : undefined,
})

export const generateExploreLink = defineTool({
  name: 'generate_explore_link',
  title: 'Link to a chart in Superset explore',
  description:
    "A link that opens Superset's explore view with this chart configuration on a dataset, for the user to adjust and save. Writes nothing.",
  input: requestObject({
    dataset_id: DatasetIdentifierSchema,
    config: ConfigSchema,
    ...CacheFlags,
    ...CacheFormDataFlag,
  }),
  output: z.object({
    url: z.string(),
    form_data: z.record(z.string(), z.unknown()),
    form_data_key: z.null(),
    error: z.string().nullable(),
  }),
  // 6.1 explore/tool/generate_explore_link.py: readOnlyHint=False, destructiveHint=False.
  annotations: { ...WRITES, idempotentHint: true },
  permission: { permission: 'can_read', view: 'Explore' },
  sizeGuard: false,
  run: async (request, context) => {
    const dataset = await usableDataset(request.dataset_id, context)
    const plan = planChart(dataset, request.config, undefined)
    return {
      url: context.links.exploreFormData(plan.formData),
      form_data: plan.formData,
      form_data_key: null,
      error: null,
    }
  },
  // Superset 6.1 answers a missing dataset and a config it cannot map with an empty link and the error.
  inBandFailure: (failure, request) => {
    if (!isDomainFailure(failure)) return undefined
    const error =
      failure.type === 'NotFoundError' && failure.details?.resource_type === 'dataset'
        ? `Dataset not found: ${request.dataset_id}. Use list_datasets to find valid dataset IDs.`
        : `Failed to generate explore link: ${inBandMessage(failure)}`
    return { url: '', form_data: {}, form_data_key: null, error }
  },
})
