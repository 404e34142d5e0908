/**
 * list_tags and get_tag_info (Superset's development branch, superset/mcp_service/tag/): the request and
 * response contract on the demo tags, and the tagged objects each user may see (dashboards through
 * DashboardAccessFilter, charts through ChartFilter, datasets through DatasourceFilter, saved queries
 * their creator's only).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { callAs, toolNamesAs } from '../helpers/call-as'
import { createUser } from '../helpers/db'

const ids = (result: any): number[] => result.tags.map((tag: any) => tag.id)
const objects = (result: any): string[] => result.objects.map((o: any) => `${o.type}:${o.id}`)

describe('list_tags', () => {
  it("defaults to page 1 of 10, the development branch's columns, changed_on descending", async () => {
    const result = await callAs('admin', 'list_tags', {})
    expect(result).toMatchObject({
      count: 10,
      total_count: 24,
      page: 1,
      page_size: 10,
      total_pages: 3,
      has_previous: false,
      has_next: true,
      columns_requested: ['id', 'name', 'type'],
      columns_loaded: ['id', 'name', 'type'],
      sortable_columns: ['id', 'name', 'changed_on', 'created_on'],
      filters_applied: [],
    })
    // The two newest tags first, then the seeded ones (all changed at one instant) by id descending.
    expect(ids(result)).toEqual([2450, 2451, 22, 21, 20, 19, 18, 17, 16, 15])
    expect(result.tags[0]).toEqual({ id: 2450, name: 'quarterly-review', type: 'custom' })
    expect(result.columns_available).toEqual([
      'id',
      'name',
      'type',
      'description',
      'changed_on',
      'changed_on_humanized',
      'created_on',
      'created_on_humanized',
      'object_count',
    ])
  })

  it('filters by name and type, searches names, orders and pages', async () => {
    const custom = await callAs('admin', 'list_tags', {
      filters: [{ col: 'type', opr: 'eq', value: 'custom' }],
      order_column: 'name',
      order_direction: 'asc',
      select_columns: ['id', 'name'],
    })
    expect(custom.tags.map((tag: any) => tag.name)).toEqual([
      'confidential',
      'finance',
      'kpi',
      'marketing',
      'quarterly-review',
      'sales',
      'unused',
    ])
    const searched = await callAs('admin', 'list_tags', {
      search: 'OWNER:1',
      order_column: 'id',
      order_direction: 'asc',
    })
    expect(searched.tags.map((tag: any) => tag.name)).toEqual(['owner:1', 'owner:11', 'owner:13'])
    const page = await callAs('admin', 'list_tags', { page: 3, page_size: 10, order_column: 'id' })
    expect(page).toMatchObject({ count: 4, page: 3, has_next: false, has_previous: true })
  })

  it('returns description and timestamps on request', async () => {
    const result = await callAs('admin', 'list_tags', {
      filters: [{ col: 'name', opr: 'eq', value: 'quarterly-review' }],
      select_columns: ['id', 'description', 'changed_on', 'created_on', 'changed_on_humanized'],
    })
    expect(result.tags).toEqual([
      {
        id: 2450,
        description: 'Content reviewed at the QBR',
        changed_on: '2026-04-14T11:30:00.000000',
        created_on: '2026-03-02T10:00:00.000000',
        changed_on_humanized: expect.any(String),
      },
    ])
  })

  it('counts only the tagged objects the caller may see', async () => {
    const counts = async (user: string) => {
      const result = await callAs(user, 'list_tags', {
        filters: [{ col: 'type', opr: 'eq', value: 'custom' }],
        select_columns: ['name', 'object_count'],
        order_column: 'name',
        order_direction: 'asc',
      })
      return Object.fromEntries(result.tags.map((tag: any) => [tag.name, tag.object_count]))
    }
    // Saved queries are their creators' alone: the admin does not count bob's or dave's.
    expect(await counts('admin')).toMatchObject({
      sales: 4,
      confidential: 3,
      'quarterly-review': 5,
      unused: 0,
    })
    expect(await counts('bob')).toMatchObject({ sales: 5, confidential: 0, 'quarterly-review': 3 })
    expect(await counts('carol')).toMatchObject({ sales: 0, confidential: 0, marketing: 1 })
    expect(await counts('judy')).toMatchObject({ confidential: 3, sales: 0 })
    expect(await counts('erin')).toMatchObject({ sales: 0, confidential: 0, kpi: 0 })
  })

  it('rejects filter columns, operators and combinations the tool does not take', async () => {
    await expect(
      callAs('admin', 'list_tags', { filters: [{ col: 'description', opr: 'eq', value: 'x' }] }),
    ).rejects.toMatchObject({ type: 'ValidationError' })
    await expect(
      callAs('admin', 'list_tags', { filters: [{ col: 'name', opr: 'gt', value: 'a' }] }),
    ).rejects.toMatchObject({ type: 'ValidationError', message: expect.stringContaining('"gt"') })
    await expect(
      callAs('admin', 'list_tags', {
        search: 'sales',
        filters: [{ col: 'name', opr: 'eq', value: 'sales' }],
      }),
    ).rejects.toMatchObject({ type: 'ValidationError' })
    await expect(callAs('admin', 'list_tags', { page_size: 101 })).rejects.toMatchObject({
      type: 'ValidationError',
    })
  })
})

describe('get_tag_info', () => {
  it('answers the development branch TagInfo with the objects the admin may see', async () => {
    const tag = await callAs('admin', 'get_tag_info', { identifier: 1 })
    expect(tag).toMatchObject({
      id: 1,
      name: 'sales',
      type: 'custom',
      description: 'Sales team content',
      changed_on: '2026-02-01T08:00:00.000000',
      created_on: '2026-02-01T08:00:00.000000',
      changed_on_humanized: expect.any(String),
      created_on_humanized: expect.any(String),
      object_count: 4,
    })
    expect(objects(tag)).toEqual(['dashboard:1', 'chart:2', 'chart:6', 'dataset:1'])
    expect(tag.objects[0]).toEqual({
      id: 1,
      type: 'dashboard',
      name: 'Sales Overview',
      url: 'https://superset.example.test/superset/dashboard/1/',
      changed_on: '2026-04-06T16:01:00.000000',
      changed_on_humanized: expect.any(String),
    })
  })

  it('shows each user only the objects they may list, saved queries only to their creator', async () => {
    expect(objects(await callAs('bob', 'get_tag_info', { identifier: 1 }))).toEqual([
      'dashboard:1',
      'chart:2',
      'chart:6',
      'dataset:1',
      'query:1',
    ])
    const bobQuery = (await callAs('bob', 'get_tag_info', { identifier: 1 })).objects.at(-1)
    expect(bobQuery).toMatchObject({
      name: 'Top 10 customers by revenue',
      url: 'https://superset.example.test/sqllab?savedQueryId=1',
    })
    expect(objects(await callAs('bob', 'get_tag_info', { identifier: 2450 }))).toEqual([
      'dashboard:1',
      'chart:2',
      'query:3',
    ])
    expect(objects(await callAs('dave', 'get_tag_info', { identifier: 2450 }))).toEqual([
      'dashboard:6',
      'chart:24',
      'query:2',
    ])
    expect(objects(await callAs('admin', 'get_tag_info', { identifier: 2450 }))).toEqual([
      'dashboard:1',
      'dashboard:6',
      'chart:2',
      'chart:24',
      'dataset:9',
    ])
    // The HR tag: judy sees the HR objects, heidi only the dashboard she owns, bob none of them.
    expect(objects(await callAs('judy', 'get_tag_info', { identifier: 5 }))).toEqual([
      'dashboard:9',
      'chart:22',
      'dataset:6',
    ])
    expect(objects(await callAs('heidi', 'get_tag_info', { identifier: 5 }))).toEqual(['dashboard:9'])
    const forBob = await callAs('bob', 'get_tag_info', { identifier: 5 })
    expect(forBob).toMatchObject({ name: 'confidential', objects: [], object_count: 0 })
  })

  it('answers a missing tag as not found, and takes numeric ids only', async () => {
    await expect(callAs('bob', 'get_tag_info', { identifier: 99999 })).rejects.toMatchObject({
      type: 'NotFoundError',
      message: expect.stringContaining("Tag with identifier '99999' not found"),
    })
    await expect(callAs('admin', 'get_tag_info', { identifier: 'sales' })).rejects.toMatchObject({
      type: 'ValidationError',
    })
    await expect(
      callAs('admin', 'get_tag_info', { identifier: 'dab00000-0000-4000-8000-000000000001' }),
    ).rejects.toMatchObject({ type: 'ValidationError' })
    await expect(callAs('admin', 'get_tag_info', {})).rejects.toMatchObject({ type: 'ValidationError' })
  })
})

describe('who sees the tag tools (can_read on Tag)', () => {
  let removeUser: (() => Promise<void>) | undefined
  beforeAll(async () => {
    removeUser = await createUser('tagless_probe', ['sql_lab'])
  })
  afterAll(async () => {
    await removeUser?.()
  })

  it('lists them for Admin, Alpha and Gamma users, not for a user without can_read on Tag', async () => {
    for (const user of ['admin', 'alice', 'bob', 'erin']) {
      expect(await toolNamesAs(user)).toEqual(expect.arrayContaining(['list_tags', 'get_tag_info']))
    }
    const names = await toolNamesAs('tagless_probe')
    expect(names).not.toContain('list_tags')
    expect(names).not.toContain('get_tag_info')
    await expect(callAs('tagless_probe', 'list_tags', {})).rejects.toMatchObject({ code: -32602 })
  })
})
