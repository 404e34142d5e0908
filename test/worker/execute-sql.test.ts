/**
 * execute_sql: Superset 6.1's request/response contract, the SQL Lab access rules (database access or
 * every table, found by the parser in subqueries, CTEs, joins and set operations), read-only
 * enforcement, limits, multi-statement scripts, dry runs, RLS_IN_SQLLAB and sanitised errors.
 */
import { inject } from 'vitest'
import { describe, expect, it } from 'vitest'
import { callAs } from '../helpers/call-as'
import { relaxLimits } from '../helpers/limits'

relaxLimits()

const run = (user: string, request: unknown, overrides: Record<string, string> = {}) =>
  callAs(user, 'execute_sql', request, overrides)
const examples = (sql: string, extra: Record<string, unknown> = {}) => ({ database_id: 1, sql, ...extra })

describe('execute_sql: answers', () => {
  it('answers a SELECT with rows, typed columns and one statement', async () => {
    const result = await run(
      'admin',
      examples(
        'SELECT region, SUM(order_total) AS revenue, COUNT(*) AS orders FROM sales.orders GROUP BY region ORDER BY region',
      ),
    )
    expect(result).toMatchObject({
      success: true,
      row_count: 4,
      affected_rows: null,
      error: null,
      error_type: null,
      multi_statement_warning: null,
      truncated: false,
    })
    expect(result.rows).toEqual([
      { region: 'APAC', revenue: 254977.5, orders: 750 },
      { region: 'EMEA', revenue: 256477.5, orders: 750 },
      { region: 'LATAM', revenue: 224227.5, orders: 750 },
      { region: 'NA', revenue: 252727.5, orders: 750 },
    ])
    expect(result.columns).toEqual([
      { name: 'region', type: 'VARCHAR', is_nullable: null },
      { name: 'revenue', type: 'NUMERIC', is_nullable: null },
      { name: 'orders', type: 'BIGINT', is_nullable: null },
    ])
    expect(result.statements).toHaveLength(1)
    expect(result.statements[0].original_sql).toBe(
      'SELECT region, SUM(order_total) AS revenue, COUNT(*) AS orders FROM sales.orders GROUP BY region ORDER BY region',
    )
    expect(result.statements[0].executed_sql).toMatch(
      /^SELECT \* FROM \(\nSELECT region.*\n\) AS mcp_limited LIMIT 10001$/s,
    )
    expect(result.execution_time).toBeGreaterThanOrEqual(0)
  })

  it('accepts the query and schema aliases; unqualified names resolve in the given schema', async () => {
    const result = await run('bob', {
      database_id: 1,
      query: 'SELECT count(*) AS n FROM orders',
      schema: 'sales',
    })
    expect(result.rows).toEqual([{ n: 3000 }])
    const named = await run('bob', {
      database_id: 1,
      sql: 'SELECT count(*) AS n FROM customers',
      schema_name: 'sales',
    })
    expect(named.rows).toEqual([{ n: 200 }])
  })

  it('caps rows with limit, and warns when the gateway cap of 10,000 rows cuts a result', async () => {
    const limited = await run(
      'admin',
      examples('SELECT order_id FROM sales.orders ORDER BY order_id LIMIT 500', { limit: 3 }),
    )
    expect(limited.rows).toEqual([{ order_id: 100001 }, { order_id: 100002 }, { order_id: 100003 }])
    expect(limited.truncated).toBe(false)
    const capped = await run('admin', examples('SELECT g FROM generate_series(1, 10005) AS g'), {
      MCP_RESPONSE_MAX_BYTES: '5000000',
    })
    expect(capped.row_count).toBe(10000)
    expect(capped.truncated).toBe(true)
    expect(capped.truncation_hint).toMatch(/More than 10000 rows.*LIMIT/)
  })

  it('trims to the response size limit with a hint', async () => {
    const result = await run(
      'admin',
      examples('SELECT * FROM sales.orders ORDER BY order_id', { limit: 1000 }),
    )
    expect(result.row_count).toBeLessThan(1000)
    expect(result.truncated).toBe(true)
    expect(result.truncation_hint).toMatch(/response size limit/)
  })

  it('runs several statements in order and reports each, top-level rows from the last', async () => {
    const result = await run('admin', examples('SELECT 1 AS a; SELECT 2 AS b;'))
    // The last statement's rows are the top-level rows, sent once (README, Differences from Superset 6.1).
    expect(result.statements.map((statement: any) => statement.data?.rows ?? null)).toEqual([
      [{ a: 1 }],
      null,
    ])
    expect(result.rows).toEqual([{ b: 2 }])
    expect(result.multi_statement_warning).toMatch(/2 data-bearing statements/)
  })

  it('returns the SQL it would run on a dry run, without running it', async () => {
    const result = await run('admin', examples('SELECT * FROM sales.orders', { dry_run: true, limit: 5 }))
    expect(result).toMatchObject({ success: true, rows: null, columns: null })
    expect(result.statements).toEqual([
      {
        original_sql: 'SELECT * FROM sales.orders',
        executed_sql: 'SELECT * FROM (\nSELECT * FROM sales.orders\n) AS mcp_limited LIMIT 5',
        row_count: 0,
        execution_time_ms: 0,
        data: null,
      },
    ])
  })

  it('names column types, catalog names and arrays included', async () => {
    const result = await run(
      'admin',
      examples(
        "SELECT relname, ARRAY[1, 2] AS ids, '1 day'::interval AS span FROM pg_class WHERE relname = 'orders'",
      ),
    )
    expect(result.columns.map((column: any) => column.type)).toEqual(['NAME', 'INTEGER[]', 'INTERVAL'])
  })

  it("returns the database's error for the caller's own SQL, sanitised", async () => {
    const result = await run('admin', examples('SELECT no_such_column FROM sales.orders'))
    expect(result).toMatchObject({ success: false, rows: null, error_type: 'failed' })
    expect(result.error).toMatch(/column "no_such_column" does not exist/)
    expect(result.error).not.toMatch(/postgres(ql)?:\/\/|127\.0\.0\.1|mcp_limited/)
    const division = await run('admin', examples('SELECT 1; SELECT 1 / 0'))
    expect(division.error).toMatch(/^Statement 2 failed: division by zero/)
  })

  it('refuses SQL the parser cannot read, and Jinja templates', async () => {
    await expect(run('admin', examples('SELEC 1'))).resolves.toMatchObject({
      success: false,
      error_type: 'failed',
    })
    await expect(run('admin', examples("SELECT '{{ current_username() }}'"))).resolves.toMatchObject({
      success: false,
      error_type: 'failed',
      error: expect.stringContaining('Jinja'),
    })
    // An empty SQL text fails the request's own validation: an error, as in 6.1 (a ToolError there).
    await expect(run('admin', examples('   '))).rejects.toMatchObject({ type: 'ValidationError' })
  })
})

describe('execute_sql: read-only and forbidden statements', () => {
  it.each([
    ['DELETE FROM sales.orders', 'DELETE'],
    ["UPDATE sales.orders SET status = 'x'", 'UPDATE'],
    ['INSERT INTO sales.orders (order_id) VALUES (1)', 'INSERT'],
    ['WITH gone AS (DELETE FROM sales.orders RETURNING *) SELECT count(*) FROM gone', 'SELECT'],
    ['SELECT 1; DELETE FROM sales.orders', 'DELETE'],
    ['CREATE TABLE sales.copy (id int)', 'CREATE'],
  ])('refuses %s on a read-only database with an explanation', async (sql, keyword) => {
    await expect(run('admin', examples(sql))).resolves.toMatchObject({
      success: false,
      error_type: 'failed',
      error: expect.stringMatching(
        new RegExp(`${keyword}.*read-only queries only.*Allow DML.*Nothing was run`),
      ),
    })
  })

  it.each(['DROP TABLE sales.orders', 'TRUNCATE sales.orders', 'ALTER TABLE sales.orders ADD COLUMN x int'])(
    'never runs %s, even where DML is allowed',
    async (sql) => {
      await expect(run('admin', { database_id: 3, sql })).resolves.toMatchObject({
        success: false,
        error_type: 'failed',
        error: expect.stringContaining('DROP, ALTER and TRUNCATE are never run'),
      })
    },
  )

  it('refuses transaction and session control, and functions that escape the checks', async () => {
    for (const sql of [
      'COMMIT',
      'BEGIN',
      'SET statement_timeout = 0',
      'SELECT 1; COMMIT; DELETE FROM sales.orders',
    ]) {
      await expect(run('admin', examples(sql))).resolves.toMatchObject({
        success: false,
        error_type: 'failed',
      })
    }
    for (const sql of [
      "SELECT set_config('statement_timeout', '0', false)",
      "SELECT query_to_xml('select * from hr.employees', true, false, '')",
    ]) {
      await expect(run('admin', examples(sql))).resolves.toMatchObject({
        success: false,
        error_type: 'failed',
      })
    }
    // Dollar quoting is read exactly as the server reads it (PostgreSQL's own scanner): a string, nothing more.
    expect((await run('admin', examples('SELECT $$x; DELETE FROM sales.orders$$ AS s'))).rows).toEqual([
      { s: 'x; DELETE FROM sales.orders' },
    ])
  })

  it('the data is untouched after the refusals', async () => {
    expect((await run('admin', examples('SELECT count(*) AS n FROM sales.orders'))).rows).toEqual([
      { n: 3000 },
    ])
  })

  it('runs DML where the database allows it, in one transaction', async () => {
    const result = await run('admin', {
      database_id: 3,
      sql: "INSERT INTO scratch.sales_targets (region, target_month, target_revenue, owner) VALUES ('EMEA', DATE '2030-01-01', 1, 'mcp-test'); DELETE FROM scratch.sales_targets WHERE owner = 'mcp-test'",
    })
    expect(result).toMatchObject({ success: true, rows: null, affected_rows: 1 })
    expect(result.statements.map((statement: any) => statement.row_count)).toEqual([1, 1])
    expect(
      (await run('admin', { database_id: 3, sql: 'SELECT count(*) AS n FROM scratch.sales_targets' })).rows,
    ).toEqual([{ n: 72 }])
  })
})

describe('execute_sql: table access', () => {
  it('lets bob read the sales tables he has datasets for', async () => {
    const result = await run(
      'bob',
      examples('SELECT count(*) AS n FROM sales.orders o JOIN sales.customers c USING (customer_id)'),
    )
    expect(result.rows).toEqual([{ n: 3000 }])
  })

  it.each([
    ['plainly', 'SELECT * FROM hr.employees'],
    ['in a subquery', 'SELECT count(*) FROM (SELECT * FROM hr.employees) e'],
    ['in a CTE', 'WITH staff AS (SELECT * FROM hr.employees) SELECT count(*) FROM staff'],
    ['behind a CTE of the same name', 'WITH employees AS (SELECT 1) SELECT * FROM hr.employees'],
    ['in a join', 'SELECT o.order_id FROM sales.orders o JOIN hr.employees e ON true LIMIT 1'],
    ['in a UNION', 'SELECT region FROM sales.orders UNION SELECT department FROM hr.employees'],
    ['in a scalar subquery', 'SELECT (SELECT max(salary) FROM hr.employees)'],
    ['in EXISTS', 'SELECT 1 WHERE EXISTS (SELECT 1 FROM hr.employees)'],
    [
      'in a LATERAL join',
      'SELECT * FROM sales.orders o, LATERAL (SELECT salary FROM hr.employees LIMIT 1) s LIMIT 1',
    ],
    [
      'after a string that ends in a backslash',
      "SELECT '\\' , (SELECT salary FROM hr.employees LIMIT 1) --'",
    ],
  ])('refuses hr.employees to bob %s', async (_how, sql) => {
    await expect(run('bob', examples(sql))).resolves.toMatchObject({
      success: false,
      error_type: 'failed',
      error: expect.stringContaining('hr.employees'),
    })
  })

  it('resolves unqualified names in the request schema, with CTE scopes', async () => {
    await expect(
      run('bob', { database_id: 1, schema: 'hr', sql: 'SELECT * FROM employees' }),
    ).resolves.toMatchObject({ success: false, error_type: 'failed' })
    // the outer "employees" is the real table; the inner one is a CTE visible only inside its subquery
    await expect(
      run('bob', {
        database_id: 1,
        schema: 'hr',
        sql: 'SELECT * FROM employees, (WITH employees AS (SELECT 1 AS x) SELECT * FROM employees) s',
      }),
    ).resolves.toMatchObject({
      success: false,
      error_type: 'failed',
      error: expect.stringContaining('hr.employees'),
    })
    const cte = await run('bob', {
      database_id: 1,
      schema: 'hr',
      sql: 'WITH employees AS (SELECT 1 AS x) SELECT * FROM employees',
    })
    expect(cte.rows).toEqual([{ x: 1 }])
  })

  it('does not run on a database the caller may not see (mallory: SQL Lab, no data access), as list_databases', async () => {
    for (const sql of [
      'SELECT count(*) FROM (SELECT * FROM sales.orders) o',
      'WITH x AS (SELECT * FROM hr.employees) SELECT * FROM x',
      'SELECT 1',
    ]) {
      await expect(run('mallory', examples(sql))).resolves.toMatchObject({
        success: false,
        error_type: 'DATABASE_NOT_FOUND_ERROR',
        error: 'Database with ID 1 not found. Use list_databases to get valid database IDs.',
      })
    }
  })

  it('matches datasets on the database too: the same tables through another connection are refused', async () => {
    for (const database_id of [2, 3]) {
      await expect(
        run('bob', { database_id, sql: 'SELECT count(*) FROM sales.orders' }),
      ).resolves.toMatchObject({
        success: false,
        error_type: 'DATABASE_NOT_FOUND_ERROR',
      })
    }
  })

  it('lets dave read his whole database (database_access on finance_dw)', async () => {
    const result = await run('dave', {
      database_id: 2,
      sql: 'SELECT SUM(debit) AS debit, SUM(credit) AS credit FROM finance.gl_entries',
    })
    expect(result.rows).toEqual([{ debit: 3263700, credit: 3264300 }])
    // examples is not a database dave may see: it reads as missing.
    await expect(run('dave', examples('SELECT count(*) FROM sales.orders'))).resolves.toMatchObject({
      success: false,
      error_type: 'DATABASE_NOT_FOUND_ERROR',
    })
  })

  it('refuses callers without database access a function defined in the database', async () => {
    await expect(run('bob', examples('SELECT * FROM sales.orders WHERE x.f(1) = 1'))).resolves.toMatchObject({
      success: false,
      error_type: 'failed',
    })
  })

  it('is hidden from users without can_execute_sql_query on SQLLab', async () => {
    // Over MCP a hidden tool is an unknown one: the protocol error -32602.
    await expect(run('alice', examples('SELECT 1'))).rejects.toMatchObject({
      code: -32602,
      message: expect.stringContaining('Unknown tool: execute_sql'),
    })
  })

  it('refuses a database that does not exist, and a non-PostgreSQL one by name', async () => {
    await expect(run('admin', { database_id: 99, sql: 'SELECT 1' })).resolves.toMatchObject({
      success: false,
      error_type: 'DATABASE_NOT_FOUND_ERROR',
      error: expect.stringContaining('Database with ID 99 not found'),
    })
    await expect(run('admin', { database_id: 4, sql: 'SELECT 1' })).resolves.toMatchObject({
      success: false,
      error_type: 'failed',
      error: expect.stringMatching(/"legacy_mysql".*mysql/),
    })
  })
})

describe('execute_sql: RLS in SQL Lab (MCP_RLS_IN_SQLLAB)', () => {
  const rls = { MCP_RLS_IN_SQLLAB: 'true' }

  it('is off by default, as in Superset', async () => {
    expect((await run('bob', examples('SELECT count(*) AS n FROM sales.customers'))).rows).toEqual([
      { n: 200 },
    ])
  })

  it('filters each table that has a dataset with RLS for the caller, wherever it appears', async () => {
    expect((await run('bob', examples('SELECT count(*) AS n FROM sales.customers'), rls)).rows).toEqual([
      { n: 196 },
    ])
    const nested = await run(
      'bob',
      examples('WITH c AS (SELECT * FROM sales.customers) SELECT count(*) AS n FROM c'),
      rls,
    )
    expect(nested.rows).toEqual([{ n: 196 }])
    const aliased = await run(
      'bob',
      examples(
        'SELECT count(*) AS n FROM sales.orders o JOIN sales.customers AS c ON c.customer_id = o.customer_id',
      ),
      rls,
    )
    expect(aliased.rows).toEqual([{ n: 2940 }])
    const dry = await run('bob', examples('SELECT * FROM sales.customers c', { dry_run: true }), rls)
    expect(dry.statements[0].executed_sql).toContain(
      '(SELECT * FROM sales.customers WHERE ((is_test_account = false))) c',
    )
    // the Admin role is exempt from the Base filter
    expect((await run('admin', examples('SELECT count(*) AS n FROM sales.customers'), rls)).rows).toEqual([
      { n: 200 },
    ])
  })
})

describe('execute_sql: statement timeout', () => {
  it.runIf(inject('stack').engine === 'postgres')(
    'stops a statement that runs past the timeout',
    async () => {
      const runaway = 'SELECT count(*) FROM generate_series(1, 1000000) a, generate_series(1, 1000000) b'
      await expect(run('admin', examples(runaway, { timeout: 1 }))).resolves.toMatchObject({
        success: false,
        error_type: 'timed_out',
        error: expect.stringMatching(/^The analytics database "examples" did not answer within 1000 ms/),
      })
    },
  )
})
