/**
 * get_chart_type_schema: the JSON schema and examples of generate_chart's `config` for one chart type,
 * so an agent can build a valid chart request. No database access.
 */
import * as z from 'zod'
import {
  CHART_CONFIG_SCHEMAS,
  CHART_TYPES,
  ChartConfigSchema,
  configVizTypes,
  type ChartType,
} from '../../query'
import { advertiseAs, defineTool, READ_ONLY, requestObject } from '../core'

// The chart tools advertise their config by its discriminator; get_chart_type_schema gives the rest.
advertiseAs(ChartConfigSchema, {
  type: 'object',
  description:
    'The chart. chart_type picks the config type; each type has its own fields (columns, metrics, filters, options). Call get_chart_type_schema with the chart_type for its full schema and examples.',
  properties: { chart_type: { type: 'string', enum: CHART_TYPES } },
  required: ['chart_type'],
})

/** Superset viz_type names (and the xy kinds) an agent may pass instead of the chart type. */
const VIZ_TYPE_ALIASES: Record<string, ChartType> = {
  ...Object.fromEntries(
    CHART_TYPES.flatMap((chartType) => configVizTypes(chartType).map((vizType) => [vizType, chartType])),
  ),
  line: 'xy',
  bar: 'xy',
  area: 'xy',
  scatter: 'xy',
}

const DESCRIPTIONS: Record<ChartType, { description: string }> = {
  xy: {
    description:
      'Line, bar, area or scatter chart: an x axis (usually temporal, with a time grain), one or more metrics, optional series.',
  },
  table: {
    description:
      'A table of raw rows (plain columns) or aggregated rows (dimensions plus aggregated columns).',
  },
  pie: {
    description: 'Shares of one metric across the values of one dimension (donut optional).',
  },
  big_number: {
    description:
      'One headline number; with temporal_column and show_trendline, the number with its trend line.',
  },
  pivot_table: {
    description: 'Metrics cross-tabulated by row and column groupings, with totals.',
  },
  mixed_timeseries: {
    description:
      'Two series sets on one temporal x axis, each its own query and y axis (e.g. revenue as a line, orders as bars).',
  },
  handlebars: {
    description:
      'Query rows rendered through a Handlebars HTML template: raw rows (columns) or grouped (groupby + metrics).',
  },
}

const EXAMPLES: Record<ChartType, Record<string, unknown>[]> = {
  xy: [
    {
      chart_type: 'xy',
      x: { name: 'order_date' },
      y: [{ name: 'revenue', saved_metric: true }],
      kind: 'line',
      time_grain: 'P1M',
    },
    {
      chart_type: 'xy',
      x: { name: 'order_date' },
      y: [{ name: 'order_total', aggregate: 'SUM', label: 'Revenue' }],
      kind: 'bar',
      time_grain: 'P1M',
      group_by: { name: 'channel' },
      stacked: true,
      filters: [{ column: 'status', op: '!=', value: 'cancelled' }],
    },
  ],
  table: [
    {
      chart_type: 'table',
      columns: [
        { name: 'region' },
        { name: 'order_total', aggregate: 'SUM', label: 'Revenue' },
        { name: 'count', saved_metric: true },
      ],
    },
    {
      chart_type: 'table',
      columns: [{ name: 'order_id' }, { name: 'order_date' }, { name: 'order_total' }],
      sort_by: ['order_date'],
      row_limit: 100,
    },
  ],
  pie: [
    {
      chart_type: 'pie',
      dimension: { name: 'region' },
      metric: { name: 'order_total', aggregate: 'SUM', label: 'Revenue' },
      donut: true,
    },
  ],
  big_number: [
    { chart_type: 'big_number', metric: { name: 'revenue', saved_metric: true }, subheader: 'All time' },
    {
      chart_type: 'big_number',
      metric: { name: 'order_id', aggregate: 'COUNT', label: 'Orders' },
      temporal_column: 'order_date',
      show_trendline: true,
      time_grain: 'P1W',
    },
  ],
  pivot_table: [
    {
      chart_type: 'pivot_table',
      rows: [{ name: 'region' }],
      columns: [{ name: 'channel' }],
      metrics: [{ name: 'order_total', aggregate: 'SUM', label: 'Revenue' }],
      aggregate_function: 'Sum',
    },
  ],
  mixed_timeseries: [
    {
      chart_type: 'mixed_timeseries',
      x: { name: 'order_date' },
      y: [{ name: 'order_total', aggregate: 'SUM', label: 'Revenue' }],
      y_secondary: [{ name: 'order_id', aggregate: 'COUNT', label: 'Orders' }],
      time_grain: 'P1M',
    },
  ],
  handlebars: [
    {
      chart_type: 'handlebars',
      query_mode: 'raw',
      columns: [{ name: 'order_id' }, { name: 'region' }],
      handlebars_template: '{{#each data}}<p>{{order_id}}: {{region}}</p>{{/each}}',
    },
    {
      chart_type: 'handlebars',
      groupby: [{ name: 'region' }],
      metrics: [{ name: 'order_total', aggregate: 'SUM', label: 'revenue' }],
      handlebars_template: '<ul>{{#each data}}<li>{{region}}: {{revenue}}</li>{{/each}}</ul>',
    },
  ],
}

/** 6.1's answer for a chart type it does not know: a result naming the valid ones, not an error. */
const UnknownChartTypeSchema = z.object({
  error: z.string(),
  valid_chart_types: z.array(z.enum(CHART_TYPES)),
  hint: z.string(),
})

export const getChartTypeSchema = defineTool({
  name: 'get_chart_type_schema',
  title: 'Chart type schema',
  description:
    'The JSON schema and examples of the generate_chart "config" for one chart type: xy (line/bar/area/scatter), table, pie, ' +
    'pivot_table, mixed_timeseries, handlebars or big_number. Call it before building a chart config.',
  input: requestObject({
    chart_type: z
      .string()
      .min(1)
      .describe(
        'xy, table, pie, pivot_table, mixed_timeseries, handlebars or big_number (Superset viz_type names are accepted too).',
      ),
    include_examples: z.boolean().default(true),
  }),
  output: z.union([
    z.object({
      chart_type: z.enum(CHART_TYPES),
      description: z.string(),
      viz_types: z.array(z.string()),
      schema: z.record(z.string(), z.unknown()),
      examples: z.array(z.record(z.string(), z.unknown())).optional(),
    }),
    UnknownChartTypeSchema,
  ]),
  annotations: READ_ONLY,
  permission: { permission: 'can_read', view: 'Chart' },
  run: async (request) => {
    const chartType = resolveChartType(request.chart_type)
    if (chartType === undefined) {
      return {
        error: `Unknown chart_type: '${request.chart_type}'`,
        valid_chart_types: CHART_TYPES,
        hint: 'Use one of the valid chart_type values listed above. Call this tool again with a valid chart_type to see its schema and examples.',
      }
    }
    return {
      chart_type: chartType,
      description: DESCRIPTIONS[chartType].description,
      viz_types: configVizTypes(chartType),
      schema: z.toJSONSchema(CHART_CONFIG_SCHEMAS[chartType], { io: 'input' }) as Record<string, unknown>,
      ...(request.include_examples ? { examples: EXAMPLES[chartType] } : {}),
    }
  },
})

/** A chart type by name, or one of its Superset viz_type names (or an xy kind); undefined if none. */
function resolveChartType(name: string): ChartType | undefined {
  const key = name.trim().toLowerCase()
  if ((CHART_TYPES as string[]).includes(key)) return key as ChartType
  return VIZ_TYPE_ALIASES[key]
}
