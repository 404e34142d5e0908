/**
 * A chart's `query_context`, built from its form_data the way Superset's frontend buildQuery does for
 * each viz family, so Superset's own chart-data API (/api/v1/chart/<id>/data) can run a chart the
 * gateway saved. (Superset's MCP service saves params only, and those charts fail there: "Chart has no
 * query context saved".)
 */
import { vizFamily } from '../../query'

type Json = Record<string, unknown>

const asArray = (value: unknown): unknown[] =>
  Array.isArray(value) ? value : value === undefined || value === null ? [] : [value]

/** adhoc_filters of the SIMPLE kind become QueryObject filters ({col, op, val}); SQL ones go to extras. */
function filtersAndExtras(formData: Json): { filters: Json[]; extras: Json } {
  const filters: Json[] = []
  const where: string[] = []
  const having: string[] = []
  for (const entry of asArray(formData.adhoc_filters)) {
    if (typeof entry !== 'object' || entry === null) continue
    const filter = entry as Json
    if (filter.expressionType === 'SQL' && typeof filter.sqlExpression === 'string') {
      ;(filter.clause === 'HAVING' ? having : where).push(`(${filter.sqlExpression})`)
      continue
    }
    if (typeof filter.subject !== 'string' || typeof filter.operator !== 'string') continue
    filters.push({
      col: filter.subject,
      op: filter.operator,
      ...(filter.comparator === undefined ? {} : { val: filter.comparator }),
    })
  }
  return { filters, extras: { having: having.join(' AND '), where: where.join(' AND ') } }
}

/** The temporal x axis as the frontend sends it: an SQL column marked BASE_AXIS with its time grain. */
function baseAxis(column: string, timeGrain: unknown): Json {
  return {
    timeGrain: typeof timeGrain === 'string' ? timeGrain : undefined,
    columnType: 'BASE_AXIS',
    sqlExpression: column,
    label: column,
    expressionType: 'SQL',
  }
}

function metricLabel(metric: unknown): unknown {
  if (typeof metric === 'object' && metric !== null && typeof (metric as Json).label === 'string')
    return (metric as Json).label
  return metric
}

function queryObject(vizType: string, formData: Json, mainTemporalColumn: string | null): Json {
  const { filters, extras } = filtersAndExtras(formData)
  const rowLimit = typeof formData.row_limit === 'number' ? formData.row_limit : 10_000
  const orderDesc = formData.order_desc !== false
  const common = {
    filters,
    extras,
    applied_time_extras: {},
    annotation_layers: [],
    url_params: {},
    custom_params: {},
    custom_form_data: {},
    time_offsets: [],
  }
  const metrics = asArray(formData.metrics)
  const metric = formData.metric
  switch (vizFamily(vizType)) {
    case 'table': {
      if (formData.query_mode === 'raw') {
        const orderby = asArray(formData.order_by_cols).map((entry) =>
          typeof entry === 'string' ? (JSON.parse(entry) as unknown) : entry,
        )
        return {
          ...common,
          columns: asArray(formData.all_columns),
          metrics: [],
          orderby,
          row_limit: rowLimit,
          post_processing: [],
        }
      }
      return {
        ...common,
        columns: asArray(formData.groupby),
        metrics,
        orderby: metrics.length > 0 ? [[metrics[0], !orderDesc]] : [],
        row_limit: rowLimit,
        post_processing: [],
      }
    }
    case 'xy': {
      const x = typeof formData.x_axis === 'string' ? formData.x_axis : mainTemporalColumn
      const series = asArray(formData.groupby)
      return {
        ...common,
        extras: {
          ...extras,
          ...(formData.time_grain_sqla === undefined ? {} : { time_grain_sqla: formData.time_grain_sqla }),
        },
        columns: [...(x === null ? [] : [baseAxis(x, formData.time_grain_sqla)]), ...series],
        series_columns: series,
        series_limit: 0,
        metrics,
        orderby: metrics.length > 0 ? [[metrics[0], !orderDesc]] : [],
        row_limit: rowLimit,
        post_processing: [
          {
            operation: 'pivot',
            options: {
              index: x === null ? [] : [x],
              columns: series.map((column) => (typeof column === 'string' ? column : metricLabel(column))),
              aggregates: Object.fromEntries(
                metrics.map((item) => [String(metricLabel(item)), { operator: 'mean' }]),
              ),
              drop_missing_columns: false,
            },
          },
          { operation: 'flatten' },
        ],
      }
    }
    case 'pie':
      return {
        ...common,
        columns: asArray(formData.groupby),
        metrics: asArray(metric),
        orderby: formData.sort_by_metric === false || metric === undefined ? [] : [[metric, false]],
        row_limit: typeof formData.row_limit === 'number' ? formData.row_limit : 100,
        post_processing: [],
      }
    case 'big_number_total':
      return {
        ...common,
        columns: [],
        metrics: asArray(metric),
        orderby: [],
        row_limit: rowLimit,
        post_processing: [],
      }
    case 'big_number': {
      const x = typeof formData.x_axis === 'string' ? formData.x_axis : mainTemporalColumn
      return {
        ...common,
        extras: {
          ...extras,
          ...(formData.time_grain_sqla === undefined ? {} : { time_grain_sqla: formData.time_grain_sqla }),
        },
        columns: x === null ? [] : [baseAxis(x, formData.time_grain_sqla)],
        metrics: asArray(metric),
        orderby: [],
        row_limit: rowLimit,
        post_processing: [
          {
            operation: 'pivot',
            options: {
              index: x === null ? [] : [x],
              columns: [],
              aggregates: { [String(metricLabel(metric))]: { operator: 'mean' } },
              drop_missing_columns: true,
            },
          },
        ],
      }
    }
    case 'pivot_table':
      return {
        ...common,
        columns: [...asArray(formData.groupbyColumns), ...asArray(formData.groupbyRows)],
        metrics,
        orderby: metrics.length > 0 ? [[metrics[0], !orderDesc]] : [],
        row_limit: rowLimit,
        post_processing: [],
      }
    case 'other':
      return {
        ...common,
        columns: asArray(formData.groupby),
        metrics,
        orderby: [],
        row_limit: rowLimit,
        post_processing: [],
      }
  }
}

export function buildQueryContext(
  vizType: string,
  formData: Json,
  datasetId: number,
  mainTemporalColumn: string | null,
): Json {
  return {
    datasource: { id: datasetId, type: 'table' },
    force: false,
    queries: [queryObject(vizType, formData, mainTemporalColumn)],
    form_data: formData,
    result_format: 'json',
    result_type: 'full',
  }
}
