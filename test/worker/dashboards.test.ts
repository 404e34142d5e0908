/**
 * list_dashboards and get_dashboard_info: Superset 6.1's request and response contract, checked on the
 * demo content (scripts/seed/README.md) as the admin sees it.
 */
import { describe, expect, it } from 'vitest'
import { callAs } from '../helpers/call-as'

const list = (request: unknown) => callAs('admin', 'list_dashboards', request)
const ids = (result: any): number[] => result.dashboards.map((dashboard: any) => dashboard.id)
/** Dashboards 1–9 by changed_on ascending (the 6.1 default order). */
const BY_CHANGED_ON = [3, 6, 9, 1, 4, 7, 2, 5, 8]

describe('list_dashboards', () => {
  it("defaults to page 1 of 10, Superset's default columns, changed_on ascending", async () => {
    const result = await list({})
    expect(ids(result)).toEqual(BY_CHANGED_ON)
    expect(result).toMatchObject({
      count: 9,
      total_count: 9,
      page: 1,
      page_size: 10,
      total_pages: 1,
      has_previous: false,
      has_next: false,
      filters_applied: [],
      sortable_columns: ['id', 'dashboard_title', 'slug', 'published', 'changed_on', 'created_on'],
    })
    expect(result.columns_requested).toEqual([
      'id',
      'dashboard_title',
      'slug',
      'description',
      'certified_by',
      'certification_details',
      'url',
      'changed_on',
      'changed_on_humanized',
    ])
    expect(Object.keys(result.dashboards[0])).toEqual(result.columns_requested)
    expect(result.columns_available).toEqual(
      expect.arrayContaining(['owners', 'tags', 'position_json', 'chart_count']),
    )
    expect(result.pagination).toEqual({
      page: 1,
      page_size: 10,
      total_count: 9,
      total_pages: 1,
      has_next: false,
      has_previous: false,
    })
  })

  it('formats timestamps like Superset and builds URLs from SUPERSET_WEBSERVER_ADDRESS', async () => {
    const result = await list({ filters: [{ col: 'dashboard_title', opr: 'eq', value: 'Sales Overview' }] })
    const [sales] = result.dashboards
    expect(sales.changed_on).toBe('2026-04-06T16:01:00.000000')
    expect(sales.changed_on_humanized).toMatch(/ago$/)
    expect(sales.url).toBe('https://superset.example.test/superset/dashboard/sales-overview/')
    const draft = await list({ filters: [{ col: 'published', opr: 'eq', value: false }] })
    expect(draft.dashboards[0].url).toBe('https://superset.example.test/superset/dashboard/5/')
  })

  it('loads the requested columns, given as a list, a CSV string or a JSON string', async () => {
    for (const select of [
      ['id', 'owners', 'chart_count'],
      'id,owners,chart_count',
      '["id","owners","chart_count"]',
    ]) {
      const result = await list({
        select_columns: select,
        filters: [{ col: 'dashboard_title', opr: 'eq', value: 'Sales Overview' }],
      })
      expect(result.columns_loaded).toEqual(['id', 'owners', 'chart_count'])
      expect(result.dashboards[0]).toEqual({
        id: 1,
        chart_count: 7,
        owners: [
          expect.objectContaining({
            id: 2,
            username: 'alice',
            first_name: expect.any(String),
            roles: ['Alpha'],
          }),
          expect.objectContaining({ id: 3, username: 'bob' }),
        ],
      })
    }
  })

  it('leaves out an unknown select column, as Superset 6.1 does, and says which columns it loaded', async () => {
    const result = await list({ select_columns: ['id', 'password'] })
    expect(result.columns_requested).toEqual(['id', 'password'])
    expect(result.columns_loaded).toEqual(['id'])
    expect(result.columns_available).toContain('dashboard_title')
    for (const dashboard of result.dashboards) expect(Object.keys(dashboard)).toEqual(['id'])
  })

  it('returns tags and the humanized creation time on request', async () => {
    const result = await list({
      select_columns: ['id', 'tags', 'created_on_humanized'],
      filters: [{ col: 'dashboard_title', opr: 'eq', value: 'Sales Overview' }],
    })
    expect(result.dashboards[0].tags.map((tag: any) => tag.name)).toEqual(
      expect.arrayContaining(['sales', 'kpi']),
    )
    expect(result.dashboards[0].created_on_humanized).toMatch(/ago$/)
  })

  describe('filters: every operator', () => {
    const byTitle = async (opr: string, value?: unknown) =>
      ids(
        await list({
          filters: [{ col: 'dashboard_title', opr, ...(value === undefined ? {} : { value }) }],
          order_column: 'id',
        }),
      ).sort((a, b) => a - b)
    it.each([
      ['eq', 'Sales Overview', [1]],
      ['ne', 'Sales Overview', [2, 3, 4, 5, 6, 7, 8, 9]],
      ['sw', 'Sales', [1, 5]],
      ['ew', 'Review', [6]],
      ['in', ['Executive KPIs', 'People Analytics'], [3, 9]],
      ['nin', ['Executive KPIs', 'People Analytics', 'Sales Overview'], [2, 4, 5, 6, 7, 8]],
      ['like', 'Deep', [5]],
      ['like', 'deep', []],
      ['ilike', 'deep', [5]],
      ['is_not_null', undefined, [1, 2, 3, 4, 5, 6, 7, 8, 9]],
      ['is_null', undefined, []],
    ])('%s %j', async (opr, value, expected) => {
      expect(await byTitle(opr, value)).toEqual(expected)
    })

    it('compares values and ranges on created_by_fk', async () => {
      const result = await list({
        filters: [{ col: 'created_by_fk', opr: 'gte', value: 1 }],
        order_column: 'id',
      })
      expect(result.total_count).toBeGreaterThan(0)
      const none = await list({ filters: [{ col: 'created_by_fk', opr: 'lt', value: 0 }] })
      expect(none.total_count).toBe(0)
    })

    it("filters on published, owner and the caller's favorites", async () => {
      expect(ids(await list({ filters: [{ col: 'published', opr: 'eq', value: false }] }))).toEqual([5])
      expect(
        ids(await list({ filters: [{ col: 'owner', opr: 'eq', value: 9 }], order_column: 'id' })),
      ).toEqual([4, 9])
      expect(
        ids(await list({ filters: [{ col: 'owner', opr: 'in', value: [6, 5] }], order_column: 'id' })),
      ).toEqual([6])
      expect(ids(await list({ filters: [{ col: 'favorite', opr: 'eq', value: true }] }))).toEqual([1])
    })

    it('ANDs several filters', async () => {
      const result = await list({
        filters: [
          { col: 'published', opr: 'eq', value: true },
          { col: 'dashboard_title', opr: 'sw', value: 'Sales' },
        ],
      })
      expect(ids(result)).toEqual([1])
      expect(result.filters_applied).toHaveLength(2)
    })

    it('treats wildcard characters in values literally', async () => {
      expect(await byTitle('sw', '%')).toEqual([])
      expect(await byTitle('ilike', '_')).toEqual([])
    })

    it('rejects an unknown column, an operator the column does not take, and a wrongly typed value', async () => {
      await expect(list({ filters: [{ col: 'password', opr: 'eq', value: 'x' }] })).rejects.toMatchObject({
        type: 'ValidationError',
      })
      await expect(list({ filters: [{ col: 'owner', opr: 'like', value: 1 }] })).rejects.toMatchObject({
        type: 'ValidationError',
        message: expect.stringContaining('Operator "like" is not supported on "owner"'),
      })
      await expect(
        list({ filters: [{ col: 'published', opr: 'eq', value: 'maybe' }] }),
      ).rejects.toMatchObject({
        type: 'ValidationError',
        message: expect.stringContaining('expected true or false'),
      })
      await expect(list({ filters: [{ col: 'dashboard_title', opr: 'eq' }] })).rejects.toMatchObject({
        type: 'ValidationError',
      })
      await expect(
        list({ filters: [{ col: 'dashboard_title', opr: 'eq', value: ['a', 'b'] }] }),
      ).rejects.toMatchObject({
        type: 'ValidationError',
      })
    })
  })

  describe('search', () => {
    it('matches title, slug or uuid, case-insensitively', async () => {
      expect(ids(await list({ search: 'SALES', order_column: 'id' }))).toEqual([1, 5])
      expect(ids(await list({ search: 'finance-gl' }))).toEqual([6])
      expect(ids(await list({ search: 'dab00000-0000-4000-8000-000000000007' }))).toEqual([7])
    })

    it('cannot be combined with filters', async () => {
      await expect(
        list({ search: 'x', filters: [{ col: 'published', opr: 'eq', value: true }] }),
      ).rejects.toMatchObject({
        type: 'ValidationError',
        message: 'Use either filters or search, not both. Fix the arguments and call the tool again.',
      })
    })
  })

  describe('ordering', () => {
    it('orders by any sortable column in either direction', async () => {
      expect(ids(await list({ order_column: 'id', order_direction: 'desc' }))).toEqual([
        9, 8, 7, 6, 5, 4, 3, 2, 1,
      ])
      const titles = (await list({ order_column: 'dashboard_title', order_direction: 'asc' })).dashboards.map(
        (d: any) => d.dashboard_title,
      )
      expect(titles).toEqual([...titles].sort())
      expect(ids(await list({ order_column: 'changed_on', order_direction: 'desc' }))).toEqual(
        [...BY_CHANGED_ON].reverse(),
      )
    })

    it('keeps the default order for a column that is not sortable (as 6.1), and refuses a bad direction', async () => {
      const unsortable = await list({ order_column: 'description', page_size: 100 })
      const plain = await list({ page_size: 100 })
      expect(ids(unsortable)).toEqual(ids(plain))
      expect(unsortable.sortable_columns).toEqual(expect.arrayContaining(['id', 'dashboard_title']))
      await expect(list({ order_direction: 'sideways' })).rejects.toMatchObject({ type: 'ValidationError' })
    })
  })

  describe('pagination', () => {
    it('pages through with page_size 1', async () => {
      const first = await list({ page_size: 1, order_column: 'id' })
      expect(first).toMatchObject({
        count: 1,
        total_count: 9,
        total_pages: 9,
        has_next: true,
        has_previous: false,
      })
      const last = await list({ page_size: 1, page: 9, order_column: 'id' })
      expect(ids(last)).toEqual([9])
      expect(last).toMatchObject({ has_next: false, has_previous: true, page: 9 })
    })

    it('answers a page past the end with no items and the true total', async () => {
      const result = await list({ page_size: 4, page: 7 })
      expect(result).toMatchObject({
        count: 0,
        total_count: 9,
        total_pages: 3,
        has_next: false,
        has_previous: true,
      })
      expect(result.dashboards).toEqual([])
    })

    it('serves the last partial page and page_size 100', async () => {
      expect(ids(await list({ page_size: 4, page: 3, order_column: 'id' }))).toEqual([9])
      expect((await list({ page_size: 100 })).count).toBe(9)
    })

    it('rejects page 0, page_size 0 and page_size above 100', async () => {
      for (const request of [{ page: 0 }, { page_size: 0 }, { page_size: 101 }, { page: 1.5 }]) {
        await expect(list(request)).rejects.toMatchObject({ type: 'ValidationError' })
      }
    })
  })
})

describe('get_dashboard_info', () => {
  const info = (identifier: unknown, extra: object = {}) =>
    callAs('admin', 'get_dashboard_info', { identifier, ...extra })

  it('finds a dashboard by id, digit string, uuid and slug', async () => {
    for (const identifier of [1, '1', 'dab00000-0000-4000-8000-000000000001', 'sales-overview']) {
      expect((await info(identifier)).id).toBe(1)
    }
  })

  it("returns Superset 6.1's DashboardInfo: charts, owners, tags, native filters, omitted layout", async () => {
    const dashboard = await info(1)
    expect(dashboard).toMatchObject({
      id: 1,
      dashboard_title: 'Sales Overview',
      slug: 'sales-overview',
      published: true,
      chart_count: 7,
      url: 'https://superset.example.test/superset/dashboard/sales-overview/',
      created_by: expect.any(String),
      cross_filters_enabled: expect.any(Boolean),
    })
    expect(dashboard.charts.map((chart: any) => chart.id)).toEqual([2, 3, 5, 6, 7, 8, 11])
    expect(dashboard.charts[0]).toMatchObject({
      slice_name: 'Revenue by Region',
      url: 'https://superset.example.test/explore/?slice_id=2',
    })
    expect(dashboard.native_filters.length).toBeGreaterThanOrEqual(1)
    expect(dashboard.native_filters[0]).toMatchObject({
      id: expect.stringMatching(/^NATIVE_FILTER-/),
      filter_type: expect.any(String),
    })
    expect(dashboard.omitted_fields.position_json).toMatch(/^Omitted \(~\d+ KB\)/)
    expect(dashboard).not.toHaveProperty('position_json')
    expect((await info(2)).roles).toEqual([{ id: 7, name: 'Marketing Viewer' }])
  })

  it('returns the layout when asked for it', async () => {
    const dashboard = await info(1, { select_columns: ['id', 'position_json'] })
    expect(JSON.parse(dashboard.position_json)).toMatchObject({
      DASHBOARD_VERSION_KEY: 'v2',
      ROOT_ID: { type: 'ROOT' },
    })
    expect(dashboard).not.toHaveProperty('omitted_fields')
  })

  it('answers a missing dashboard with NotFoundError', async () => {
    for (const identifier of [999, 'no-such-slug', 'dab00000-0000-4000-8000-0000000000ff']) {
      await expect(info(identifier)).rejects.toMatchObject({
        type: 'NotFoundError',
        message: `Dashboard with identifier '${identifier}' not found. Check the identifier with list_dashboards.`,
      })
    }
  })
})
