/**
 * The content of chart://configs: worked generate_chart configurations per chart type (Superset's
 * chart config union), with when each fits. Dataset and column names are placeholders to replace with
 * real ones from get_dataset_info.
 */
export const CHART_CONFIG_EXAMPLES = {
  xy_chart_configs: {
    line_over_time: {
      description: 'A metric over time, one line per series.',
      config: {
        chart_type: 'xy',
        kind: 'line',
        x: { name: 'order_date' },
        y: [{ name: 'order_total', aggregate: 'SUM', label: 'Revenue' }],
        time_grain: 'P1M',
        group_by: [{ name: 'region' }],
      },
      use_cases: ['trends', 'seasonality', 'comparing series over time'],
    },
    bar_by_category: {
      description: 'A metric per category, bars sorted by value.',
      config: {
        chart_type: 'xy',
        kind: 'bar',
        x: { name: 'channel' },
        y: [{ name: 'revenue', saved_metric: true }],
        orientation: 'vertical',
      },
      use_cases: ['ranking categories', 'comparing groups'],
    },
    stacked_area: {
      description: 'Parts of a total over time.',
      config: {
        chart_type: 'xy',
        kind: 'area',
        x: { name: 'order_date' },
        y: [{ name: 'order_total', aggregate: 'SUM' }],
        time_grain: 'P1W',
        group_by: [{ name: 'region' }],
        stacked: true,
      },
      use_cases: ['composition over time'],
    },
    scatter: {
      description: 'Individual points, two measures against each other or over time.',
      config: {
        chart_type: 'xy',
        kind: 'scatter',
        x: { name: 'order_date' },
        y: [{ name: 'quantity', aggregate: 'AVG' }],
        time_grain: 'P1D',
      },
      use_cases: ['distributions', 'outliers'],
    },
  },
  table_chart_configs: {
    aggregated: {
      description: 'Grouped totals.',
      config: {
        chart_type: 'table',
        columns: [{ name: 'region' }, { name: 'order_total', aggregate: 'SUM', label: 'Revenue' }],
        row_limit: 100,
      },
      use_cases: ['summaries', 'exact numbers'],
    },
    raw_rows: {
      description: 'Raw records with a filter.',
      config: {
        chart_type: 'table',
        columns: [{ name: 'order_id' }, { name: 'order_date' }, { name: 'order_total' }],
        filters: [{ column: 'status', op: '=', value: 'completed' }],
        row_limit: 50,
      },
      use_cases: ['inspecting records', 'audits'],
    },
  },
  pie_chart_configs: {
    share_by_category: {
      description: 'Share of a total by category (keep to a handful of slices).',
      config: {
        chart_type: 'pie',
        dimension: { name: 'region' },
        metric: { name: 'order_total', aggregate: 'SUM' },
      },
      use_cases: ['composition at one point in time'],
    },
  },
  big_number_configs: {
    total: {
      description: 'One headline number.',
      config: {
        chart_type: 'big_number',
        metric: { name: 'order_total', aggregate: 'SUM', label: 'Revenue' },
      },
      use_cases: ['KPIs'],
    },
    with_trendline: {
      description: 'A headline number with its trend.',
      config: {
        chart_type: 'big_number',
        metric: { name: 'order_total', aggregate: 'SUM' },
        temporal_column: 'order_date',
        time_grain: 'P1W',
        show_trendline: true,
      },
      use_cases: ['KPIs with context'],
    },
  },
  pivot_table_configs: {
    region_by_channel: {
      description: 'A metric cross-tabulated by two dimensions.',
      config: {
        chart_type: 'pivot_table',
        rows: [{ name: 'region' }],
        columns: [{ name: 'channel' }],
        metrics: [{ name: 'order_total', aggregate: 'SUM' }],
      },
      use_cases: ['two-way breakdowns'],
    },
  },
  best_practices: {
    xy_charts: [
      'Use a temporal column on x with a time_grain for trends; a categorical column for comparisons.',
      'Keep group_by to a few series; filter or limit otherwise.',
    ],
    table_charts: [
      'Aggregate when the question is about totals; use raw rows only with filters and a row_limit.',
    ],
    general: [
      'Check column names and saved metrics with get_dataset_info before generating a chart.',
      'Prefer saved metrics (saved_metric: true) where the dataset defines them: they carry the business definition.',
    ],
  },
  usage_notes: [
    'Pass the config to generate_chart together with dataset_id.',
    'get_chart_type_schema returns the full JSON schema of each chart type.',
  ],
} as const
