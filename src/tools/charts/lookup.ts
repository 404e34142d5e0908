/**
 * Finding a chart for the chart-data tools as Superset does: the chart by id or UUID among those
 * ChartFilter lets the caller see (a hidden chart reads as missing), then its dataset, which the caller
 * must be able to access (DatasourceFilter, or owning the dataset) — else DatasetNotAccessible.
 */
import { GatewayError } from '../../errors'
import { savedChartQuery, type ChartQuery } from '../../query'
import {
  findUsableDatasetId,
  findVisibleChart,
  loadDataset,
  type ChartRecord,
  type DatasetMeta,
  type Identifier,
} from '../../superset'
import { type ToolContext } from '../core'

export type { ChartRecord }

export interface LoadedChart {
  chart: ChartRecord
  dataset: DatasetMeta
  query: ChartQuery
}

/** Superset keeps unsaved explore state (form_data_key) in its Flask cache, which the gateway cannot read. */
export function formDataKeyUnsupported(key: string): GatewayError {
  return new GatewayError(
    'ValidationError',
    `form_data_key "${key}" names an unsaved explore state, which Superset keeps in its cache (Redis), not in its database; ` +
      'the gateway cannot read it. Save the chart in Superset (or with generate_chart save_chart=true) and pass its id.',
    { details: { reason: 'form_data_key_unsupported' } },
  )
}

export async function loadChart(identifier: Identifier, context: ToolContext): Promise<LoadedChart> {
  const chart = await visibleChart(identifier, context)
  const dataset = await accessibleDataset(chart, context)
  const query = savedChartQuery(chart, dataset)
  return { chart, dataset, query }
}

async function visibleChart(identifier: Identifier, context: ToolContext): Promise<ChartRecord> {
  const chart = await findVisibleChart(context.db, identifier, context.principal)
  if (chart === undefined) {
    throw new GatewayError('NotFoundError', `Chart with identifier '${identifier}' not found`, {
      details: { resource_type: 'chart', resource_id: identifier },
    })
  }
  return chart
}

async function accessibleDataset(chart: ChartRecord, context: ToolContext): Promise<DatasetMeta> {
  const denied = () =>
    new GatewayError(
      'PermissionDeniedError',
      `The dataset of chart ${chart.id} is not accessible to you (it may have been deleted, or you lack access to it). ` +
        'Ask a Superset administrator for access to the dataset.',
      {
        details: {
          reason: 'DatasetNotAccessible',
          error_type: 'DatasetNotAccessible',
          chart_id: chart.id,
          dataset_id: chart.datasource_id,
        },
      },
    )
  if (chart.datasource_id === null || (chart.datasource_type ?? 'table') !== 'table') throw denied()
  const allowed = await findUsableDatasetId(context.db, chart.datasource_id, context.principal)
  if (allowed === undefined) throw denied()
  const dataset = await loadDataset(context.db, chart.datasource_id)
  if (dataset === undefined) throw denied()
  return dataset
}
