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
      performance: { cache_status: 'fresh_query', estimated_cost: null, optimization_suggestions: [] },
    })
  })
})

describe('dashboard writes (dashboard/schemas.py GenerateDashboardResponse, AddChartToDashboardResponse)', () => {
  it('generate_dashboard answers dashboard, dashboard_url, error; add_chart_to_existing_dashboard also position and permission_denied', async () => {
    const generated = await callAs('admin', 'generate_dashboard', {
      chart_ids: [2],
      dashboard_title: 'Contract',
    })
    expect(generated).toMatchObject({ error: null, dashboard_url: generated.dashboard.url })
    const added = await callAs('admin', 'add_chart_to_existing_dashboard', {
      dashboard_id: generated.dashboard.id,
      chart_id: 5,
    })
    expect(added).toMatchObject({ error: null, permission_denied: false, dashboard_url: added.dashboard.url })
    expect(added.position).toEqual({
      row: added.position.row_key,
      row_key: expect.stringMatching(/^ROW-/),
      chart_key: expect.stringMatching(/^CHART-/),
    })
  })
})
