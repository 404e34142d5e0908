/**
 * Chart configs as Superset 6.1 reads them (issue 17, items 4 and 6): the mixed_timeseries and handlebars
 * config types with 6.1's fields, defaults and checks and the form_data 6.1 writes for them; 6.1's aliases
 * accepted and any other key refused with a close match. Each case names the 6.1 unit test it comes from
 * (tests/unit_tests/mcp_service/chart/…). Every call enters through the Worker's fetch (MCP tools/call).
 * generate_explore_link writes nothing, so these run on the shared read-only database.
 */
import { describe, expect, it } from 'vitest'
import { callAs } from '../helpers/call-as'

const explore = (config: Record<string, unknown>) =>
  callAs('admin', 'generate_explore_link', { dataset_id: 1, config })

/** The ValidationError a config is refused with (its message). */
async function refusal(config: Record<string, unknown>): Promise<string> {
  const error = await explore(config).then(
    () => undefined,
    (failure: unknown) => failure as { type: string; message: string },
  )
  expect(error, `${JSON.stringify(config)} was accepted`).toBeDefined()
  expect(error!.type).toBe('ValidationError')
  return error!.message
}

const MIXED = {
  chart_type: 'mixed_timeseries',
  x: { name: 'order_date' },
  y: [{ name: 'order_total', aggregate: 'SUM' }],
  y_secondary: [{ name: 'order_id', aggregate: 'COUNT' }],
}
const HANDLEBARS = {
  chart_type: 'handlebars',
  handlebars_template: '<ul>{{#each data}}<li>{{region}}</li>{{/each}}</ul>',
  metrics: [{ name: 'order_total', aggregate: 'SUM' }],
}

describe('mixed_timeseries', () => {
  it.each([
    {
      from: 'test_new_chart_types.py::test_basic_mixed_form_data (and the config defaults of test_basic_mixed_timeseries_config)',
      config: MIXED,
      formData: {
        viz_type: 'mixed_timeseries',
        x_axis: 'order_date',
        metrics: [expect.objectContaining({ aggregate: 'SUM', label: 'SUM(order_total)' })],
        metrics_b: [expect.objectContaining({ aggregate: 'COUNT', label: 'COUNT(order_id)' })],
        seriesType: 'line',
        seriesTypeB: 'bar',
        area: false,
        areaB: false,
        yAxisIndex: 0,
        yAxisIndexB: 1,
        show_legend: true,
        zoomable: true,
        rich_tooltip: true,
        granularity_sqla: 'order_date',
        row_limit: 10_000,
      },
      absent: ['groupby', 'groupby_b', 'time_grain_sqla'],
    },
    {
      from: 'test_new_chart_types.py::test_mixed_form_data_with_time_grain',
      config: { ...MIXED, time_grain: 'P1W' },
      formData: { time_grain_sqla: 'P1W' },
      absent: [],
    },
    {
      from: 'test_chart_schemas.py::test_mixed_timeseries_time_grain_sqla_alias',
      config: { ...MIXED, time_grain_sqla: 'P1M' },
      formData: { time_grain_sqla: 'P1M' },
      absent: ['time_grain'],
    },
    {
      from: 'test_new_chart_types.py::test_mixed_form_data_area_series',
      config: { ...MIXED, primary_kind: 'area', secondary_kind: 'area' },
      formData: { seriesType: 'line', area: true, seriesTypeB: 'line', areaB: true },
      absent: [],
    },
    {
      from: 'test_new_chart_types.py::test_mixed_form_data_with_groupby',
      config: { ...MIXED, group_by: [{ name: 'region' }], group_by_secondary: [{ name: 'channel' }] },
      formData: { groupby: ['region'], groupby_b: ['channel'] },
      absent: [],
    },
    {
      from: 'test_new_chart_types.py::test_mixed_form_data_groupby_same_as_x_ignored',
      config: { ...MIXED, group_by: [{ name: 'order_date' }], group_by_secondary: [{ name: 'order_date' }] },
      formData: {},
      absent: ['groupby', 'groupby_b'],
    },
    {
      from: 'schemas.py MixedTimeseriesChartConfig aliases (groupby, metrics, metrics_b, groupby_b, x_axis)',
      config: {
        chart_type: 'mixed_timeseries',
        x_axis: { name: 'order_date' },
        metrics: [{ name: 'order_total', aggregate: 'SUM' }],
        groupby: 'region',
        metrics_b: [{ column_name: 'order_id', aggregate: 'COUNT' }],
      },
      // The gateway writes groupby_b: [] so that query B does not inherit query A's groupby.
      formData: { x_axis: 'order_date', groupby: ['region'], groupby_b: [] },
      absent: [],
    },
    {
      from: 'test_new_chart_types.py::test_mixed_form_data_with_axis_config',
      config: {
        ...MIXED,
        x_axis: { title: 'Date' },
        y_axis: { title: 'Revenue', format: '$,.2f', scale: 'log' },
        y_axis_secondary: { title: 'Orders', format: ',d', scale: 'log' },
      },
      formData: {
        xAxisTitle: 'Date',
        yAxisTitle: 'Revenue',
        y_axis_format: '$,.2f',
        logAxis: true,
        yAxisTitleSecondary: 'Orders',
        y_axis_format_secondary: ',d',
        logAxisSecondary: true,
      },
      absent: [],
    },
    {
      from: 'test_new_chart_types.py::test_mixed_form_data_row_limit',
      config: { ...MIXED, row_limit: 300 },
      formData: { row_limit: 300 },
      absent: [],
    },
    {
      from: 'test_new_chart_types.py::test_mixed_form_data_with_filters (applied to both queries)',
      config: { ...MIXED, filters: [{ column: 'status', op: '=', value: 'completed' }] },
      formData: {
        adhoc_filters: [
          expect.objectContaining({ subject: 'status', operator: '==', comparator: 'completed' }),
        ],
        adhoc_filters_b: [
          expect.objectContaining({ subject: 'status', operator: '==', comparator: 'completed' }),
        ],
      },
      absent: [],
    },
    {
      from: 'test_new_chart_types.py::test_mixed_form_data_non_temporal_x',
      config: { ...MIXED, x: { name: 'order_year' }, time_grain: 'P1Y' },
      formData: {
        time_grain_sqla: null,
        granularity_sqla: null,
        x_axis_sort_series_type: 'name',
        x_axis_sort_series_ascending: true,
      },
      absent: [],
    },
  ])('$from', async ({ config, formData, absent }) => {
    const link = await explore(config)
    expect(link.form_data).toMatchObject(formData)
    for (const key of absent) expect(link.form_data).not.toHaveProperty(key)
    expect(link.url).toContain('/explore/?form_data=')
  })

  it.each([
    ['test_new_chart_types.py::test_mixed_timeseries_missing_y', { ...MIXED, y: undefined }, 'y'],
    [
      'test_new_chart_types.py::test_mixed_timeseries_missing_y_secondary',
      { ...MIXED, y_secondary: undefined },
      'y_secondary',
    ],
    ['test_new_chart_types.py::test_mixed_timeseries_empty_y', { ...MIXED, y: [] }, 'y'],
    ['test_new_chart_types.py::test_mixed_timeseries_missing_x_rejected', { ...MIXED, x: undefined }, 'x'],
    [
      'schemas.py MixedTimeseriesChartConfig.row_limit le=50000',
      { ...MIXED, row_limit: 50_001 },
      'row_limit',
    ],
  ])('%s: refused', async (_from, config, field) => {
    expect(await refusal(config)).toContain(`config.${field}`)
  })

  it('test_new_chart_types.py::test_mixed_timeseries_rejects_extra_fields', async () => {
    expect(await refusal({ ...MIXED, unknown_field: 'bad' })).toContain("Unknown field 'unknown_field'")
  })

  it('checks every column of both queries against the dataset', async () => {
    // The dataset check runs inside the tool: generate_explore_link answers it in-band, as 6.1 does.
    const answer = await explore({ ...MIXED, group_by_secondary: [{ name: 'chanel' }] })
    expect(answer).toMatchObject({ url: '', form_data: {}, form_data_key: null })
    expect(answer.error).toContain('unknown column "chanel" (did you mean "channel"?)')
  })
})

describe('handlebars', () => {
  it.each([
    {
      from: 'test_handlebars_chart.py::test_aggregate_mode_basic',
      config: HANDLEBARS,
      formData: {
        viz_type: 'handlebars',
        handlebars_template: HANDLEBARS.handlebars_template,
        query_mode: 'aggregate',
        row_limit: 1000,
        order_desc: true,
        metrics: [expect.objectContaining({ aggregate: 'SUM' })],
      },
      absent: ['styleTemplate', 'all_columns', 'groupby'],
    },
    {
      from: 'test_handlebars_chart.py::test_aggregate_mode_with_groupby',
      config: { ...HANDLEBARS, groupby: [{ name: 'region' }] },
      formData: { groupby: ['region'] },
      absent: [],
    },
    {
      from: "schemas.py HandlebarsChartConfig.groupby alias 'group_by'",
      config: { ...HANDLEBARS, group_by: [{ name: 'region' }] },
      formData: { groupby: ['region'] },
      absent: ['group_by'],
    },
    {
      from: 'test_handlebars_chart.py::test_raw_mode',
      config: {
        chart_type: 'handlebars',
        handlebars_template: '<table>rows</table>',
        query_mode: 'raw',
        columns: [{ name: 'order_id' }, { name: 'region' }],
      },
      formData: { query_mode: 'raw', all_columns: ['order_id', 'region'] },
      absent: ['metrics', 'groupby'],
    },
    {
      from: 'test_handlebars_chart.py::test_with_filters',
      config: { ...HANDLEBARS, filters: [{ column: 'status', op: '=', value: 'completed' }] },
      formData: {
        adhoc_filters: [
          expect.objectContaining({ subject: 'status', operator: '==', comparator: 'completed' }),
        ],
      },
      absent: [],
    },
    {
      from: 'test_handlebars_chart.py::test_with_style_template',
      config: { ...HANDLEBARS, style_template: 'p { font-size: 24px; }' },
      formData: { styleTemplate: 'p { font-size: 24px; }' },
      absent: [],
    },
    {
      from: 'test_handlebars_chart.py::test_custom_row_limit_and_order',
      config: { ...HANDLEBARS, row_limit: 50, order_desc: false },
      formData: { row_limit: 50, order_desc: false },
      absent: [],
    },
  ])('$from', async ({ config, formData, absent }) => {
    const link = await explore(config)
    expect(link.form_data).toMatchObject(formData)
    for (const key of absent) expect(link.form_data).not.toHaveProperty(key)
  })

  it.each([
    ['test_aggregate_mode_requires_metrics', { ...HANDLEBARS, metrics: undefined }, "requires 'metrics'"],
    [
      'test_raw_mode_requires_columns',
      { ...HANDLEBARS, metrics: undefined, query_mode: 'raw' },
      "requires 'columns'",
    ],
    ['test_template_min_length', { ...HANDLEBARS, handlebars_template: '' }, 'config.handlebars_template'],
    [
      'test_missing_handlebars_template',
      { ...HANDLEBARS, handlebars_template: undefined },
      'handlebars_template',
    ],
    [
      'test_non_string_handlebars_template',
      { ...HANDLEBARS, handlebars_template: 123 },
      'config.handlebars_template',
    ],
    ['test_invalid_query_mode_rejected', { ...HANDLEBARS, query_mode: 'invalid' }, 'config.query_mode'],
    [
      'test_raw_mode_rejects_metrics',
      { ...HANDLEBARS, query_mode: 'raw', columns: [{ name: 'region' }] },
      "does not use 'metrics'",
    ],
    [
      'test_raw_mode_rejects_groupby',
      {
        ...HANDLEBARS,
        metrics: undefined,
        query_mode: 'raw',
        columns: [{ name: 'region' }],
        groupby: [{ name: 'region' }],
      },
      "does not use 'groupby'",
    ],
    [
      'test_aggregate_mode_requires_aggregate_function',
      { ...HANDLEBARS, metrics: [{ name: 'order_total' }] },
      'Missing aggregate for: order_total',
    ],
    ['test_row_limit_too_low', { ...HANDLEBARS, row_limit: 0 }, 'config.row_limit'],
    ['test_row_limit_too_high', { ...HANDLEBARS, row_limit: 50_001 }, 'config.row_limit'],
    ['test_extra_fields_forbidden', { ...HANDLEBARS, unknown_field: 'bad' }, "Unknown field 'unknown_field'"],
  ])('test_handlebars_chart.py::%s: refused', async (_from, config, message) => {
    expect(await refusal(config)).toContain(message)
  })
})

describe('unknown config fields are refused, 6.1 aliases accepted', () => {
  const XY = { chart_type: 'xy', x: { name: 'order_date' }, y: [{ name: 'order_total', aggregate: 'SUM' }] }

  it.each([
    [
      'test_chart_schemas.py::test_near_miss_suggests_correct_field',
      { ...XY, stackd: true },
      "config: Unknown field 'stackd' — did you mean 'stacked'?",
    ],
    [
      'test_chart_schemas.py::test_near_miss_suggests_correct_field (stacks)',
      { ...XY, stacks: true },
      "Unknown field 'stacks' — did you mean 'stacked'?",
    ],
    [
      'test_chart_schemas.py::test_completely_unknown_field_lists_valid_fields',
      { ...XY, zzz_nonexistent: true },
      "Unknown field 'zzz_nonexistent'. Valid fields: breakdown, chart_type, dimension, filters, group_by, groupby, kind, legend, metrics, orientation, row_limit, series, stack, stacked, time_grain, time_grain_sqla, x, x_axis, x_column, y, y_axis",
    ],
    [
      'test_chart_schemas.py::test_pie_chart_unknown_field',
      {
        chart_type: 'pie',
        dimension: { name: 'region' },
        metric: { name: 'order_total', aggregate: 'SUM' },
        bad_field: true,
      },
      "Unknown field 'bad_field'",
    ],
    [
      'test_chart_schemas.py::TestTableChartConfigExtraFields::test_unknown_fields_raise_error',
      { chart_type: 'table', columns: [{ name: 'region' }], foo: 'bar' },
      "Unknown field 'foo'",
    ],
    [
      'test_new_chart_types.py::test_pivot_table_rejects_extra_fields',
      {
        chart_type: 'pivot_table',
        rows: [{ name: 'region' }],
        metrics: [{ name: 'order_total', aggregate: 'SUM' }],
        unknown_field: 'bad',
      },
      "Unknown field 'unknown_field'",
    ],
    [
      'schemas.py _check_unknown_fields (every unknown key, sorted, joined by " | ")',
      { ...XY, zeta: 1, stackd: true },
      "Unknown field 'stackd' — did you mean 'stacked'? | Unknown field 'zeta'.",
    ],
  ])('%s', async (_from, config, message) => {
    expect(await refusal(config)).toContain(message)
  })

  it.each([
    {
      from: 'test_chart_schemas.py::test_xy_stack_alias_for_stacked',
      config: { ...XY, kind: 'bar', stack: true },
      formData: { stack: 'Stack' },
    },
    {
      from: 'test_chart_schemas.py::test_xy_time_grain_sqla_alias',
      config: { ...XY, time_grain_sqla: 'P1D' },
      formData: { time_grain_sqla: 'P1D' },
    },
    {
      from: 'test_chart_schemas.py::test_series_alias_accepted',
      config: { ...XY, kind: 'bar', series: { name: 'region' } },
      formData: { groupby: ['region'] },
    },
    {
      from: 'test_chart_schemas.py::test_group_by_bare_string',
      config: { ...XY, group_by: 'region' },
      formData: { groupby: ['region'] },
    },
    {
      from: 'test_chart_schemas.py::test_known_aliases_not_flagged_as_unknown',
      config: {
        chart_type: 'xy',
        x_axis: { name: 'order_date' },
        metrics: [{ name: 'order_total', aggregate: 'SUM' }],
        groupby: [{ name: 'region' }],
        stack: true,
        time_grain_sqla: 'P1D',
      },
      formData: { x_axis: 'order_date', groupby: ['region'], stack: 'Stack', row_limit: 10_000 },
    },
    {
      from: 'test_chart_schemas.py::test_table_order_by_alias_for_sort_by',
      config: { chart_type: 'table', columns: [{ name: 'region' }], order_by: ['region'] },
      formData: { order_by_cols: ['["region",true]'] },
    },
    {
      from: 'schemas.py TableChartConfig.columns alias all_columns, ColumnRef.name alias column_name',
      config: { chart_type: 'table', all_columns: [{ column_name: 'region' }] },
      formData: { all_columns: ['region'] },
    },
    {
      from: 'schemas.py PieChartConfig.dimension alias groupby',
      config: {
        chart_type: 'pie',
        groupby: { name: 'region' },
        metric: { name: 'order_total', aggregate: 'SUM' },
      },
      formData: { groupby: ['region'] },
    },
    {
      from: 'schemas.py PivotTableChartConfig.rows alias dimension, and its transpose/combine_metric/value_format',
      config: {
        chart_type: 'pivot_table',
        dimension: [{ name: 'region' }],
        metrics: [{ name: 'order_total', aggregate: 'SUM' }],
        transpose: true,
        combine_metric: true,
        value_format: ',.2f',
      },
      formData: { groupbyRows: ['region'], transposePivot: true, combineMetric: true, valueFormat: ',.2f' },
    },
    {
      from: 'schemas.py FilterConfig aliases col, operator/opr, val',
      config: { ...XY, filters: [{ col: 'status', opr: '=', val: 'completed' }] },
      formData: {
        adhoc_filters: [
          expect.objectContaining({ subject: 'status', operator: '==', comparator: 'completed' }),
        ],
      },
    },
  ])('$from', async ({ config, formData }) => {
    expect((await explore(config)).form_data).toMatchObject(formData)
  })
})

describe('pie (chart/schemas.py PieChartConfig; chart_utils.py map_pie_config)', () => {
  const PIE = {
    chart_type: 'pie',
    dimension: { name: 'region' },
    metric: { name: 'order_total', aggregate: 'SUM' },
  }

  it.each([
    {
      from: 'test_new_chart_types.py::test_basic_pie_form_data (and test_basic_pie_config: label_type key_value_percent)',
      config: PIE,
      formData: {
        viz_type: 'pie',
        groupby: ['region'],
        metric: expect.objectContaining({ aggregate: 'SUM', column: { column_name: 'order_total' } }),
        color_scheme: 'supersetColors',
        show_labels: true,
        show_legend: true,
        label_type: 'key_value_percent',
        number_format: 'SMART_NUMBER',
        sort_by_metric: true,
        row_limit: 100,
        donut: false,
        show_total: false,
        labels_outside: true,
        outerRadius: 70,
        innerRadius: 30,
        date_format: 'smart_date',
      },
    },
    {
      from: 'test_new_chart_types.py::test_donut_form_data',
      config: { ...PIE, donut: true, inner_radius: 40, outer_radius: 80 },
      formData: { donut: true, innerRadius: 40, outerRadius: 80 },
    },
    {
      from: 'test_new_chart_types.py::test_pie_form_data_custom_options',
      config: {
        ...PIE,
        show_labels: false,
        label_type: 'percent',
        show_legend: false,
        number_format: '$,.2f',
        show_total: true,
        labels_outside: false,
      },
      formData: {
        show_labels: false,
        label_type: 'percent',
        show_legend: false,
        number_format: '$,.2f',
        show_total: true,
        labels_outside: false,
      },
    },
    {
      from: 'test_new_chart_types.py::test_pie_config_valid_label_types (value_percent)',
      config: { ...PIE, label_type: 'value_percent' },
      formData: { label_type: 'value_percent' },
    },
    {
      from: 'test_new_chart_types.py::test_pie_form_data_custom_metric_label',
      config: { ...PIE, metric: { name: 'order_total', aggregate: 'SUM', label: 'Total Revenue' } },
      formData: { metric: expect.objectContaining({ label: 'Total Revenue', hasCustomLabel: true }) },
    },
  ])('$from', async ({ config, formData }) => {
    expect((await explore(config)).form_data).toMatchObject(formData)
  })

  it.each([
    [
      'test_new_chart_types.py::test_pie_config_row_limit_bounds',
      { ...PIE, row_limit: 0 },
      'config.row_limit',
    ],
    ['schemas.py PieChartConfig.outer_radius ge=1', { ...PIE, outer_radius: 0 }, 'config.outer_radius'],
    ['schemas.py PieChartConfig.inner_radius ge=1', { ...PIE, inner_radius: 0 }, 'config.inner_radius'],
    ['schemas.py PieChartConfig.label_type Literal', { ...PIE, label_type: 'name' }, 'config.label_type'],
  ])('%s: refused', async (_from, config, field) => {
    expect(await refusal(config)).toContain(field)
  })
})

describe('chart config filters (chart/schemas.py FilterConfig.validate_value_type_matches_operator)', () => {
  const TABLE = { chart_type: 'table', columns: [{ name: 'region' }] }
  const withFilter = (filter: Record<string, unknown>) => ({ ...TABLE, filters: [filter] })

  it.each([
    {
      from: 'test_chart_utils.py::test_map_table_config_with_in_filter',
      filters: [{ column: 'channel', op: 'IN', value: ['Online', 'Retail'] }],
      written: [{ subject: 'channel', operator: 'IN', comparator: ['Online', 'Retail'] }],
    },
    {
      from: 'test_chart_utils.py::test_map_table_config_with_not_in_filter',
      filters: [{ column: 'status', op: 'NOT IN', value: ['cancelled', 'returned'] }],
      written: [{ subject: 'status', operator: 'NOT IN', comparator: ['cancelled', 'returned'] }],
    },
    {
      from: 'test_chart_utils.py::test_map_table_config_with_mixed_filters',
      filters: [
        { column: 'region', op: '=', value: 'EMEA' },
        { column: 'channel', op: 'ILIKE', value: '%line%' },
        { column: 'status', op: 'IN', value: ['completed', 'shipped'] },
      ],
      written: [
        { operator: '==', comparator: 'EMEA' },
        { operator: 'ILIKE', comparator: '%line%' },
        { operator: 'IN', comparator: ['completed', 'shipped'] },
      ],
    },
    {
      from: 'test_chart_utils.py::test_in_operator_with_numeric_list',
      filters: [{ column: 'order_year', op: 'IN', value: [2025, 2026] }],
      written: [{ operator: 'IN', comparator: [2025, 2026] }],
    },
    {
      from: 'test_chart_utils.py::test_in_operator_with_empty_list',
      filters: [{ column: 'region', op: 'IN', value: [] }],
      written: [{ operator: 'IN', comparator: [] }],
    },
    {
      from: 'test_chart_utils.py::test_like_operator_with_wildcard, test_not_like_operator',
      filters: [
        { column: 'region', op: 'LIKE', value: '%A%' },
        { column: 'region', op: 'NOT LIKE', value: '%test%' },
      ],
      written: [
        { operator: 'LIKE', comparator: '%A%' },
        { operator: 'NOT LIKE', comparator: '%test%' },
      ],
    },
  ])('$from', async ({ filters, written }) => {
    const link = await explore({ ...TABLE, filters })
    expect(link.form_data.adhoc_filters).toEqual(
      written.map((filter) =>
        expect.objectContaining({ expressionType: 'SIMPLE', clause: 'WHERE', ...filter }),
      ),
    )
  })

  it.each([
    [
      'test_chart_utils.py::test_in_operator_rejects_scalar_value',
      { column: 'region', op: 'IN', value: 'EMEA' },
      "Operator 'IN' requires a list of values, got str",
    ],
    [
      'test_chart_utils.py::test_not_in_operator_rejects_scalar_value',
      { column: 'status', op: 'NOT IN', value: 'active' },
      "Operator 'NOT IN' requires a list of values, got str",
    ],
    [
      'schemas.py FilterConfig (a number for IN: "got int")',
      { column: 'order_year', op: 'IN', value: 2026 },
      "Operator 'IN' requires a list of values, got int",
    ],
    [
      'test_chart_utils.py::test_equals_operator_rejects_list_value',
      { column: 'region', op: '=', value: ['a', 'b'] },
      "Operator '=' requires a single value, not a list",
    ],
    [
      'test_chart_utils.py::test_like_operator_rejects_list_value',
      { column: 'region', op: 'LIKE', value: ['%a%', '%b%'] },
      "Operator 'LIKE' requires a single value, not a list",
    ],
    [
      'utils/sanitization.py sanitize_filter_value (max_length=1000)',
      { column: 'region', op: '=', value: 'x'.repeat(1001) },
      'config.filters.0.value',
    ],
    [
      'schemas.py FilterConfig.column max_length=255',
      { column: 'c'.repeat(256), op: '=', value: 'x' },
      'config.filters.0.column',
    ],
  ])('%s: refused', async (_from, filter, message) => {
    const text = await refusal(withFilter(filter))
    expect(text).toContain(message)
    // The issue names the field it is about.
    expect(text).toContain('config.filters.0')
  })

  it('the same check holds for the IN filter of every chart type (schemas.py: one FilterConfig)', async () => {
    const text = await refusal({ ...MIXED, filters: [{ col: 'region', opr: 'NOT IN', val: 'EMEA' }] })
    expect(text).toContain("Operator 'NOT IN' requires a list of values, got str")
  })
})

describe('aggregates (chart/schemas.py ColumnRef.aggregate; chart_utils.py create_metric_object)', () => {
  const TABLE = (metric: Record<string, unknown>) => ({
    chart_type: 'table',
    columns: [{ name: 'region' }, { name: 'order_total', ...metric }],
  })

  // 6.1 writes these four as SIMPLE metrics, which Superset's SqlaTable.sqla_aggregations cannot run;
  // the gateway writes the SQL metric PostgreSQL runs (README, Differences from Superset 6.1).
  it.each([
    [
      'PERCENTILE (schemas.py ~517, chart_utils.py ~497), with the percentile to take',
      { aggregate: 'PERCENTILE', percentile: 90 },
      'PERCENTILE_CONT(0.9) WITHIN GROUP (ORDER BY "order_total")',
      'PERCENTILE(order_total)',
    ],
    [
      'PERCENTILE 99.9',
      { aggregate: 'PERCENTILE', percentile: 99.9, label: 'p999' },
      'PERCENTILE_CONT(0.999) WITHIN GROUP (ORDER BY "order_total")',
      'p999',
    ],
    [
      'MEDIAN',
      { aggregate: 'MEDIAN' },
      'PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY "order_total")',
      'MEDIAN(order_total)',
    ],
    ['STDDEV', { aggregate: 'STDDEV' }, 'STDDEV("order_total")', 'STDDEV(order_total)'],
    ['VAR', { aggregate: 'VAR' }, 'VARIANCE("order_total")', 'VAR(order_total)'],
  ])('%s', async (_from, metric, sqlExpression, label) => {
    const link = await explore(TABLE(metric))
    expect(link.form_data.metrics).toEqual([
      expect.objectContaining({ expressionType: 'SQL', sqlExpression, label }),
    ])
  })

  it.each([
    [
      'PERCENTILE without a percentile',
      { aggregate: 'PERCENTILE' },
      "Aggregate PERCENTILE on 'order_total' needs 'percentile', a number between 0 and 100",
    ],
    [
      'a percentile without PERCENTILE',
      { aggregate: 'SUM', percentile: 90 },
      "'percentile' on 'order_total' applies only to aggregate PERCENTILE",
    ],
    ['a percentile of 100', { aggregate: 'PERCENTILE', percentile: 100 }, 'config.columns.1.percentile'],
    ['a percentile of 0', { aggregate: 'PERCENTILE', percentile: 0 }, 'config.columns.1.percentile'],
  ])('%s: refused', async (_from, metric, message) => {
    expect(await refusal(TABLE(metric))).toContain(message)
  })

  // From the attacker's side, on the path that runs SQL (a preview queries the analytics database).
  it.each([
    [
      'SQL in the column name',
      {
        name: 'order_total) WITHIN GROUP (ORDER BY 1) FROM pg_sleep(5) --',
        aggregate: 'PERCENTILE',
        percentile: 50,
      },
    ],
    [
      'SQL in the percentile',
      { name: 'order_total', aggregate: 'PERCENTILE', percentile: '0.5) + pg_sleep(5' },
    ],
  ])('PERCENTILE with %s is refused before anything runs', async (_what, column) => {
    const outcome = await callAs('admin', 'generate_chart', {
      dataset_id: 1,
      config: { chart_type: 'table', columns: [{ name: 'region' }, column] },
      preview_formats: ['table'],
    }).catch((err: unknown) => err as { type: string })
    // In-band (the config does not fit the dataset) or a request error (not a number): never a query.
    if ('type' in outcome) expect(outcome.type).toBe('ValidationError')
    else expect(outcome).toMatchObject({ success: false, chart: null, previews: {} })
  })
})
