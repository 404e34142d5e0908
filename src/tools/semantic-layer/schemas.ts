/**
 * The semantic-layer tools' response models (superset/mcp_service/semantic_layer/schemas.py): MetricInfo,
 * DimensionInfo, and SemanticLayerError, the in-band failure every one of them answers with.
 */
import * as z from 'zod'
import { GatewayError } from '../../errors'
import { quoteAuthored } from '../../markers'
import type { SemanticColumn, SemanticDataset, SemanticMetric } from '../../superset'
import { authored, closeMatches, inBandMessage, isDomainFailure } from '../core'

export const DimensionInfoSchema = z.object({
  name: z.string(),
  verbose_name: authored(z.string()).nullable(),
  description: authored(z.string()).nullable(),
  type: z.string().nullable(),
  is_dttm: z.boolean(),
  groupby: z.boolean(),
  filterable: z.boolean(),
  source: z.enum(['builtin', 'external']),
})

export const MetricInfoSchema = z.object({
  name: z.string(),
  verbose_name: authored(z.string()).nullable(),
  description: authored(z.string()).nullable(),
  expression: authored(z.string()).nullable(),
  d3format: z.string().nullable(),
  warning_text: authored(z.string()).nullable(),
  source: z.enum(['builtin', 'external']),
  dataset_id: z.int().nullable(),
  dataset_name: z.string().nullable(),
  view_id: z.int().nullable(),
  view_name: z.string().nullable(),
  semantic_selection_version: z.string().nullable(),
  compatible_dimensions: z.array(DimensionInfoSchema),
})

export type DimensionInfo = z.input<typeof DimensionInfoSchema>
export type MetricInfo = z.input<typeof MetricInfoSchema>

/** SemanticLayerError: `success: false`, the message and the development branch's error type. */
export const SemanticLayerErrorSchema = z.object({
  success: z.literal(false),
  error: z.string(),
  error_type: z.string(),
  timestamp: z.string(),
})

/** `value or None`: Superset's serializers turn empty strings into null. */
const orNull = (value: string | null | undefined): string | null =>
  value === undefined || value === null || value === '' ? null : value

export function dimensionInfo(column: SemanticColumn): DimensionInfo {
  return {
    name: column.column_name,
    verbose_name: orNull(column.verbose_name),
    description: orNull(column.description),
    type: orNull(column.type),
    is_dttm: column.is_dttm,
    groupby: column.groupby,
    filterable: column.filterable,
    source: 'builtin',
  }
}

/** A built-in dataset's dimensions: its group-by columns (SQL imposes no metric-level constraint). */
export function builtinDimensions(dataset: SemanticDataset): DimensionInfo[] {
  return dataset.columns.filter((column) => column.groupby).map(dimensionInfo)
}

export function metricInfo(
  metric: SemanticMetric,
  dataset: SemanticDataset,
  dimensions: DimensionInfo[] = [],
): MetricInfo {
  return {
    name: metric.metric_name,
    verbose_name: orNull(metric.verbose_name),
    description: orNull(metric.description),
    expression: orNull(metric.expression),
    d3format: orNull(metric.d3format),
    warning_text: orNull(metric.warning_text),
    source: 'builtin',
    dataset_id: dataset.id,
    dataset_name: dataset.table_name,
    view_id: null,
    view_name: null,
    semantic_selection_version: null,
    compatible_dimensions: dimensions,
  }
}

/** The development branch's error types for the gateway's domain failures. */
const ERROR_TYPES: Record<string, string> = {
  NotFoundError: 'NotFound',
  ValidationError: 'ValidationError',
  PermissionDeniedError: 'AccessDenied',
}

/** The in-band answer of a failed call (domain failures only; others stay errors). */
export function semanticLayerFailure(failure: GatewayError, now: Date) {
  if (!isDomainFailure(failure)) return undefined
  const errorType =
    typeof failure.details?.error_type === 'string'
      ? failure.details.error_type
      : (ERROR_TYPES[failure.type] ?? failure.type)
  return {
    success: false as const,
    error: inBandMessage(failure),
    error_type: errorType,
    timestamp: now.toISOString(),
  }
}

/**
 * The gateway has no external semantic views (Superset 6.1 has none): a view id is answered as the
 * development branch answers it with semantic layers disabled.
 */
export function semanticLayersDisabled(): GatewayError {
  return new GatewayError(
    'ValidationError',
    'Semantic layers are not enabled on this Superset: only built-in datasets (dataset_id) have metrics.',
    { details: { error_type: 'SemanticLayersDisabledError' } },
  )
}

/** Exactly one of dataset_id and view_id. */
export function oneSource(request: {
  dataset_id?: number | undefined
  view_id?: number | undefined
}): number {
  if (request.dataset_id === undefined && request.view_id === undefined) {
    throw new GatewayError('ValidationError', 'Provide either dataset_id (built-in) or view_id (external).')
  }
  if (request.dataset_id !== undefined && request.view_id !== undefined) {
    throw new GatewayError('ValidationError', 'Provide only one of dataset_id or view_id, not both.')
  }
  if (request.dataset_id === undefined) throw semanticLayersDisabled()
  return request.dataset_id
}

/**
 * validate_names: each unknown name, with close matches (or, for metrics, the valid names). The dataset's
 * names are user-written: quoted as authored, so they reach an agent marked as untrusted content.
 */
export function unknownNames(requested: readonly string[], valid: readonly string[], kind: string) {
  const errors: string[] = []
  for (const name of requested) {
    if (valid.includes(name)) continue
    let message = `Unknown ${kind}: '${name}'`
    if (valid.length > 0) {
      const suggestions = closeMatches(name, valid)
      if (suggestions.length > 0) message += `. Did you mean: ${suggestions.map(quoteAuthored).join(', ')}?`
      else if (kind === 'metric') {
        const shown = [...valid].sort().slice(0, 10)
        const more = valid.length - shown.length
        message += `. Valid metrics: ${shown.map(quoteAuthored).join(', ')}${more > 0 ? ` (and ${more} more; call list_metrics for the full list)` : ''}`
      }
    }
    errors.push(message)
  }
  return errors
}
