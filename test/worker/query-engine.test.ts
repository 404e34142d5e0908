/**
 * The query engine's parts: the SQL parser wrapper (tables in every position, CTE scopes), expression
 * checks, Jinja macros, time ranges and grains, SQL building (values bound, identifiers quoted), chart
 * configs; and injection attempts through every field that reaches SQL, run against the demo data.
 */
import { env } from 'cloudflare:workers'
import { beforeAll, describe, expect, it } from 'vitest'
import { requireConfig } from '../../src/config'
import { compile } from '../../src/db'
import { NO_EXTENSIONS, sqlParser, type SqlParser } from '../../src/guardrails'
import { createRequestScope } from '../../src/dispatch'
import { createLimiter } from '../../src/limits'
import { createLogger } from '../../src/observability'
import {
  buildChartSql,
  chartQuery,
  combineFilters,
  configToFormData,
  ChartConfigSchema,
  parseTimeRange,
  renderTemplate,
  runDatasetQuery,
  type QueryObject,
} from '../../src/query'
import { type Principal, loadDataset, type DatasetMeta } from '../../src/superset'
import type { ToolContext } from '../../src/tools'

const NOW = new Date('2026-11-24T15:30:00Z')
let parser: SqlParser
beforeAll(async () => {
  parser = await sqlParser()
})
const guard = () => ({ parser, policy: NO_EXTENSIONS })

describe('renderTemplate: Superset RLS macros', () => {
  const user = { id: 14, username: "o'brien", email: 'ob@example.com' }
  it('renders the three macros as safely quoted values, in or out of quotes', () => {
    expect(renderTemplate(parser, "sales_rep = '{{ current_username() }}'", user, 'clause')).toBe(
      "sales_rep = 'o''brien'",
    )
    expect(renderTemplate(parser, 'sales_rep = {{current_username()}}', user, 'clause')).toBe(
      "sales_rep = 'o''brien'",
    )
    expect(renderTemplate(parser, 'owner_id = {{ current_user_id() }}', user, 'clause')).toBe('owner_id = 14')
    expect(
      renderTemplate(
        parser,
        "email = E'{{ current_user_email(add_to_cache_keys=False) }}'",
        { ...user, email: "a\\'b" },
        'clause',
      ),
    ).toBe("email = E'a\\\\''b'")
  })

  it('fails closed on any other template construct or position', () => {
    for (const clause of [
      'a = {{ url_param("x") }}',
      '{% if true %}a{% endif %}',
      '{# c #} a = 1',
      'a = {{ current_username() | upper }}',
      '"{{ current_username() }}" = 1',
      'x_{{ current_user_id() }} = 1',
    ]) {
      expect(() => renderTemplate(parser, clause, user, 'clause')).toThrow(/cannot be used/)
    }
  })
})

describe('combineFilters', () => {
  const principal = { user: { id: 11, username: 'judy', email: 'judy@example.com' } } as Principal
  it('ORs clauses of one group_key and ANDs groups and ungrouped clauses', () => {
    const filters = [
      { table_id: 6, id: 1, filter_type: 'Regular', group_key: null, clause: "region = 'EMEA'" },
      {
        table_id: 6,
        id: 2,
        filter_type: 'Regular',
        group_key: 'department',
        clause: "department = 'Finance'",
      },
      {
        table_id: 6,
        id: 3,
        filter_type: 'Regular',
        group_key: 'department',
        clause: "department = 'Marketing'",
      },
    ]
    expect(combineFilters(parser, filters, principal)).toBe(
      "(region = 'EMEA') AND ((department = 'Finance') OR (department = 'Marketing'))",
    )
  })
})

describe('parseTimeRange (request clock 2026-11-24 15:30 UTC)', () => {
  const range = (text: string) => {
    const { since, until } = parseTimeRange(text, NOW)
    return [since?.toISOString() ?? null, until?.toISOString() ?? null]
  }
  it.each([
    ['No filter', [null, null]],
    ['Last day', ['2026-11-23T00:00:00.000Z', '2026-11-24T00:00:00.000Z']],
    ['Last week', ['2026-11-17T00:00:00.000Z', '2026-11-24T00:00:00.000Z']],
    ['Last month', ['2026-10-24T00:00:00.000Z', '2026-11-24T00:00:00.000Z']],
    ['Last quarter', ['2026-08-24T00:00:00.000Z', '2026-11-24T00:00:00.000Z']],
    ['Last year', ['2025-11-24T00:00:00.000Z', '2026-11-24T00:00:00.000Z']],
    ['Current month', ['2026-11-01T00:00:00.000Z', '2026-12-01T00:00:00.000Z']],
    ['previous calendar week', ['2026-11-16T00:00:00.000Z', '2026-11-23T00:00:00.000Z']],
    ['Last 7 days', ['2026-11-17T00:00:00.000Z', '2026-11-24T00:00:00.000Z']],
    ['2026-01-01 : 2026-07-01', ['2026-01-01T00:00:00.000Z', '2026-07-01T00:00:00.000Z']],
    ['2026-01-01T06:00:00 : now', ['2026-01-01T06:00:00.000Z', '2026-11-24T15:30:00.000Z']],
    ['30 days ago : today', ['2026-10-25T00:00:00.000Z', '2026-11-24T00:00:00.000Z']],
    ['DATEADD(DATETIME("today"), -1, month) : ', ['2026-10-24T00:00:00.000Z', null]],
    [' : 2026-02-28', [null, '2026-02-28T00:00:00.000Z']],
  ])('%s', (text, expected) => {
    expect(range(text)).toEqual(expected)
  })

  it('refuses what it does not understand, including injection attempts', () => {
    for (const text of [
      "2026-01-01'; DROP TABLE sales.orders; -- : now",
      'Last fortnight',
      '2026-13-01 : now',
      '2026-07-01 : 2026-01-01',
    ]) {
      expect(() => parseTimeRange(text, NOW)).toThrow()
    }
  })
})

const ORDERS: DatasetMeta = {
  id: 1,
  table_name: 'orders',
  schema: 'sales',
  sql: null,
  main_dttm_col: 'order_date',
  database: {
    id: 1,
    database_name: 'examples',
    sqlalchemy_uri: 'postgresql://x',
    allow_dml: false,
    expose_in_sqllab: true,
  },
  columns: [
    { column_name: 'order_date', type: 'DATE', is_dttm: true, expression: null, verbose_name: null },
    { column_name: 'region', type: 'VARCHAR', is_dttm: false, expression: null, verbose_name: null },
    { column_name: 'order_total', type: 'NUMERIC', is_dttm: false, expression: null, verbose_name: null },
    {
      column_name: 'net_total',
      type: 'NUMERIC',
      is_dttm: false,
      expression: 'order_total - discount',
      verbose_name: null,
    },
  ],
  metrics: [{ metric_name: 'revenue', expression: 'SUM(order_total)', verbose_name: null, d3format: null }],
}

describe('buildChartSql', () => {
  it('binds every value and quotes every identifier', () => {
    const query: QueryObject = {
      columns: [
        { kind: 'column', name: 'order_date', label: 'order_date', timeGrain: 'P1M' },
        { kind: 'column', name: 'region', label: 'Reg"ion' },
      ],
      metrics: [
        { kind: 'saved', name: 'revenue', label: 'revenue' },
        { kind: 'simple', aggregate: 'COUNT_DISTINCT', column: 'net_total', label: 'n' },
      ],
      filters: [
        {
          column: { kind: 'column', name: 'region', label: 'region' },
          operator: 'IN',
          value: ["EMEA' OR 1=1 --", null],
        },
        {
          column: { kind: 'column', name: 'order_date', label: 'order_date' },
          operator: 'TEMPORAL_RANGE',
          value: 'Last year',
        },
      ],
      where: [],
      having: ['SUM(order_total) > 0'],
      orderby: [
        { target: { metric: { kind: 'saved', name: 'revenue', label: 'revenue' } }, ascending: false },
      ],
      rowLimit: 100,
      axisLabel: 'order_date',
    }
    const { text, values } = compile(
      buildChartSql({ query, dataset: ORDERS, source: '"sales"."orders"', now: NOW, guard: guard() }),
    )
    expect(text).toBe(
      'SELECT * FROM (SELECT CAST(DATE_TRUNC(\'month\', "order_date") AS TIMESTAMP) AS "order_date", "region" AS "Reg""ion", ' +
        '(SUM(order_total)) AS "revenue", COUNT(DISTINCT (order_total - discount)) AS "n" FROM "sales"."orders" ' +
        'WHERE ("region" = ANY($1) OR "region" IS NULL) AND "order_date" >= CAST($2 AS TIMESTAMP) AND "order_date" < CAST($3 AS TIMESTAMP) ' +
        'GROUP BY 1, 2 HAVING (pg_catalog.SUM(order_total) > 0) ORDER BY 3 DESC LIMIT $4) AS chart_rows ORDER BY "order_date", "Reg""ion"',
    )
    expect(values).toEqual([["EMEA' OR 1=1 --"], '2025-11-24 00:00:00', '2026-11-24 00:00:00', 100])
  })

  it('refuses unknown columns and metrics, listing the valid ones', () => {
    const base: QueryObject = {
      columns: [],
      metrics: [],
      filters: [],
      where: [],
      having: [],
      orderby: [],
      rowLimit: 10,
    }
    const build = (query: Partial<QueryObject>) =>
      buildChartSql({ query: { ...base, ...query }, dataset: ORDERS, source: 't', now: NOW, guard: guard() })
    expect(() =>
      build({ columns: [{ kind: 'column', name: 'region"; DROP TABLE x; --', label: 'x' }] }),
    ).toThrow(/no column .*Valid columns: \uE000order_date\uE001, \uE000region\uE001/)
    expect(() => build({ metrics: [{ kind: 'saved', name: 'profit', label: 'profit' }] })).toThrow(
      // The dataset's own names are quoted as user-written text (src/markers.ts quoteAuthored).
      /no saved metric \uE000profit\uE001. Saved metrics: \uE000revenue\uE001/,
    )
    expect(() =>
      build({
        columns: [{ kind: 'column', name: 'region', label: 'r' }],
        orderby: [
          { target: { column: { kind: 'column', name: 'bad;col', label: 'bad;col' } }, ascending: true },
        ],
      }),
    ).toThrow(/no column/)
    expect(() =>
      build({ columns: [{ kind: 'column', name: 'order_date', label: 'd', timeGrain: "P1D'); DROP" }] }),
    ).toThrow(/Unknown time grain/)
  })
})

describe('chart configs (generate_chart) to queries', () => {
  it('maps an xy config to form_data and a query with the dataset defaults', () => {
    const config = ChartConfigSchema.parse({
      chart_type: 'xy',
      y: [{ name: 'order_total', aggregate: 'SUM', label: 'Revenue' }],
      time_grain: 'P1M',
      group_by: { name: 'region' },
      kind: 'bar',
    })
    const { vizType, formData } = configToFormData(config, ORDERS)
    expect(vizType).toBe('echarts_timeseries_bar')
    const { query, shape } = chartQuery(vizType, formData, undefined, ORDERS)
    expect(query.columns).toEqual([
      { kind: 'column', name: 'order_date', label: 'order_date', timeGrain: 'P1M' },
      { kind: 'column', name: 'region', label: 'region' },
    ])
    expect(query.metrics).toEqual([
      { kind: 'simple', aggregate: 'SUM', column: 'order_total', label: 'Revenue' },
    ])
    expect(shape).toMatchObject({
      family: 'xy',
      kind: 'bar',
      xAxis: 'order_date',
      series: ['region'],
      temporalX: true,
    })
  })
})

/** A tool context for a demo user, to drive the engine directly. */
async function contextFor(username: string): Promise<{ context: ToolContext; close: () => Promise<void> }> {
  const config = requireConfig(env)
  const log = createLogger('error')
  const scope = createRequestScope({
    requestId: `query-${username}`,
    config,
    log,
    identity: { lookup: { username }, tenant: 'default', method: 'dev_username', scopes: [] },
    transport: 'http',
    services: { limiter: createLimiter({ env, config, log, waitUntil: () => undefined }) },
  })
  return { context: await scope.toolContext(), close: () => scope.finish() }
}

describe('injection attempts against the demo data', () => {
  const base: QueryObject = {
    columns: [{ kind: 'column', name: 'region', label: 'region' }],
    metrics: [{ kind: 'saved', name: 'count', label: 'count' }],
    filters: [],
    where: [],
    having: [],
    orderby: [],
    rowLimit: 100,
  }

  async function run(username: string, query: Partial<QueryObject>) {
    const { context, close } = await contextFor(username)
    try {
      const dataset = (await loadDataset(context.db, 1))!
      const result = await runDatasetQuery(
        {
          metadata: context.db,
          principal: context.principal,
          config: context.config,
          log: context.log,
          now: context.now,
        },
        dataset,
        { ...base, ...query },
        'test',
      )
      return result.rows
    } finally {
      await close()
    }
  }

  it('treats quotes and SQL in filter values as data', async () => {
    const region = { kind: 'column' as const, name: 'region', label: 'region' }
    for (const value of ["EMEA' OR '1'='1", "EMEA'; DELETE FROM sales.orders; --", 'EMEA\\', '%']) {
      expect(await run('admin', { filters: [{ column: region, operator: '==', value }] })).toEqual([])
    }
    expect(
      await run('admin', { filters: [{ column: region, operator: 'LIKE', value: "E%' OR 'x'='x" }] }),
    ).toEqual([])
    expect(
      await run('admin', { filters: [{ column: region, operator: 'IN', value: ['EMEA', "NA' --"] }] }),
    ).toEqual([{ region: 'EMEA', count: 750 }])
  })

  it('refuses SQL smuggled into identifiers, ad-hoc SQL and time ranges before anything runs', async () => {
    await expect(
      run('admin', { columns: [{ kind: 'column', name: 'region" FROM hr.employees --', label: 'x' }] }),
    ).rejects.toMatchObject({ type: 'ValidationError' })
    // Parentheses that close and reopen stay one expression inside the gateway's own parentheses.
    await expect(run('admin', { where: ['1=1) OR (1=1'] })).resolves.toHaveLength(4)
    await expect(run('admin', { where: ['1=1) FROM hr.employees WHERE (true'] })).rejects.toMatchObject({
      type: 'ValidationError',
      message: expect.stringContaining('beyond its own parentheses'),
    })
    await expect(run('admin', { where: ["ts_stat('SELECT 1') IS NOT NULL"] })).rejects.toMatchObject({
      type: 'ValidationError',
      message: expect.stringContaining('ts_stat() is not allowed'),
    })
    await expect(run('admin', { where: ['true; DELETE FROM sales.orders'] })).rejects.toMatchObject({
      type: 'ValidationError',
    })
    await expect(
      run('admin', { metrics: [{ kind: 'sql', sql: '(SELECT max(salary) FROM hr.employees)', label: 'x' }] }),
    ).rejects.toMatchObject({ type: 'ValidationError' })
    await expect(
      run('admin', { columns: [{ kind: 'sql', sql: "region || '--'", label: 'ok' }] }),
    ).resolves.toHaveLength(4)
    await expect(
      run('admin', {
        filters: [
          {
            column: { kind: 'column', name: 'order_date', label: 'order_date' },
            operator: 'TEMPORAL_RANGE',
            value: "2026-01-01' OR 1=1 -- : now",
          },
        ],
      }),
    ).rejects.toMatchObject({ type: 'ValidationError' })
    expect(
      await run('admin', { columns: [{ kind: 'column', name: 'region', label: 'a"; DROP TABLE x; --' }] }),
    ).toHaveLength(4)
  })

  it('keeps row-level security whatever the query adds', async () => {
    expect(await run('ivan', { where: ["region <> 'EMEA' OR 1 = 1"] })).toEqual([
      { region: 'EMEA', count: 750 },
    ])
    expect(await run('ivan', { having: ['COUNT(*) > 0 OR true'] })).toEqual([{ region: 'EMEA', count: 750 }])
  })
})
