/**
 * Row-level security filters as list_rls_filters and get_rls_filter_info read them, from Superset 6.1's
 * tables: row_level_security_filters, with its roles (rls_filter_roles) and datasets (rls_filter_tables).
 * The development branch names the roles a filter applies to `subjects` (its newer subject tables); here
 * each subject is one of 6.1's roles.
 */
import { trusted } from '../../db'
import { sqlColumn, timestampColumn } from '../models/columns'
import { TEXT_OPERATORS } from '../models/filters'
import type { ModelSpec } from '../models/model'

export const RLS_FILTER_INFO_COLUMNS = [
  'id',
  'name',
  'filter_type',
  'tables',
  'subjects',
  'clause',
  'group_key',
  'changed_on',
]

export const rlsFilterSpec: ModelSpec = {
  model: 'rls_filter',
  readPermission: { permission: 'can_read', view: 'Row Level Security' },
  listKey: 'rls_filters',
  from: trusted('row_level_security_filters rls'),
  alias: 'rls',
  idColumn: trusted('rls.id'),
  columns: {
    id: sqlColumn('int', 'RLS filter id.', 'rls.id'),
    name: sqlColumn('str', 'RLS filter name.', 'rls.name'),
    filter_type: sqlColumn('str', 'Filter type: Regular or Base.', 'rls.filter_type'),
    tables: sqlColumn(
      'list',
      'Datasets the filter applies to.',
      `COALESCE((SELECT json_agg(json_build_object('id', t.id, 'table_name', t.table_name, 'schema', t.schema)
                ORDER BY t.id) FROM rls_filter_tables ft JOIN tables t ON t.id = ft.table_id
               WHERE ft.rls_filter_id = rls.id), '[]'::json)`,
    ),
    subjects: sqlColumn(
      'list',
      'Roles the filter applies to (Regular) or exempts (Base).',
      `COALESCE((SELECT json_agg(json_build_object('id', r.id, 'label', r.name, 'secondary_label', NULL,
                'type', NULL) ORDER BY r.id) FROM rls_filter_roles fr JOIN ab_role r ON r.id = fr.role_id
               WHERE fr.rls_filter_id = rls.id), '[]'::json)`,
    ),
    clause: sqlColumn('str', 'SQL WHERE clause.', 'rls.clause'),
    group_key: sqlColumn('str', 'Group key: filters sharing one are ORed.', 'rls.group_key'),
    changed_on: timestampColumn('Last change (UTC).', 'rls.changed_on'),
  },
  authored: ['name', 'clause', 'group_key', 'subjects.label'],
  defaultColumns: ['id', 'name', 'filter_type', 'clause'],
  sortable: ['id', 'name', 'filter_type', 'changed_on'],
  searchColumns: [{ name: 'name', sql: trusted('rls.name') }],
  filters: {
    name: { type: 'str', operators: TEXT_OPERATORS, sql: trusted('rls.name') },
    filter_type: { type: 'str', operators: TEXT_OPERATORS, sql: trusted('rls.filter_type') },
  },
  defaultOrder: { column: 'changed_on', direction: 'desc' },
  visibility: () => trusted('TRUE'),
}
