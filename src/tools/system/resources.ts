import {
  chartSpec,
  dashboardSpec,
  datasetSpec,
  recentDatasets,
  usableDatabases,
  type ModelSpec,
} from '../../superset'
import { authoredPathsOf, type ResourceDefinition } from '../core'
import { getInstanceInfo } from './tools'
import { CHART_CONFIG_EXAMPLES } from './chart-configs'
import { defaultColumnsOf, SCHEMA_DEFAULT_SORT, searchColumnsOf } from './schema-tool'

/**
 * instance://metadata: the instance overview (get_instance_info, instance-wide figures for admins only) plus
 * the datasets and databases the caller can list.
 */
export const instanceMetadata: ResourceDefinition = {
  uri: 'instance://metadata',
  name: 'instance_metadata',
  title: 'Superset instance metadata',
  description:
    'Instance overview (as get_instance_info), plus the 20 most recently changed datasets and the databases you may use.',
  mimeType: 'application/json',
  permission: null,
  authored: [
    ...authoredPathsOf(getInstanceInfo),
    'available_datasets.table_name',
    'available_databases.database_name',
  ],
  read: async (context) => {
    const [info, datasets, databases] = await Promise.all([
      getInstanceInfo.run({}, context),
      recentDatasets(context),
      usableDatabases(context),
    ])
    return JSON.stringify({
      ...(info as object),
      available_datasets: datasets,
      available_databases: databases,
    })
  },
}

/** chart://configs: example generate_chart configurations per chart type, with when to use them. */
export const chartConfigs: ResourceDefinition = {
  uri: 'chart://configs',
  name: 'chart_configs',
  title: 'Chart configuration examples',
  description:
    'Example configurations for generate_chart and generate_explore_link by chart type, with best practices.',
  mimeType: 'application/json',
  permission: { permission: 'can_read', view: 'Chart' },
  read: async () => JSON.stringify(CHART_CONFIG_EXAMPLES),
}

/**
 * Superset 6.1's schema discovery resource of one model (system/resources/schema_discovery.py): what its
 * list tool accepts in select_columns, order_column and search. Static; the same for every caller.
 */
function modelSchema(spec: ModelSpec) {
  return {
    model_type: spec.model,
    select_columns: Object.entries(spec.columns).map(([name, column]) => ({
      name,
      description: column.description,
      type: column.type,
    })),
    all_column_names: Object.keys(spec.columns),
    default_columns: defaultColumnsOf(spec),
    sortable_columns: [...spec.sortable],
    search_columns: searchColumnsOf(spec),
    default_sort: SCHEMA_DEFAULT_SORT.column,
    default_sort_direction: SCHEMA_DEFAULT_SORT.direction,
  }
}

const SCHEMA_MODELS = { chart: chartSpec, dataset: datasetSpec, dashboard: dashboardSpec } as const

/** JSON as 6.1 serves these resources (json.dumps with indent=2). */
const pretty = (value: unknown): string => JSON.stringify(value, null, 2)

function schemaResource(model: keyof typeof SCHEMA_MODELS): ResourceDefinition {
  return {
    uri: `superset://schema/${model}`,
    name: `${model}_schema`,
    title: `${model[0]!.toUpperCase()}${model.slice(1)} schema`,
    description: `Schema metadata for the ${model} model: the columns list_${model}s accepts in select_columns, its default columns, sortable columns (order_column) and search columns.`,
    mimeType: 'application/json',
    // 6.1 asks only for an authenticated caller (mcp_auth_hook, no class permission).
    permission: null,
    read: async () => pretty(modelSchema(SCHEMA_MODELS[model])),
  }
}

export const chartSchema = schemaResource('chart')
export const datasetSchema = schemaResource('dataset')
export const dashboardSchema = schemaResource('dashboard')

/** superset://schema/all: the three, and how to use them (6.1's get_all_schemas_resource). */
export const allSchemas: ResourceDefinition = {
  uri: 'superset://schema/all',
  name: 'all_schemas',
  title: 'Schemas of charts, datasets and dashboards',
  description:
    'Schema metadata of the chart, dataset and dashboard models in one resource: select, default, sortable and search columns.',
  mimeType: 'application/json',
  permission: null,
  read: async () =>
    pretty({
      chart: modelSchema(chartSpec),
      dataset: modelSchema(datasetSpec),
      dashboard: modelSchema(dashboardSpec),
      metadata: {
        description: 'Schema discovery metadata for Superset MCP service',
        usage: {
          select_columns:
            'Use these column names in the select_columns parameter to control which fields are returned',
          sortable_columns: 'Use these column names in the order_column parameter to sort results',
          search_columns: 'These columns are searched when using the search parameter',
          default_columns: 'These columns are returned when select_columns is not specified',
        },
      },
    }),
}
