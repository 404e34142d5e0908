/**
 * The names of the gateway's tools, without their code: for tools that must know them outside the
 * Worker (`npm run limits` checks per-tool limits against them). The catalogue test keeps it equal to
 * TOOLS in index.ts.
 */
export const TOOL_NAMES: readonly string[] = [
  'health_check',
  'get_instance_info',
  'get_schema',
  'list_dashboards',
  'get_dashboard_info',
  'generate_dashboard',
  'add_chart_to_existing_dashboard',
  'list_charts',
  'get_chart_info',
  'generate_chart',
  'update_chart',
  'update_chart_preview',
  'generate_explore_link',
  'list_datasets',
  'get_dataset_info',
  'create_virtual_dataset',
  'list_databases',
  'get_database_info',
  'get_chart_data',
  'get_chart_preview',
  'get_chart_type_schema',
  'execute_sql',
  'save_sql_query',
  'open_sql_lab_with_context',
  // Development: dashboards
  // Development: charts and datasets
  'get_chart_sql',
  'query_dataset',
  'delete_chart',
  'create_dataset',
  'update_dataset_metric',
  // Development: SQL Lab history
  // Development: tags, reports, annotation layers, themes
  // Development: users, roles, RLS filters, action logs
  // Development: semantic layer
]

/**
 * Superset 6.1's tool search (MCP_TOOL_SEARCH_CONFIG `search_tool_name`, `call_tool_name`): with
 * MCP_TOOL_SEARCH_ENABLED, `tools/list` shows these two and the pinned tools (src/tool-search).
 */
export const SEARCH_TOOL_NAME = 'search_tools'
export const CALL_TOOL_NAME = 'call_tool'

/**
 * Names a tenant's limit document may give a per-tool limit: the catalogue and `search_tools`.
 * `call_tool` is never counted itself: its calls count as the tool they name.
 */
export const LIMITABLE_TOOL_NAMES: readonly string[] = [...TOOL_NAMES, SEARCH_TOOL_NAME]

/**
 * Tools whose destructive calls ask the user to confirm (their definition's `confirm`, src/confirm): the
 * names a limits document's `confirm` section may give. The catalogue test keeps it equal to the tools
 * that declare `confirm`.
 */
export const CONFIRMABLE_TOOL_NAMES: readonly string[] = [
  'update_chart',
  'execute_sql',
  // Development: dashboards
  // Development: charts and datasets
  'delete_chart',
  'update_dataset_metric',
  // Development: tags, reports, annotation layers, themes
]
