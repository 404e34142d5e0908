/**
 * Superset 6.1's error contract, through the Worker's fetch: an isError result's text is the error object
 * as JSON (6.1 clients `json.loads(content[0].text)`), the same object as structuredContent; tools whose
 * 6.1 response model reports failure in-band answer in that model, not isError. Each case names the
 * 6.1.0 source (superset/mcp_service/…, tests/unit_tests/mcp_service/…) it comes from.
 */
import { describe, expect, it } from 'vitest'
import { sql } from '../../src/db'
import { rpcAs } from '../helpers/call-as'
import { withMetadataDb } from '../helpers/db'
import { eventually } from '../helpers/eventually'
import { relaxLimits } from '../helpers/limits'
import { callHttpTool } from '../helpers/mcp'

relaxLimits()

const call = (user: string, name: string, request: unknown) =>
  rpcAs(user, 'tools/call', { name, arguments: { request } })

describe('error results: the text is the error object as JSON', () => {
  it.each([
    // 6.1 middleware.py GlobalErrorHandlerMiddleware: a pydantic ValidationError becomes a ToolError
    ['a request that fails validation', 'list_dashboards', { page_size: 0 }, 'ValidationError', /page_size/],
    // 6.1 dashboard/schemas.py DashboardError {error, error_type, timestamp}
    [
      'a missing dashboard',
      'get_dashboard_info',
      { identifier: 999 },
      'NotFoundError',
      /^Dashboard with identifier '999' not found\. Check the identifier with list_dashboards\.$/,
    ],
  ])('%s', async (_case, tool, request, errorType, message) => {
    const result = await call('admin', tool, request)
    expect(result.isError).toBe(true)
    const parsed = JSON.parse(result.content[0].text)
    expect(parsed).toEqual(result.structuredContent)
    expect(Object.keys(parsed).sort()).toEqual(['details', 'error', 'error_type', 'timestamp'])
    expect(parsed.error_type).toBe(errorType)
    expect(parsed.error).toMatch(message)
    expect(new Date(parsed.timestamp).toISOString()).toBe(parsed.timestamp)
  })

  it('carries one hint: a message that already says what to do gets none added', async () => {
    // a ValidationError sentence gets the generic hint once
    const invalid = await call('admin', 'list_dashboards', { page_size: 0 })
    expect(invalid.structuredContent.error.match(/Fix the arguments/g)).toHaveLength(1)
    // a message with its own instruction ("… save the chart in Superset first.") gets no second one
    const ownHint = (await call('admin', 'get_chart_info', { form_data_key: 'abc' })).structuredContent.error
    expect(ownHint).toMatch(/save the chart in Superset first\.$/)
    expect(ownHint).not.toMatch(/Check the identifier/)
  })
})

describe('in-band failures in the 6.1 response model (not isError)', () => {
  it.each([
    [
      // tests/unit_tests/mcp_service/sql_lab/tool/test_execute_sql.py test_execute_sql_database_not_found
      'execute_sql, a missing database',
      'execute_sql',
      { database_id: 999, sql: 'SELECT 1', limit: 1 },
      {
        success: false,
        rows: null,
        error: expect.stringContaining('Database with ID 999 not found'),
        error_type: 'DATABASE_NOT_FOUND_ERROR',
      },
    ],
    [
      // sql_lab/tool/execute_sql.py _convert_to_response: error_type is the QueryStatus ("failed")
      "execute_sql, the statement's own error",
      'execute_sql',
      { database_id: 1, sql: 'SELECT no_such_column FROM sales.orders' },
      { success: false, error: expect.stringContaining('no_such_column'), error_type: 'failed' },
    ],
    [
      // the 6.1 executor returns a FAILED result for SupersetSecurityException (DML not allowed)
      'execute_sql, DML on a read-only database',
      'execute_sql',
      { database_id: 1, sql: 'DELETE FROM sales.orders' },
      { success: false, error: expect.stringContaining('read-only'), error_type: 'failed' },
    ],
    [
      // tests/unit_tests/mcp_service/explore/tool/test_generate_explore_link.py
      // test_generate_explore_link_nonexistent_dataset
      'generate_explore_link, a missing dataset',
      'generate_explore_link',
      { dataset_id: 99999, config: { chart_type: 'table', columns: [{ name: 'region' }] } },
      {
        url: '',
        form_data: {},
        form_data_key: null,
        error: 'Dataset not found: 99999. Use list_datasets to find valid dataset IDs.',
      },
    ],
    [
      // explore/tool/generate_explore_link.py: any other failure is "Failed to generate explore link: …"
      'generate_explore_link, a config that does not fit the dataset',
      'generate_explore_link',
      { dataset_id: 1, config: { chart_type: 'table', columns: [{ name: 'regoin' }] } },
      {
        url: '',
        form_data: {},
        form_data_key: null,
        error: expect.stringMatching(/^Failed to generate explore link: .*unknown column "regoin"/),
      },
    ],
    [
      // chart/tool/generate_chart.py: ChartGenerationError(error_type="dataset_not_found", error_code="DATASET_NOT_FOUND")
      'generate_chart, a missing dataset',
      'generate_chart',
      { dataset_id: 99999, config: { chart_type: 'table', columns: [{ name: 'region' }] } },
      {
        success: false,
        chart: null,
        error: {
          error_type: 'dataset_not_found',
          error_code: 'DATASET_NOT_FOUND',
          message: 'Dataset not found: 99999',
          suggestions: ['Use the list_datasets tool to find available datasets'],
        },
        schema_version: '2.0',
        api_version: 'v1',
      },
    ],
    [
      // dashboard/tool/generate_dashboard.py: GenerateDashboardResponse(error="Charts not found: [...]")
      'generate_dashboard, missing charts',
      'generate_dashboard',
      { chart_ids: [999], dashboard_title: 'Never written' },
      { dashboard: null, dashboard_url: null, error: expect.stringMatching(/^Charts not found: \[999\]/) },
    ],
    [
      // dashboard/tool/add_chart_to_existing_dashboard.py: "Dashboard with ID … not found"
      'add_chart_to_existing_dashboard, a missing dashboard',
      'add_chart_to_existing_dashboard',
      { dashboard_id: 999, chart_id: 1 },
      {
        dashboard: null,
        dashboard_url: null,
        position: null,
        permission_denied: false,
        error: expect.stringContaining("Dashboard with identifier '999' not found"),
      },
    ],
    [
      // chart/tool/update_chart_preview.py: except Exception → {"chart": None, "error": "Chart preview update
      // failed: …", "performance": {…, "cache_status": "error"}, "success": False, …}
      // (test_update_chart_preview.py test_update_chart_preview_error_responses, "Dataset not found")
      'update_chart_preview, a missing dataset',
      'update_chart_preview',
      {
        form_data_key: 'abc',
        dataset_id: 99999,
        config: { chart_type: 'table', columns: [{ name: 'region' }] },
      },
      {
        chart: null,
        error: expect.stringMatching(
          /^Chart preview update failed: Dataset with identifier '99999' not found/,
        ),
        performance: { cache_status: 'error', optimization_suggestions: [] },
        success: false,
        schema_version: '2.0',
        api_version: 'v1',
      },
    ],
    [
      'update_chart_preview, a config that does not fit the dataset',
      'update_chart_preview',
      { dataset_id: 1, config: { chart_type: 'table', columns: [{ name: 'regoin' }] } },
      {
        chart: null,
        error: expect.stringMatching(/^Chart preview update failed: .*unknown column "regoin"/),
        success: false,
      },
    ],
    [
      // dataset/tool/create_virtual_dataset.py: DatasetInvalidError (DatabaseNotFoundValidationError) →
      // id None, columns [], url None, error (test_dataset_tools.py test_create_virtual_dataset_db_not_found)
      'create_virtual_dataset, a missing database',
      'create_virtual_dataset',
      { database_id: 999, dataset_name: 'Never written', sql: ' SELECT 1 ' },
      {
        id: null,
        // the request's name and SQL (stripped), marked: they are the caller's text
        dataset_name: '<UNTRUSTED-CONTENT>Never written</UNTRUSTED-CONTENT>',
        sql: '<UNTRUSTED-CONTENT>SELECT 1</UNTRUSTED-CONTENT>',
        database_id: 999,
        columns: [],
        url: null,
        error: expect.stringContaining('999'),
        schema: null,
        uuid: null,
      },
    ],
    [
      // DatasetCreateFailedError → error=f"Failed to create dataset: {exc}"
      // (test_dataset_tools.py test_create_virtual_dataset_create_failed)
      'create_virtual_dataset, SQL that fails in the database',
      'create_virtual_dataset',
      { database_id: 1, dataset_name: 'Never written', sql: 'SELECT no_such_column FROM sales.orders' },
      {
        id: null,
        columns: [],
        url: null,
        error: expect.stringMatching(/^Failed to create dataset: .*no_such_column/),
      },
    ],
  ])('%s', async (_case, tool, request, shape) => {
    const result = await call('admin', tool, request)
    expect(result.isError).toBeFalsy()
    expect(result.structuredContent).toMatchObject(shape)
    expect(JSON.parse(result.content[0].text)).toMatchObject(shape)
  })

  it('add_chart_to_existing_dashboard: permission_denied for a dashboard the caller may not edit', async () => {
    // tests/unit_tests/mcp_service/dashboard/tool/test_add_chart_to_existing_dashboard.py (permission_denied)
    const result = await call('ivan', 'add_chart_to_existing_dashboard', { dashboard_id: 1, chart_id: 4 })
    expect(result.isError).toBeFalsy()
    expect(result.structuredContent).toEqual({
      dashboard: null,
      dashboard_url: null,
      position: null,
      permission_denied: true,
      error:
        "You don't have permission to edit dashboard 1. Ask the user if they would like a new dashboard created with this chart instead, and only proceed if they confirm.",
    })
  })

  it('request validation stays an error for these tools (6.1: a ToolError)', async () => {
    // test_execute_sql.py test_execute_sql_invalid_limit: pytest.raises(ToolError)
    const result = await call('admin', 'execute_sql', { database_id: 1, sql: 'SELECT 1', limit: 0 })
    expect(result.isError).toBe(true)
    expect(JSON.parse(result.content[0].text)).toMatchObject({ error_type: 'ValidationError' })
  })

  it('counts an in-band failure as a failed call in the audit trail', async () => {
    const response = await callHttpTool('execute_sql', { database_id: 999, sql: 'SELECT 1' })
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ success: false, error_type: 'DATABASE_NOT_FOUND_ERROR' })
    const requestId = response.headers.get('x-request-id')!
    await eventually(
      async () =>
        expect(
          await withMetadataDb((db) =>
            db.query(
              sql`SELECT tool, outcome, error_type FROM mcp_gateway.audit_log WHERE request_id = ${requestId}`,
            ),
          ),
        ).toEqual([{ tool: 'execute_sql', outcome: 'error', error_type: 'NotFoundError' }]),
      { timeout: 5_000, interval: 50 },
    )
  })
})
