/**
 * Alerts and reports (superset/reports/models.py: ReportSchedule, its owners, recipients and execution
 * log) as list_reports and get_report_info read them, behind Superset 6.1's ReportScheduleFilter: a
 * caller with all-datasource access (can_access_all_datasources, which Admin has) sees every schedule,
 * anyone else only the schedules they own. The filter, the owners and the recipients are known here once.
 */
import { sql, trusted, type SqlFragment } from '../../db'
import { naturalTime } from '../humanize'
import { humanized, parseJsonText, parseNaiveTimestamp, sqlColumn, timestampColumn } from '../models/columns'
import { BOOLEAN_OPERATORS, TEXT_OPERATORS, VALUE_OPERATORS } from '../models/filters'
import type { ModelContext, ModelSpec } from '../models/model'
import type { Principal } from '../principal'

/** ReportScheduleFilter on `report_schedule` aliased `alias`. */
export function reportVisibility(principal: Principal, alias: string): SqlFragment {
  if (principal.data.all) return trusted('TRUE')
  return sql`EXISTS (SELECT 1 FROM report_schedule_user rv_o
                      WHERE rv_o.report_schedule_id = ${trusted(alias)}.id AND rv_o.user_id = ${principal.user.id})`
}

/** Owners as 6.1's report API shows them (owners.id, first_name, last_name, email). */
const OWNERS_SQL =
  trusted(`COALESCE((SELECT json_agg(json_build_object('id', ru.id, 'first_name', ru.first_name,
                'last_name', ru.last_name, 'email', ru.email) ORDER BY ru.id)
              FROM report_schedule_user ro JOIN ab_user ru ON ru.id = ro.user_id
             WHERE ro.report_schedule_id = rs.id), '[]'::json)`)

/** Recipients' ids and channel types, as 6.1's report list shows them (the targets only in the show). */
const RECIPIENT_TYPES_SQL = trusted(`COALESCE((SELECT json_agg(json_build_object('id', rr.id, 'type', rr.type)
                ORDER BY rr.id) FROM report_recipient rr WHERE rr.report_schedule_id = rs.id), '[]'::json)`)

/** The report model (the development branch's ReportInfo, ReportFilter and list constants). */
export const reportSpec: ModelSpec = {
  model: 'report',
  readPermission: { permission: 'can_read', view: 'ReportSchedule' },
  listKey: 'reports',
  from: trusted('report_schedule rs'),
  alias: 'rs',
  idColumn: trusted('rs.id'),
  columns: {
    id: sqlColumn('int', 'Report/Alert id.', 'rs.id'),
    name: sqlColumn('str', 'Report/Alert name.', 'rs.name'),
    description: sqlColumn('str', 'Description.', 'rs.description'),
    type: sqlColumn('str', "Schedule type: 'Alert' or 'Report'.", 'rs.type'),
    active: sqlColumn('bool', 'Whether the schedule is active.', 'rs.active'),
    crontab: sqlColumn('str', 'Cron expression of the schedule.', 'rs.crontab'),
    timezone: sqlColumn('str', 'Time zone the cron expression is read in.', 'rs.timezone'),
    dashboard_id: sqlColumn('int', 'Dashboard the report sends, if any.', 'rs.dashboard_id'),
    chart_id: sqlColumn('int', 'Chart the report sends, if any.', 'rs.chart_id'),
    database_id: sqlColumn('int', "Database an alert's SQL runs on, if any.", 'rs.database_id'),
    report_format: sqlColumn('str', 'Format sent: PNG, CSV, TEXT, PDF.', 'rs.report_format'),
    last_eval_dttm: timestampColumn('Last evaluation (UTC).', 'rs.last_eval_dttm'),
    last_eval_dttm_humanized: humanized('last_eval_dttm', 'Last evaluation, relative ("3 days ago").'),
    last_state: sqlColumn(
      'str',
      'State of the last run: Success, Working, Error, Not triggered, On Grace.',
      'rs.last_state',
    ),
    creation_method: sqlColumn(
      'str',
      'Where it was made: charts, dashboards, alerts_reports.',
      'rs.creation_method',
    ),
    owners: { type: 'list', description: 'Owners of the schedule.', sql: OWNERS_SQL },
    recipients: { type: 'list', description: 'Recipients (id and channel type).', sql: RECIPIENT_TYPES_SQL },
    changed_on: timestampColumn('Last change (UTC).', 'rs.changed_on'),
    changed_on_humanized: humanized('changed_on', 'Last change, relative ("3 days ago").'),
    created_on: timestampColumn('Creation time (UTC).', 'rs.created_on'),
    created_on_humanized: humanized('created_on', 'Creation time, relative ("3 days ago").'),
  },
  // With what get_report_info adds (reportDetails): the alert's SQL and condition, the recipients'
  // targets, the subject line, and the runs' error messages (they quote the database).
  authored: [
    'name',
    'description',
    'owners.first_name',
    'owners.last_name',
    'sql',
    'validator_config_json',
    'email_subject',
    'recipients.recipient_config_json',
    'recent_executions.error_message',
  ],
  defaultColumns: ['id', 'name', 'type', 'active', 'crontab'],
  sortable: ['id', 'name', 'type', 'active', 'changed_on', 'created_on'],
  searchColumns: [
    { name: 'name', sql: trusted('rs.name') },
    { name: 'description', sql: trusted('rs.description') },
  ],
  filters: {
    name: { type: 'str', operators: TEXT_OPERATORS, sql: trusted('rs.name') },
    type: { type: 'str', operators: TEXT_OPERATORS, sql: trusted('rs.type') },
    active: { type: 'bool', operators: BOOLEAN_OPERATORS, sql: trusted('rs.active') },
    dashboard_id: { type: 'int', operators: VALUE_OPERATORS, sql: trusted('rs.dashboard_id') },
    chart_id: { type: 'int', operators: VALUE_OPERATORS, sql: trusted('rs.chart_id') },
    last_state: { type: 'str', operators: TEXT_OPERATORS, sql: trusted('rs.last_state') },
    creation_method: { type: 'str', operators: TEXT_OPERATORS, sql: trusted('rs.creation_method') },
  },
  defaultOrder: { column: 'changed_on', direction: 'desc' },
  visibility: (context) => reportVisibility(context.principal, 'rs'),
}

/** What 6.1's report show adds for one schedule: the alert's condition, delivery settings, recipients. */
export interface ReportDetails {
  sql: string | null
  validator_type: string | null
  validator_config_json: unknown
  last_value: number | null
  grace_period: number | null
  working_timeout: number | null
  log_retention: number | null
  email_subject: string | null
  force_screenshot: boolean | null
  custom_width: number | null
  custom_height: number | null
  recipients: { id: number; type: string; recipient_config_json: unknown }[]
  recent_executions: ReportExecution[]
}

export interface ReportExecution {
  id: number
  scheduled_dttm: string | null
  start_dttm: string | null
  end_dttm: string | null
  state: string
  value: number | null
  error_message: string | null
  end_dttm_humanized: string | null
}

/** How many of a schedule's execution log rows get_report_info shows, newest first. */
export const RECENT_EXECUTIONS = 5

const TIMESTAMP = 'YYYY-MM-DD"T"HH24:MI:SS.US'

/**
 * The details of a schedule the caller may see (checked again here: the same ReportScheduleFilter), or
 * undefined.
 */
export async function reportDetails(context: ModelContext, id: number): Promise<ReportDetails | undefined> {
  const [row] = await context.db.query<
    Omit<ReportDetails, 'recent_executions'> & { validator_config_json: string }
  >(sql`
    SELECT rs.sql, rs.validator_type, rs.validator_config_json, rs.last_value, rs.grace_period,
           rs.working_timeout, rs.log_retention, rs.email_subject, rs.force_screenshot, rs.custom_width,
           rs.custom_height,
           COALESCE((SELECT json_agg(json_build_object('id', rr.id, 'type', rr.type,
                       'recipient_config_json', rr.recipient_config_json) ORDER BY rr.id)
                       FROM report_recipient rr WHERE rr.report_schedule_id = rs.id), '[]'::json) AS recipients
      FROM report_schedule rs
     WHERE rs.id = ${id} AND ${reportVisibility(context.principal, 'rs')}`)
  if (row === undefined) return undefined
  const executions = await context.db.query<Omit<ReportExecution, 'end_dttm_humanized'>>(sql`
    SELECT rl.id, to_char(rl.scheduled_dttm, ${TIMESTAMP}) AS scheduled_dttm,
           to_char(rl.start_dttm, ${TIMESTAMP}) AS start_dttm, to_char(rl.end_dttm, ${TIMESTAMP}) AS end_dttm,
           rl.state, rl.value, rl.error_message
      FROM report_execution_log rl
     WHERE rl.report_schedule_id = ${id}
     ORDER BY rl.scheduled_dttm DESC, rl.id DESC
     LIMIT ${RECENT_EXECUTIONS}`)
  return {
    ...row,
    last_value: row.last_value === null ? null : Number(row.last_value),
    validator_config_json: parseJsonText(row.validator_config_json),
    recipients: row.recipients.map((recipient) => ({
      ...recipient,
      recipient_config_json: parseJsonText(recipient.recipient_config_json),
    })),
    recent_executions: executions.map((execution) => {
      const ended = parseNaiveTimestamp(execution.end_dttm)
      return {
        ...execution,
        value: execution.value === null ? null : Number(execution.value),
        end_dttm_humanized: ended === null ? null : naturalTime(ended, context.now),
      }
    }),
  }
}
