/**
 * SQL Lab's own rows as the development branch's list and get tools see them: the query history (`query`,
 * QueryInfo of superset/mcp_service/query/schemas.py) and saved queries (`saved_query`, SavedQueryInfo of
 * saved_query/schemas.py), with exactly those models' fields, filter columns, search and sort columns.
 *
 * Visibility is Superset 6.1's DAO base filters: QueryFilter (superset/queries/filters.py) shows the
 * caller's own queries unless they hold all_query_access; SavedQueryFilter
 * (superset/queries/saved_queries/filters.py) shows only the saved queries the caller created. The
 * development branch lets all_query_access read every saved query too; 6.1's rule is kept (docs/TOOLS.md).
 */
import { sql, trusted } from '../../db'
import { sqlColumn, timestampColumn } from './columns'
import { TEXT_OPERATORS, VALUE_OPERATORS } from './filters'
import type { ModelSpec } from './model'

/** Superset's `can_access_all_queries()`: the all_query_access pair. */
function seesAllQueries(context: { principal: { can(permission: string, view: string): boolean } }) {
  return context.principal.can('all_query_access', 'all_query_access')
}

/** `start_time` / `end_time`: Superset's Numeric epoch milliseconds, as the float QueryInfo carries. */
function epochColumn(description: string, expression: string) {
  return {
    type: 'float' as const,
    description,
    sql: trusted(`${expression}::float8`),
    sortSql: trusted(expression),
  }
}

export const querySpec: ModelSpec = {
  model: 'query',
  readPermission: { permission: 'can_read', view: 'Query' },
  listKey: 'queries',
  from: trusted('query q'),
  alias: 'q',
  idColumn: trusted('q.id'),
  columns: {
    id: sqlColumn('int', 'Query id.', 'q.id'),
    sql: sqlColumn('str', 'SQL text as typed in SQL Lab.', 'q.sql'),
    status: sqlColumn(
      'str',
      'Execution status (pending, running, success, failed, stopped, timed_out, scheduled, fetching).',
      'q.status',
    ),
    start_time: epochColumn('Start time (as Superset stores it: epoch milliseconds).', 'q.start_time'),
    end_time: epochColumn('End time (as Superset stores it: epoch milliseconds).', 'q.end_time'),
    rows: sqlColumn('int', 'Rows returned or affected.', 'q.rows'),
    database_id: sqlColumn('int', 'Database id.', 'q.database_id'),
    schema: sqlColumn('str', 'Schema.', 'q.schema'),
    tab_name: sqlColumn('str', 'SQL Lab tab name.', 'q.tab_name'),
    error_message: sqlColumn('str', 'Error message of a failed query.', 'q.error_message'),
    client_id: sqlColumn('str', "SQL Lab's client-side query id.", 'q.client_id'),
    limit: sqlColumn('int', 'Row limit applied.', 'q."limit"'),
    progress: sqlColumn('int', 'Progress (0-100).', 'q.progress'),
    changed_on: timestampColumn('Last change (UTC).', 'q.changed_on'),
  },
  authored: ['sql', 'tab_name', 'error_message'],
  defaultColumns: ['id', 'status', 'start_time', 'database_id', 'schema'],
  sortable: ['id', 'start_time', 'end_time', 'status', 'database_id', 'changed_on'],
  searchColumns: [
    { name: 'tab_name', sql: trusted('q.tab_name') },
    { name: 'sql', sql: trusted('q.sql') },
  ],
  filters: {
    status: { type: 'str', operators: TEXT_OPERATORS, sql: trusted('q.status') },
    database_id: { type: 'int', operators: VALUE_OPERATORS, sql: trusted('q.database_id') },
    schema: { type: 'str', operators: TEXT_OPERATORS, sql: trusted('q.schema') },
  },
  defaultOrder: { column: 'changed_on', direction: 'desc' },
  visibility: (context) =>
    seesAllQueries(context) ? trusted('TRUE') : sql`q.user_id = ${context.principal.user.id}`,
}

export const savedQuerySpec: ModelSpec = {
  model: 'saved_query',
  readPermission: { permission: 'can_read', view: 'SavedQuery' },
  listKey: 'saved_queries',
  from: trusted('saved_query sq'),
  alias: 'sq',
  idColumn: trusted('sq.id'),
  columns: {
    id: sqlColumn('int', 'Saved query id.', 'sq.id'),
    uuid: sqlColumn('str', 'UUID.', 'sq.uuid::text'),
    label: sqlColumn('str', 'Name of the saved query.', 'sq.label'),
    sql: sqlColumn('str', 'SQL text.', 'sq.sql'),
    db_id: sqlColumn('int', 'Database id.', 'sq.db_id'),
    schema: sqlColumn('str', 'Schema.', 'sq.schema'),
    description: sqlColumn('str', 'Description.', 'sq.description'),
    changed_on: timestampColumn('Last change (UTC).', 'sq.changed_on'),
    created_on: timestampColumn('Creation time (UTC).', 'sq.created_on'),
  },
  authored: ['label', 'sql', 'description'],
  defaultColumns: ['id', 'label', 'db_id', 'schema', 'uuid'],
  sortable: ['id', 'label', 'db_id', 'schema', 'changed_on', 'created_on'],
  searchColumns: [
    { name: 'label', sql: trusted('sq.label') },
    { name: 'description', sql: trusted('sq.description') },
    { name: 'sql', sql: trusted('sq.sql') },
  ],
  filters: {
    label: { type: 'str', operators: TEXT_OPERATORS, sql: trusted('sq.label') },
    db_id: { type: 'int', operators: VALUE_OPERATORS, sql: trusted('sq.db_id') },
    schema: { type: 'str', operators: TEXT_OPERATORS, sql: trusted('sq.schema') },
  },
  defaultOrder: { column: 'changed_on', direction: 'desc' },
  visibility: (context) => sql`sq.created_by_fk = ${context.principal.user.id}`,
}
