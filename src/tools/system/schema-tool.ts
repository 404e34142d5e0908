import { chartSpec, dashboardSpec, databaseSpec, datasetSpec, type ModelSpec } from '../../superset'
import * as z from 'zod'
import { defineTool, READ_ONLY, requestObject } from '../core'

const MODELS: Record<'chart' | 'dataset' | 'dashboard' | 'database', ModelSpec> = {
  chart: chartSpec,
  dataset: datasetSpec,
  dashboard: dashboardSpec,
  database: databaseSpec,
}

const ColumnMetadataSchema = z.object({
  name: z.string(),
  description: z.string(),
  type: z.enum(['int', 'str', 'bool', 'float', 'datetime', 'dict', 'list']),
  is_default: z.boolean(),
})

/**
 * 6.1's get_schema search_columns (common/schema_discovery.py *_SEARCH_COLUMNS), answered as 6.1 answers
 * them. They are not quite what 6.1's list tools search (list_datasets searches schema, sql, table_name
 * and uuid; list_dashboards adds uuid), and the gateway's list tools search as 6.1's do.
 */
const SEARCH_COLUMNS: Record<string, readonly string[]> = {
  chart: ['slice_name', 'description'],
  dataset: ['table_name', 'description'],
  dashboard: ['dashboard_title', 'slug'],
  database: ['database_name'],
}

/** The search columns get_schema and the superset://schema resources name for a model, as 6.1 names them. */
export function searchColumnsOf(spec: ModelSpec): string[] {
  return [...(SEARCH_COLUMNS[spec.model] ?? spec.searchColumns.map((column) => column.name))]
}

/**
 * 6.1's get_schema default columns (common/schema_discovery.py *_DEFAULT_COLUMNS). They differ from
 * the list tools' own defaults for datasets only: list_datasets also loads database_name
 * (dataset/tool/list_datasets.py DEFAULT_DATASET_COLUMNS), which the gateway's list tool does too.
 */
const DEFAULT_COLUMNS: Partial<Record<string, readonly string[]>> = {
  dataset: [
    'id',
    'table_name',
    'schema',
    'description',
    'certified_by',
    'certification_details',
    'changed_on',
    'changed_on_humanized',
  ],
}

/** The default columns get_schema and the superset://schema resources name for a model, as 6.1 names them. */
export function defaultColumnsOf(spec: ModelSpec): string[] {
  return [...(DEFAULT_COLUMNS[spec.model] ?? spec.defaultColumns)]
}

/**
 * The default order get_schema and the schema resources state, as 6.1 states it for every model
 * (system/tool/get_schema.py, ModelGetSchemaCore): changed_on, desc. It is not every list tool's own
 * default: 6.1's list_charts and list_dashboards default to order_direction asc, and so do the gateway's.
 */
export const SCHEMA_DEFAULT_SORT = { column: 'changed_on', direction: 'desc' } as const

/** What a list tool of one model accepts: Superset's get_schema (which replaced get_*_available_filters). */
export function schemaInfo(spec: ModelSpec) {
  const defaults = defaultColumnsOf(spec)
  return {
    model_type: spec.model,
    select_columns: Object.entries(spec.columns).map(([name, column]) => ({
      name,
      description: column.description,
      type: column.type,
      is_default: defaults.includes(name),
    })),
    filter_columns: Object.fromEntries(
      Object.entries(spec.filters).map(([name, filter]) => [name, [...filter.operators]]),
    ),
    sortable_columns: [...spec.sortable],
    default_select: defaults,
    default_sort: SCHEMA_DEFAULT_SORT.column,
    default_sort_direction: SCHEMA_DEFAULT_SORT.direction,
    search_columns: searchColumnsOf(spec),
  }
}

export const getSchema = defineTool({
  name: 'get_schema',
  title: 'Describe a model for the list tools',
  description:
    'For chart, dataset, dashboard or database: the columns you can select (with types and defaults), the filter columns and ' +
    'their operators, the sortable columns, the default sort and the search columns. Call it before a filtered list_* call.',
  input: requestObject({
    model_type: z.enum(['chart', 'dataset', 'dashboard', 'database']).describe('Which model to describe.'),
  }),
  output: z.object({
    schema_info: z.object({
      model_type: z.string(),
      select_columns: z.array(ColumnMetadataSchema),
      filter_columns: z.record(z.string(), z.array(z.string())),
      sortable_columns: z.array(z.string()),
      default_select: z.array(z.string()),
      default_sort: z.string(),
      default_sort_direction: z.enum(['asc', 'desc']),
      search_columns: z.array(z.string()),
    }),
  }),
  annotations: READ_ONLY,
  permission: null,
  run: async (request) => ({ schema_info: schemaInfo(MODELS[request.model_type]) }),
})
