/**
 * manage_native_filters (Superset development branch, dashboard/tool/manage_native_filters.py; models
 * ManageNativeFiltersRequest / ManageNativeFiltersResponse, FilterSelectSpec, FilterTimeSpec,
 * NativeFilterUpdateSpec in dashboard/schemas.py): add, update, remove and reorder the native filters in
 * a dashboard's json_metadata.native_filter_configuration, as Superset's
 * UpdateDashboardNativeFiltersCommand applies its deleted / modified / reordered payload. The caller must
 * own the dashboard (or be Admin); filter targets must be datasets and columns the caller may see; one
 * transaction under the dashboard's row lock. Removing filters asks the user first.
 */
import * as z from 'zod'
import { GatewayError } from '../../errors'
import { quoteAuthored } from '../../markers'
import {
  dashboardChartIds,
  lockEditableDashboard,
  saveDashboardMetadata,
  visibleDatasetColumns,
} from '../../superset'
import { defineTool, inBandMessage, isDomainFailure, requestObject, WRITES, type ToolContext } from '../core'
import {
  dashboardGone,
  filterConfigurations,
  findEditableDashboard,
  jsonObject,
  NativeFilterSummarySchema,
  nativeFilterSummaries,
} from './shared'

const scopeField = z.array(z.int()).optional()

const base = {
  name: z.string().min(1),
  description: z.string().default(''),
  scope_chart_ids: scopeField,
}

const FilterSelectSpec = z.object({
  filter_type: z.literal('filter_select'),
  ...base,
  dataset_id: z.int(),
  column: z.string().min(1),
  multi_select: z.boolean().default(true),
  default_to_first_item: z.boolean().default(false),
  enable_empty_filter: z.boolean().default(false),
  sort_ascending: z.boolean().optional(),
  search_all_options: z.boolean().default(false),
})

const FilterTimeSpec = z.object({
  filter_type: z.literal('filter_time'),
  ...base,
  default_time_range: z.string().optional(),
})

const NativeFilterUpdateSpec = z.object({
  id: z.string().min(1),
  name: z.string().min(1).optional(),
  description: z.string().optional(),
  dataset_id: z.int().optional(),
  column: z.string().min(1).optional(),
  multi_select: z.boolean().optional(),
  default_to_first_item: z.boolean().optional(),
  enable_empty_filter: z.boolean().optional(),
  sort_ascending: z.boolean().optional(),
  search_all_options: z.boolean().optional(),
  default_time_range: z.string().optional(),
  scope_chart_ids: z.array(z.int()).optional(),
})

type NewFilter = z.output<typeof FilterSelectSpec> | z.output<typeof FilterTimeSpec>
type FilterUpdate = z.output<typeof NativeFilterUpdateSpec>
type Filter = Record<string, unknown>

const ManageNativeFiltersInput = requestObject({
  dashboard_id: z.int().positive().describe('Dashboard id.'),
  add: z
    .array(z.discriminatedUnion('filter_type', [FilterSelectSpec, FilterTimeSpec]))
    .default([])
    .describe('New filters (scope_chart_ids: default all charts).'),
  update: z.array(NativeFilterUpdateSpec).default([]).describe('Partial updates by id.'),
  remove: z.array(z.string().min(1)).default([]).describe('Filter ids to delete.'),
  reorder: z.array(z.string()).optional().describe('All remaining filter ids, in order.'),
}).refine(
  (request) =>
    request.add.length > 0 ||
    request.update.length > 0 ||
    request.remove.length > 0 ||
    request.reorder !== undefined,
  { message: 'At least one operation (add, update, remove, reorder) is required' },
)

type ManageRequest = z.output<typeof ManageNativeFiltersInput>

/** Fields of an update that only some filter types have (the others apply to every type). */
const TYPE_FIELDS: Record<string, readonly (keyof FilterUpdate)[]> = {
  filter_select: [
    'dataset_id',
    'column',
    'multi_select',
    'default_to_first_item',
    'enable_empty_filter',
    'sort_ascending',
    'search_all_options',
  ],
  filter_time: ['default_time_range'],
}
const CONTROL_VALUES: Partial<Record<keyof FilterUpdate, string>> = {
  multi_select: 'multiSelect',
  default_to_first_item: 'defaultToFirstItem',
  enable_empty_filter: 'enableEmptyFilter',
  sort_ascending: 'sortAscending',
  search_all_options: 'searchAllOptions',
}

const invalid = (message: string, details: Record<string, unknown> = {}) =>
  new GatewayError('ValidationError', message, { details })

const emptyDataMask = () => ({ filterState: { value: null }, extraFormData: {} })

const timeDataMask = (range: string | undefined) =>
  range === undefined || range === ''
    ? emptyDataMask()
    : { filterState: { value: range }, extraFormData: { time_range: range } }

/** A native filter id as Superset's frontend makes them: NATIVE_FILTER- and ten random characters. */
function newFilterId(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-'
  const bytes = crypto.getRandomValues(new Uint8Array(10))
  return `NATIVE_FILTER-${[...bytes].map((byte) => alphabet[byte % alphabet.length]).join('')}`
}

/** The frontend's scope: the dashboard's charts outside `scope` excluded; all charts when none given. */
function scopeOf(scope: number[] | undefined, dashboardCharts: readonly number[]) {
  if (scope === undefined) return { rootPath: ['ROOT_ID'], excluded: [] }
  const unknown = [...new Set(scope.filter((id) => !dashboardCharts.includes(id)))].sort((a, b) => a - b)
  if (unknown.length > 0) {
    throw invalid(
      `scope_chart_ids contains chart IDs not on the dashboard: [${unknown.join(', ')}]. Charts on this dashboard: [${dashboardCharts.join(', ')}].`,
      { field: 'scope_chart_ids', unknown_chart_ids: unknown },
    )
  }
  return { rootPath: ['ROOT_ID'], excluded: dashboardCharts.filter((id) => !scope.includes(id)) }
}

/** The target must be a dataset the caller may see and one of its columns. */
async function checkTarget(datasetId: number, column: string, context: ToolContext, db = context.db) {
  const dataset = await visibleDatasetColumns(db, datasetId, context.principal)
  if (dataset === undefined) {
    throw invalid(`Dataset with ID ${datasetId} not found. Use list_datasets to get valid dataset IDs.`, {
      dataset_id: datasetId,
    })
  }
  if (!dataset.columns.some((candidate) => candidate.name === column)) {
    throw invalid(
      `Column ${quoteAuthored(column)} not found in dataset ${datasetId}. Available columns: ${dataset.columns.map((c) => c.name).join(', ')}.`,
      { dataset_id: datasetId },
    )
  }
}

async function newFilter(spec: NewFilter, charts: readonly number[], context: ToolContext): Promise<Filter> {
  const common = {
    id: newFilterId(),
    type: 'NATIVE_FILTER',
    name: spec.name,
    description: spec.description,
    scope: scopeOf(spec.scope_chart_ids, charts),
    cascadeParentIds: [],
  }
  if (spec.filter_type === 'filter_time') {
    return {
      ...common,
      filterType: 'filter_time',
      targets: [{}],
      controlValues: {},
      defaultDataMask: timeDataMask(spec.default_time_range),
    }
  }
  await checkTarget(spec.dataset_id, spec.column, context)
  return {
    ...common,
    filterType: 'filter_select',
    targets: [{ datasetId: spec.dataset_id, column: { name: spec.column } }],
    controlValues: {
      multiSelect: spec.multi_select,
      defaultToFirstItem: spec.default_to_first_item,
      enableEmptyFilter: spec.enable_empty_filter,
      searchAllOptions: spec.search_all_options,
      ...(spec.sort_ascending === undefined ? {} : { sortAscending: spec.sort_ascending }),
    },
    defaultDataMask: emptyDataMask(),
  }
}

const targetKey = (target: unknown): string => {
  const entry = (typeof target === 'object' && target !== null ? target : {}) as Record<string, unknown>
  const column = entry.column
  const name = typeof column === 'object' && column !== null ? (column as { name?: unknown }).name : column
  return JSON.stringify([entry.datasetId ?? null, name ?? null])
}

/** The whole filter after a partial update (Superset substitutes whole entries). */
async function updatedFilter(
  spec: FilterUpdate,
  existing: Filter,
  charts: readonly number[],
  context: ToolContext,
): Promise<Filter> {
  const type = typeof existing.filterType === 'string' ? existing.filterType : null
  const allowed = type === null ? [] : (TYPE_FIELDS[type] ?? [])
  const wrong = Object.values(TYPE_FIELDS)
    .flat()
    .filter((field) => spec[field] !== undefined && !allowed.includes(field))
  if (wrong.length > 0) {
    const types = Object.entries(TYPE_FIELDS)
      .filter(([, fields]) => fields.some((field) => wrong.includes(field)))
      .map(([name]) => name)
    throw invalid(
      `Filter ${quoteAuthored(spec.id)} has type '${type}'; fields [${[...new Set(wrong)].sort().join(', ')}] only apply to ${types.join(', ')} filters.`,
      { filter_id: spec.id },
    )
  }
  const merged: Filter = structuredClone(existing)
  if (spec.name !== undefined) merged.name = spec.name
  if (spec.description !== undefined) merged.description = spec.description
  if (spec.scope_chart_ids !== undefined) merged.scope = scopeOf(spec.scope_chart_ids, charts)
  if (spec.dataset_id !== undefined || spec.column !== undefined) {
    const targets = Array.isArray(existing.targets) ? existing.targets : []
    const previous = (targets[0] ?? {}) as Record<string, unknown>
    const previousColumn = previous.column
    const datasetId =
      spec.dataset_id ?? (typeof previous.datasetId === 'number' ? previous.datasetId : undefined)
    const column =
      spec.column ??
      (typeof previousColumn === 'object' && previousColumn !== null
        ? (previousColumn as { name?: unknown }).name
        : previousColumn)
    if (datasetId === undefined || typeof column !== 'string' || column === '') {
      throw invalid(
        `Filter ${quoteAuthored(spec.id)} is missing a dataset or column target; provide both dataset_id and column to set the target.`,
        { filter_id: spec.id },
      )
    }
    await checkTarget(datasetId, column, context)
    const target = { ...previous, datasetId, column: { name: column } }
    merged.targets = [target]
    // A default chosen for another column no longer applies.
    if (targetKey(target) !== targetKey(previous)) merged.defaultDataMask = emptyDataMask()
  }
  const controls: Record<string, unknown> = {
    ...((typeof existing.controlValues === 'object' && existing.controlValues !== null
      ? existing.controlValues
      : {}) as Record<string, unknown>),
  }
  for (const [field, key] of Object.entries(CONTROL_VALUES)) {
    const value = spec[field as keyof FilterUpdate]
    if (value !== undefined) controls[key] = value
  }
  merged.controlValues = controls
  if (spec.default_time_range !== undefined) merged.defaultDataMask = timeDataMask(spec.default_time_range)
  return merged
}

/** The new configuration, as UpdateDashboardNativeFiltersCommand applies deleted / modified / reordered. */
async function applyOperations(
  request: ManageRequest,
  current: Filter[],
  charts: readonly number[],
  context: ToolContext,
): Promise<{ configuration: Filter[]; added: string[]; updated: string[] }> {
  const byId = new Map<string, Filter>()
  for (const filter of current)
    if (typeof filter.id === 'string' && filter.id !== '') byId.set(filter.id, filter)
  const known = [...byId.keys()].sort()
  const list = (ids: readonly string[]) => `[${ids.map(quoteAuthored).join(', ')}]`
  const unknownRemovals = request.remove.filter((id) => !byId.has(id))
  if (unknownRemovals.length > 0) {
    throw invalid(
      `Cannot remove filters that do not exist on the dashboard: ${list(unknownRemovals)}. Existing filter IDs: ${list(known)}.`,
    )
  }
  const removed = new Set(request.remove)
  const updateIds = request.update.map((spec) => spec.id)
  const duplicates = [...new Set(updateIds.filter((id, index) => updateIds.indexOf(id) !== index))].sort()
  if (duplicates.length > 0) {
    throw invalid(
      `update contains duplicate filter IDs: ${list(duplicates)}. Provide at most one update per filter.`,
    )
  }
  const modified = new Map<string, Filter>()
  for (const spec of request.update) {
    if (removed.has(spec.id))
      throw invalid(`Filter ${quoteAuthored(spec.id)} cannot be both updated and removed.`)
    const existing = byId.get(spec.id)
    if (existing === undefined) {
      throw invalid(
        `Cannot update filter ${quoteAuthored(spec.id)}: not found on the dashboard. Existing filter IDs: ${list(known)}.`,
      )
    }
    modified.set(spec.id, await updatedFilter(spec, existing, charts, context))
  }
  const additions: Filter[] = []
  for (const spec of request.add) additions.push(await newFilter(spec, charts, context))
  const added = additions.map((filter) => filter.id as string)

  let configuration: Filter[] = current
    .filter((filter) => !(typeof filter.id === 'string' && removed.has(filter.id)))
    .map((filter) => (typeof filter.id === 'string' ? (modified.get(filter.id) ?? filter) : filter))
  configuration.push(...additions)

  if (request.reorder !== undefined) {
    if (new Set(request.reorder).size !== request.reorder.length)
      throw invalid('reorder contains duplicate filter IDs.')
    const surviving = known.filter((id) => !removed.has(id))
    const ordered = request.reorder.filter((id) => !added.includes(id))
    const missing = surviving.filter((id) => !ordered.includes(id))
    const unknown = ordered.filter((id) => !surviving.includes(id)).sort()
    if (missing.length > 0 || unknown.length > 0) {
      throw invalid(
        `reorder must list every remaining filter exactly once. Missing: ${list(missing)}. Unknown: ${list(unknown)}. Remaining filter IDs: ${list(surviving)}.`,
      )
    }
    if (request.reorder.length > 0) {
      const order = [...request.reorder, ...added.filter((id) => !request.reorder!.includes(id))]
      const byNewId = new Map(configuration.map((filter) => [filter.id as string, filter]))
      configuration = order.flatMap((id) => {
        const filter = byNewId.get(id)
        return filter === undefined ? [] : [filter]
      })
    }
  }
  return { configuration, added, updated: [...modified.keys()] }
}

export const manageNativeFilters = defineTool({
  name: 'manage_native_filters',
  title: 'Manage native filters',
  description:
    'Add, update, remove and reorder the native filters of a dashboard you own (ids are generated).',
  input: ManageNativeFiltersInput,
  output: z.object({
    dashboard_id: z.int().nullable(),
    dashboard_url: z.string().nullable(),
    added_filter_ids: z.array(z.string()),
    updated_filter_ids: z.array(z.string()),
    removed_filter_ids: z.array(z.string()),
    filters: z.array(NativeFilterSummarySchema),
    error: z.string().nullable(),
    permission_denied: z.boolean(),
  }),
  annotations: { ...WRITES, destructiveHint: true },
  permission: { permission: 'can_write', view: 'Dashboard' },
  // Removing filters deletes their configuration: asked first, naming them and the dashboard.
  confirm: async (request, context) => {
    if (request.remove.length === 0) return undefined
    // A caller who may not edit the dashboard is refused before being asked.
    const dashboard = await findEditableDashboard(request.dashboard_id, context)
    const count = request.remove.length
    return {
      message:
        `Remove ${count} native filter${count === 1 ? '' : 's'} (${request.remove.map(quoteAuthored).join(', ')}) ` +
        `from dashboard ${dashboard.id} (${quoteAuthored(dashboard.dashboard_title ?? '')}).`,
    }
  },
  run: async (request, context) => {
    const target = await findEditableDashboard(request.dashboard_id, context)
    const result = await context.db.transaction(async (tx) => {
      const current = await lockEditableDashboard(tx, target.id)
      if (current === undefined) throw dashboardGone(request.dashboard_id)
      const metadata = jsonObject(current.json_metadata)
      const charts = await dashboardChartIds(tx, target.id)
      const applied = await applyOperations(request, filterConfigurations(metadata), charts, {
        ...context,
        db: tx,
      })
      await saveDashboardMetadata(
        tx,
        target.id,
        { ...metadata, native_filter_configuration: applied.configuration },
        context.principal.user.id,
      )
      return applied
    })
    context.effects.objectsAffected += 1
    context.effects.changed.add('dashboard')
    return {
      dashboard_id: target.id,
      dashboard_url: context.links.dashboard({ id: target.id }),
      added_filter_ids: result.added,
      updated_filter_ids: result.updated,
      removed_filter_ids: request.remove,
      filters: nativeFilterSummaries({ native_filter_configuration: result.configuration }),
      error: null,
      permission_denied: false,
    }
  },
  // ManageNativeFiltersResponse reports failures in-band: a missing dashboard without its id, a refused
  // edit with permission_denied.
  inBandFailure: (failure, request) => {
    if (!isDomainFailure(failure)) return undefined
    const denied = failure.details?.permission_denied === true
    return {
      dashboard_id: failure.type === 'NotFoundError' ? null : request.dashboard_id,
      dashboard_url: null,
      added_filter_ids: [],
      updated_filter_ids: [],
      removed_filter_ids: [],
      filters: [],
      error: denied
        ? `You don't have permission to edit dashboard ${request.dashboard_id}. Changing native filters requires editorship of the dashboard.`
        : inBandMessage(failure),
      permission_denied: denied,
    }
  },
})
