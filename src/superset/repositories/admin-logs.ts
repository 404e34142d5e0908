/**
 * Superset's action log (the `logs` table its event logger writes) as list_action_logs and
 * get_action_log_info read it. The JSON payload is whatever the logged request carried: user-controlled.
 */
import { trusted } from '../../db'
import { parsedJsonColumn, sqlColumn } from '../models/columns'
import { TEXT_OPERATORS, VALUE_OPERATORS } from '../models/filters'
import type { ModelSpec } from '../models/model'

export const ACTION_LOG_INFO_COLUMNS = ['id', 'action', 'user_id', 'dttm', 'dashboard_id', 'slice_id', 'json']

export const actionLogSpec: ModelSpec = {
  model: 'action_log',
  readPermission: { permission: 'can_read', view: 'Log' },
  listKey: 'action_logs',
  from: trusted('logs l'),
  alias: 'l',
  idColumn: trusted('l.id'),
  columns: {
    id: sqlColumn('int', 'Log entry id.', 'l.id'),
    action: sqlColumn('str', 'Action name.', 'l.action'),
    user_id: sqlColumn('int', 'Id of the user who acted.', 'l.user_id'),
    // Superset's naive UTC timestamps, answered as UTC (the development branch adds the zone).
    dttm: {
      type: 'datetime',
      description: 'When it happened (UTC).',
      sql: trusted(`to_char(l.dttm, 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`),
      sortSql: trusted('l.dttm'),
    },
    dashboard_id: sqlColumn('int', 'Dashboard id, if any.', 'l.dashboard_id'),
    slice_id: sqlColumn('int', 'Chart id, if any.', 'l.slice_id'),
    json: parsedJsonColumn('JSON payload of the action (user-controlled).', 'l."json"'),
  },
  authored: ['action', 'json'],
  defaultColumns: ['id', 'action', 'user_id', 'dttm'],
  sortable: ['id', 'dttm'],
  searchColumns: [{ name: 'action', sql: trusted('l.action') }],
  filters: {
    action: { type: 'str', operators: TEXT_OPERATORS, sql: trusted('l.action') },
    user_id: { type: 'int', operators: VALUE_OPERATORS, sql: trusted('l.user_id') },
    dashboard_id: { type: 'int', operators: VALUE_OPERATORS, sql: trusted('l.dashboard_id') },
    slice_id: { type: 'int', operators: VALUE_OPERATORS, sql: trusted('l.slice_id') },
    dttm: { type: 'datetime', operators: VALUE_OPERATORS, sql: trusted('l.dttm') },
  },
  defaultOrder: { column: 'dttm', direction: 'desc' },
  visibility: () => trusted('TRUE'),
}
