/**
 * update_dataset_metric (Superset's development branch, dataset/tool/update_dataset_metric.py): changes
 * the given properties of one saved metric of a dataset the caller owns (Admin excepted), leaving the
 * rest of the metric and the dataset's other metrics untouched. A new expression is held to the
 * guardrails as an agent's ad-hoc metric is (one expression, allow-listed functions, no subquery, no
 * comment), since every chart that uses the metric will run it. Asks the user first: it overwrites.
 */
import * as z from 'zod'
import { GatewayError } from '../../errors'
import { checkExpression, policyFor, sqlParser } from '../../guardrails'
import { quoteAuthored } from '../../markers'
import {
  datasetMetrics,
  datasetSpec,
  findVisibleRow,
  loadDataset,
  updateMetric,
  type MetricChanges,
  type MetricRecord,
} from '../../superset'
import {
  assertCanEdit,
  authored,
  closeMatches,
  defineTool,
  IdentifierSchema,
  inBandMessage,
  isDomainFailure,
  requestObject,
  type ToolContext,
  WRITES,
} from '../core'

const CurrencySchema = z.object({
  symbol: z.string().min(1).max(16).describe('ISO 4217 code, e.g. "USD".'),
  symbolPosition: z.enum(['prefix', 'suffix']).describe('Where the symbol goes.'),
})

const PROPERTIES = [
  'metric_name',
  'verbose_name',
  'expression',
  'description',
  'd3format',
  'metric_type',
  'currency',
  'warning_text',
  'extra',
] as const

const RequestSchema = requestObject({
  dataset_id: IdentifierSchema.describe('Dataset id or UUID.'),
  metric: IdentifierSchema.describe('The metric: its id, UUID or metric_name.'),
  metric_name: z.string().trim().min(1).max(255).optional().describe('New name of the metric.'),
  verbose_name: z.string().max(1024).optional().describe('Display label.'),
  expression: z
    .string()
    .trim()
    .min(1)
    .max(10_000)
    .optional()
    .describe('New SQL aggregate expression, e.g. SUM(net_revenue).'),
  description: z.string().max(10_000).optional(),
  d3format: z.string().max(128).optional().describe('Number format, e.g. "$,.2f".'),
  metric_type: z.string().max(32).optional(),
  currency: CurrencySchema.optional(),
  warning_text: z.string().max(10_000).optional(),
  extra: z
    .union([
      z.string().max(10_000),
      z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
    ])
    .optional()
    .describe('Extra metadata (a JSON object or its text).'),
}).refine((request) => PROPERTIES.some((key) => request[key] !== undefined), {
  message: `Nothing to change: pass at least one of ${PROPERTIES.join(', ')}.`,
})

type Request = z.output<typeof RequestSchema>

const MetricDetailSchema = z.object({
  id: z.int().nullable(),
  uuid: z.string().nullable(),
  metric_name: authored(z.string()),
  verbose_name: authored(z.string().nullable()),
  expression: authored(z.string().nullable()),
  description: authored(z.string().nullable()),
  d3format: z.string().nullable(),
  metric_type: z.string().nullable(),
  currency: CurrencySchema.nullable(),
  warning_text: authored(z.string().nullable()),
  extra: authored(z.string().nullable()),
})

/** The development branch's UpdateDatasetMetricResponse. */
const ResponseSchema = z.object({
  dataset_id: z.int().nullable(),
  dataset_name: authored(z.string().nullable()),
  metric: MetricDetailSchema.nullable(),
  updated_properties: z.array(z.string()),
  url: z.string().nullable(),
  error: z.string().nullable(),
})

function updatedProperties(request: Request): string[] {
  return PROPERTIES.filter((key) => request[key] !== undefined).sort()
}

/**
 * A new expression passes the guardrails' expression checker, as an ad-hoc metric would: the text the
 * check read, built-ins pg_catalog-qualified, or undefined when the request changes no expression. That
 * text is what is stored: every chart runs it later as a saved metric, which is not qualified again (a
 * same-named function elsewhere on the search_path could otherwise be picked).
 */
async function checkedExpression(
  request: Request,
  datasetId: number,
  metricName: string,
  context: ToolContext,
): Promise<string | undefined> {
  if (request.expression === undefined) return undefined
  const dataset = await loadDataset(context.db, datasetId)
  if (dataset === undefined) throw new Error(`dataset ${datasetId} vanished`)
  return checkExpression(await sqlParser(), request.expression, {
    origin: 'saved metric',
    name: request.metric_name ?? metricName,
    trusted: false,
    allowSubqueries: false,
    policy: policyFor(context.config.sql.functions, dataset.database.database_name),
    now: context.now.getTime(),
  })
}

/** The dataset (visible, owned unless Admin) and the metric the request names. */
async function target(request: Request, context: ToolContext) {
  const row = await findVisibleRow(datasetSpec, request.dataset_id, ['id', 'table_name'], context, {
    slug: false,
    label: 'Dataset',
  })
  const datasetId = Number(row.id)
  // Ownership first: a non-owner learns nothing of the metric names.
  await assertCanEdit('dataset', datasetId, context)
  const metrics = await datasetMetrics(context.db, datasetId)
  const wanted = String(request.metric)
  const metric =
    (typeof request.metric === 'number' || /^\d+$/.test(wanted)
      ? metrics.find((candidate) => candidate.id === Number(wanted))
      : undefined) ??
    metrics.find(
      (candidate) => candidate.uuid !== null && candidate.uuid.toLowerCase() === wanted.toLowerCase(),
    ) ??
    metrics.find((candidate) => candidate.metric_name === wanted)
  if (metric === undefined) {
    const names = metrics.map((candidate) => candidate.metric_name)
    const close = closeMatches(wanted, names)
    const hint =
      names.length === 0
        ? ' This dataset has no saved metrics.'
        : close.length > 0
          ? ` Did you mean: ${close.map(quoteAuthored).join(', ')}?`
          : ` Available metrics: ${[...names].sort().map(quoteAuthored).join(', ')}.`
    throw new GatewayError(
      'NotFoundError',
      `Metric ${quoteAuthored(wanted)} not found on this dataset.${hint}`,
      {
        details: { reason: 'metric_not_found', dataset_id: datasetId },
      },
    )
  }
  return { datasetId, tableName: String(row.table_name), metric }
}

function detail(metric: MetricRecord) {
  const currency = CurrencySchema.safeParse(
    typeof metric.currency === 'string' ? safeJson(metric.currency) : metric.currency,
  )
  return { ...metric, currency: currency.success ? currency.data : null }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return null
  }
}

export const updateDatasetMetric = defineTool({
  name: 'update_dataset_metric',
  title: 'Update dataset metric',
  description:
    'Change properties of one saved metric of a dataset you own (admins: any): its SQL expression, name, label, number format... ' +
    'Only what you pass changes; every chart using the metric changes with it. It cannot create or delete metrics. ' +
    'See the metrics with get_dataset_info first.',
  input: RequestSchema,
  output: ResponseSchema,
  // The development branch: readOnlyHint=False, destructiveHint=True (it overwrites the definition).
  annotations: { ...WRITES, destructiveHint: true },
  permission: { permission: 'can_write', view: 'Dataset' },
  confirm: async (request, context) => {
    const { datasetId, tableName, metric } = await target(request, context)
    // A change the checker refuses is refused before the user is asked.
    await checkedExpression(request, datasetId, metric.metric_name, context)
    return {
      message: `Change ${updatedProperties(request).join(', ')} of metric ${metric.id} (${quoteAuthored(metric.metric_name)}) of dataset ${datasetId} (${quoteAuthored(tableName)}); every chart using it changes.`,
    }
  },
  run: async (request, context) => {
    const { datasetId, tableName, metric } = await target(request, context)
    const changes: MetricChanges = {}
    for (const key of PROPERTIES) {
      const value = request[key]
      if (value === undefined) continue
      if (key === 'extra') changes.extra = typeof value === 'string' ? value : JSON.stringify(value)
      else (changes as Record<string, unknown>)[key] = value
    }
    const expression = await checkedExpression(request, datasetId, metric.metric_name, context)
    if (expression !== undefined) changes.expression = expression
    const updated = await context.db.transaction((tx) =>
      updateMetric(tx, datasetId, metric.id, changes, context.principal.user.id),
    )
    context.effects.objectsAffected += 1
    context.effects.changed.add('dataset')
    return {
      dataset_id: datasetId,
      dataset_name: tableName,
      metric: detail(updated),
      updated_properties: updatedProperties(request),
      url: context.links.datasetExplore(datasetId),
      error: null,
    }
  },
  // The development branch answers every refusal in its response model: `error` set, the rest empty.
  inBandFailure: (failure) => {
    if (!isDomainFailure(failure)) return undefined
    return {
      dataset_id: null,
      dataset_name: null,
      metric: null,
      updated_properties: [],
      url: null,
      error: inBandMessage(failure),
    }
  },
})
