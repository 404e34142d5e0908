/**
 * The development branch's admin tools (users, roles, RLS filters, action logs): the request and response
 * fields of superset/mcp_service/{user,role,rls,action_log} and system/tool/find_users.py on the demo
 * content, who is listed them (Admin only; find_users declares no permission), and that no password ever
 * leaves the gateway.
 */
import { describe, expect, it } from 'vitest'
import type { Principal } from '../../src/superset'
import { isVisibleTo } from '../../src/tools/core'
import { TOOLS } from '../../src/tools'
import { UNTRUSTED_OPEN } from '../../src/mcp/untrusted'
import { callAs, rpcAs, toolNamesAs } from '../helpers/call-as'

const ADMIN_TOOLS = [
  'list_users',
  'get_user_info',
  'list_roles',
  'get_role_info',
  'list_rls_filters',
  'get_rls_filter_info',
  'list_action_logs',
  'get_action_log_info',
]
const findTool = (name: string) => TOOLS.find((tool) => tool.name === name)
const asAdmin = (tool: string, request: unknown = {}) => callAs('admin', tool, request)

describe('list_users (user/schemas.py UserList, ListUsersRequest)', () => {
  it('lists users by id with the default columns and the list envelope', async () => {
    const result = await asAdmin('list_users')
    expect(result).toMatchObject({
      count: 10,
      total_count: 14,
      page: 1,
      page_size: 10,
      total_pages: 2,
      has_previous: false,
      has_next: true,
      columns_requested: ['id', 'username', 'first_name', 'last_name', 'active'],
      columns_available: ['id', 'username', 'first_name', 'last_name', 'active', 'email', 'changed_on'],
      sortable_columns: ['id', 'username', 'first_name', 'last_name', 'active', 'changed_on'],
      filters_applied: [],
    })
    expect(result.users.map((user: any) => user.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    expect(result.users[0]).toEqual({
      id: 1,
      username: 'admin',
      first_name: 'Ada',
      last_name: 'Admin',
      active: true,
    })
  })

  it('filters, searches, orders and selects email and changed_on; never a password', async () => {
    const inactive = await asAdmin('list_users', { filters: [{ col: 'active', opr: 'eq', value: false }] })
    expect(inactive.users.map((user: any) => user.username)).toEqual(['frank'])
    const searched = await asAdmin('list_users', {
      search: 'LEE',
      select_columns: ['id', 'email', 'changed_on'],
    })
    expect(searched.users).toEqual([
      { id: 13, email: 'kim.lee@example.com', changed_on: '2026-01-05T08:13:00.000000' },
    ])
    const ordered = await asAdmin('list_users', {
      order_column: 'username',
      order_direction: 'desc',
      page_size: 2,
    })
    expect(ordered.users.map((user: any) => user.username)).toEqual(['mallory', 'lena'])
    const probing = await asAdmin('list_users', { select_columns: ['id', 'password'], page_size: 100 })
    expect(probing.columns_loaded).toEqual(['id'])
    expect(JSON.stringify(probing)).not.toContain('password":')
    await expect(
      asAdmin('list_users', { search: 'a', filters: [{ col: 'active', opr: 'eq', value: true }] }),
    ).rejects.toMatchObject({ type: 'ValidationError' })
    await expect(
      asAdmin('list_users', { filters: [{ col: 'email', opr: 'eq', value: 'x' }] }),
    ).rejects.toMatchObject({ type: 'ValidationError' })
  })
})

describe('get_user_info (user/schemas.py UserInfo)', () => {
  it('answers every UserInfo field, roles by name, never the password', async () => {
    const bob = await asAdmin('get_user_info', { identifier: 3 })
    expect(bob).toEqual({
      id: 3,
      username: 'bob',
      first_name: 'Bob',
      last_name: 'Brown',
      active: true,
      email: 'bob@example.com',
      roles: ['Gamma', 'Sales Analyst', 'sql_lab'],
      changed_on: '2026-01-05T08:03:00.000000',
    })
    expect(Object.keys(bob)).not.toContain('password')
  })

  it('answers a missing user as not found, and a non-integer identifier as bad input', async () => {
    await expect(asAdmin('get_user_info', { identifier: 999 })).rejects.toMatchObject({
      type: 'NotFoundError',
      message: expect.stringContaining("User with identifier '999' not found"),
    })
    await expect(asAdmin('get_user_info', { identifier: 'bob' })).rejects.toMatchObject({
      type: 'ValidationError',
    })
  })
})

describe('find_users (system/tool/find_users.py, system/schemas.py FindUsersRequest/Response)', () => {
  it('resolves part of a name to ids for any signed-in user, by username, and says when it cut', async () => {
    const all = await callAs('bob', 'find_users', { query: 'an' })
    expect(all).toEqual({
      users: ['alice', 'erin', 'frank', 'heidi', 'ivan'].map((username) =>
        expect.objectContaining({ username }),
      ),
      count: 5,
      truncated: false,
    })
    expect(Object.keys(all.users[0]).sort()).toEqual(['first_name', 'id', 'last_name', 'username'])
    const cut = await callAs('bob', 'find_users', { query: 'AN', page_size: 2 })
    expect(cut).toMatchObject({ count: 2, truncated: true })
    expect(cut.users.map((user: any) => user.id)).toEqual([2, 6])
  })

  it('never matches or returns emails, takes % and _ literally, and needs a real query', async () => {
    expect(await callAs('bob', 'find_users', { query: 'example' })).toEqual({
      users: [],
      count: 0,
      truncated: false,
    })
    expect((await callAs('bob', 'find_users', { query: '%' })).count).toBe(0)
    expect((await callAs('bob', 'find_users', { query: '_' })).count).toBe(0)
    await expect(callAs('bob', 'find_users', { query: 'kim.lee@example.com' })).rejects.toMatchObject({
      type: 'ValidationError',
      message: expect.stringContaining('not email addresses'),
    })
    for (const query of ['', '   ']) {
      await expect(callAs('bob', 'find_users', { query })).rejects.toMatchObject({
        type: 'ValidationError',
      })
    }
    await expect(callAs('bob', 'find_users', {})).rejects.toMatchObject({ type: 'ValidationError' })
    await expect(callAs('bob', 'find_users', { query: 'ann', email: 'x' })).rejects.toMatchObject({
      type: 'ValidationError',
    })
    await expect(callAs('bob', 'find_users', { query: 'a', page_size: 101 })).rejects.toMatchObject({
      type: 'ValidationError',
    })
  })
})

describe('list_roles and get_role_info (role/schemas.py RoleList, RoleInfo)', () => {
  it('lists roles by id with id and name', async () => {
    const result = await asAdmin('list_roles')
    expect(result).toMatchObject({ count: 10, total_count: 11, has_next: true })
    expect(result.roles[0]).toEqual({ id: 1, name: 'Admin' })
    expect(result.columns_available).toEqual(['id', 'name'])
    const sales = await asAdmin('list_roles', { search: 'sales' })
    expect(sales.roles).toEqual([
      { id: 6, name: 'Sales Analyst' },
      { id: 10, name: 'EMEA Sales' },
      { id: 11, name: 'Sales Reps' },
    ])
  })

  it("gives a role's permissions as permission-on-view pairs", async () => {
    const admin = await asAdmin('get_role_info', { identifier: 1 })
    expect(Object.keys(admin)).toEqual(['id', 'name', 'permissions'])
    expect(admin.permissions).toEqual(
      expect.arrayContaining([
        'can_read on User',
        'can_read on Role',
        'can_read on Log',
        'can_read on Row Level Security',
      ]),
    )
    const gamma = await asAdmin('get_role_info', { identifier: 4 })
    expect(gamma.permissions).toContain('can_read on Dashboard')
    expect(gamma.permissions).not.toContain('can_read on User')
    await expect(asAdmin('get_role_info', { identifier: 404 })).rejects.toMatchObject({
      type: 'NotFoundError',
    })
  })
})

describe('list_rls_filters and get_rls_filter_info (rls/schemas.py RlsFilterList, RlsFilterInfo)', () => {
  it('lists filters newest change first with the default columns', async () => {
    const result = await asAdmin('list_rls_filters')
    expect(result.rls_filters.map((filter: any) => filter.id)).toEqual([5, 4, 3, 2, 1])
    expect(result.columns_requested).toEqual(['id', 'name', 'filter_type', 'clause'])
    expect(result.rls_filters[4]).toEqual({
      id: 1,
      name: 'EMEA sales only',
      filter_type: 'Regular',
      clause: "region = 'EMEA'",
    })
    const base = await asAdmin('list_rls_filters', {
      filters: [{ col: 'filter_type', opr: 'eq', value: 'Base' }],
      select_columns: ['id', 'tables', 'subjects'],
    })
    expect(base.rls_filters).toEqual([
      {
        id: 5,
        tables: [{ id: 2, table_name: 'customers', schema: 'sales' }],
        subjects: [{ id: 1, label: 'Admin', secondary_label: null, type: null }],
      },
    ])
  })

  it('answers every RlsFilterInfo field for one filter', async () => {
    expect(await asAdmin('get_rls_filter_info', { identifier: 1 })).toEqual({
      id: 1,
      name: 'EMEA sales only',
      filter_type: 'Regular',
      tables: [
        { id: 1, table_name: 'orders', schema: 'sales' },
        { id: 8, table_name: 'orders_enriched', schema: 'sales' },
      ],
      subjects: [{ id: 10, label: 'EMEA Sales', secondary_label: null, type: null }],
      clause: "region = 'EMEA'",
      group_key: null,
      changed_on: '2026-03-01T09:01:00.000000',
    })
    await expect(asAdmin('get_rls_filter_info', { identifier: 77 })).rejects.toMatchObject({
      type: 'NotFoundError',
    })
  })
})

describe('list_action_logs and get_action_log_info (action_log/schemas.py ActionLogList, ActionLogInfo)', () => {
  it('covers the last 7 days without a dttm filter, and says so in filters_applied', async () => {
    const before = Date.now()
    const result = await asAdmin('list_action_logs')
    // The demo's entries are from 2026 (May and June): older than a week whenever these tests run after it.
    expect(result.filters_applied).toEqual([{ col: 'dttm', opr: 'gte', value: expect.any(String) }])
    const cutoff = Date.parse(`${result.filters_applied[0].value}Z`)
    expect(Math.abs(before - 7 * 86_400_000 - cutoff)).toBeLessThan(60_000)
    if (before > Date.parse('2026-07-03T17:05:00Z')) expect(result.total_count).toBe(0)
  })

  it('lists newest first with an explicit window, filters by user, searches actions', async () => {
    const all = await asAdmin('list_action_logs', {
      filters: [{ col: 'dttm', opr: 'gte', value: '2026-01-01' }],
      page_size: 100,
    })
    expect(all.total_count).toBe(14)
    expect(all.action_logs[0]).toEqual({
      id: 2507,
      action: 'RowLevelSecurityRestApi.put',
      user_id: 1,
      dttm: '2026-06-26T17:05:00Z',
    })
    expect(all.columns_available).toEqual([
      'id',
      'action',
      'user_id',
      'dttm',
      'dashboard_id',
      'slice_id',
      'json',
    ])
    expect(all.sortable_columns).toEqual(['id', 'dttm'])
    const mallory = await asAdmin('list_action_logs', {
      filters: [
        { col: 'user_id', opr: 'eq', value: 12 },
        { col: 'dttm', opr: 'lt', value: '2026-12-31T00:00:00' },
      ],
      select_columns: ['id', 'json'],
      order_direction: 'asc',
    })
    expect(mallory.action_logs.map((entry: any) => entry.id)).toEqual([6, 2506])
    expect(mallory.action_logs[0].json).toEqual({ tool: 'execute_sql', error_type: 'permission_denied' })
    const searched = await asAdmin('list_action_logs', { search: 'mcp.' })
    expect(searched.filters_applied).toEqual([
      { col: 'dttm', opr: 'gte', value: expect.any(String) },
      { col: 'action', opr: 'ilike', value: 'mcp.' },
    ])
    await expect(
      asAdmin('list_action_logs', { search: 'mcp', filters: [{ col: 'user_id', opr: 'eq', value: 1 }] }),
    ).rejects.toMatchObject({ type: 'ValidationError' })
    await expect(
      asAdmin('list_action_logs', { filters: [{ col: 'dttm', opr: 'gte', value: 'last week' }] }),
    ).rejects.toMatchObject({ type: 'ValidationError' })
  })

  it('answers every ActionLogInfo field for one entry, its JSON parsed', async () => {
    expect(await asAdmin('get_action_log_info', { identifier: 2503 })).toEqual({
      id: 2503,
      action: 'mcp.get_chart_data.success',
      user_id: 4,
      dttm: '2026-06-22T10:30:00Z',
      dashboard_id: null,
      slice_id: 16,
      json: { tool: 'get_chart_data', chart_id: 16 },
    })
    await expect(asAdmin('get_action_log_info', { identifier: 9999 })).rejects.toMatchObject({
      type: 'NotFoundError',
    })
  })
})

describe('text users wrote reaches the agent marked as untrusted', () => {
  const raw = async (tool: string, identifier: number) =>
    (await rpcAs('admin', 'tools/call', { name: tool, arguments: { request: { identifier } } }))
      .structuredContent
  it('marks log payloads and actions, RLS names, clauses and role labels, user names', async () => {
    const log = await raw('get_action_log_info', 2506)
    expect(log.json.note).toMatch(new RegExp(`^${UNTRUSTED_OPEN}`))
    expect(log.action).toMatch(new RegExp(`^${UNTRUSTED_OPEN}`))
    expect(log.user_id).toBe(12)
    const rls = await raw('get_rls_filter_info', 1)
    for (const value of [rls.name, rls.clause, rls.subjects[0].label]) {
      expect(value).toMatch(new RegExp(`^${UNTRUSTED_OPEN}`))
    }
    const user = await raw('get_user_info', 2)
    expect(user.first_name).toMatch(new RegExp(`^${UNTRUSTED_OPEN}`))
    expect(user.username).toBe('alice')
  })
})

describe('who may use the admin tools', () => {
  it('lists them, and find_users, to Admin', async () => {
    expect(await toolNamesAs('admin')).toEqual(expect.arrayContaining([...ADMIN_TOOLS, 'find_users']))
  })

  const others = [
    'alice',
    'bob',
    'carol',
    'dave',
    'erin',
    'grace',
    'heidi',
    'ivan',
    'judy',
    'mallory',
    'kim',
    'lena',
  ]
  it.each(others)(
    '%s is listed none of them (but find_users), and calling one is an unknown tool',
    async (user) => {
      const names = await toolNamesAs(user)
      for (const tool of ADMIN_TOOLS) expect(names).not.toContain(tool)
      expect(names).toContain('find_users')
      for (const tool of ADMIN_TOOLS) {
        await expect(callAs(user, tool, { identifier: 1 })).rejects.toMatchObject({
          code: -32602,
          message: expect.stringContaining(`Unknown tool: ${tool}`),
        })
      }
    },
  )

  it('hides the RLS and log tools where their tables are missing', () => {
    const anyone = { can: () => true } as unknown as Principal
    const withoutLogs = {
      tables: ['row_level_security_filters', 'rls_filter_roles', 'rls_filter_tables'] as const,
    }
    const withoutRls = { tables: ['logs'] as const }
    for (const name of ['list_action_logs', 'get_action_log_info']) {
      expect(isVisibleTo(findTool(name)!, anyone, withoutLogs)).toBe(false)
      expect(isVisibleTo(findTool(name)!, anyone, withoutRls)).toBe(true)
    }
    for (const name of ['list_rls_filters', 'get_rls_filter_info']) {
      expect(isVisibleTo(findTool(name)!, anyone, withoutRls)).toBe(false)
      expect(isVisibleTo(findTool(name)!, anyone, withoutLogs)).toBe(true)
    }
    expect(findTool('list_users')!.requiresTables).toBeUndefined()
  })

  it('is never cached', () => {
    for (const name of [...ADMIN_TOOLS, 'find_users']) expect(findTool(name)!.cache).toBeUndefined()
  })
})
