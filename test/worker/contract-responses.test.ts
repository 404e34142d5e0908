/**
 * Tool SUCCESS responses carry Superset 6.1.0's response models field by field (names, types, defaults),
 * entered through the Worker's fetch as a client. Every case names the 6.1.0 model
 * (superset/mcp_service/**\/schemas.py), tool or unit test (tests/unit_tests/mcp_service/**) it comes from.
 * Deliberate deviations are rows of README.md "Differences from Superset 6.1".
 */
import { describe, expect, it } from 'vitest'
import { callAs, rpcAs } from '../helpers/call-as'
import { relaxLimits } from '../helpers/limits'

relaxLimits()

type Shape = Record<string, (value: unknown) => boolean>

const str = (value: unknown) => typeof value === 'string'
const num = (value: unknown) => typeof value === 'number'
const int = (value: unknown) => Number.isInteger(value)
const bool = (value: unknown) => typeof value === 'boolean'
const nul = (value: unknown) => value === null
const list =
  (item: (value: unknown) => boolean = () => true) =>
  (value: unknown) =>
    Array.isArray(value) && value.every(item)
const obj = (value: unknown) => typeof value === 'object' && value !== null && !Array.isArray(value)
const or =
  (...checks: ((value: unknown) => boolean)[]) =>
  (value: unknown) =>
    checks.some((check) => check(value))

/** Every field of `shape` is present with its type (extra gateway fields are allowed, listed in the README). */
function expectShape(value: Record<string, unknown>, shape: Shape) {
  const wrong = Object.entries(shape)
    .filter(([key, check]) => !(key in value) || !check(value[key]))
    .map(([key]) => `${key}: ${JSON.stringify(value[key])}`)
  expect(wrong).toEqual([])
}

describe('top-level fields of each 6.1 response model', () => {
  const cases: [tool: string, request: Record<string, unknown>, source: string, shape: Shape][] = [
    [
      'health_check',
      {},
      'system/schemas.py HealthCheckResponse',
      {
        status: str,
        timestamp: str,
        service: str,
        version: str,
        python_version: str,
        platform: str,
        uptime_seconds: or(num, nul),
      },
    ],
    [
      'get_instance_info',
      {},
      'system/schemas.py InstanceInfo',
      {
        instance_summary: obj,
        recent_activity: obj,
        dashboard_breakdown: obj,
        database_breakdown: obj,
        popular_content: obj,
        current_user: or(obj, nul),
        feature_availability: obj,
        timestamp: str,
      },
    ],
    [
      'get_schema',
      { model_type: 'dataset' },
      'common/schema_discovery.py GetSchemaResponse',
      { schema_info: obj },
    ],
    ...(['dashboards', 'charts', 'datasets', 'databases'] as const).map(
      (model): [string, Record<string, unknown>, string, Shape] => [
        `list_${model}`,
        { page_size: 1 },
        `${model.slice(0, -1)}/schemas.py ${model[0]!.toUpperCase()}${model.slice(1, -1)}List`,
        {
          [model]: list(obj),
          count: int,
          total_count: int,
          page: int,
          page_size: int,
          total_pages: int,
          has_previous: bool,
          has_next: bool,
          columns_requested: list(str),
          columns_loaded: list(str),
          columns_available: list(str),
          sortable_columns: list(str),
          filters_applied: list(obj),
          pagination: or(obj, nul),
          timestamp: or(str, nul),
        },
      ],
    ),
    [
      'open_sql_lab_with_context',
      { database_connection_id: 1 },
      'sql_lab/schemas.py SqlLabResponse',
      { url: str, database_id: int, schema: or(str, nul), title: or(str, nul), error: nul },
    ],
  ]
  it.each(cases)('%s (%s)', async (tool, request, _source, shape) => {
    expectShape(await callAs('admin', tool, request), shape)
  })
})

describe('health_check (system/tool/health_check.py, tests/unit_tests/mcp_service/system/tool/test_health_check.py)', () => {
  it('names the runtime in python_version and counts uptime from this isolate, not from 1970', async () => {
    const health = await callAs('admin', 'health_check', {})
    expect(health.status).toBe('healthy')
    expect(health.python_version).toMatch(/Cloudflare-Workers/)
    // round(time.monotonic() - _start_time, 1): seconds, one decimal, since the service started.
    expect(health.uptime_seconds).toBeGreaterThanOrEqual(0)
    expect(health.uptime_seconds).toBeLessThan(86_400)
    expect(Math.round(health.uptime_seconds * 10)).toBe(health.uptime_seconds * 10)
  })
})

describe('get_instance_info popular_content (system/schemas.py PopularContent: top_tags, top_creators List[str])', () => {
  it('answers names, not objects', async () => {
    const info = await callAs('admin', 'get_instance_info', {})
    expect(info.popular_content.top_tags.length).toBeGreaterThan(0)
    expect(info.popular_content.top_tags.every((tag: unknown) => typeof tag === 'string')).toBe(true)
    expect(info.popular_content.top_creators.every((name: unknown) => typeof name === 'string')).toBe(true)
    expect(info.current_user.roles).toEqual(['Admin'])
  })
})

describe('get_schema search_columns (common/schema_discovery.py *_SEARCH_COLUMNS; test_get_schema.py)', () => {
  const cases: [model: string, columns: string[]][] = [
    ['chart', ['slice_name', 'description']],
    ['dataset', ['table_name', 'description']],
    ['dashboard', ['dashboard_title', 'slug']],
    ['database', ['database_name']],
  ]
  it.each(cases)('%s: %j', async (model, columns) => {
    const { schema_info } = await callAs('admin', 'get_schema', { model_type: model })
    expect(schema_info.search_columns).toEqual(columns)
  })
})

describe('get_schema defaults (system/tool/get_schema.py; common/schema_discovery.py; test_get_schema.py)', () => {
  // 6.1's *_DEFAULT_COLUMNS and *_SORTABLE_COLUMNS; every model answers default_sort changed_on, desc
  // (test_get_schema_default_sort_values), whatever its list tool's own default order_direction is.
  const cases: [model: string, defaults: string[], sortable: string[]][] = [
    [
      'chart',
      [
        'id',
        'slice_name',
        'viz_type',
        'description',
        'certified_by',
        'certification_details',
        'url',
        'changed_on',
        'changed_on_humanized',
      ],
      ['id', 'slice_name', 'viz_type', 'description', 'changed_on', 'created_on'],
    ],
    [
      'dataset',
      [
        'id',
        'table_name',
        'schema',
        'description',
        'certified_by',
        'certification_details',
        'changed_on',
        'changed_on_humanized',
      ],
      ['id', 'table_name', 'schema', 'changed_on', 'created_on'],
    ],
    [
      'dashboard',
      [
        'id',
        'dashboard_title',
        'slug',
        'description',
        'certified_by',
        'certification_details',
        'url',
        'changed_on',
        'changed_on_humanized',
      ],
      ['id', 'dashboard_title', 'slug', 'published', 'changed_on', 'created_on'],
    ],
    [
      'database',
      ['id', 'database_name', 'backend', 'expose_in_sqllab', 'changed_on', 'changed_on_humanized'],
      ['id', 'database_name', 'changed_on', 'created_on'],
    ],
  ]
  it.each(cases)('%s', async (model, defaults, sortable) => {
    const { schema_info } = await callAs('admin', 'get_schema', { model_type: model })
    expect(schema_info).toMatchObject({
      model_type: model,
      default_select: defaults,
      sortable_columns: sortable,
      default_sort: 'changed_on',
      default_sort_direction: 'desc',
    })
    // test_get_schema_select_columns_have_metadata: is_default says whether a column is a default one.
    const flagged = schema_info.select_columns.filter((column: any) => column.is_default)
    expect(flagged.map((column: any) => column.name).sort()).toEqual([...defaults].sort())
    expect(schema_info.select_columns.find((column: any) => column.name === 'id')).toMatchObject({
      type: 'int',
      is_default: true,
    })
  })

  it("list_charts and list_dashboards keep 6.1's own default order_direction, asc (chart/schemas.py ListChartsRequest)", async () => {
    const charts = await callAs('admin', 'list_charts', {
      page_size: 100,
      select_columns: ['id', 'changed_on'],
    })
    const changed = charts.charts.map((chart: any) => chart.changed_on)
    expect(changed).toEqual([...changed].sort())
  })
})

describe('open_sql_lab_with_context (sql_lab/tool/open_sql_lab_with_context.py)', () => {
  it('links to /sqllab?dbid=…&schema=…&sql=…&title=… as urlencode(params)', async () => {
    const result = await callAs('admin', 'open_sql_lab_with_context', {
      database_id: 1,
      schema: 'sales',
      sql: 'SELECT 1',
      title: 'My tab',
    })
    expect(result.url).toBe(
      'https://superset.example.test/sqllab?dbid=1&schema=sales&sql=SELECT+1&title=My+tab',
    )
    expect(result).toMatchObject({ database_id: 1, schema: 'sales', title: 'My tab', error: null })
  })

  it('leaves out what is not given, as 6.1 (only dbid)', async () => {
    const result = await callAs('admin', 'open_sql_lab_with_context', { database_id: 1, schema: '' })
    expect(result.url).toBe('https://superset.example.test/sqllab?dbid=1')
  })
})

describe('tool annotations as the @tool decorators of 6.1 (superset/mcp_service/*/tool/*.py ToolAnnotations)', () => {
  // [tool, readOnlyHint, destructiveHint], from each tool module's annotations=ToolAnnotations(...).
  const cases: [tool: string, readOnly: boolean, destructive: boolean][] = [
    ['health_check', true, false],
    ['get_instance_info', true, false],
    ['get_schema', true, false],
    ['list_dashboards', true, false],
    ['get_dashboard_info', true, false],
    ['list_charts', true, false],
    ['get_chart_info', true, false],
    ['list_datasets', true, false],
    ['get_dataset_info', true, false],
    ['list_databases', true, false],
    ['get_database_info', true, false],
    ['get_chart_data', true, false],
    ['get_chart_preview', true, false],
    ['get_chart_type_schema', true, false],
    ['execute_sql', false, true],
    ['generate_chart', false, false],
    ['update_chart', false, true],
    ['update_chart_preview', false, true],
    ['generate_explore_link', false, false],
    ['generate_dashboard', false, false],
    ['add_chart_to_existing_dashboard', false, false],
    ['create_virtual_dataset', false, false],
    ['save_sql_query', false, false],
    ['open_sql_lab_with_context', true, false],
    // Superset's development branch, from each tool module's annotations (docs/TOOLS.md names the commit).
    // Development: dashboards
    ['get_dashboard_layout', true, false],
    ['get_dashboard_datasets', true, false],
    ['remove_chart_from_dashboard', false, true],
    ['delete_dashboard', false, true],
    ['update_dashboard', false, false],
    ['duplicate_dashboard', false, false],
    ['manage_native_filters', false, true],
    // Development: charts and datasets
    ['get_chart_sql', true, false],
    ['query_dataset', true, false],
    ['delete_chart', false, true],
    ['create_dataset', false, false],
    ['update_dataset_metric', false, true],
    // Development: SQL Lab history
    ['list_queries', true, false],
    ['get_query_info', true, false],
    ['list_saved_queries', true, false],
    ['get_saved_query_info', true, false],
    // Development: tags, reports, annotation layers, themes
    ['list_themes', true, false],
    ['get_theme_info', true, false],
    ['create_theme', false, false],
    ['list_annotation_layers', true, false],
    ['get_annotation_layer_info', true, false],
    ['list_layer_annotations', true, false],
    ['get_layer_annotation_info', true, false],
    ['list_tags', true, false],
    ['get_tag_info', true, false],
    ['list_reports', true, false],
    ['get_report_info', true, false],
    // Development: users, roles, RLS filters, action logs
    ['list_users', true, false],
    ['get_user_info', true, false],
    ['find_users', true, false],
    ['list_roles', true, false],
    ['get_role_info', true, false],
    ['list_rls_filters', true, false],
    ['get_rls_filter_info', true, false],
    ['list_action_logs', true, false],
    ['get_action_log_info', true, false],
    // Development: semantic layer
    ['list_metrics', true, false],
    ['get_compatible_metrics', true, false],
    ['get_compatible_dimensions', true, false],
    ['get_table', true, false],
  ]
  let listed: Promise<Map<string, any>> | undefined
  const annotationsOf = async (tool: string) => {
    listed ??= rpcAs('admin', 'tools/list', {}).then(
      ({ tools }) => new Map((tools as any[]).map((entry) => [entry.name, entry.annotations])),
    )
    return (await listed).get(tool)
  }
  it.each(cases)('%s: readOnlyHint %s, destructiveHint %s', async (tool, readOnly, destructive) => {
    expect(await annotationsOf(tool)).toMatchObject({ readOnlyHint: readOnly, destructiveHint: destructive })
  })
  it('covers every tool the admin is listed', async () => {
    await annotationsOf('health_check')
    const names = [...(await listed!).keys()].sort()
    expect(names).toEqual(cases.map(([tool]) => tool).sort())
  })
})

describe('execute_sql (sql_lab/schemas.py ExecuteSqlResponse, StatementInfo; tool/execute_sql.py _convert_to_response)', () => {
  const cases: [sql: string, rows: unknown[], statementRows: (unknown[] | null)[], source: string][] = [
    [
      'SELECT 1 AS a',
      [{ a: 1 }],
      [null],
      'test_execute_sql.py: data["rows"] from the last data-bearing statement',
    ],
    [
      'SELECT 1 AS a; SELECT 2 AS b',
      [{ b: 2 }],
      [[{ a: 1 }], null],
      'test_execute_sql.py multi-statement: statements[0].data.rows == [{"a": 1}]',
    ],
  ]
  it.each(cases)('%s: rows once, counts agree (%s)', async (text, rows, statementRows) => {
    const result = await callAs('admin', 'execute_sql', { database_id: 1, sql: text })
    expectShape(result, {
      success: bool,
      rows: list(obj),
      columns: list(obj),
      row_count: int,
      affected_rows: nul,
      execution_time: num,
      error: nul,
      error_type: nul,
      statements: list(obj),
      multi_statement_warning: or(str, nul),
    })
    expect(result.rows).toEqual(rows)
    expect(result.row_count).toBe(rows.length)
    expect(result.statements.map((statement: any) => statement.data?.rows ?? null)).toEqual(statementRows)
    expect(result.statements.at(-1).row_count).toBe(result.row_count)
    for (const statement of result.statements)
      expectShape(statement, {
        original_sql: str,
        executed_sql: str,
        row_count: int,
        execution_time_ms: num,
        data: or(obj, nul),
      })
  })

  it('a result trimmed to the size limit counts what it returns, at the top and in its statement', async () => {
    const result = await callAs('admin', 'execute_sql', {
      database_id: 1,
      sql: 'SELECT * FROM sales.orders ORDER BY order_id',
      limit: 1000,
    })
    expect(result.truncated).toBe(true)
    expect(result.row_count).toBe(result.rows.length)
    expect(result.statements[0]).toMatchObject({ row_count: result.rows.length, data: null })
  })
})

const performance: Shape = {
  query_duration_ms: int,
  estimated_cost: or(str, nul),
  cache_status: str,
  optimization_suggestions: list(str),
}

describe('get_chart_data (chart/schemas.py ChartData, PerformanceMetadata, common/cache_schemas.py CacheStatus)', () => {
  it('answers every ChartData field, recommended_visualizations and 6.1 performance included', async () => {
    const result = await callAs('admin', 'get_chart_data', { identifier: 2 })
    expectShape(result, {
      chart_id: int,
      chart_name: str,
      chart_type: str,
      columns: list(obj),
      data: list(obj),
      row_count: int,
      total_rows: or(int, nul),
      data_freshness: or(str, nul),
      summary: str,
      insights: list(str),
      data_quality: obj,
      recommended_visualizations: list(str),
      performance: obj,
      cache_status: or(obj, nul),
      csv_data: or(str, nul),
      excel_data: or(str, nul),
      format: or(str, nul),
      schema_version: str,
      api_version: str,
    })
    expectShape(result.performance, performance)
    expect(result.performance).toMatchObject({ cache_status: 'fresh_query', estimated_cost: null })
    expect(result.cache_status).toEqual({
      cache_hit: false,
      cache_type: 'none',
      cache_age_seconds: null,
      cache_key: null,
      refreshed: false,
    })
    expect(result.insights).toContain('Fresh data retrieved from database')
    expect(result.data_quality.completeness).toBe(1)
    for (const column of result.columns)
      expectShape(column, {
        name: str,
        display_name: str,
        data_type: str,
        sample_values: list(),
        null_count: int,
        unique_count: int,
        statistics: or(obj, nul),
        semantic_type: or(str, nul),
      })
  })

  // get_chart_data.py: "time"/"date" in a column name → line chart, time series; ≤ 3 columns → bar chart, scatter plot.
  const cases: [chart: number, columns: string, expected: string[]][] = [
    [4, 'order_date, channel, revenue', ['line chart', 'time series', 'bar chart', 'scatter plot']],
    [2, 'region, revenue, count, avg_order_value', []],
    [5, 'region, revenue', ['bar chart', 'scatter plot']],
  ]
  it.each(cases)('recommended_visualizations of chart %s (%s): %j', async (chart, _columns, expected) => {
    const result = await callAs('admin', 'get_chart_data', { identifier: chart })
    expect(result.recommended_visualizations).toEqual(expected)
  })
})

describe('get_chart_preview (chart/schemas.py GetChartPreviewRequest, ChartPreview, URLPreview)', () => {
  const base: Shape = {
    chart_id: int,
    chart_name: str,
    chart_type: str,
    explore_url: str,
    content: obj,
    chart_description: str,
    accessibility: obj,
    performance: obj,
    format: or(str, nul),
    ascii_chart: or(str, nul),
    table_data: or(str, nul),
    width: or(int, nul),
    height: or(int, nul),
    schema_version: str,
    api_version: str,
  }
  // [request, format, top-level copies] as get_chart_preview.py sets them per content type.
  const cases: [request: Record<string, unknown>, copies: Record<string, unknown>][] = [
    [{ identifier: 2 }, { format: 'url', width: 800, height: 600, ascii_chart: null, table_data: null }],
    [
      { identifier: 2, format: 'ascii', ascii_width: 60, ascii_height: 10 },
      { format: 'ascii', width: 60, height: 10, table_data: null },
    ],
    [
      { identifier: 2, format: 'table' },
      { format: 'table', width: null, height: null, ascii_chart: null },
    ],
    [
      { identifier: 2, format: 'vega_lite' },
      { format: 'vega_lite', width: null, height: null, ascii_chart: null, table_data: null },
    ],
  ]
  it.each(cases)('%j', async (request, copies) => {
    const result = await callAs('admin', 'get_chart_preview', request)
    expectShape(result, base)
    expectShape(result.performance, performance)
    expect(result).toMatchObject(copies)
    expect(result.content.type).toBe(copies.format)
    if (copies.format === 'ascii') expect(result.ascii_chart).toBe(result.content.ascii_content)
    if (copies.format === 'table') expect(result.table_data).toBe(result.content.table_data)
    expect(result.chart_description).toBe(`Preview of ${result.chart_type}: ${result.chart_name}`)
  })

  it('defaults to format url: the explore link, static (URLPreview supports_interaction False)', async () => {
    const result = await callAs('admin', 'get_chart_preview', { identifier: 2 })
    expect(result.content).toEqual({
      type: 'url',
      preview_url: 'https://superset.example.test/explore/?slice_id=2',
      width: 800,
      height: 600,
      supports_interaction: false,
    })
  })
})

describe('a page cut by the response size guard (6.1 ResponseSizeGuard; system/schemas.py PaginationInfo)', () => {
  const small = { MCP_RESPONSE_MAX_BYTES: '8000' }
  const request = { select_columns: ['id', 'query_context'], order_column: 'id', order_direction: 'asc' }
  const ids = (result: any) => result.charts.map((chart: any) => chart.id)
  const all = async () =>
    ids(
      await callAs('admin', 'list_charts', {
        select_columns: ['id'],
        order_column: 'id',
        order_direction: 'asc',
        page_size: 100,
      }),
    )

  // [page, page_size asked]: the answer restates itself as a whole page of what fitted.
  const cases: [page: number, pageSize: number][] = [
    [1, 100],
    [2, 12],
  ]
  it.each(cases)(
    'page %s of %s: has_next true, and the next page continues where it stopped',
    async (page, pageSize) => {
      const every = await all()
      const cut = await callAs('admin', 'list_charts', { ...request, page, page_size: pageSize }, small)
      expect(cut.truncated).toBe(true)
      const size = cut.page_size
      expect(cut.count).toBe(size)
      expect(cut.charts).toHaveLength(size)
      expect(size).toBeLessThan(pageSize)
      expect(ids(cut)).toEqual(every.slice((cut.page - 1) * size, cut.page * size))
      expect(ids(cut)[0]).toBe(every[(page - 1) * pageSize])
      expect(cut).toMatchObject({
        has_next: true,
        has_previous: cut.page > 1,
        total_pages: Math.ceil(every.length / size),
      })
      expect(cut.pagination).toMatchObject({ page: cut.page, page_size: size, has_next: true })
      expect(cut.truncation_hint).toContain(`page ${cut.page + 1} with page_size ${size}`)
      const next = await callAs(
        'admin',
        'list_charts',
        { ...request, page: cut.page + 1, page_size: size },
        small,
      )
      expect(ids(next)[0]).toBe(every[cut.page * size])
    },
  )
})

describe('get_* info tools carry every field of 6.1 model (the default columns)', () => {
  const fields: Record<string, string[]> = {
    // dashboard/schemas.py DashboardInfo
    get_dashboard_info: [
      'id',
      'dashboard_title',
      'slug',
      'description',
      'css',
      'certified_by',
      'certification_details',
      'published',
      'is_managed_externally',
      'external_url',
      'created_on',
      'changed_on',
      'created_by',
      'changed_by',
      'uuid',
      'url',
      'created_on_humanized',
      'changed_on_humanized',
      'chart_count',
      'owners',
      'tags',
      'roles',
      'charts',
      'native_filters',
      'cross_filters_enabled',
      'omitted_fields',
      'permalink_key',
      'filter_state',
      'is_permalink_state',
    ],
    // chart/schemas.py ChartInfo
    get_chart_info: [
      'id',
      'slice_name',
      'viz_type',
      'datasource_name',
      'datasource_type',
      'url',
      'description',
      'cache_timeout',
      'changed_by',
      'changed_by_name',
      'changed_on',
      'changed_on_humanized',
      'created_by',
      'created_on',
      'created_on_humanized',
      'certified_by',
      'certification_details',
      'uuid',
      'tags',
      'owners',
      'form_data',
      'form_data_key',
      'is_unsaved_state',
    ],
    // dataset/schemas.py DatasetInfo
    get_dataset_info: [
      'id',
      'table_name',
      'schema',
      'database_name',
      'description',
      'certified_by',
      'certification_details',
      'changed_by',
      'changed_on',
      'changed_on_humanized',
      'created_by',
      'created_on',
      'created_on_humanized',
      'tags',
      'owners',
      'is_virtual',
      'database_id',
      'uuid',
      'schema_perm',
      'url',
      'sql',
      'main_dttm_col',
      'offset',
      'cache_timeout',
      'params',
      'template_params',
      'extra',
      'columns',
      'metrics',
      'is_favorite',
    ],
    // database/schemas.py DatabaseInfo
    get_database_info: [
      'id',
      'uuid',
      'database_name',
      'backend',
      'expose_in_sqllab',
      'allow_ctas',
      'allow_cvas',
      'allow_dml',
      'allow_file_upload',
      'allow_run_async',
      'cache_timeout',
      'configuration_method',
      'force_ctas_schema',
      'impersonate_user',
      'is_managed_externally',
      'external_url',
      'extra',
      'changed_by',
      'changed_on',
      'changed_on_humanized',
      'created_by',
      'created_on',
      'created_on_humanized',
    ],
  }
  const cases = Object.entries(fields)
  it.each(cases)('%s', async (tool, names) => {
    const result = await callAs('admin', tool, { identifier: tool === 'get_chart_info' ? 2 : 1 })
    expect(names.filter((name) => !(name in result))).toEqual([])
  })

  it('get_dataset_info.is_favorite is null, as 6.1 answers it (a SqlaTable has no is_favorite)', async () => {
    expect((await callAs('admin', 'get_dataset_info', { identifier: 1 })).is_favorite).toBeNull()
  })
})

const barByRegion = {
  chart_type: 'xy',
  kind: 'bar',
  x: { name: 'region' },
  y: [{ name: 'order_total', aggregate: 'SUM' }],
}

describe('unsaved chart tools (explore/tool/generate_explore_link.py; chart/schemas.py GenerateChartResponse)', () => {
  it('generate_explore_link answers url, form_data, form_data_key, error', async () => {
    const result = await callAs('admin', 'generate_explore_link', { dataset_id: 1, config: barByRegion })
    expect(Object.keys(result).sort()).toEqual(['error', 'form_data', 'form_data_key', 'url'])
    expect(result).toMatchObject({ error: null, form_data_key: null })
  })

  it("update_chart_preview answers 6.1's dict (chart/tool/update_chart_preview.py), key for key", async () => {
    const result = await callAs('admin', 'update_chart_preview', {
      form_data_key: 'abc123def456',
      dataset_id: 1,
      config: barByRegion,
      preview_formats: ['table'],
    })
    // test_update_chart_preview.py test_update_chart_preview_response_structure and its optional fields
    expect(Object.keys(result).sort()).toEqual(
      [
        'chart',
        'error',
        'previews',
        'capabilities',
        'semantics',
        'explore_url',
        'form_data_key',
        'previous_form_data_key',
        'api_endpoints',
        'performance',
        'accessibility',
        'success',
        'schema_version',
        'api_version',
      ].sort(),
    )
    // test_update_chart_preview_no_save_behavior: id and uuid None, saved False; the tool sets updated True.
    expect(result.chart).toEqual({
      id: null,
      slice_name: result.chart.slice_name,
      viz_type: 'echarts_timeseries_bar',
      url: result.explore_url,
      uuid: null,
      saved: false,
      updated: true,
    })
    expect(result).toMatchObject({
      error: null,
      capabilities: null,
      semantics: null,
      form_data_key: null,
      previous_form_data_key: 'abc123def456',
      api_endpoints: {},
      success: true,
      schema_version: '2.0',
      api_version: 'v1',
    })
    // PerformanceMetadata(cache_status="miss", optimization_suggestions=[]), AccessibilityMetadata
    expectShape(result.performance, performance)
    expect(result.performance).toMatchObject({ cache_status: 'miss', optimization_suggestions: [] })
    expect(result.accessibility).toEqual({
      color_blind_safe: true,
      alt_text: `Updated chart preview showing ${result.chart.slice_name}`,
      high_contrast_available: false,
    })
    expect(Object.keys(result.previews)).toEqual(['table'])
  })

  it('update_chart_preview without a form_data_key: previous_form_data_key null', async () => {
    const result = await callAs('admin', 'update_chart_preview', { dataset_id: 1, config: barByRegion })
    expect(result).toMatchObject({ previous_form_data_key: null, success: true })
  })
})
