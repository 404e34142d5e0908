/**
 * SQL Lab history and saved queries (Superset's development branch: superset/mcp_service/query/ and
 * saved_query/): list_queries, get_query_info, list_saved_queries, get_saved_query_info, on the demo content
 * (scripts/seed/README.md, "Other content"). Who sees what is Superset 6.1's: QueryFilter (own queries
 * unless all_query_access, which Admin holds) and SavedQueryFilter (only the saved queries one created).
 */
import { describe, expect, it } from 'vitest'
import { callAs, toolNamesAs } from '../helpers/call-as'

const queryIds = (result: any): number[] => result.queries.map((query: any) => query.id)
const savedIds = (result: any): number[] => result.saved_queries.map((saved: any) => saved.id)
const TOOLS = ['list_queries', 'get_query_info', 'list_saved_queries', 'get_saved_query_info']

describe('tool visibility (can_read on Query / SavedQuery)', () => {
  it.each([
    ['admin', TOOLS],
    ['bob', TOOLS],
    ['dave', TOOLS],
    ['mallory', TOOLS],
    ['alice', []],
    ['erin', []],
    ['carol', []],
  ])('%s sees %j', async (username, expected) => {
    const names = await toolNamesAs(username)
    expect(names.filter((name) => TOOLS.includes(name)).sort()).toEqual([...expected].sort())
  })

  it('is an unknown tool for a user without the permission', async () => {
    await expect(callAs('alice', 'list_queries')).rejects.toMatchObject({ code: -32602 })
    await expect(callAs('erin', 'get_saved_query_info', { identifier: 1 })).rejects.toMatchObject({
      code: -32602,
    })
  })
})

describe('list_queries (query/schemas.py ListQueriesRequest, QueryList)', () => {
  it("defaults to page 1 of 25, the development branch's default columns, changed_on descending", async () => {
    const result = await callAs('admin', 'list_queries')
    expect(queryIds(result)).toEqual([7, 6, 5, 4, 3, 2, 1])
    expect(result).toMatchObject({
      count: 7,
      total_count: 7,
      page: 1,
      page_size: 25,
      total_pages: 1,
      has_previous: false,
      has_next: false,
      filters_applied: [],
      columns_requested: ['id', 'status', 'start_time', 'database_id', 'schema'],
      sortable_columns: ['id', 'start_time', 'end_time', 'status', 'database_id', 'changed_on'],
      pagination: {
        page: 1,
        page_size: 25,
        total_count: 7,
        total_pages: 1,
        has_next: false,
        has_previous: false,
      },
    })
    expect(result.columns_available).toEqual([
      'id',
      'sql',
      'status',
      'start_time',
      'end_time',
      'rows',
      'database_id',
      'schema',
      'tab_name',
      'error_message',
      'client_id',
      'limit',
      'progress',
      'changed_on',
    ])
    expect(result.queries[0]).toEqual({
      id: 7,
      status: 'success',
      start_time: 1778412000000,
      database_id: 1,
      schema: 'marketing',
    })
  })

  it('shows a user only their own queries; admin (all_query_access) sees everyone', async () => {
    expect(queryIds(await callAs('bob', 'list_queries'))).toEqual([3, 1])
    expect(queryIds(await callAs('dave', 'list_queries'))).toEqual([5, 4])
    expect(queryIds(await callAs('mallory', 'list_queries'))).toEqual([2])
    const admin = await callAs('admin', 'list_queries', {
      filters: [{ col: 'database_id', opr: 'eq', value: 2 }],
    })
    expect(queryIds(admin)).toEqual([5, 4])
  })

  it('filters on status, database_id and schema; searches tab_name and sql', async () => {
    const failed = await callAs('admin', 'list_queries', {
      filters: [{ col: 'status', opr: 'eq', value: 'failed' }],
      select_columns: ['id', 'error_message'],
    })
    expect(failed.queries).toEqual([
      { id: 5, error_message: 'relation "finance.gl_entriez" does not exist' },
      { id: 2, error_message: 'You need access to the following tables: hr.employees' },
    ])
    expect(failed.filters_applied).toEqual([{ col: 'status', opr: 'eq', value: 'failed' }])
    const bySchema = await callAs('dave', 'list_queries', {
      filters: JSON.stringify([{ col: 'schema', opr: 'in', value: ['finance', 'sales'] }]),
    })
    expect(queryIds(bySchema)).toEqual([5, 4])
    expect(queryIds(await callAs('admin', 'list_queries', { search: 'month-end' }))).toEqual([5, 4])
    expect(queryIds(await callAs('admin', 'list_queries', { search: 'HR.EMPLOYEES' }))).toEqual([6, 2])
    // bob's search never reaches dave's rows
    expect(queryIds(await callAs('bob', 'list_queries', { search: 'gl_entries' }))).toEqual([])
  })

  it('orders by a sortable column and pages', async () => {
    const page = await callAs('admin', 'list_queries', {
      order_column: 'start_time',
      order_direction: 'asc',
      page: 2,
      page_size: 3,
      select_columns: 'id,tab_name',
    })
    expect(page.queries).toEqual([
      { id: 4, tab_name: 'Month-end close' },
      { id: 5, tab_name: 'Month-end close' },
      { id: 6, tab_name: 'Headcount' },
    ])
    expect(page).toMatchObject({ total_pages: 3, has_previous: true, has_next: true })
  })

  it('rejects a filter column outside status/database_id/schema, filters with search, and page_size above 100', async () => {
    await expect(
      callAs('admin', 'list_queries', { filters: [{ col: 'user_id', opr: 'eq', value: 3 }] }),
    ).rejects.toMatchObject({ type: 'ValidationError' })
    await expect(
      callAs('admin', 'list_queries', {
        search: 'x',
        filters: [{ col: 'status', opr: 'eq', value: 'success' }],
      }),
    ).rejects.toMatchObject({ type: 'ValidationError', message: expect.stringMatching(/filters or search/) })
    await expect(callAs('admin', 'list_queries', { page_size: 101 })).rejects.toMatchObject({
      type: 'ValidationError',
    })
  })
})

describe('get_query_info (query/schemas.py GetQueryInfoRequest, QueryInfo)', () => {
  it("answers every QueryInfo field of the caller's own query", async () => {
    expect(await callAs('dave', 'get_query_info', { identifier: 5 })).toEqual({
      id: 5,
      sql: 'SELECT * FROM finance.gl_entriez',
      status: 'failed',
      start_time: 1778228100000,
      end_time: 1778228100030,
      rows: null,
      database_id: 2,
      schema: 'finance',
      tab_name: 'Month-end close',
      error_message: 'relation "finance.gl_entriez" does not exist',
      client_id: 'qDav0000002',
      limit: 1000,
      progress: 0,
      changed_on: '2026-05-08T08:15:00.000000',
    })
  })

  it("answers another user's query as missing, except to admin", async () => {
    await expect(callAs('bob', 'get_query_info', { identifier: 4 })).rejects.toMatchObject({
      type: 'NotFoundError',
      message: "Query with identifier '4' not found. Check the identifier with list_queries.",
    })
    await expect(callAs('bob', 'get_query_info', { identifier: 999 })).rejects.toMatchObject({
      type: 'NotFoundError',
      message: "Query with identifier '999' not found. Check the identifier with list_queries.",
    })
    expect((await callAs('admin', 'get_query_info', { identifier: '4' })).client_id).toBe('qDav0000001')
  })

  it('takes a numeric id only', async () => {
    await expect(
      callAs('admin', 'get_query_info', { identifier: '5a7e0000-0000-4000-8000-000000000001' }),
    ).rejects.toMatchObject({ type: 'ValidationError' })
    await expect(callAs('admin', 'get_query_info', {})).rejects.toMatchObject({ type: 'ValidationError' })
  })
})

describe('list_saved_queries (saved_query/schemas.py ListSavedQueriesRequest, SavedQueryList)', () => {
  it("defaults to page 1 of 10 and the development branch's default columns", async () => {
    const result = await callAs('bob', 'list_saved_queries')
    expect(result).toMatchObject({
      count: 2,
      total_count: 2,
      page: 1,
      page_size: 10,
      columns_requested: ['id', 'label', 'db_id', 'schema', 'uuid'],
      sortable_columns: ['id', 'label', 'db_id', 'schema', 'changed_on', 'created_on'],
      columns_available: [
        'id',
        'uuid',
        'label',
        'sql',
        'db_id',
        'schema',
        'description',
        'changed_on',
        'created_on',
      ],
    })
    expect(result.saved_queries).toEqual([
      {
        id: 3,
        label: 'EMEA targets vs actuals',
        db_id: 3,
        schema: 'scratch',
        uuid: '5a7e0000-0000-4000-8000-000000000003',
      },
      {
        id: 1,
        label: 'Top 10 customers by revenue',
        db_id: 1,
        schema: 'sales',
        uuid: '5a7e0000-0000-4000-8000-000000000001',
      },
    ])
  })

  it('shows each user only the saved queries they created, admin included (6.1 SavedQueryFilter)', async () => {
    expect(savedIds(await callAs('dave', 'list_saved_queries'))).toEqual([6, 2])
    expect(savedIds(await callAs('mallory', 'list_saved_queries'))).toEqual([5])
    expect(savedIds(await callAs('admin', 'list_saved_queries'))).toEqual([4])
  })

  it('filters on label, db_id and schema; searches label, description and sql', async () => {
    const byDb = await callAs('dave', 'list_saved_queries', {
      filters: [{ col: 'db_id', opr: 'eq', value: 2 }],
    })
    expect(savedIds(byDb)).toEqual([6, 2])
    const byLabel = await callAs('bob', 'list_saved_queries', {
      filters: [{ col: 'label', opr: 'sw', value: 'Top' }],
    })
    expect(savedIds(byLabel)).toEqual([1])
    expect(savedIds(await callAs('bob', 'list_saved_queries', { search: 'qbr' }))).toEqual([1])
    expect(savedIds(await callAs('dave', 'list_saved_queries', { search: 'debit' }))).toEqual([6, 2])
    expect(savedIds(await callAs('bob', 'list_saved_queries', { search: 'debit' }))).toEqual([])
    await expect(
      callAs('bob', 'list_saved_queries', { filters: [{ col: 'user_id', opr: 'eq', value: 5 }] }),
    ).rejects.toMatchObject({ type: 'ValidationError' })
  })

  it('orders by label ascending', async () => {
    const result = await callAs('dave', 'list_saved_queries', {
      order_column: 'label',
      order_direction: 'asc',
    })
    expect(result.saved_queries.map((saved: any) => saved.label)).toEqual([
      'Net by account',
      'Trial balance by account',
    ])
  })
})

describe('get_saved_query_info (saved_query/schemas.py GetSavedQueryInfoRequest, SavedQueryInfo)', () => {
  it('answers every SavedQueryInfo field, by id or UUID', async () => {
    const { cache_status: _status, ...byId } = await callAs('dave', 'get_saved_query_info', { identifier: 6 })
    expect(byId).toEqual({
      id: 6,
      uuid: '5a7e0000-0000-4000-8000-000000000006',
      label: 'Net by account',
      sql: 'SELECT account_code, SUM(debit - credit) AS net\nFROM finance.gl_entries\nGROUP BY 1',
      db_id: 2,
      schema: 'finance',
      description: 'Month-end close helper',
      changed_on: '2026-04-16T10:00:00.000000',
      created_on: '2026-03-16T15:00:00.000000',
    })
    const byUuid = await callAs('dave', 'get_saved_query_info', {
      identifier: '5a7e0000-0000-4000-8000-000000000006',
    })
    expect(byUuid).toMatchObject(byId)
  })

  it("answers another user's saved query as missing, to admin too", async () => {
    for (const username of ['bob', 'admin']) {
      await expect(callAs(username, 'get_saved_query_info', { identifier: 6 })).rejects.toMatchObject({
        type: 'NotFoundError',
        message: "Saved query with identifier '6' not found. Check the identifier with list_saved_queries.",
      })
    }
    await expect(
      callAs('bob', 'get_saved_query_info', { identifier: '5a7e0000-0000-4000-8000-000000000002' }),
    ).rejects.toMatchObject({ type: 'NotFoundError' })
  })
})
