/**
 * The charts-and-datasets development tools from the attacker's side: SQL hidden in names, values,
 * saved expressions and DDL targets never reaches the analytics database as SQL. Real metadata and
 * analytics databases; what an attack left behind is read back from the tables themselves.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from '../../src/db'
import { callAs } from '../helpers/call-as'
import { createRole, createUser, withAnalyticsSuperuser, withMetadataDb } from '../helpers/db'
import { relaxLimits } from '../helpers/limits'

relaxLimits()

const query = (user: string, request: unknown) => callAs(user, 'query_dataset', request)

async function orderCount(): Promise<number> {
  const [row] = await withAnalyticsSuperuser((db) =>
    db.query<{ n: number }>(sql`SELECT count(*)::int AS n FROM sales.orders`),
  )
  return row!.n
}

describe('query_dataset attacks', () => {
  let orders: number
  const probes = [2201, 2202, 2203]
  beforeAll(async () => {
    orders = await orderCount()
    // Saved metrics and a calculated column with SQL hidden in them, as a careless or hostile dataset
    // owner could save them in Superset.
    await withMetadataDb(async (db) => {
      await db.query(sql`
        INSERT INTO sql_metrics (id, created_on, changed_on, metric_name, table_id, expression, uuid)
        VALUES (2201, now(), now(), 'probe_stacked', 1, 'COUNT(*)) FROM sales.orders; DELETE FROM sales.orders WHERE (1 = 1', gen_random_uuid()),
               (2202, now(), now(), 'probe_comment', 1, 'COUNT(*) -- ) FROM sales.orders; DELETE FROM sales.orders', gen_random_uuid()),
               (2203, now(), now(), 'probe_union', 1, 'COUNT(*) FROM sales.orders UNION SELECT 1', gen_random_uuid())`)
      await db.query(sql`
        INSERT INTO table_columns (id, created_on, changed_on, table_id, column_name, expression, is_active, uuid)
        VALUES (2201, now(), now(), 1, 'probe_calc', '1); DELETE FROM sales.orders; SELECT (1', true, gen_random_uuid())`)
    })
  })
  afterAll(async () => {
    await withMetadataDb(async (db) => {
      await db.query(sql`DELETE FROM sql_metrics WHERE id = ANY(${probes})`)
      await db.query(sql`DELETE FROM table_columns WHERE id = 2201`)
    })
  })

  it('refuses saved metrics and calculated columns that hide a statement, a comment or a clause', async () => {
    for (const metric of ['probe_stacked', 'probe_comment', 'probe_union']) {
      await expect(query('admin', { dataset_id: 1, metrics: [metric] })).rejects.toMatchObject({
        type: 'ValidationError',
        details: { reason: 'unsafe_sql_expression', origin: 'saved metric' },
      })
    }
    await expect(query('admin', { dataset_id: 1, columns: ['probe_calc'] })).rejects.toMatchObject({
      type: 'ValidationError',
      details: { reason: 'unsafe_sql_expression', origin: 'calculated column' },
    })
    expect(await orderCount()).toBe(orders)
  })

  it('reads metric, column, filter and order names only as names of the dataset', async () => {
    const attempts = [
      { metrics: ['count) FROM sales.orders; DELETE FROM sales.orders; --'] },
      { columns: ['region" FROM sales.orders; DELETE FROM sales.orders; --'] },
      { metrics: ['count'], filters: [{ col: '1=1 OR region', op: '==', val: 'EMEA' }] },
      { metrics: ['count'], order_by: ['(SELECT pg_sleep(5))'] },
      { metrics: ['count'], time_range: 'Last week', time_column: 'order_date; DROP TABLE sales.orders' },
    ]
    for (const attempt of attempts) {
      await expect(query('admin', { dataset_id: 1, ...attempt })).rejects.toMatchObject({
        type: 'ValidationError',
      })
    }
    expect(await orderCount()).toBe(orders)
  })

  it('refuses ad-hoc SQL metrics, columns and filter objects: this tool takes names only', async () => {
    const attempts = [
      { metrics: [{ expressionType: 'SQL', sqlExpression: 'pg_sleep(5)', label: 'x' }] },
      { columns: [{ sqlExpression: "pg_read_file('/etc/passwd')", label: 'x' }] },
      { metrics: ['count'], filters: [{ col: 'region', op: '==', val: { sqlExpression: '1=1' } }] },
      { metrics: ['count'], filters: [{ col: 'region', op: "= 'EMEA' OR 1=1 --", val: 'x' }] },
    ]
    for (const attempt of attempts) {
      await expect(query('admin', { dataset_id: 1, ...attempt })).rejects.toMatchObject({
        type: 'ValidationError',
      })
    }
  })

  it('binds filter values: quotes, statements and function calls in them match nothing', async () => {
    for (const val of [
      "EMEA' OR '1'='1",
      "'; DELETE FROM sales.orders; --",
      "EMEA') UNION SELECT pg_sleep(5) --",
      ['EMEA', "x') OR (1=1"],
    ]) {
      const op = Array.isArray(val) ? 'IN' : '=='
      const result = await query('ivan', {
        dataset_id: 1,
        metrics: ['count'],
        columns: ['region'],
        filters: [{ col: 'region', op, val }],
      })
      // The IN list still matches its literal 'EMEA'; nothing else matches.
      expect(result.data.map((row: any) => row.region)).toEqual(Array.isArray(val) ? ['EMEA'] : [])
    }
    expect(await orderCount()).toBe(orders)
  })

  it("keeps row-level security: a filter cannot widen ivan's EMEA-only rows", async () => {
    const result = await query('ivan', {
      dataset_id: 1,
      metrics: ['count'],
      columns: ['region'],
      filters: [{ col: 'region', op: 'IN', val: ['EMEA', 'NA', 'APAC', 'LATAM'] }],
    })
    expect(result.data.map((row: any) => row.region)).toEqual(['EMEA'])
  })

  it('reads time ranges as time ranges only', async () => {
    await expect(
      query('admin', {
        dataset_id: 1,
        metrics: ['count'],
        time_range: "2026-01-01'; DELETE FROM sales.orders; -- : now",
      }),
    ).rejects.toMatchObject({ type: 'ValidationError' })
    expect(await orderCount()).toBe(orders)
  })
})

describe('create_dataset attacks', () => {
  const odd = 'odd"; DROP TABLE sales.orders; --'
  const created: number[] = []
  let orders: number
  beforeAll(async () => {
    orders = await orderCount()
    // A real table whose name is itself an injection attempt: it must be registered as exactly that name.
    await withAnalyticsSuperuser(async (db) => {
      await db.query(sql`CREATE TABLE IF NOT EXISTS scratch."odd""; DROP TABLE sales.orders; --" (n int)`)
      // What the demo grants every analytics table (scripts/lib/database.ts).
      await db.query(sql`GRANT SELECT ON scratch."odd""; DROP TABLE sales.orders; --" TO mcp_analyst`)
    })
  })
  afterAll(async () => {
    await withMetadataDb(async (db) => {
      await db.query(sql`DELETE FROM sqlatable_user WHERE table_id = ANY(${created})`)
      await db.query(sql`DELETE FROM tables WHERE id = ANY(${created})`)
    })
    await withAnalyticsSuperuser((db) =>
      db.query(sql`DROP TABLE IF EXISTS scratch."odd""; DROP TABLE sales.orders; --"`),
    )
  })

  it('reads schema and table names as names: injected SQL finds no table and runs nothing', async () => {
    const attempts = [
      { schema: 'sales', table_name: 'orders; DROP TABLE sales.orders' },
      { schema: 'sales', table_name: 'orders" ; DELETE FROM sales.orders; --' },
      { schema: "sales'; DROP SCHEMA sales CASCADE; --", table_name: 'orders' },
      { schema: 'sales', table_name: "orders') UNION SELECT 1 --" },
    ]
    for (const attempt of attempts) {
      await expect(callAs('admin', 'create_dataset', { database_id: 3, ...attempt })).rejects.toMatchObject({
        type: 'NotFoundError',
        details: { error_type: 'TableNotFoundError' },
      })
    }
    expect(await orderCount()).toBe(orders)
  })

  it('registers a table with a hostile quoted name as exactly that name, and queries it safely', async () => {
    const result = await callAs('admin', 'create_dataset', {
      database_id: 3,
      schema: 'scratch',
      table_name: odd,
    })
    created.push(result.id)
    expect(result.table_name).toBe(odd)
    const data = await callAs('admin', 'query_dataset', { dataset_id: result.id, metrics: ['count'] })
    expect(data.data).toEqual([{ count: 0 }])
    expect(await orderCount()).toBe(orders)
  })

  it('refuses a second dataset on a table that already has one, whatever catalog or default schema it names (its RLS would not apply)', async () => {
    // Dataset 2 (examples: sales.customers) hides test accounts from everyone but admin (RLS filter 5).
    // A second dataset on the same table carries no filter: alice could read the hidden rows through it.
    const attempts = [
      { database_id: 1, schema: 'sales', catalog: 'examples', table_name: 'customers' },
      { database_id: 1, schema: 'sales', catalog: 'elsewhere', table_name: 'customers' },
    ]
    for (const attempt of attempts) {
      const result = callAs('alice', 'create_dataset', attempt).then((answer: any) => {
        created.push(answer.id)
        return answer
      })
      await expect(result, JSON.stringify(attempt)).rejects.toMatchObject({
        type: 'ConflictError',
        details: { error_type: 'DatasetExistsError', resource_id: 2 },
      })
    }
    // A table of the default schema: registered as "public", then again with the schema left out.
    await withAnalyticsSuperuser(async (db) => {
      await db.query(sql`CREATE TABLE IF NOT EXISTS public.dev_rls_probe (n int)`)
      await db.query(sql`GRANT SELECT ON public.dev_rls_probe TO mcp_analyst`)
    })
    try {
      const first = await callAs('admin', 'create_dataset', {
        database_id: 3,
        schema: 'public',
        table_name: 'dev_rls_probe',
      })
      created.push(first.id)
      const again = callAs('admin', 'create_dataset', { database_id: 3, table_name: 'dev_rls_probe' }).then(
        (answer: any) => {
          created.push(answer.id)
          return answer
        },
      )
      await expect(again).rejects.toMatchObject({
        type: 'ConflictError',
        details: { error_type: 'DatasetExistsError', resource_id: first.id },
      })
    } finally {
      await withAnalyticsSuperuser((db) => db.query(sql`DROP TABLE IF EXISTS public.dev_rls_probe`))
    }
  })

  it('answers a table whose dataset the caller may not see exactly as a table without one: access refused, no id', async () => {
    const cleanups = [
      await createRole('Probe Dataset Writer', [
        { permission: 'can_write', view: 'Dataset' },
        { permission: 'can_read', view: 'Dataset' },
        { permission: 'schema_access', view: '[examples].[marketing]' },
      ]),
    ]
    cleanups.push(await createUser('probe_writer', ['Gamma', 'Probe Dataset Writer']))
    try {
      // hr.employees has dataset 6, hidden from this writer; hr.no_dataset_here has none.
      for (const table_name of ['employees', 'no_dataset_here']) {
        const result = callAs('probe_writer', 'create_dataset', { database_id: 1, schema: 'hr', table_name })
        await expect(result, table_name).rejects.toMatchObject({
          type: 'PermissionDeniedError',
          details: { reason: 'TABLE_SECURITY_ACCESS_ERROR', tables: [`hr.${table_name}`] },
        })
        await expect(result).rejects.not.toMatchObject({ message: expect.stringContaining('id 6') })
      }
    } finally {
      for (const cleanup of cleanups.reverse()) await cleanup()
    }
  })

  it("refuses DDL targets in the server's own schemas", async () => {
    for (const [schema, table] of [
      ['pg_catalog', 'pg_authid'],
      ['information_schema', 'tables'],
      ['pg_toast', 'pg_toast_2619'],
    ] as const) {
      await expect(
        callAs('admin', 'create_dataset', { database_id: 3, schema, table_name: table }),
      ).rejects.toMatchObject({ type: 'ValidationError', details: { reason: 'system_schema' } })
    }
  })

  it("refuses brackets in a catalog or schema: they would forge the shape of the dataset's permission names", async () => {
    for (const names of [{ catalog: 'x].[sales' }, { catalog: '[examples]' }, { schema: 'sales].[public' }]) {
      await expect(
        callAs('admin', 'create_dataset', { database_id: 1, table_name: 'customers', ...names }),
      ).rejects.toMatchObject({ type: 'ValidationError', message: expect.stringContaining("'[' or ']'") })
    }
    expect(
      await withMetadataDb((db) =>
        db.query(
          sql`SELECT id FROM tables WHERE catalog LIKE '%]%' OR schema LIKE '%]%' OR catalog LIKE '%[%'`,
        ),
      ),
    ).toEqual([])
  })
})

describe('update_dataset_metric attacks', () => {
  let metricId: number
  const expression = () =>
    withMetadataDb(async (db) => {
      const [row] = await db.query<{ expression: string }>(
        sql`SELECT expression FROM sql_metrics WHERE id = ${metricId}`,
      )
      return row!.expression
    })
  beforeAll(async () => {
    metricId = 2220
    await withMetadataDb((db) =>
      db.query(sql`INSERT INTO sql_metrics (id, created_on, changed_on, metric_name, table_id, expression, uuid)
                   VALUES (2220, now(), now(), 'attack_probe', 1, 'SUM(order_total)', gen_random_uuid())`),
    )
  })
  afterAll(() => withMetadataDb((db) => db.query(sql`DELETE FROM sql_metrics WHERE id = 2220`)))

  it('refuses expressions with statements, subqueries, comments, templates and dangerous functions; nothing is stored', async () => {
    const orders = await orderCount()
    for (const attack of [
      'SUM(order_total)) FROM sales.orders; DELETE FROM sales.orders; SELECT (1',
      'SUM(order_total); DROP TABLE sales.orders',
      '(SELECT max(salary) FROM hr.employees)',
      'SUM(order_total) + (SELECT count(*) FROM pg_catalog.pg_authid)',
      'EXISTS (SELECT 1 FROM sales.orders)',
      'pg_sleep(5)',
      'SUM(order_total) + pg_sleep(5)',
      "dblink('host=evil', 'DELETE FROM sales.orders')",
      "pg_read_file('/etc/passwd')",
      "lo_import('/etc/passwd')",
      "set_config('statement_timeout', '0', false)",
      'SUM(order_total) -- ) FROM sales.orders; DELETE FROM sales.orders',
      'SUM(order_total) /* hidden */',
      '{{ current_username() }}',
      'SUM(order_total) AS x, COUNT(*)',
    ]) {
      const result = await callAs('admin', 'update_dataset_metric', {
        dataset_id: 1,
        metric: 'attack_probe',
        expression: attack,
      })
      expect(result, attack).toMatchObject({ metric: null, error: expect.stringContaining('cannot be used') })
      expect(await expression()).toBe('SUM(order_total)')
    }
    expect(await orderCount()).toBe(orders)
  })

  it('stores an allowed aggregate as it was checked: built-ins pg_catalog-qualified, as they will run', async () => {
    const result = await callAs('admin', 'update_dataset_metric', {
      dataset_id: 1,
      metric: 'attack_probe',
      expression: "SUM(CASE WHEN lower(status) <> 'cancelled' THEN order_total ELSE 0 END)",
    })
    expect(result.error).toBeNull()
    const stored =
      "pg_catalog.SUM(CASE WHEN pg_catalog.lower(status) <> 'cancelled' THEN order_total ELSE 0 END)"
    expect(await expression()).toBe(stored)
    expect(result.metric.expression).toBe(stored)
    const data = await callAs('admin', 'query_dataset', { dataset_id: 1, metrics: ['attack_probe'] })
    expect(Number(data.data[0].attack_probe)).toBeGreaterThan(0)
  })
})
