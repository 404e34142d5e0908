/**
 * Write tools' SUCCESS responses carry Superset 6.1.0's response models field by field, entered through
 * the Worker's fetch as a client. Every case names the 6.1.0 model (superset/mcp_service/**\/schemas.py)
 * or unit test (tests/unit_tests/mcp_service/**) it comes from; deviations are README rows.
 */
import { describe, expect, it } from 'vitest'
import { callAs } from '../helpers/call-as'

describe('create_virtual_dataset (dataset/schemas.py CreateVirtualDatasetResponse; test_dataset_tools.py test_create_virtual_dataset_success)', () => {
  it('answers id, dataset_name, sql, database_id, column names, the explore url and error null', async () => {
    const created = await callAs('admin', 'create_virtual_dataset', {
      database_id: 1,
      dataset_name: 'Customer Revenue',
      sql: '  SELECT region AS name, sum(order_total) AS revenue FROM sales.orders GROUP BY 1  ',
    })
    expect(Object.keys(created).sort()).toEqual(
      ['id', 'dataset_name', 'sql', 'database_id', 'columns', 'url', 'error', 'schema', 'uuid'].sort(),
    )
    expect(created).toMatchObject({
      dataset_name: 'Customer Revenue',
      database_id: 1,
      columns: ['name', 'revenue'],
      error: null,
    })
    expect(created.url).toContain('datasource_type=table')
    expect(created.url).toContain(`datasource_id=${created.id}`)
    // The stored SQL: the request's, stripped, with built-ins qualified (README, Differences from Superset 6.1).
    expect(created.sql).toBe(
      'SELECT region AS name, pg_catalog.sum(order_total) AS revenue FROM sales.orders GROUP BY 1',
    )
  })
})

describe('save_sql_query (sql_lab/schemas.py SaveSqlQueryResponse; test_save_sql_query.py)', () => {
  it('answers id, label, sql, database_id, schema, catalog, description and the /sqllab?savedQueryId= url', async () => {
    const saved = await callAs('admin', 'save_sql_query', {
      database_id: 1,
      label: 'Revenue',
      sql: 'SELECT 1',
      schema: 'sales',
    })
    expect(saved).toEqual({
      id: saved.id,
      label: 'Revenue',
      sql: 'SELECT 1',
      database_id: 1,
      schema: 'sales',
      catalog: null,
      description: null,
      url: `https://superset.example.test/sqllab?savedQueryId=${saved.id}`,
    })
  })
})

describe('generate_chart saved (chart/schemas.py GenerateChartResponse; chart/tool/generate_chart.py)', () => {
  it("answers the saved chart's api_endpoints, performance and accessibility", async () => {
    const result = await callAs('admin', 'generate_chart', {
      dataset_id: 1,
      config: { chart_type: 'table', columns: [{ name: 'region' }] },
      save_chart: true,
      chart_name: 'Contract probe',
      generate_preview: false,
    })
    const id = result.chart.id
    expect(result.api_endpoints).toEqual({
      data: `https://superset.example.test/api/v1/chart/${id}/data/`,
      export: `https://superset.example.test/api/v1/chart/${id}/export/`,
    })
    expect(result).toMatchObject({
      capabilities: null,
      semantics: null,
      embed_code: null,
      success: true,
      error: null,
      accessibility: { color_blind_safe: true, high_contrast_available: false },
      // chart/tool/generate_chart.py: PerformanceMetadata(cache_status="miss", optimization_suggestions=[])
      performance: { cache_status: 'miss', estimated_cost: null, optimization_suggestions: [] },
    })
  })
})

/**
 * The answer's dashboard equals get_dashboard_info's for the same dashboard, field for field (every
 * DashboardInfo field: contract-responses.test.ts), but for the humanized times, which move with the clock.
 */
async function expectDashboardInfo(dashboard: Record<string, unknown>) {
  const { cache_status: _cached, ...info } = await callAs('admin', 'get_dashboard_info', {
    identifier: dashboard.id,
    use_cache: false,
  })
  const stable = (value: Record<string, unknown>) => ({
    ...value,
    created_on_humanized: undefined,
    changed_on_humanized: undefined,
  })
  expect(stable(dashboard)).toEqual(stable(info))
}

describe('dashboard writes (dashboard/schemas.py GenerateDashboardResponse, AddChartToDashboardResponse, DashboardInfo)', () => {
  // dashboard/tool/generate_dashboard.py and add_chart_to_existing_dashboard.py answer a DashboardInfo
  // (test_dashboard_generation.py test_generate_dashboard_basic, test_add_chart_to_dashboard_basic), and
  // dashboard_url by id: f"{get_superset_base_url()}/superset/dashboard/{dashboard.id}/".
  it('generate_dashboard answers dashboard (a full DashboardInfo), dashboard_url and error', async () => {
    const generated = await callAs('admin', 'generate_dashboard', {
      chart_ids: [2, 5],
      dashboard_title: 'Contract',
      description: 'Made by the contract test',
    })
    expect(Object.keys(generated).sort()).toEqual(['dashboard', 'dashboard_url', 'error'])
    const id = generated.dashboard.id
    expect(generated).toMatchObject({
      error: null,
      dashboard_url: `https://superset.example.test/superset/dashboard/${id}/`,
    })
    expect(generated.dashboard).toMatchObject({
      dashboard_title: 'Contract',
      description: 'Made by the contract test',
      published: false,
      chart_count: 2,
      roles: [],
      tags: [],
      native_filters: [],
      permalink_key: null,
      filter_state: null,
      is_permalink_state: false,
    })
    expect(generated.dashboard.charts.map((chart: { id: number }) => chart.id)).toEqual([2, 5])
    expect(generated.dashboard.owners.map((owner: { username: string }) => owner.username)).toEqual(['admin'])
    await expectDashboardInfo(generated.dashboard)
  })

  it('add_chart_to_existing_dashboard answers dashboard (a full DashboardInfo), dashboard_url, position, error, permission_denied', async () => {
    const generated = await callAs('admin', 'generate_dashboard', {
      chart_ids: [2],
      dashboard_title: 'Contract',
    })
    const id = generated.dashboard.id
    const added = await callAs('admin', 'add_chart_to_existing_dashboard', { dashboard_id: id, chart_id: 5 })
    expect(Object.keys(added).sort()).toEqual([
      'dashboard',
      'dashboard_url',
      'error',
      'permission_denied',
      'position',
    ])
    expect(added).toMatchObject({
      error: null,
      permission_denied: false,
      dashboard_url: `https://superset.example.test/superset/dashboard/${id}/`,
    })
    // {"row": row_key, "chart_key": chart_key, "row_key": row_key}; the chart's component is 6.1's
    // CHART-<chart id> (_add_chart_to_layout).
    expect(added.position).toEqual({
      row: added.position.row_key,
      row_key: expect.stringMatching(/^ROW-[0-9a-f]{8}$/),
      chart_key: 'CHART-5',
    })
    expect(added.dashboard.chart_count).toBe(2)
    expect(added.dashboard.charts.map((chart: { id: number }) => chart.id).sort()).toEqual([2, 5])
    await expectDashboardInfo(added.dashboard)
  })
})
