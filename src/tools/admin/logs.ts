/**
 * Superset's action log (development branch: superset/mcp_service/action_log): can_read on Log, which only
 * Admin holds. Without a dttm filter the list covers the last 7 days, as the development branch's does.
 */
import { GatewayError } from '../../errors'
import { ACTION_LOG_INFO_COLUMNS, actionLogSpec } from '../../superset'
import { defineListTool } from '../core'
import { defineGetByIdTool } from './get-by-id'

const LOG_TABLES = ['logs'] as const
const DEFAULT_WINDOW_DAYS = 7

/** Naive UTC text, as the logs table stores its timestamps. */
function naiveUtc(date: Date): string {
  return date.toISOString().replace('Z', '')
}

export const listActionLogs = defineListTool({
  name: 'list_action_logs',
  title: 'List action logs',
  description:
    'List Superset action log entries (admin only), newest first: action, user_id, dttm; dashboard_id, ' +
    'slice_id and the JSON payload on request. Without a dttm filter only the last 7 days are listed (add ' +
    'e.g. {"col": "dttm", "opr": "gte", "value": "2026-01-01"} to look further back). Filter columns: ' +
    'action, user_id, dashboard_id, slice_id, dttm; search matches action.',
  spec: actionLogSpec,
  requiresTables: LOG_TABLES,
  schemaHint: false,
  effectiveRequest: (request, context) => {
    const search = request.search?.trim()
    if (search !== undefined && search !== '' && request.filters.length > 0) {
      throw new GatewayError('ValidationError', 'Use either filters or search, not both.')
    }
    // The search term (matched against action) is one more filter, so it combines with the time window.
    const filters =
      search === undefined || search === ''
        ? [...request.filters]
        : [...request.filters, { col: 'action', opr: 'ilike' as const, value: search }]
    if (!filters.some((filter) => filter.col === 'dttm')) {
      const cutoff = new Date(context.now.getTime() - DEFAULT_WINDOW_DAYS * 86_400_000)
      filters.unshift({ col: 'dttm', opr: 'gte', value: naiveUtc(cutoff) })
    }
    return { ...request, filters, search: undefined }
  },
})

export const getActionLogInfo = defineGetByIdTool({
  name: 'get_action_log_info',
  title: 'Get action log info',
  description:
    'One action log entry by id (admin only): action, user_id, dttm, dashboard_id, slice_id and its JSON payload.',
  spec: actionLogSpec,
  label: 'Action log',
  columns: ACTION_LOG_INFO_COLUMNS,
  requiresTables: LOG_TABLES,
})
