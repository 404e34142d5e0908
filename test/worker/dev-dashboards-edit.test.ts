/**
 * The development branch's dashboard editing tools without writing: who is listed them (can_write on
 * Dashboard, as Superset's class_permission_name="Dashboard" / method "write"), and calls that change
 * nothing (a no-op update, refusals).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { callAs, RpcError, toolNamesAs } from '../helpers/call-as'
import { createUser } from '../helpers/db'

const EDITING = ['duplicate_dashboard', 'manage_native_filters', 'update_dashboard']
const SEARCH_OFF = { MCP_TOOL_SEARCH_ENABLED: 'false' }

let removeUser: (() => Promise<void>) | undefined
beforeAll(async () => {
  // SQL Lab only: no permission on Dashboard at all.
  removeUser = await createUser('dash_edit_sqllab_only', ['sql_lab'])
})
afterAll(async () => {
  await removeUser?.()
})

describe('dashboard editing tools in tools/list', () => {
  it.each(['admin', 'alice', 'bob', 'carol', 'erin'])(
    '%s (can_write on Dashboard) is listed all three',
    async (user) => {
      const names = await toolNamesAs(user, SEARCH_OFF)
      expect(names).toEqual(expect.arrayContaining(EDITING))
    },
  )

  it('a user without can_write on Dashboard is listed none, and calling one is an unknown tool', async () => {
    const names = await toolNamesAs('dash_edit_sqllab_only', SEARCH_OFF)
    expect(names.filter((name) => EDITING.includes(name))).toEqual([])
    await expect(
      callAs('dash_edit_sqllab_only', 'update_dashboard', { identifier: 1 }),
    ).rejects.toBeInstanceOf(RpcError)
  })
})

describe('update_dashboard without fields', () => {
  it('answers the dashboard unchanged, for its owner', async () => {
    const result = await callAs('bob', 'update_dashboard', { identifier: 'sales-overview' })
    expect(result).toMatchObject({
      dashboard: { id: 1, dashboard_title: 'Sales Overview', slug: 'sales-overview', published: true },
      dashboard_url: 'https://superset.example.test/superset/dashboard/sales-overview/',
      error: null,
      permission_denied: false,
      changed_fields: [],
      warnings: ['No fields provided; dashboard unchanged.'],
    })
    expect(result.dashboard.native_filters.map((filter: any) => filter.name)).toEqual([
      'Region',
      'Order date',
    ])
    expect(result.dashboard.charts.map((chart: any) => chart.id)).toEqual([2, 3, 5, 6, 7, 8, 11])
    expect(result.dashboard.owners.map((owner: any) => owner.username)).toEqual(['alice', 'bob'])
  })

  it('refuses someone who sees the dashboard but does not own it', async () => {
    // ivan (Sales Analyst) sees the published dashboard 1; heidi sees only her own 4 and 9.
    const refused = await callAs('ivan', 'update_dashboard', { identifier: 1 })
    expect(refused).toMatchObject({ dashboard: null, permission_denied: true })
    await expect(callAs('heidi', 'update_dashboard', { identifier: 1 })).rejects.toMatchObject({
      type: 'NotFoundError',
      message: expect.stringContaining("Dashboard with identifier '1' not found"),
    })
  })
})
