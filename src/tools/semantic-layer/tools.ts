/**
 * The semantic layer over built-in datasets (Superset's development branch,
 * superset/mcp_service/semantic_layer/): list_metrics, get_compatible_metrics, get_compatible_dimensions.
 * Metrics are a dataset's sql_metrics, dimensions its group-by columns; only datasets the caller may see
 * count (DatasourceFilter), and a hidden dataset answers like a missing one. Superset 6.1 has no external
 * semantic views, so `view_id` is answered as "semantic layers disabled". Failures are answered in-band,
 * as SemanticLayerError (`success: false`).
 */
import * as z from 'zod'
import { GatewayError } from '../../errors'
import { visibleSemanticDatasets, type SemanticDataset } from '../../superset'
import { defineTool, READ_ONLY, requestObject, type ToolContext } from '../core'
import {
  builtinDimensions,
  DimensionInfoSchema,
  metricInfo,
  MetricInfoSchema,
  oneSource,
  SemanticLayerErrorSchema,
  semanticLayerFailure,
  semanticLayersDisabled,
  type MetricInfo,
  unknownNames,
} from './schemas'

/** Superset's `class_permission_name="Dataset"` on every semantic-layer tool: can_read on Dataset. */
const PERMISSION = { permission: 'can_read', view: 'Dataset' }
const CACHE = { scope: 'permissions', dependsOn: ['dataset', 'database'] } as const

/** ListMetricsRequest's cap on page_size when dimensions are embedded (EMBEDDED_DIMENSIONS_MAX_PAGE_SIZE). */
export const EMBEDDED_DIMENSIONS_MAX_PAGE_SIZE = 4

const SourceFields = {
  dataset_id: z.int().optional().describe('Built-in dataset id. Provide either this or view_id.'),
  view_id: z.int().optional().describe('Semantic view id. Provide either this or dataset_id.'),
}

const matches = (text: string | null, search: string): boolean =>
  text !== null && text !== '' && text.toLowerCase().includes(search.toLowerCase())

export const listMetrics = defineTool({
  name: 'list_metrics',
  title: 'List metrics',
  description:
    'List the metrics of the datasets you may query (each with its dataset), the entry point to the semantic layer: ' +
    'list_metrics → get_compatible_dimensions → get_table. Search by metric name or description; dataset_id scopes to one dataset.',
  input: requestObject({
    search: z.string().optional().describe('Match metric names or descriptions (case-insensitive).'),
    dataset_id: z.int().optional().describe('Only the metrics of this built-in dataset.'),
    view_id: z.int().optional().describe('Only the metrics of this semantic view.'),
    include_compatible_dimensions: z
      .boolean()
      .default(false)
      .describe(
        `Embed each metric's compatible dimensions (then page_size must be at most ${EMBEDDED_DIMENSIONS_MAX_PAGE_SIZE}); get_compatible_dimensions gives them for one metric.`,
      ),
    page: z.int().min(1).default(1).describe('1-based page number.'),
    page_size: z.int().min(1).max(500).default(25).describe('Metrics per page (1–500).'),
  }).refine(
    (request) =>
      !request.include_compatible_dimensions || request.page_size <= EMBEDDED_DIMENSIONS_MAX_PAGE_SIZE,
    {
      message:
        `Embedded compatible dimensions require page_size <= ${EMBEDDED_DIMENSIONS_MAX_PAGE_SIZE}: ` +
        'reduce page_size, or use include_compatible_dimensions=false and get_compatible_dimensions for the chosen metric.',
      path: ['page_size'],
    },
  ),
  output: z.union([
    z.object({
      metrics: z.array(MetricInfoSchema),
      total_count: z.int(),
      page: z.int(),
      page_size: z.int(),
      total_pages: z.int(),
      success: z.literal(true),
    }),
    SemanticLayerErrorSchema,
  ]),
  annotations: READ_ONLY,
  permission: PERMISSION,
  cache: CACHE,
  inBandFailure: (failure, _request, context) => semanticLayerFailure(failure, context.now),
  run: async (request, context) => {
    if (request.view_id !== undefined) {
      if (request.dataset_id !== undefined) {
        throw new GatewayError(
          'ValidationError',
          'Provide only one of dataset_id or view_id to scope the search, not both.',
        )
      }
      throw semanticLayersDisabled()
    }
    const datasets = await visibleSemanticDatasets(context.db, context.principal, request.dataset_id)
    const search = request.search === undefined || request.search === '' ? undefined : request.search
    const metrics: MetricInfo[] = []
    for (const dataset of datasets) {
      const dimensions = request.include_compatible_dimensions ? builtinDimensions(dataset) : []
      for (const metric of dataset.metrics) {
        if (
          search !== undefined &&
          !matches(metric.metric_name, search) &&
          !matches(metric.description, search)
        )
          continue
        metrics.push(metricInfo(metric, dataset, dimensions))
      }
    }
    // Stable pages: by data source, then metric name.
    metrics.sort(
      (a, b) => (a.dataset_id ?? 0) - (b.dataset_id ?? 0) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
    )
    const start = (request.page - 1) * request.page_size
    return {
      metrics: metrics.slice(start, start + request.page_size),
      total_count: metrics.length,
      page: request.page,
      page_size: request.page_size,
      total_pages: Math.max(1, Math.ceil(metrics.length / request.page_size)),
      success: true as const,
    }
  },
})

/** The one dataset a compatibility request names, checked: visible, and the selected names its own. */
async function selectedDataset(
  request: {
    dataset_id?: number | undefined
    view_id?: number | undefined
    selected_metrics: string[]
    selected_dimensions: string[]
  },
  context: ToolContext,
): Promise<SemanticDataset> {
  const datasetId = oneSource(request)
  const [dataset] = await visibleSemanticDatasets(context.db, context.principal, datasetId)
  if (dataset === undefined) {
    throw new GatewayError('NotFoundError', `No dataset found with id: ${datasetId}.`, {
      details: { resource_type: 'dataset', resource_id: datasetId },
    })
  }
  const errors = [
    ...unknownNames(
      request.selected_metrics,
      dataset.metrics.map((metric) => metric.metric_name),
      'metric',
    ),
    ...unknownNames(
      request.selected_dimensions,
      dataset.columns.map((column) => column.column_name),
      'dimension',
    ),
  ]
  if (errors.length > 0) throw new GatewayError('ValidationError', errors.join('; '))
  return dataset
}

const SelectionFields = {
  selected_metrics: z.array(z.string()).default([]).describe('Metric names already selected.'),
  selected_dimensions: z.array(z.string()).default([]).describe('Dimension names already selected.'),
  ...SourceFields,
}

export const getCompatibleMetrics = defineTool({
  name: 'get_compatible_metrics',
  title: 'Get compatible metrics',
  description:
    'The metrics that can be added to a selection of metrics and dimensions on one dataset (dataset_id): on a ' +
    'built-in dataset every other metric is compatible. Unknown selected names are rejected.',
  input: requestObject(SelectionFields),
  output: z.union([
    z.object({
      compatible_metrics: z.array(MetricInfoSchema),
      source: z.enum(['builtin', 'external']),
      success: z.literal(true),
    }),
    SemanticLayerErrorSchema,
  ]),
  annotations: READ_ONLY,
  permission: PERMISSION,
  cache: CACHE,
  inBandFailure: (failure, _request, context) => semanticLayerFailure(failure, context.now),
  run: async (request, context) => {
    const dataset = await selectedDataset(request, context)
    const selected = new Set(request.selected_metrics)
    return {
      compatible_metrics: dataset.metrics
        .filter((metric) => !selected.has(metric.metric_name))
        .map((metric) => metricInfo(metric, dataset)),
      source: 'builtin' as const,
      success: true as const,
    }
  },
})

export const getCompatibleDimensions = defineTool({
  name: 'get_compatible_dimensions',
  title: 'Get compatible dimensions',
  description:
    'The dimensions that can be added to a selection of metrics and dimensions on one dataset (dataset_id): on a ' +
    'built-in dataset, all of its group-by columns. Unknown selected names are rejected.',
  input: requestObject(SelectionFields),
  output: z.union([
    z.object({
      compatible_dimensions: z.array(DimensionInfoSchema),
      source: z.enum(['builtin', 'external']),
      success: z.literal(true),
    }),
    SemanticLayerErrorSchema,
  ]),
  annotations: READ_ONLY,
  permission: PERMISSION,
  cache: CACHE,
  inBandFailure: (failure, _request, context) => semanticLayerFailure(failure, context.now),
  run: async (request, context) => {
    const dataset = await selectedDataset(request, context)
    return {
      compatible_dimensions: builtinDimensions(dataset),
      source: 'builtin' as const,
      success: true as const,
    }
  },
})
