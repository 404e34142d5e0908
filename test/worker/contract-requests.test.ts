/**
 * Tool requests are as lenient as Superset 6.1.0's Pydantic request models, entered through the
 * Worker's fetch as a client. Every case names the 6.1.0 model (superset/mcp_service/**\/schemas.py)
 * or unit test (tests/unit_tests/mcp_service/**) it comes from.
 */
import { describe, expect, it } from 'vitest'
import { callAs } from '../helpers/call-as'
import { relaxLimits } from '../helpers/limits'

relaxLimits()

const barByRegion = {
  chart_type: 'xy',
  kind: 'bar',
  x: { name: 'region' },
  y: [{ name: 'order_total', aggregate: 'SUM', label: 'Revenue' }],
}

const ids = (result: any, key: string): number[] => result[key].map((item: any) => item.id)

describe('unknown keys are ignored (Pydantic extra="ignore", the default of every 6.1 request model)', () => {
  const cases: [tool: string, request: Record<string, unknown>, source: string][] = [
    ['list_dashboards', { page_size: 1 }, 'dashboard/schemas.py ListDashboardsRequest'],
    ['list_charts', { page_size: 1 }, 'chart/schemas.py ListChartsRequest'],
    ['list_datasets', { page_size: 1 }, 'dataset/schemas.py ListDatasetsRequest'],
    ['list_databases', { page_size: 1 }, 'database/schemas.py ListDatabasesRequest'],
    ['get_dashboard_info', { identifier: 1 }, 'dashboard/schemas.py GetDashboardInfoRequest'],
    ['get_chart_info', { identifier: 2 }, 'chart/schemas.py GetChartInfoRequest'],
    ['get_dataset_info', { identifier: 1 }, 'dataset/schemas.py GetDatasetInfoRequest'],
    ['get_database_info', { identifier: 1 }, 'database/schemas.py GetDatabaseInfoRequest'],
    ['get_chart_data', { identifier: 2 }, 'chart/schemas.py GetChartDataRequest'],
    ['get_chart_preview', { identifier: 2, format: 'table' }, 'chart/schemas.py GetChartPreviewRequest'],
    ['get_schema', { model_type: 'chart' }, 'common/schema_discovery.py GetSchemaRequest'],
    ['get_chart_type_schema', { chart_type: 'pie' }, 'chart/tool/get_chart_type_schema.py (plain arguments)'],
    ['health_check', {}, 'system/tool/health_check.py (no parameters)'],
    [
      'generate_explore_link',
      { dataset_id: 1, config: barByRegion },
      'chart/schemas.py GenerateExploreLinkRequest',
    ],
    ['open_sql_lab_with_context', { database_id: 1 }, 'sql_lab/schemas.py OpenSqlLabRequest'],
    [
      'execute_sql',
      { database_id: 1, sql: 'SELECT 1', dry_run: true },
      'sql_lab/schemas.py ExecuteSqlRequest',
    ],
  ]
  it.each(cases)('%s (%s + an unknown key)', async (tool, request) => {
    const plain = await callAs('admin', tool, request)
    const extra = await callAs('admin', tool, { ...request, unknown_field: 1, client_hint: { a: 1 } })
    expect(Object.keys(extra).sort()).toEqual(Object.keys(plain).sort())
  })

  it('an unknown key inside a filter object is ignored too (daos/base.py ColumnOperator, a plain BaseModel)', async () => {
    const request = {
      filters: [{ col: 'dashboard_title', opr: 'ilike', value: '%sales%' }],
      order_column: 'id',
    }
    const plain = await callAs('admin', 'list_dashboards', request)
    const extra = await callAs('admin', 'list_dashboards', {
      ...request,
      filters: [{ ...request.filters[0], note: 'x' }],
    })
    expect(ids(extra, 'dashboards')).toEqual(ids(plain, 'dashboards'))
  })
})

describe('get_instance_info forbids extra keys (system/schemas.py GetSupersetInstanceInfoRequest, extra="forbid")', () => {
  it('answers {} and refuses an unknown key', async () => {
    await expect(callAs('admin', 'get_instance_info', {})).resolves.toHaveProperty('instance_summary')
    await expect(callAs('admin', 'get_instance_info', { bogus: true })).rejects.toMatchObject({
      type: 'ValidationError',
      message: expect.stringContaining('bogus'),
    })
  })
})

describe('JSON strings where 6.1 json.loads them', () => {
  const filters = [{ col: 'published', opr: 'eq', value: true }]

  it.each<[string, string, Record<string, unknown>[], string]>([
    ['list_dashboards', 'dashboards', filters, 'dashboard/schemas.py ListDashboardsRequest.parse_filters'],
    [
      'list_charts',
      'charts',
      [{ col: 'viz_type', opr: 'eq', value: 'table' }],
      'chart/schemas.py ListChartsRequest.parse_filters',
    ],
    [
      'list_databases',
      'databases',
      [{ col: 'database_name', opr: 'sw', value: 'ex' }],
      'database/schemas.py ListDatabasesRequest.parse_filters',
    ],
    [
      'list_datasets',
      'datasets',
      [{ col: 'table_name', opr: 'sw', value: 'ord' }],
      'mcp_core.py ModelListCore.run_tool parse_json_or_passthrough',
    ],
  ])('%s: filters as a JSON string, or one object, equal the list (%s; %s)', async (tool, key, list) => {
    const base = { order_column: 'id', page_size: 100 }
    const expected = ids(await callAs('admin', tool, { ...base, filters: list }), key)
    expect(expected.length).toBeGreaterThan(0)
    expect(ids(await callAs('admin', tool, { ...base, filters: JSON.stringify(list) }), key)).toEqual(
      expected,
    )
    // utils/schema_utils.py parse_json_or_model_list → parse_json_or_list wraps a non-list value.
    expect(ids(await callAs('admin', tool, { ...base, filters: list[0] }), key)).toEqual(expected)
  })

  it('filters: null and "" are no filters (parse_json_or_model_list: None or "" → [])', async () => {
    const all = ids(
      await callAs('admin', 'list_dashboards', { order_column: 'id', page_size: 100 }),
      'dashboards',
    )
    for (const empty of [null, '']) {
      const result = await callAs('admin', 'list_dashboards', {
        filters: empty,
        order_column: 'id',
        page_size: 100,
      })
      expect(ids(result, 'dashboards')).toEqual(all)
    }
  })

  it('an unparseable filters string is a specific ValidationError', async () => {
    await expect(callAs('admin', 'list_dashboards', { filters: '[{"col": ' })).rejects.toMatchObject({
      type: 'ValidationError',
      message: expect.stringContaining('filters: filters is a string but not valid JSON'),
      details: { issues: [expect.objectContaining({ field: 'filters' })] },
    })
  })

  it('config as a JSON string equals the object (chart/schemas.py _coerce_config_to_dict)', async () => {
    const object = await callAs('admin', 'generate_explore_link', { dataset_id: 1, config: barByRegion })
    const text = await callAs('admin', 'generate_explore_link', {
      dataset_id: 1,
      config: JSON.stringify(barByRegion),
    })
    expect(text.form_data).toEqual(object.form_data)
  })

  it('an unparseable config string is a specific ValidationError (6.1: "config must be a JSON object string")', async () => {
    await expect(
      callAs('admin', 'generate_explore_link', { dataset_id: 1, config: '{"chart_type": "xy",' }),
    ).rejects.toMatchObject({
      type: 'ValidationError',
      message: expect.stringContaining('config: config is a string but not valid JSON'),
    })
  })
})

describe('get_dashboard_info.permalink_key (dashboard/tool/get_dashboard_info.py, GetDashboardInfoRequest.permalink_key)', () => {
  // The demo's permalink 2657XgjAR8D (scripts/seed/README.md): dashboard 1 with Region = EMEA.
  it('a permalink of the dashboard: its state as filter_state, is_permalink_state true (the state round trip of tests/integration_tests/dashboards/permalink/api_tests.py test_get)', async () => {
    const info = await callAs('admin', 'get_dashboard_info', { identifier: 1, permalink_key: '2657XgjAR8D' })
    expect(info).toMatchObject({ id: 1, permalink_key: '2657XgjAR8D', is_permalink_state: true })
    expect(Object.keys(info.filter_state).sort()).toEqual(['activeTabs', 'dataMask', 'urlParams'])
    expect(info.filter_state.dataMask['NATIVE_FILTER-r3g10nSel'].filterState.value).toEqual(['EMEA'])
  })

  it("a key naming no permalink: 6.1's defaults, not an error ('permalink_key provided but no permalink found')", async () => {
    const info = await callAs('admin', 'get_dashboard_info', { identifier: 1, permalink_key: 'abc123def456' })
    expect(info).toMatchObject({ id: 1, is_permalink_state: false, permalink_key: null, filter_state: null })
  })

  it("a permalink of another dashboard: the defaults ('does not match requested dashboard id … ignoring permalink filter state')", async () => {
    const info = await callAs('admin', 'get_dashboard_info', { identifier: 1, permalink_key: 'wWaRAzLEL9D' })
    expect(info).toMatchObject({ id: 1, is_permalink_state: false, permalink_key: null, filter_state: null })
  })
})

describe('fields only 6.1 has', () => {
  it('generate_explore_link.cache_form_data is accepted (common/cache_schemas.py FormDataCacheControl)', async () => {
    const link = await callAs('admin', 'generate_explore_link', {
      dataset_id: 1,
      config: barByRegion,
      cache_form_data: false,
    })
    expect(link).toMatchObject({ error: null, form_data_key: null })
  })

  it('get_chart_data and get_chart_preview take cache_timeout (common/cache_schemas.py QueryCacheControl)', async () => {
    await expect(
      callAs('admin', 'get_chart_data', { identifier: 2, cache_timeout: 60 }),
    ).resolves.toMatchObject({
      chart_id: 2,
    })
    await expect(
      callAs('admin', 'get_chart_preview', { identifier: 2, format: 'table', cache_timeout: 0 }),
    ).resolves.toMatchObject({ chart_id: 2 })
  })

  it('schema_name, the field name behind the "schema" alias (sql_lab/schemas.py OpenSqlLabRequest, populate_by_name)', async () => {
    const link = await callAs('admin', 'open_sql_lab_with_context', { database_id: 1, schema_name: 'sales' })
    expect(link.schema).toBe('sales')
  })
})

describe('null and lax types as Pydantic reads them', () => {
  it('null in an optional field is omitted (ListChartsRequest: search, order_column: str | None = None)', async () => {
    const plain = await callAs('admin', 'list_charts', { page_size: 5 })
    const nulls = await callAs('admin', 'list_charts', {
      page_size: 5,
      search: null,
      order_column: null,
      select_columns: null,
    })
    expect(ids(nulls, 'charts')).toEqual(ids(plain, 'charts'))
  })

  it('null identifier with a form_data_key reaches the form_data_key answer (GetChartDataRequest: identifier: int | str | None)', async () => {
    await expect(
      callAs('admin', 'get_chart_data', { identifier: null, form_data_key: 'abc', limit: null }),
    ).rejects.toMatchObject({ message: expect.stringContaining('form_data_key "abc"') })
  })

  it('numbers and booleans sent as strings (Pydantic lax mode: "2" → 2, "true" → True)', async () => {
    const result = await callAs('admin', 'list_dashboards', { page_size: '2', page: '1' })
    expect(result).toMatchObject({ page_size: 2, page: 1, count: 2 })
    const sql = await callAs('admin', 'execute_sql', {
      database_id: '1',
      sql: 'SELECT 1 AS one',
      dry_run: 'true',
    })
    expect(sql.success).toBe(true)
  })
})

describe('bounds as 6.1 declares them', () => {
  it.each([[0], [101], [-1]])(
    'page_size %s is refused (ListDashboardsRequest.page_size: gt=0, le=MAX_PAGE_SIZE=100)',
    async (pageSize) => {
      await expect(callAs('admin', 'list_dashboards', { page_size: pageSize })).rejects.toMatchObject({
        type: 'ValidationError',
      })
    },
  )

  it('page_size 100 and page 1 are accepted; page 0 is refused (page: PositiveInt)', async () => {
    await expect(callAs('admin', 'list_dashboards', { page_size: 100 })).resolves.toMatchObject({
      page_size: 100,
    })
    await expect(callAs('admin', 'list_dashboards', { page: 0 })).rejects.toMatchObject({
      type: 'ValidationError',
    })
  })

  it("get_chart_data.limit is unbounded in 6.1 (limit: int | None): a large limit is capped, 0 is the chart's own", async () => {
    const own = await callAs('admin', 'get_chart_data', { identifier: 2 })
    await expect(
      callAs('admin', 'get_chart_data', { identifier: 2, limit: 1_000_000 }),
    ).resolves.toMatchObject({
      row_count: own.row_count,
    })
    await expect(callAs('admin', 'get_chart_data', { identifier: 2, limit: 0 })).resolves.toMatchObject({
      row_count: own.row_count,
    })
    await expect(callAs('admin', 'get_chart_data', { identifier: 2, limit: 1 })).resolves.toMatchObject({
      row_count: 1,
    })
  })

  it('get_chart_preview width/height are unbounded in 6.1 (width: int | None = 800): clamped, not refused', async () => {
    const preview = await callAs('admin', 'get_chart_preview', {
      identifier: 2,
      format: 'url',
      width: 10_000,
      height: 1,
    })
    expect(preview.content).toMatchObject({ type: 'url', width: 4000, height: 100 })
  })

  it("execute_sql limit and timeout keep 6.1's bounds (ExecuteSqlRequest: limit ge=1 le=10000; timeout ge=1 le=300)", async () => {
    for (const extra of [{ limit: 0 }, { limit: 10_001 }, { timeout: 0 }, { timeout: 301 }]) {
      await expect(
        callAs('admin', 'execute_sql', { database_id: 1, sql: 'SELECT 1', ...extra }),
      ).rejects.toMatchObject({ type: 'ValidationError' })
    }
  })
})

describe('select_columns and order_column names 6.1 does not know (daos/base.py BaseDAO.list skips them)', () => {
  it('an unknown select column is left out; columns_requested says what was asked, columns_loaded what was loaded', async () => {
    const result = await callAs('admin', 'list_dashboards', {
      select_columns: ['id', 'no_such_column'],
      page_size: 2,
    })
    expect(result.columns_requested).toEqual(['id', 'no_such_column'])
    expect(result.columns_loaded).toEqual(['id'])
    expect(Object.keys(result.dashboards[0])).toEqual(['id'])
  })

  it('an order_column that is not sortable keeps the default order (BaseDAO.list orders only by a model attribute)', async () => {
    const plain = await callAs('admin', 'list_charts', { page_size: 100 })
    const unknown = await callAs('admin', 'list_charts', { page_size: 100, order_column: 'no_such_column' })
    expect(ids(unknown, 'charts')).toEqual(ids(plain, 'charts'))
  })
})

describe('JSON given as a string is held to the body limits (found by review)', () => {
  const nested = (depth: number) => `${'{"x":'.repeat(depth)}1${'}'.repeat(depth)}`

  it('refuses a "request" string nesting deeper than a body may', async () => {
    await expect(callAs('admin', 'list_charts', nested(500))).rejects.toMatchObject({
      type: 'ValidationError',
      message: expect.stringContaining('"request" nests deeper than 64 levels'),
    })
  })

  it('refuses a config string nesting deeper than a body may, naming the field', async () => {
    await expect(
      callAs('admin', 'generate_explore_link', { dataset_id: 1, config: nested(500) }),
    ).rejects.toMatchObject({
      type: 'ValidationError',
      message: expect.stringContaining('nests deeper than 64'),
    })
  })

  it('reads "1" and "0" as booleans where the field is one (Pydantic lax mode)', async () => {
    const result = await callAs('admin', 'execute_sql', {
      database_id: 1,
      sql: 'SELECT 1 AS one',
      dry_run: '1',
    })
    // A dry run: the statement planned, nothing run.
    expect(result).toMatchObject({ success: true, rows: null })
    expect(result.statements).toEqual([expect.objectContaining({ data: null, row_count: 0 })])
  })
})
