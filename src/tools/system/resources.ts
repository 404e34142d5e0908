import { recentDatasets, usableDatabases } from '../../superset'
import { authoredPathsOf, type ResourceDefinition } from '../core'
import { getInstanceInfo } from './tools'
import { CHART_CONFIG_EXAMPLES } from './chart-configs'

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
