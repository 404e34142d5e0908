/**
 * list_reports and get_report_info (Superset's development branch, superset/mcp_service/report/): the
 * request and response contract on the demo alerts and reports, Superset 6.1's ReportScheduleFilter
 * (all-data access sees every schedule, others their own), who sees the tools (can_read on
 * ReportSchedule), and the tools' absence on a metadata database without the report tables.
 */
import { describe, expect, it } from 'vitest'
import { sql, type Db } from '../../src/db'
import { loadPrincipal, readSchemaProfile } from '../../src/superset'
import { toolsVisibleTo } from '../../src/tools'
import { callAs, toolNamesAs } from '../helpers/call-as'
import { withMetadataDb } from '../helpers/db'

const ids = (result: any): number[] => result.reports.map((report: any) => report.id)
const list = (user: string, request: unknown = {}) => callAs(user, 'list_reports', request)

describe('list_reports', () => {
  it("defaults to page 1 of 10, the development branch's columns, changed_on descending", async () => {
    const result = await list('admin')
    expect(ids(result)).toEqual([5, 3, 1, 7, 6, 4, 2])
    expect(result).toMatchObject({
      count: 7,
      total_count: 7,
      page: 1,
      page_size: 10,
      total_pages: 1,
      has_next: false,
      columns_requested: ['id', 'name', 'type', 'active', 'crontab'],
      sortable_columns: ['id', 'name', 'type', 'active', 'changed_on', 'created_on'],
    })
    expect(result.reports[1]).toEqual({
      id: 3,
      name: 'Revenue drop alert',
      type: 'Alert',
      active: true,
      crontab: '0 6 * * *',
    })
    // The list never carries an alert's SQL (6.1's report list does not either).
    expect(result.columns_available).not.toContain('sql')
  })

  it('filters on type, active, dashboard, chart and last state; searches name and description', async () => {
    const by = async (filters: unknown) =>
      ids(await list('admin', { filters, order_column: 'id', order_direction: 'asc' }))
    expect(await by([{ col: 'type', opr: 'eq', value: 'Alert' }])).toEqual([3, 4, 7])
    expect(await by([{ col: 'active', opr: 'eq', value: false }])).toEqual([5])
    expect(await by([{ col: 'dashboard_id', opr: 'eq', value: 1 }])).toEqual([1, 3])
    expect(await by([{ col: 'chart_id', opr: 'is_not_null' }])).toEqual([2, 4])
    expect(await by([{ col: 'last_state', opr: 'eq', value: 'Error' }])).toEqual([4])
    expect(await by([{ col: 'creation_method', opr: 'eq', value: 'charts' }])).toEqual([2])
    const searched = await list('admin', { search: 'REVENUE', order_column: 'id', order_direction: 'asc' })
    expect(ids(searched)).toEqual([2, 3])
    // Search text and filter values are parameters: quotes and wildcards are plain characters.
    expect(ids(await list('admin', { search: "'; DROP TABLE report_schedule; --" }))).toEqual([])
    expect(ids(await list('admin', { search: '%' }))).toEqual([])
    expect(
      ids(await list('admin', { filters: [{ col: 'name', opr: 'eq', value: "x' OR '1'='1" }] })),
    ).toEqual([])
    expect(ids(await list('admin', { search: "yesterday's" }))).toEqual([3])
    // Only name and description are searched, not the SQL.
    expect(ids(await list('admin', { search: 'gl_entries' }))).toEqual([])
  })

  it('returns owners, recipients (types only), state and times on request', async () => {
    const result = await list('admin', {
      filters: [{ col: 'name', opr: 'eq', value: 'Weekly sales overview' }],
      select_columns: [
        'id',
        'owners',
        'recipients',
        'last_state',
        'last_eval_dttm',
        'timezone',
        'dashboard_id',
      ],
    })
    expect(result.reports).toEqual([
      {
        id: 1,
        owners: [
          { id: 2, first_name: 'Alice', last_name: 'Anders', email: 'alice@example.com' },
          { id: 3, first_name: 'Bob', last_name: 'Brown', email: 'bob@example.com' },
        ],
        recipients: [
          { id: 1, type: 'Email' },
          { id: 2, type: 'Slack' },
        ],
        last_state: 'Success',
        last_eval_dttm: '2026-06-01T09:00:12.000000',
        timezone: 'Europe/London',
        dashboard_id: 1,
      },
    ])
  })

  it('shows every schedule to all-data access, and their own to everyone else (ReportScheduleFilter)', async () => {
    const mine = async (user: string) => ids(await list(user, { order_column: 'id', order_direction: 'asc' }))
    expect(await mine('alice')).toEqual([1, 2, 3, 4, 5, 6, 7])
    expect(await mine('bob')).toEqual([1, 2, 3])
    expect(await mine('dave')).toEqual([4, 5])
    // Sales Analysts may read reports, but ivan owns none.
    expect(await mine('ivan')).toEqual([])
  })

  it('rejects filter columns, operators and combinations the tool does not take', async () => {
    await expect(
      list('admin', { filters: [{ col: 'sql', opr: 'ilike', value: 'select' }] }),
    ).rejects.toMatchObject({
      type: 'ValidationError',
    })
    await expect(
      list('admin', { filters: [{ col: 'active', opr: 'eq', value: 'maybe' }] }),
    ).rejects.toMatchObject({
      type: 'ValidationError',
      message: expect.stringContaining('expected true or false'),
    })
    await expect(
      list('admin', { search: 'x', filters: [{ col: 'type', opr: 'eq', value: 'Alert' }] }),
    ).rejects.toMatchObject({ type: 'ValidationError' })
  })
})

describe('get_report_info', () => {
  it("answers ReportInfo with the alert's SQL, condition, recipients and latest runs to its owner", async () => {
    const report = await callAs('bob', 'get_report_info', { identifier: 3 })
    expect(report).toMatchObject({
      id: 3,
      name: 'Revenue drop alert',
      description: "Warn when yesterday's revenue falls under 1000",
      type: 'Alert',
      active: true,
      crontab: '0 6 * * *',
      timezone: 'UTC',
      dashboard_id: 1,
      chart_id: null,
      database_id: 1,
      last_state: 'Not triggered',
      last_eval_dttm: '2026-06-02T06:00:05.000000',
      last_eval_dttm_humanized: expect.any(String),
      creation_method: 'alerts_reports',
      owners: [{ id: 3, first_name: 'Bob', last_name: 'Brown', email: 'bob@example.com' }],
      sql: 'SELECT COALESCE(SUM(order_total), 0) AS revenue\nFROM sales.orders\nWHERE order_date = CURRENT_DATE - 1',
      validator_type: 'operator',
      validator_config_json: { op: '<', threshold: 1000 },
      last_value: 4812.5,
      recipients: [{ id: 4, type: 'Email', recipient_config_json: { target: 'bob@example.com' } }],
    })
    expect(report.recent_executions.map((run: any) => [run.id, run.state])).toEqual([
      [6, 'Not triggered'],
      [5, 'Success'],
    ])
    expect(report.recent_executions[0]).toMatchObject({
      scheduled_dttm: '2026-06-02T06:00:00.000000',
      value: 4812.5,
      error_message: null,
    })
  })

  it('answers a report (no SQL) and an erroring alert to the admin', async () => {
    const report = await callAs('admin', 'get_report_info', { identifier: 1 })
    expect(report).toMatchObject({
      type: 'Report',
      sql: null,
      validator_type: null,
      email_subject: 'Sales overview for the week',
    })
    expect(report.recipients.map((recipient: any) => recipient.type)).toEqual(['Email', 'Slack'])
    const alert = await callAs('admin', 'get_report_info', { identifier: 4 })
    expect(alert.recent_executions[0]).toMatchObject({
      state: 'Error',
      error_message: 'Alert query returned more than one column',
    })
  })

  it("answers another owner's schedule exactly like a missing one", async () => {
    const missing = await callAs('bob', 'get_report_info', { identifier: 999 }).catch((err) => err)
    const hidden = await callAs('bob', 'get_report_info', { identifier: 4 }).catch((err) => err)
    expect(hidden).toMatchObject({
      type: 'NotFoundError',
      message: expect.stringContaining("Report with identifier '4' not found"),
    })
    expect(missing.type).toBe('NotFoundError')
    expect(hidden.message.replace("'4'", "'999'")).toBe(missing.message)
    await expect(callAs('dave', 'get_report_info', { identifier: 1 })).rejects.toMatchObject({
      type: 'NotFoundError',
    })
  })

  it('takes numeric ids only', async () => {
    await expect(
      callAs('admin', 'get_report_info', { identifier: 'Weekly sales overview' }),
    ).rejects.toMatchObject({
      type: 'ValidationError',
    })
    await expect(callAs('admin', 'get_report_info', { identifier: 0 })).rejects.toMatchObject({
      type: 'ValidationError',
    })
  })
})

describe('who sees the report tools (can_read on ReportSchedule)', () => {
  it('lists them for Admin, Alpha and the roles given can_read, not for plain Gamma users', async () => {
    for (const user of ['admin', 'alice', 'bob', 'dave', 'ivan']) {
      expect(await toolNamesAs(user)).toEqual(expect.arrayContaining(['list_reports', 'get_report_info']))
    }
    for (const user of ['carol', 'erin', 'heidi']) {
      const names = await toolNamesAs(user)
      expect(names).not.toContain('list_reports')
      expect(names).not.toContain('get_report_info')
    }
    await expect(callAs('carol', 'list_reports', {})).rejects.toMatchObject({ code: -32602 })
  })
})

class Rollback extends Error {}

/** The admin's tool names on this database after `change`, undone afterwards. */
async function adminToolsAfter(change: (tx: Db) => Promise<void>): Promise<string[]> {
  let names: string[] = []
  await withMetadataDb(async (db) => {
    try {
      await db.transaction(async (tx) => {
        await change(tx)
        const profile = await readSchemaProfile(tx)
        const admin = await loadPrincipal(
          tx,
          profile,
          { username: 'admin' },
          { adminRole: 'Admin', tenant: 'default' },
        )
        names = toolsVisibleTo(admin, { conformanceFixtures: false }, profile).map((tool) => tool.name)
        throw new Rollback()
      })
    } catch (err) {
      if (!(err instanceof Rollback)) throw err
    }
  })
  return names
}

describe('on a metadata database without the tables (an older Superset)', () => {
  it('lists the tools where the tables exist', async () => {
    expect(await adminToolsAfter(async () => undefined)).toEqual(
      expect.arrayContaining(['list_tags', 'get_tag_info', 'list_reports', 'get_report_info']),
    )
  })

  it('hides the report tools without report_schedule, and the tag tools without tagged_object', async () => {
    const withoutReports = await adminToolsAfter(async (tx) => {
      await tx.query(
        sql`DROP TABLE report_execution_log, report_recipient, report_schedule_user, report_schedule`,
      )
    })
    expect(withoutReports).not.toContain('list_reports')
    expect(withoutReports).not.toContain('get_report_info')
    expect(withoutReports).toEqual(expect.arrayContaining(['list_tags', 'get_tag_info', 'list_dashboards']))
    const withoutLog = await adminToolsAfter(async (tx) => {
      await tx.query(sql`DROP TABLE report_execution_log`)
    })
    expect(withoutLog).toContain('list_reports')
    expect(withoutLog).not.toContain('get_report_info')
    const withoutTags = await adminToolsAfter(async (tx) => {
      await tx.query(sql`DROP TABLE tagged_object`)
    })
    expect(withoutTags).not.toContain('list_tags')
    expect(withoutTags).not.toContain('get_tag_info')
    expect(withoutTags).toContain('list_reports')
  })
})
