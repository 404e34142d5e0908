/**
 * list_themes and get_theme_info (Superset's development branch, mcp_service/theme): the request and
 * response contract of theme/schemas.py (ThemeInfo, ThemeList) on the demo themes, and who may call them
 * (can_read on Theme: Admin, Alpha and Gamma in the demo; create_theme needs can_write on Theme).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { callAs, toolNamesAs } from '../helpers/call-as'
import { createUser } from '../helpers/db'

const list = (request: unknown, user = 'admin') => callAs(user, 'list_themes', request)
const ids = (result: any): number[] => result.themes.map((theme: any) => theme.id)

describe('list_themes', () => {
  it("defaults to Superset's default columns, newest change first", async () => {
    const result = await list({})
    expect(ids(result)).toEqual([5, 3, 4, 2, 1])
    expect(result).toMatchObject({
      count: 5,
      total_count: 5,
      page: 1,
      page_size: 10,
      total_pages: 1,
      has_previous: false,
      has_next: false,
      filters_applied: [],
      sortable_columns: ['id', 'theme_name', 'changed_on', 'created_on'],
      columns_requested: ['id', 'theme_name', 'is_system_default', 'is_system_dark'],
    })
    expect(result.columns_available).toEqual([
      'id',
      'theme_name',
      'json_data',
      'uuid',
      'is_system',
      'is_system_default',
      'is_system_dark',
      'changed_on',
      'changed_on_humanized',
      'created_on',
      'created_on_humanized',
    ])
    expect(result.themes[0]).toEqual({
      id: 5,
      theme_name: 'Marketing Brand',
      is_system_default: false,
      is_system_dark: false,
    })
    expect(result.themes.find((theme: any) => theme.id === 1)).toMatchObject({ is_system_default: true })
  })

  it('filters on theme_name, searches it, orders and pages', async () => {
    const system = await list({ filters: [{ col: 'theme_name', opr: 'sw', value: 'Superset' }] })
    expect(ids(system)).toEqual([2, 1])
    expect(system.filters_applied).toEqual([{ col: 'theme_name', opr: 'sw', value: 'Superset' }])
    expect(ids(await list({ search: 'blue' }))).toEqual([3])
    const byName = await list({ order_column: 'theme_name', order_direction: 'asc', page_size: 2, page: 2 })
    expect(byName.themes.map((theme: any) => theme.theme_name)).toEqual(['Marketing Brand', 'Superset Dark'])
    expect(byName).toMatchObject({ total_count: 5, total_pages: 3, has_previous: true, has_next: true })
  })

  it('returns the chosen columns, json_data as the stored JSON text', async () => {
    const result = await list({
      select_columns: 'id,json_data,uuid,is_system,changed_on,created_on_humanized',
      filters: [{ col: 'theme_name', opr: 'eq', value: 'Superset Dark' }],
    })
    expect(result.themes).toEqual([
      {
        id: 2,
        json_data: '{"algorithm": "dark", "token": {"colorPrimary": "#2893b3"}}',
        uuid: '7e3e0000-0000-4000-8000-000000000002',
        is_system: true,
        changed_on: '2026-01-05T08:31:00.000000',
        created_on_humanized: expect.stringMatching(/ago$/),
      },
    ])
  })

  it('refuses filters with search, and filter columns the development branch does not offer', async () => {
    await expect(
      list({ search: 'a', filters: [{ col: 'theme_name', opr: 'eq', value: 'x' }] }),
    ).rejects.toMatchObject({
      type: 'ValidationError',
      message: expect.stringContaining('either filters or search'),
    })
    await expect(list({ filters: [{ col: 'json_data', opr: 'eq', value: 'x' }] })).rejects.toMatchObject({
      type: 'ValidationError',
    })
  })
})

describe('get_theme_info', () => {
  it('answers every ThemeInfo field by id and by UUID', async () => {
    const { cache_status: _, ...theme } = await callAs('bob', 'get_theme_info', { identifier: 3 })
    expect(theme).toEqual({
      id: 3,
      theme_name: 'Corporate Blue',
      json_data: expect.any(String),
      uuid: '7e3e0000-0000-4000-8000-000000000003',
      is_system: false,
      is_system_default: false,
      is_system_dark: false,
      changed_on: '2026-04-21T16:40:00.000000',
      changed_on_humanized: expect.stringMatching(/ago$/),
      created_on: '2026-02-10T09:15:00.000000',
      created_on_humanized: expect.stringMatching(/ago$/),
    })
    expect(JSON.parse(theme.json_data).token.colorPrimary).toBe('#1d4ed8')
    const byUuid = await callAs('bob', 'get_theme_info', {
      identifier: '7E3E0000-0000-4000-8000-000000000003',
    })
    expect(byUuid.id).toBe(3)
  })

  it('answers a missing theme as not found', async () => {
    await expect(callAs('admin', 'get_theme_info', { identifier: 999 })).rejects.toMatchObject({
      type: 'NotFoundError',
      message: expect.stringContaining("Theme with identifier '999' not found"),
    })
    await expect(callAs('admin', 'get_theme_info', { identifier: 'corporate-blue' })).rejects.toMatchObject({
      type: 'NotFoundError',
    })
  })
})

describe('who may use the theme tools', () => {
  const THEME_TOOLS = ['create_theme', 'get_theme_info', 'list_themes']
  const probe = 'sqllab_theme_probe'
  let removeUser: () => Promise<void>
  beforeAll(async () => {
    removeUser = await createUser(probe, ['sql_lab'])
  })
  afterAll(() => removeUser())

  it('Admin and Alpha see all three; Gamma users read themes but cannot create one', async () => {
    expect(await toolNamesAs('admin')).toEqual(expect.arrayContaining(THEME_TOOLS))
    expect(await toolNamesAs('alice')).toEqual(expect.arrayContaining(THEME_TOOLS))
    for (const user of ['bob', 'erin', 'grace']) {
      const names = await toolNamesAs(user)
      expect(names).toEqual(expect.arrayContaining(['get_theme_info', 'list_themes']))
      expect(names).not.toContain('create_theme')
    }
    expect(ids(await list({}, 'erin'))).toEqual([5, 3, 4, 2, 1])
  })

  it('a user without can_read on Theme sees none of them, and calling one reads as unknown', async () => {
    const names = await toolNamesAs(probe)
    for (const tool of THEME_TOOLS) expect(names).not.toContain(tool)
    await expect(callAs(probe, 'list_themes')).rejects.toMatchObject({
      code: -32602,
      message: expect.stringContaining('Unknown tool: list_themes'),
    })
  })
})
