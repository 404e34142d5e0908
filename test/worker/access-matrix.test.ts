/**
 * Who sees what, as Superset 6.1 decides it (DashboardAccessFilter, ChartFilter, DatasourceFilter,
 * DatabaseFilter and tool-level RBAC). The expected sets come from Superset's rules applied to the demo
 * content by hand (scripts/seed/README.md, "Users and what they see"), not from this gateway's output.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from '../../src/db'
import { createUser, withMetadataDb } from '../helpers/db'
import { callAs, readResourceAs, toolNamesAs } from '../helpers/call-as'

interface Expected {
  dashboards: number[]
  dashboardsWithRbac: number[]
  charts: number[]
  datasets: number[]
  databases: number[]
}

const range = (from: number, to: number): number[] =>
  Array.from({ length: to - from + 1 }, (_, index) => from + index)
const SALES_ANALYST_CHARTS = [...range(1, 15), 26, 27, 32]
const NOTHING: Expected = { dashboards: [], dashboardsWithRbac: [], charts: [], datasets: [], databases: [] }

const MATRIX: Record<string, Expected> = {
  admin: {
    dashboards: range(1, 9),
    dashboardsWithRbac: range(1, 9),
    charts: range(1, 32),
    datasets: range(1, 11),
    databases: [1, 2, 3, 4],
  },
  // Alpha: all data access, but not admin: published dashboards with a table-backed chart, and her own.
  alice: {
    dashboards: [1, 2, 3, 6, 7, 8, 9],
    dashboardsWithRbac: [1, 3, 6, 7, 8, 9],
    charts: range(1, 32),
    datasets: range(1, 11),
    databases: [1, 2, 3, 4],
  },
  // datasource_access on datasets 1, 2, 3, 8; owns the draft dashboard 5.
  bob: {
    dashboards: [1, 3, 5, 7],
    dashboardsWithRbac: [1, 3, 5, 7],
    charts: SALES_ANALYST_CHARTS,
    datasets: [1, 2, 3, 8],
    databases: [1],
  },
  // schema_access on [examples].[marketing]; member of the role dashboard 2 is shared with.
  carol: {
    dashboards: [2],
    dashboardsWithRbac: [2],
    charts: range(16, 21),
    datasets: [4, 5],
    databases: [1],
  },
  // database_access on finance_dw.
  dave: { dashboards: [6], dashboardsWithRbac: [6], charts: [24, 25], datasets: [7], databases: [2] },
  // Gamma with no data grants.
  erin: NOTHING,
  mallory: NOTHING,
  // No direct roles: everything comes through the analysts_group (Sales Analyst + Gamma).
  grace: {
    dashboards: [1, 3, 7],
    dashboardsWithRbac: [1, 3, 7],
    charts: SALES_ANALYST_CHARTS,
    datasets: [1, 2, 3, 8],
    databases: [1],
  },
  // Owns dashboards 4 (no charts) and 9 and chart 22, but has no data access: owners see their dashboards, not their charts.
  heidi: { dashboards: [4, 9], dashboardsWithRbac: [4, 9], charts: [], datasets: [], databases: [] },
  ivan: {
    dashboards: [1, 3, 7],
    dashboardsWithRbac: [1, 3, 7],
    charts: SALES_ANALYST_CHARTS,
    datasets: [1, 2, 3, 8],
    databases: [1],
  },
  judy: { dashboards: [3, 9], dashboardsWithRbac: [3, 9], charts: [22, 23], datasets: [6], databases: [1] },
  kim: { dashboards: [2], dashboardsWithRbac: [2], charts: range(16, 21), datasets: [4, 5], databases: [1] },
}

async function visibleIds(
  username: string,
  tool: string,
  key: string,
  overrides: Record<string, string> = {},
): Promise<number[]> {
  const result = await callAs(
    username,
    tool,
    { page_size: 100, order_column: 'id', order_direction: 'asc', select_columns: ['id'] },
    overrides,
  )
  expect(result.total_count).toBe(result[key].length)
  return result[key].map((item: { id: number }) => item.id)
}

describe.each(Object.entries(MATRIX))('%s', (username, expected) => {
  it('sees exactly their dashboards (DASHBOARD_RBAC off and on)', async () => {
    expect(await visibleIds(username, 'list_dashboards', 'dashboards')).toEqual(expected.dashboards)
    expect(
      await visibleIds(username, 'list_dashboards', 'dashboards', { MCP_DASHBOARD_RBAC: 'true' }),
    ).toEqual(expected.dashboardsWithRbac)
  })

  it('sees exactly their charts, datasets and databases', async () => {
    expect(await visibleIds(username, 'list_charts', 'charts')).toEqual(expected.charts)
    expect(await visibleIds(username, 'list_datasets', 'datasets')).toEqual(expected.datasets)
    expect(await visibleIds(username, 'list_databases', 'databases')).toEqual(expected.databases)
  })

  it('gets only what it can list; anything else reads as missing', async () => {
    const probes: [string, string, number[], number][] = [
      ['get_dashboard_info', 'Dashboard', expected.dashboards, 9],
      ['get_chart_info', 'Chart', expected.charts, 32],
      ['get_dataset_info', 'Dataset', expected.datasets, 11],
      ['get_database_info', 'Database', expected.databases, 4],
    ]
    for (const [tool, label, visible, max] of probes) {
      const hidden = range(1, max).find((id) => !visible.includes(id))
      if (visible.length > 0)
        expect((await callAs(username, tool, { identifier: visible[0], select_columns: ['id'] })).id).toBe(
          visible[0],
        )
      if (hidden !== undefined) {
        await expect(callAs(username, tool, { identifier: hidden })).rejects.toMatchObject({
          type: 'NotFoundError',
          message: `${label} with identifier '${hidden}' not found. Check the identifier with list_${label.toLowerCase()}s.`,
        })
      }
    }
  })

  it('counts only what it can see in get_instance_info', async () => {
    const info = await callAs(username, 'get_instance_info')
    expect(info.instance_summary).toMatchObject({
      total_dashboards: expected.dashboards.length,
      total_charts: expected.charts.length,
      total_datasets: expected.datasets.length,
      total_databases: expected.databases.length,
    })
    expect(info.current_user.username).toBe(username)
  })
})

interface Tag {
  id: number
  name: string
  type: string
}

/** The tags on everything the user can list, one entry per tagged object (as the list tools show them). */
async function listedTags(username: string): Promise<Tag[]> {
  const tags: Tag[] = []
  for (const [tool, key] of [
    ['list_dashboards', 'dashboards'],
    ['list_charts', 'charts'],
    ['list_datasets', 'datasets'],
  ] as const) {
    const result = await callAs(username, tool, { page_size: 100, select_columns: ['id', 'tags'] })
    expect(result.has_next).toBe(false)
    for (const item of result[key]) tags.push(...(item.tags as Tag[]))
  }
  return tags
}

/** top_tags over `tags`: custom tag names by number of objects, then name, five at most (6.1 PopularContent: List[str]). */
function topTags(tags: Tag[]): string[] {
  const counts = new Map<string, number>()
  for (const tag of tags) if (tag.type === 'custom') counts.set(tag.name, (counts.get(tag.name) ?? 0) + 1)
  return [...counts]
    .map(([name, count]) => ({ name, count }))
    .sort((a, b) => b.count - a.count || a.name.localeCompare(b.name))
    .slice(0, 5)
    .map((tag) => tag.name)
}

describe('get_instance_info: instance-wide figures for admins only', () => {
  it('shows an admin every user, role and tag of the instance (the confidential tag on 2 objects included)', async () => {
    const info = await callAs('admin', 'get_instance_info')
    const instance = await withMetadataDb(async (db) => {
      const [row] = await db.query<{ roles: number; tags: number }>(
        sql`SELECT (SELECT count(*)::int FROM ab_role) AS roles, (SELECT count(*)::int FROM tag) AS tags`,
      )
      return row!
    })
    expect(info.instance_summary.total_users).toBeGreaterThanOrEqual(14)
    expect(info.instance_summary).toMatchObject({ total_roles: instance.roles, total_tags: instance.tags })
    expect(info.popular_content.top_tags).toEqual([
      'quarterly-review',
      'sales',
      'confidential',
      'finance',
      'kpi',
    ])
  })

  it('shows a user who may see nothing (erin) nothing of the instance: no tag names, no totals', async () => {
    const info = await callAs('erin', 'get_instance_info')
    expect(info.instance_summary).toEqual({
      total_dashboards: 0,
      total_charts: 0,
      total_datasets: 0,
      total_databases: 0,
      total_users: 1,
      total_roles: 1,
      total_tags: 0,
      avg_charts_per_dashboard: 0,
    })
    expect(info.popular_content).toEqual({ top_tags: [], top_creators: [] })
    expect(info.database_breakdown).toEqual({ by_type: {} })
    expect(JSON.stringify(info)).not.toContain('confidential')
  })

  it('answers instance://metadata with the same figures (erin: nothing listed, no tag names)', async () => {
    const text = await readResourceAs('erin', 'instance://metadata')
    const metadata = JSON.parse(text)
    expect(metadata.instance_summary).toMatchObject({ total_users: 1, total_roles: 1, total_tags: 0 })
    expect(metadata.popular_content.top_tags).toEqual([])
    expect(metadata.available_datasets).toEqual([])
    expect(metadata.available_databases).toEqual([])
    expect(text).not.toContain('confidential')
  })

  it.each(Object.keys(MATRIX).filter((username) => username !== 'admin'))(
    '%s counts itself, its roles, and only the tags on what it can list',
    async (username) => {
      const [info, tags] = await Promise.all([callAs(username, 'get_instance_info'), listedTags(username)])
      expect(info.instance_summary).toMatchObject({
        total_users: 1,
        total_roles: info.current_user.roles.length,
        total_tags: new Set(tags.map((tag) => tag.id)).size,
      })
      expect(info.popular_content.top_tags).toEqual(topTags(tags))
    },
  )

  it('names the tags of the objects a user sees: heidi owns dashboard 9 (confidential), bob sees none', async () => {
    expect((await callAs('heidi', 'get_instance_info')).popular_content.top_tags).toEqual(['confidential'])
    expect((await callAs('bob', 'get_instance_info')).popular_content.top_tags).toEqual([
      'sales',
      'kpi',
      'quarterly-review',
    ])
  })

  // Sales Analyst grants data access to datasets 1, 2, 3, 8 (and so their charts and dashboards), sql_lab
  // the read tools of databases only: list_charts, list_datasets and list_dashboards do not exist for it.
  describe('a user with data access but only the databases list tool (sql_lab + Sales Analyst)', () => {
    const username = 'instance_info_probe'
    let removeUser: () => Promise<void>
    beforeAll(async () => {
      removeUser = await createUser(username, ['sql_lab', 'Sales Analyst'])
    })
    afterAll(() => removeUser())

    it('counts nothing it has no list tool for, and its databases as list_databases shows them', async () => {
      const info = await callAs(username, 'get_instance_info')
      const databases = await callAs(username, 'list_databases', { page_size: 100 })
      // A tool the user may not call is an unknown one over MCP (-32602).
      await expect(callAs(username, 'list_charts')).rejects.toMatchObject({
        code: -32602,
        message: expect.stringContaining('Unknown tool: list_charts'),
      })
      expect(databases.total_count).toBe(1)
      expect(info.instance_summary).toMatchObject({
        total_dashboards: 0,
        total_charts: 0,
        total_datasets: 0,
        total_databases: databases.total_count,
      })
    })
  })
})

describe('accounts that cannot act', () => {
  it('refuses an inactive user, even with grants', async () => {
    await expect(callAs('frank', 'list_dashboards')).rejects.toMatchObject({
      type: 'PermissionDeniedError',
      message:
        'The Superset user "frank" is inactive. Ask a Superset administrator for access if you need it.',
    })
  })

  it('refuses a user missing from Superset', async () => {
    await expect(callAs('nobody', 'list_dashboards')).rejects.toMatchObject({
      type: 'PermissionDeniedError',
      message: expect.stringContaining('No Superset user matches "nobody"'),
    })
  })
})

describe('tool-level permissions', () => {
  const READ_TOOLS = [
    'get_chart_info',
    'get_dashboard_info',
    'get_database_info',
    'get_dataset_info',
    'list_charts',
    'list_dashboards',
    'list_databases',
    'list_datasets',
  ]

  it('shows the read tools to users holding can_read on each model, also through a group', async () => {
    expect(await toolNamesAs('erin')).toEqual(
      expect.arrayContaining([...READ_TOOLS, 'get_schema', 'health_check']),
    )
    expect(await toolNamesAs('grace')).toEqual(expect.arrayContaining(READ_TOOLS))
  })

  describe('a user whose only role is sql_lab', () => {
    const username = 'sqllab_only_probe'
    let removeUser: () => Promise<void>
    beforeAll(async () => {
      removeUser = await createUser(username, ['sql_lab'])
    })
    afterAll(() => removeUser())

    it('sees only the tools its permissions allow', async () => {
      const names = await toolNamesAs(username)
      expect(names).toEqual(
        expect.arrayContaining(['get_database_info', 'list_databases', 'get_schema', 'health_check']),
      )
      for (const hidden of [
        'list_dashboards',
        'get_dashboard_info',
        'list_charts',
        'get_chart_info',
        'list_datasets',
        'get_dataset_info',
      ]) {
        expect(names).not.toContain(hidden)
      }
    })

    it('cannot call a hidden tool: it reads as unknown (MCP: -32602)', async () => {
      await expect(callAs(username, 'list_dashboards')).rejects.toMatchObject({
        code: -32602,
        message: expect.stringContaining('Unknown tool: list_dashboards'),
      })
    })
  })
})
