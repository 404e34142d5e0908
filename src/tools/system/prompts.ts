import { namesOf, type PromptDefinition } from '../core'

const USER_TYPES = ['analyst', 'executive', 'developer'] as const
const WORKFLOWS: Record<(typeof USER_TYPES)[number], string[]> = {
  analyst: [
    'Call get_instance_info to see what is available to you and who you are.',
    'Find data with list_datasets (search by name or schema), then get_dataset_info for its columns and saved metrics.',
    'Look at existing work with list_charts and list_dashboards before building something new.',
    'Read numbers with get_chart_data, or explore with execute_sql where you have SQL Lab access.',
    'Build a chart with generate_chart and collect charts on a dashboard with generate_dashboard.',
  ],
  executive: [
    'Call get_instance_info for an overview of the dashboards and charts you can see.',
    'Use list_dashboards (filter published=true, or search by title) to find the relevant dashboard.',
    'Open it with get_dashboard_info to see its charts, then get_chart_data for the numbers behind a chart.',
    'Ask for a get_chart_preview in ascii or table format for a quick look without leaving the conversation.',
  ],
  developer: [
    'Call get_schema for each model to learn the filter columns, operators and selectable columns.',
    'Use list_databases and get_database_info to see connections and whether DML is allowed.',
    'Use execute_sql with dry_run to check a query, then run it; results are limited and read-only unless DML is allowed.',
    'Create a virtual dataset from SQL with create_virtual_dataset and chart it with generate_chart.',
  ],
}

export const quickstart: PromptDefinition = {
  name: 'quickstart',
  title: 'Superset quickstart',
  description: 'A guided start: what to call first and a workflow for your role.',
  arguments: [
    {
      name: 'user_type',
      description: 'analyst, executive or developer (default analyst).',
      required: false,
      values: USER_TYPES,
    },
    {
      name: 'focus_area',
      description: 'What you want to look at, e.g. "sales" or "marketing" (optional).',
      required: false,
      // It becomes the search of list_dashboards and list_datasets: their names are good suggestions.
      complete: namesOf('dashboard', 'dataset'),
    },
  ],
  render: async (args) => {
    const userType = (args.user_type ?? 'analyst') as (typeof USER_TYPES)[number]
    const focus = args.focus_area?.trim()
    const steps = WORKFLOWS[userType].map((step, index) => `${index + 1}. ${step}`).join('\n')
    return [
      `**Superset Quickstart Guide** (${userType}${focus ? `, focus: ${focus}` : ''})`,
      '',
      'Every tool takes one argument named "request" holding an object, e.g. {"request": {"page_size": 10}}. Pages start at 1.',
      '',
      steps,
      focus ? `\nStart with list_dashboards and list_datasets using search="${focus}".` : '',
      '',
      'Available tools: health_check, get_instance_info, get_schema, list_dashboards, get_dashboard_info, list_charts, get_chart_info, list_datasets, get_dataset_info, list_databases, get_database_info, and — depending on your permissions — chart data, SQL and authoring tools.',
      '',
      'Start by calling get_instance_info.',
    ].join('\n')
  },
}

const CHART_TYPES = ['auto', 'line', 'bar', 'table', 'scatter', 'area'] as const
const GOALS = ['exploration', 'reporting', 'monitoring', 'presentation'] as const

export const createChartGuided: PromptDefinition = {
  name: 'create_chart_guided',
  title: 'Create a chart, step by step',
  description: 'A guided dialogue from choosing a dataset to a saved chart.',
  arguments: [
    {
      name: 'chart_type',
      description: 'auto, line, bar, table, scatter or area (default auto).',
      required: false,
      values: CHART_TYPES,
    },
    {
      name: 'business_goal',
      description: 'exploration, reporting, monitoring or presentation (default exploration).',
      required: false,
      values: GOALS,
    },
  ],
  render: async (args) => {
    const chartType = args.chart_type ?? 'auto'
    const goal = args.business_goal ?? 'exploration'
    const kind = chartType === 'auto' || chartType === 'table' ? 'line' : chartType
    const xyExample = {
      chart_type: 'xy',
      kind,
      x: { name: '<temporal or categorical column>' },
      y: [{ name: '<numeric column>', aggregate: 'SUM' }],
      time_grain: 'P1M',
    }
    const tableExample = {
      chart_type: 'table',
      columns: [{ name: '<dimension>' }, { name: '<measure>', aggregate: 'SUM' }],
    }
    return [
      `**Guided chart creation** — chart type: ${chartType}; goal: ${goal}.`,
      '',
      '1. Find the data: list_datasets (use search), then get_dataset_info for its columns, types and saved metrics.',
      `2. Decide the shape: ${chartType === 'auto' ? 'a temporal x column suggests a line chart; a categorical one a bar chart; exact numbers a table' : `a ${chartType} chart`}.`,
      '3. Build the config from real column and metric names (unknown names are rejected with close matches).',
      '4. Preview with generate_chart (save_chart false) or generate_explore_link; save with generate_chart(save_chart=true) when it is right.',
      '5. Check the result with get_chart_data, and add it to a dashboard with add_chart_to_existing_dashboard if wanted.',
      '',
      'Example xy config:',
      '```json',
      JSON.stringify(xyExample, null, 2),
      '```',
      'Example table config:',
      '```json',
      JSON.stringify(tableExample, null, 2),
      '```',
      '',
      'Aggregations: SUM, AVG, COUNT, COUNT_DISTINCT, MIN, MAX. Time grains: PT1H, P1D, P1W, P1M, P3M, P1Y.',
      goal === 'monitoring'
        ? 'For monitoring, a big_number with a trendline (see chart://configs) often works best.'
        : '',
    ].join('\n')
  },
}
