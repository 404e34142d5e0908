/**
 * A chart's query, for the two ways a chart reaches the engine:
 *
 * - a saved chart (get_chart_data, get_chart_preview): its stored query_context when it has one, parsed
 *   and shape-checked, else the one its viz type builds from its params;
 * - a generate_chart config (generate_chart, update_chart, update_chart_preview, generate_explore_link):
 *   its form_data and the query_context built from it, serialised once; the query previewed and checked
 *   is read back from that very text, which is also what a save stores.
 *
 * Both read the query through the same reader (query-reader.ts), so a saved chart runs what was checked
 * and previewed, and every ad-hoc expression in it goes through the same guardrails when it is built.
 */
import { GatewayError } from '../errors'
import type { DatasetMeta } from '../superset'
import type { ChartConfig } from './chart-config'
import { buildQueryContext, configToFormData } from './chart-model'
import { parseFormData, parseQueryContext } from './query-context'
import type { ChartQuery } from './query-object'
import { chartQuery } from './query-reader'

export interface StoredChart {
  id: number
  viz_type: string
  datasource_id: number | null
  params: string | null
  query_context: string | null
}

/** A saved chart's query: the stored query_context's first query, else one built from params. */
export function savedChartQuery(chart: StoredChart, dataset: DatasetMeta): ChartQuery {
  const formData = parseFormData(chart.params, chart.id) ?? {}
  const queryContext = parseQueryContext(chart.query_context, chart.id)
  const datasourceId = queryContext?.datasource?.id
  if (datasourceId !== undefined && Number.parseInt(String(datasourceId), 10) !== dataset.id) {
    throw new GatewayError(
      'ValidationError',
      `Chart ${chart.id} has a query_context for dataset ${String(datasourceId)}, not for its own dataset ${dataset.id}; ` +
        're-save the chart in Superset.',
      { details: { reason: 'invalid_query_context', chart_id: chart.id } },
    )
  }
  return chartQuery(chart.viz_type, formData, queryContext, dataset)
}

export interface ConfigChart {
  vizType: string
  formData: Record<string, unknown>
  /** The query_context as it is saved (slices.query_context). */
  queryContext: string
  /** What previews and the check before saving run: the saved query_context, read back. */
  query: ChartQuery
}

/** A generate_chart config on a dataset: its form_data, its query_context, and the query they run. */
export function configChart(config: ChartConfig, dataset: DatasetMeta): ConfigChart {
  const { vizType, formData } = configToFormData(config, dataset)
  const queryContext = JSON.stringify(buildQueryContext(vizType, formData, dataset))
  const query = chartQuery(vizType, formData, parseQueryContext(queryContext, 0), dataset)
  return { vizType, formData, queryContext, query }
}
