/**
 * Row-level security filters (development branch: superset/mcp_service/rls), read from Superset 6.1's
 * tables: can_read on Row Level Security, which only Admin holds.
 */
import { RLS_FILTER_INFO_COLUMNS, rlsFilterSpec } from '../../superset'
import { defineListTool } from '../core'
import { defineGetByIdTool } from './get-by-id'

const RLS_TABLES = ['row_level_security_filters', 'rls_filter_roles', 'rls_filter_tables'] as const

export const listRlsFilters = defineListTool({
  name: 'list_rls_filters',
  title: 'List RLS filters',
  description:
    'List row-level security filters (admin only): name, type (Regular or Base), clause; tables, subjects ' +
    '(roles), group_key and changed_on on request. Filter columns: name, filter_type.',
  spec: rlsFilterSpec,
  requiresTables: RLS_TABLES,
  schemaHint: false,
})

export const getRlsFilterInfo = defineGetByIdTool({
  name: 'get_rls_filter_info',
  title: 'Get RLS filter info',
  description:
    'One row-level security filter by id (admin only): name, type, clause, group key, its datasets and roles.',
  spec: rlsFilterSpec,
  label: 'RLS filter',
  columns: RLS_FILTER_INFO_COLUMNS,
  requiresTables: RLS_TABLES,
})
