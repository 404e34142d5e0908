/**
 * Alerts and reports (Superset's development branch, superset/mcp_service/report/): list_reports and
 * get_report_info, behind can_read on ReportSchedule and Superset 6.1's ReportScheduleFilter (all-data
 * access sees every schedule, anyone else the schedules they own). An alert's SQL, its condition and the
 * recipients' targets are shown as 6.1's report API shows them: in the single schedule's answer only.
 */
import * as z from 'zod'
import { GatewayError } from '../../errors'
import { reportDetails, reportSpec } from '../../superset'
import { defineGetTool, defineListTool } from '../core'

const REPORT_TABLES = ['report_schedule', 'report_recipient', 'report_schedule_user'] as const

// Who sees a schedule depends on ownership: answers are per user.
const REPORT_CACHE = { scope: 'user', dependsOn: ['report', 'dashboard', 'chart'] } as const

export const listReports = defineListTool({
  name: 'list_reports',
  title: 'List reports',
  description:
    'List the alerts and reports you own (all of them with access to all data), with filters or a search.',
  spec: reportSpec,
  cache: REPORT_CACHE,
  requiresTables: REPORT_TABLES,
})

/** The development branch's ReportInfo fields, with 6.1's timezone, database and format. */
const REPORT_INFO_COLUMNS = [
  'id',
  'name',
  'description',
  'type',
  'active',
  'crontab',
  'timezone',
  'dashboard_id',
  'chart_id',
  'database_id',
  'report_format',
  'last_eval_dttm',
  'last_eval_dttm_humanized',
  'last_state',
  'creation_method',
  'owners',
  'changed_on',
  'changed_on_humanized',
  'created_on',
  'created_on_humanized',
]

export const getReportInfo = defineGetTool({
  name: 'get_report_info',
  title: 'Get report info',
  description:
    "An alert or report by id: schedule, target, owners, recipients, an alert's SQL and condition, latest runs.",
  spec: reportSpec,
  label: 'Report',
  defaultColumns: REPORT_INFO_COLUMNS,
  identifier: z.int().positive().describe('Report/Alert numeric ID.'),
  cache: REPORT_CACHE,
  requiresTables: [...REPORT_TABLES, 'report_execution_log'],
  complete: async (item, _columns, context) => {
    const details = await reportDetails(context, Number(item.id))
    // The row was just read through the same filter; a schedule deleted in between reads as missing.
    if (details === undefined) {
      throw new GatewayError('NotFoundError', `Report with identifier '${String(item.id)}' not found`, {
        details: { resource_type: 'report', resource_id: Number(item.id) },
      })
    }
    return { ...item, ...details }
  },
})
