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
  'get_dashboard_layout',
  'get_dashboard_datasets',
  'remove_chart_from_dashboard',
  'delete_dashboard',
  'update_dashboard',
  'duplicate_dashboard',
  'manage_native_filters',
  // Development: charts and datasets
  'get_chart_sql',
  'query_dataset',
  'delete_chart',
  'create_dataset',
  'update_dataset_metric',
  // Development: SQL Lab history
  'list_queries',
  'get_query_info',
  'list_saved_queries',
  'get_saved_query_info',
  // Development: tags, reports, annotation layers, themes
  'list_themes',
  'get_theme_info',
  'create_theme',
  'list_annotation_layers',
  'get_annotation_layer_info',
  'list_layer_annotations',
  'get_layer_annotation_info',
  'list_tags',
  'get_tag_info',
  'list_reports',
  'get_report_info',
  // Development: users, roles, RLS filters, action logs
  'list_users',
  'get_user_info',
  'find_users',
  'list_roles',
  'get_role_info',
  'list_rls_filters',
  'get_rls_filter_info',
  'list_action_logs',
  'get_action_log_info',
  // Development: semantic layer
  'list_metrics',
  'get_compatible_metrics',
  'get_compatible_dimensions',
  'get_table',
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
  'remove_chart_from_dashboard',
  'delete_dashboard',
  'manage_native_filters',
  // Development: charts and datasets
  'delete_chart',
  'update_dataset_metric',
  // Development: tags, reports, annotation layers, themes
]
