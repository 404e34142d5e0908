/**
 * Issue 14's reproductions, and variants of each class, tried from the attacker's side through the
 * tools: SQL hidden in function arguments (execute_sql, ad-hoc chart expressions, saved chart params),
 * DDL aimed at schemas the caller may not use, databases the caller may not see, side-effecting and
 * leaking built-ins, settings the SQL tries to change, runaway queries, and a privileged connection.
 * Each must end in a clear, specific refusal (never a 500), and leave nothing behind.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { exports } from 'cloudflare:workers'
import { sql } from '../../src/db'
import { callAs } from '../helpers/call-as'
import { createRole, createUser, withAnalyticsSuperuser, withMetadataDb } from '../helpers/db'
import { relaxLimits } from '../helpers/limits'

relaxLimits()

const execute = (user: string, request: Record<string, unknown>, overrides: Record<string, string> = {}) =>
  callAs(user, 'execute_sql', request, overrides)
const examples = (text: string, extra: Record<string, unknown> = {}) => ({
  database_id: 1,
  sql: text,
  ...extra,
})
const scratchpad = (text: string) => ({ database_id: 3, sql: text })
const engine = inject('stack').engine

/**
 * Refused before anything ran: as in Superset 6.1 (its executor's SupersetSecurityException), an in-band
 * answer with success false, error_type "failed" and an error naming what was refused.
 */
async function expectRefused(call: Promise<unknown>, message: RegExp | string): Promise<void> {
  await expect(call).resolves.toMatchObject({
    success: false,
    error_type: 'failed',
    error: typeof message === 'string' ? expect.stringContaining(message) : expect.stringMatching(message),
  })
}

/**
 * Refused before anything ran, in update_chart_preview's 6.1 answer (chart/tool/update_chart_preview.py
 * answers every failure in-band): no chart, success false, "Chart preview update failed: …".
 */
async function expectPreviewRefused(call: Promise<unknown>, message: string): Promise<void> {
  const answer = (await call) as { chart: unknown; success: boolean; error: string }
  expect(answer).toMatchObject({ chart: null, success: false })
  expect(answer.error).toMatch(/^Chart preview update failed: /)
  expect(answer.error).toContain(message)
}

const SQL_IN_STRINGS = [
  "SELECT * FROM ts_stat('SELECT to_tsvector(first_name || '' '' || salary) FROM hr.employees')",
  "SELECT ts_rewrite('a'::tsquery, 'SELECT salary::text::tsquery, ''x''::tsquery FROM hr.employees')",
  "SELECT query_to_xml('SELECT * FROM hr.employees', true, true, '')",
  "SELECT * FROM ts_stat('SELECT pg_read_file(''/etc/passwd'')::tsvector')",
]

describe('SQL given to functions as text', () => {
  it.each(SQL_IN_STRINGS)('execute_sql refuses %s, for a user who may read sales only', async (text) => {
    await expectRefused(
      execute('bob', examples(text)),
      /is not allowed, because it runs SQL or reads a relation/,
    )
  })

  it('and for the admin, who may read everything: SQL in a string is never run', async () => {
    for (const text of SQL_IN_STRINGS) {
      await expectRefused(execute('admin', examples(text)), 'is not allowed')
    }
  })

  it('an ad-hoc metric of update_chart_preview cannot read other regions past RLS (ivan: EMEA only)', async () => {
    const config = {
      chart_type: 'xy',
      kind: 'bar',
      x: { name: 'region' },
      y: [
        {
          name: 'order_total',
          sql_expression:
            "max((SELECT string_agg(word, ',') FROM ts_stat('SELECT region::tsvector FROM sales.orders')))",
          label: 'leak',
        },
      ],
    }
    await expectPreviewRefused(
      callAs('ivan', 'update_chart_preview', {
        form_data_key: 'k',
        dataset_id: 1,
        config,
        preview_formats: ['table'],
      }),
      'cannot be used',
    )
    const hidden = {
      ...config,
      y: [{ name: 'order_total', sql_expression: "max(ts_stat('SELECT 1')::text)", label: 'leak' }],
    }
    await expectPreviewRefused(
      callAs('ivan', 'update_chart_preview', {
        form_data_key: 'k',
        dataset_id: 1,
        config: hidden,
        preview_formats: ['table'],
      }),
      'ts_stat() is not allowed',
    )
  })

  it.each([
    ['max(pg_sleep(5)::text)', 'pg_sleep() is not allowed'],
    [
      "count(*) FILTER (WHERE set_config('statement_timeout', '0', false) IS NOT NULL)",
      'set_config() is not allowed',
    ],
    ["max(pg_stat_get_live_tuples('hr.employees'::regclass))", 'not allowed'],
    ["sum(length(pg_read_file('/etc/passwd')))", 'pg_read_file() is not allowed'],
  ])('an ad-hoc chart expression cannot call %s', async (expression, message) => {
    const config = {
      chart_type: 'xy',
      kind: 'bar',
      x: { name: 'region' },
      y: [{ name: 'order_total', sql_expression: expression, label: 'm' }],
    }
    await expect(
      callAs('bob', 'update_chart_preview', {
        form_data_key: 'k',
        dataset_id: 1,
        config,
        preview_formats: ['table'],
      }),
      message,
    )
  })

  it('create_virtual_dataset stores the SQL it checked, built-ins qualified', async () => {
    const created = await callAs('admin', 'create_virtual_dataset', {
      database_id: 1,
      sql: 'SELECT region, lower(region) AS r, count(*) AS n FROM sales.orders GROUP BY 1, 2;',
      table_name: 'qualified_dataset',
    })
    const [row] = await withMetadataDb((db) =>
      db.query<{ sql: string }>(sql`SELECT sql FROM tables WHERE id = ${created.id}`),
    )
    expect(row!.sql).toBe(
      'SELECT region, pg_catalog.lower(region) AS r, pg_catalog.count(*) AS n FROM sales.orders GROUP BY 1, 2',
    )
  })

  it('create_virtual_dataset does not store SQL that hides SQL in a string, and stores nothing', async () => {
    for (const text of SQL_IN_STRINGS.slice(0, 2)) {
      await expect(
        callAs('admin', 'create_virtual_dataset', { database_id: 1, sql: text, table_name: 'leaky_dataset' }),
      ).resolves.toMatchObject({
        // 6.1 dataset/tool/create_virtual_dataset.py: DatasetDataAccessIsNotAllowed is answered in-band.
        id: null,
        columns: [],
        error: expect.stringContaining('is not allowed'),
      })
    }
    const [row] = await withMetadataDb((db) =>
      db.query<{ n: number }>(sql`SELECT count(*)::int AS n FROM tables WHERE table_name = 'leaky_dataset'`),
    )
    expect(row!.n).toBe(0)
  })

  describe('a chart saved with such a metric (in Superset, by anyone who may save charts)', () => {
    let chartId: number
    beforeAll(async () => {
      const leak = "max(ts_stat('SELECT region::tsvector FROM sales.orders')::text)"
      chartId = await withMetadataDb(async (db) => {
        const [row] = await db.query<{ id: number }>(sql`
          INSERT INTO slices (created_on, changed_on, slice_name, datasource_type, datasource_name, viz_type, params,
                              created_by_fk, changed_by_fk, perm, datasource_id, schema_perm, uuid, query_context)
          SELECT now(), now(), 'Leaky AOV', datasource_type, datasource_name, viz_type,
                 replace(params, 'SUM(order_total) / NULLIF(COUNT(*), 0)', ${leak}), created_by_fk, changed_by_fk,
                 perm, datasource_id, schema_perm, gen_random_uuid(),
                 replace(query_context, 'SUM(order_total) / NULLIF(COUNT(*), 0)', ${leak})
            FROM slices WHERE id = 11
          RETURNING id`)
        return row!.id
      })
    })
    afterAll(() => withMetadataDb((db) => db.query(sql`DELETE FROM slices WHERE id = ${chartId}`)))

    it.each(['ivan', 'bob', 'admin'])('does not run for %s', async (user) => {
      await expect(callAs(user, 'get_chart_data', { identifier: chartId })).rejects.toMatchObject({
        type: 'ValidationError',
        message: expect.stringContaining('ts_stat() is not allowed'),
      })
    })
  })
})

describe('DDL targets and databases the caller may not use', () => {
  const cleanups: (() => Promise<void>)[] = []
  beforeAll(async () => {
    cleanups.push(
      await createRole('Scratch Writer', [{ permission: 'schema_access', view: '[scratchpad].[scratch]' }]),
    )
    cleanups.push(await createUser('sam', ['Gamma', 'sql_lab', 'Scratch Writer']))
  })
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup()
    await withAnalyticsSuperuser((db) => db.query(sql`DROP TABLE IF EXISTS scratch.sam_notes`))
  })

  it('lets sam create and use a table in the schema he may use', async () => {
    const created = await execute(
      'sam',
      scratchpad("CREATE TABLE scratch.sam_notes (note text); INSERT INTO scratch.sam_notes VALUES ('hi')"),
    )
    expect(created).toMatchObject({ success: true })
    expect((await execute('sam', scratchpad('SELECT note FROM scratch.sam_notes'))).rows).toEqual([
      { note: 'hi' },
    ])
  })

  it.each([
    ['CREATE TABLE hr.sam_copy (a int)', 'hr.sam_copy'],
    ['CREATE TABLE sam_public (a int)', 'public.sam_public'],
    ['CREATE INDEX sam_idx ON hr.employees (salary)', 'hr.employees'],
    ['CREATE SEQUENCE hr.sam_seq', 'hr.sam_seq'],
    ['CREATE TABLE scratch.sam_like (LIKE hr.employees)', 'hr.employees'],
    ['CREATE TABLE scratch.sam_child () INHERITS (hr.employees)', 'hr.employees'],
    ['CREATE VIEW scratch.sam_view AS SELECT * FROM hr.employees', 'hr.employees'],
    ['CREATE TABLE scratch.sam_ctas AS SELECT * FROM finance.gl_entries', 'finance.gl_entries'],
    ['SELECT * INTO scratch.sam_into FROM hr.employees', 'hr.employees'],
    ['CREATE TABLE scratch.sam_fk (id int REFERENCES hr.employees (employee_id))', 'hr.employees'],
  ])('refuses %s', async (text, table) => {
    await expect(execute('sam', scratchpad(text))).resolves.toMatchObject({
      success: false,
      error_type: 'failed',
      error: expect.stringContaining(table),
    })
  })

  // A WITH query never stands for a statement's target: PostgreSQL writes (or creates) the real relation.
  it.each([
    ['WITH employees AS (SELECT 1) UPDATE employees SET salary = salary RETURNING *', 'hr.employees'],
    [
      "WITH employees AS (SELECT 1) INSERT INTO employees (first_name) VALUES ('x') RETURNING *",
      'hr.employees',
    ],
    ['WITH employees AS (SELECT 1) DELETE FROM employees WHERE false RETURNING *', 'hr.employees'],
    [
      'WITH employees AS (SELECT 1) MERGE INTO employees e USING (SELECT 1 AS x) s ON false WHEN NOT MATCHED THEN DO NOTHING',
      'hr.employees',
    ],
    [
      'WITH employees AS (SELECT 1), d AS (DELETE FROM employees WHERE false RETURNING *) SELECT * FROM d',
      'hr.employees',
    ],
    ['WITH sam_stolen AS (SELECT 1) SELECT * INTO sam_stolen FROM scratch.sam_notes', 'hr.sam_stolen'],
  ])('refuses a target shadowed by a WITH query: %s', async (text, table) => {
    await expect(execute('sam', { ...scratchpad(text), schema: 'hr' })).resolves.toMatchObject({
      success: false,
      error_type: 'failed',
      error: expect.stringContaining(table),
    })
  })

  it('refuses a temporary table shadowed by a WITH query to callers without access to the whole database', async () => {
    await expectRefused(
      execute('sam', scratchpad('WITH sam_tmp AS (SELECT 1) SELECT 1 AS x INTO TEMP sam_tmp')),
      'temporary tables need access to the whole database',
    )
  })

  it("never lets one call's temporary table stand in for a table of a later call", async () => {
    // The admin may create temporary tables; the embedded database has one session for every caller.
    await execute('admin', scratchpad("CREATE TEMP TABLE sam_notes AS SELECT 'forged' AS note"))
    expect(
      (await execute('sam', { ...scratchpad('SELECT note FROM sam_notes'), schema: 'scratch' })).rows,
    ).toEqual([{ note: 'hi' }])
    await execute('admin', scratchpad("CREATE TEMP TABLE sam_ghost AS SELECT 'secret' AS note"))
    expect(
      await execute('sam', { ...scratchpad('SELECT note FROM sam_ghost'), schema: 'scratch' }),
    ).toMatchObject({
      success: false,
      rows: null,
      error: expect.stringContaining('relation "sam_ghost" does not exist'),
    })
    // The next call that commits leaves no temporary table in the session at all.
    await execute('sam', scratchpad('SELECT 1'))
    const temporary = await withAnalyticsSuperuser((db) =>
      db.query(sql`SELECT 1 FROM pg_class WHERE relpersistence = 't' AND relname LIKE 'sam\_%'`),
    )
    expect(temporary).toEqual([])
  })

  it('left no object behind', async () => {
    const found = await withAnalyticsSuperuser((db) =>
      db.query<{ name: string }>(sql`
        SELECT n.nspname || '.' || c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE c.relname LIKE 'sam\\_%' AND c.relname <> 'sam_notes'`),
    )
    expect(found).toEqual([])
  })

  it('refuses temporary tables and the server catalogs to callers without access to the whole database', async () => {
    await expectRefused(
      execute('sam', scratchpad('CREATE TEMP TABLE t AS SELECT 1')),
      'temporary tables need access to the whole database',
    )
    await expectRefused(
      execute('bob', examples('SELECT relname, reltuples FROM pg_class')),
      'catalogs can only be read with access to the whole database',
    )
    await expectRefused(
      execute('bob', examples('SELECT * FROM information_schema.columns')),
      'catalogs can only be read',
    )
  })

  it('does not run on a database the caller may not see, as save_sql_query and open_sql_lab_with_context', async () => {
    await expect(execute('bob', scratchpad('SELECT 1'))).resolves.toMatchObject({
      success: false,
      error_type: 'DATABASE_NOT_FOUND_ERROR',
    })
    await expect(
      callAs('bob', 'open_sql_lab_with_context', { database_connection_id: 3 }),
    ).rejects.toMatchObject({
      type: 'NotFoundError',
    })
  })
})

describe('built-ins with side effects, and what leaks server state', () => {
  it.each([
    "SELECT pg_create_physical_replication_slot('mcp_attack_slot')",
    "SELECT pg_create_logical_replication_slot('mcp_attack_slot', 'pgoutput')",
    "SELECT lo_from_bytea(0, 'persisted')",
    'SELECT lo_create(0)',
    'SELECT pg_stat_reset()',
    "SELECT pg_notify('channel', 'x')",
    'SELECT pg_try_advisory_lock(1)',
    'SELECT pg_advisory_xact_lock(1)',
    "SELECT nextval('scratch.any_seq')",
    "SELECT set_config('statement_timeout', '0', false)",
    'SELECT * FROM pg_ls_waldir()',
    "SELECT * FROM pg_ls_dir('.')",
    'SELECT * FROM pg_show_all_file_settings()',
    'SELECT * FROM pg_stat_get_activity(NULL)',
    "SELECT current_setting('data_directory')",
    "SELECT pg_stat_get_live_tuples('hr.employees'::regclass)",
    "SELECT 'hr.employees'::regclass::oid",
    'SELECT pg_backend_pid()',
    'SELECT inet_server_addr()',
  ])('refuses %s, to the admin too', async (text) => {
    await expectRefused(execute('admin', scratchpad(text)), /is not allowed, because/)
  })

  it.each([
    'pg_hba_file_rules',
    'pg_stat_activity',
    'pg_settings',
    'pg_file_settings',
    'pg_stats',
    'pg_authid',
    'pg_roles',
    'pg_replication_slots',
    'pg_largeobject',
  ])('refuses the catalog relation %s, even with access to the whole database', async (relation) => {
    await expectRefused(
      execute('admin', examples(`SELECT * FROM ${relation}`)),
      /pg_catalog\.\w+: pg_catalog\.\w+ is not one of the catalog relations/,
    )
    await expectRefused(
      execute('admin', examples(`SELECT * FROM pg_catalog.${relation}`)),
      'is not one of the catalog relations',
    )
  })

  it('lets callers who may read the whole database read its structure', async () => {
    const tables = await execute(
      'admin',
      examples("SELECT table_name FROM information_schema.tables WHERE table_schema = 'hr' ORDER BY 1"),
    )
    expect(tables.rows).toEqual([{ table_name: 'employees' }])
    const classes = await execute(
      'admin',
      examples("SELECT count(*) > 0 AS any FROM pg_class WHERE relname = 'employees'"),
    )
    expect(classes.rows).toEqual([{ any: true }])
  })

  it('created no slot and no large object', async () => {
    const state = await withAnalyticsSuperuser(async (db) => {
      const [slots] = await db.query<{ n: number }>(sql`SELECT count(*)::int AS n FROM pg_replication_slots`)
      const [objects] = await db.query<{ n: number }>(
        sql`SELECT count(*)::int AS n FROM pg_largeobject_metadata`,
      )
      return { slots: slots!.n, objects: objects!.n }
    })
    expect(state).toEqual({ slots: 0, objects: 0 })
  })
})

describe('settings, roles and runaway queries', () => {
  it.each([
    'SET statement_timeout = 0',
    'SET LOCAL statement_timeout = 0',
    'RESET statement_timeout',
    'RESET ROLE',
    'SET ROLE postgres',
    'SET SESSION AUTHORIZATION postgres',
    'RESET ALL',
    'SELECT 1; SET statement_timeout = 0; SELECT 2',
  ])('refuses %s', async (text) => {
    await expectRefused(execute('admin', scratchpad(text)), 'session and transaction control')
  })

  it('runs as the least-privilege role, not as the connection superuser (the owner of what it creates)', async () => {
    try {
      await execute('admin', scratchpad('CREATE TABLE scratch.role_probe (a int)'))
      const [owner] = await withAnalyticsSuperuser((db) =>
        db.query<{ tableowner: string }>(
          sql`SELECT tableowner FROM pg_tables WHERE schemaname = 'scratch' AND tablename = 'role_probe'`,
        ),
      )
      expect(owner).toEqual({ tableowner: 'mcp_analyst' })
    } finally {
      await withAnalyticsSuperuser((db) => db.query(sql`DROP TABLE IF EXISTS scratch.role_probe`))
    }
  })

  it.each([
    'SELECT current_user',
    'SELECT session_user',
    'SELECT current_catalog',
    'SELECT ctid, xmin, tableoid FROM sales.orders LIMIT 1',
    'SELECT get_current_ts_config()',
  ])('does not reveal the connection: refuses %s', async (text) => {
    await expectRefused(execute('admin', examples(text)), /is not allowed, because/)
  })

  // Each allocated 100 MB or more per row before the timeout could stop it (found by attack, F3).
  it.each([
    ["SELECT length(repeat(repeat('x', 100000), 1000))", '100,000,000 characters'],
    ["SELECT length(replace(repeat('x', 50000), 'x', repeat('y', 100)))", 'characters'],
    ["SELECT length(string_agg(repeat('x', 100000), '')) FROM generate_series(1, 1000)", 'aggregates rows'],
    ["SELECT count(*) FROM string_to_table(repeat(repeat('x,', 50000), 100), ',')", 'characters'],
    ["SELECT count(*) FROM unnest(string_to_array(repeat(repeat('x,', 50000), 100), ','))", 'characters'],
    ["WITH a AS (SELECT repeat('x', 100000) AS v) SELECT length(repeat(v, 100)) FROM a", 'characters'],
    ["SELECT length(format('%--1000000s', 'x'))", 'characters'],
    ['SELECT count(*) FROM generate_series(1e30, 1e30 + 2000000)', '2,000,001 rows'],
    [
      "SELECT count(*) FROM generate_series(now(), now() + interval '1 year', interval '1 month -29 days')",
      'forward and backward',
    ],
    ['SELECT length(repeat(product, 1000)) FROM sales.orders', 'copies of a value it reads'],
  ])('refuses %s before anything runs', async (text, message) => {
    await expectRefused(execute('admin', examples(text)), message)
  })

  it('still runs bounded generated values', async () => {
    const result = await execute(
      'bob',
      examples(
        "SELECT length(repeat('ab', 50000)) AS n, count(*) AS rows FROM generate_series(1, 1000), string_to_table(repeat('x,', 10), ',')",
      ),
    )
    expect(result.rows).toEqual([{ n: 100000, rows: 11000 }])
  })

  it('refuses a chart metric that multiplies generated text, in a preview', async () => {
    await expectPreviewRefused(
      callAs('bob', 'update_chart_preview', {
        form_data_key: 'k',
        dataset_id: 1,
        config: {
          chart_type: 'xy',
          kind: 'bar',
          x: { name: 'region' },
          y: [
            { name: 'order_total', sql_expression: "max(repeat(repeat('x', 100000), 1000))", label: 'big' },
          ],
        },
        preview_formats: ['table'],
      }),
      '100,000,000 characters',
    )
  })

  it('refuses series it cannot size, before anything runs', async () => {
    await expectRefused(
      execute('admin', examples('SELECT count(*) FROM generate_series(1, 1e9)')),
      '1,000,000,000 rows',
    )
    await expectRefused(
      execute(
        'admin',
        examples(
          'SELECT count(*) FROM generate_series(1, (SELECT max(order_id) FROM sales.orders) * 1000000)',
        ),
      ),
      'constant bounds',
    )
  })

  it.runIf(engine === 'postgres')(
    'ends a runaway query within its timeout plus a second, and serves others meanwhile',
    async () => {
      const runaway = 'SELECT count(*) FROM generate_series(1, 1000000) a, generate_series(1, 1000000) b'
      const started = Date.now()
      // A timeout is execute_sql's in-band failure, as Superset 6.1 answers it (error_type timed_out).
      const slow = execute('admin', examples(runaway, { timeout: 2 })).then(
        (result: { success?: boolean; error_type?: string }) =>
          result.success === false ? result.error_type : 'finished',
        (err: { type?: string }) => err.type,
      )
      const other = await execute('bob', examples('SELECT count(*) AS n FROM sales.orders'))
      const otherDone = Date.now() - started
      expect(other.rows).toEqual([{ n: 3000 }])
      expect(await slow).toBe('timed_out')
      const elapsed = Date.now() - started
      expect(otherDone).toBeLessThan(elapsed)
      expect(elapsed).toBeLessThan(3_000)
    },
  )
})

describe('least privilege on the analytics connection', () => {
  const privileged = {
    MCP_ANALYTICS_DATABASE_URLS: JSON.stringify({ examples: inject('stack').analyticsUrl }),
    MCP_ANALYTICS_ROLES: '{}',
  }

  it('refuses every analytics query on a superuser connection, naming the fix', async () => {
    await expect(execute('admin', examples('SELECT 1'), privileged)).rejects.toMatchObject({
      type: 'ConfigurationError',
      message: expect.stringMatching(
        /does not run queries on the analytics database "examples".*superuser.*MCP_ALLOW_PRIVILEGED_SQL_ROLE=true/,
      ),
      details: { reason: 'privileged_sql_role' },
    })
    await expect(callAs('admin', 'get_chart_data', { identifier: 2 }, privileged)).rejects.toMatchObject({
      type: 'ConfigurationError',
    })
  })

  it('runs them when the operator accepts the risk', async () => {
    const result = await execute('admin', examples('SELECT 1 AS one'), {
      ...privileged,
      MCP_ALLOW_PRIVILEGED_SQL_ROLE: 'true',
    })
    expect(result.rows).toEqual([{ one: 1 }])
  })

  it('reports each connection in /health', async () => {
    const response = await exports.default.fetch(new Request('http://localhost/health'))
    const body = (await response.json()) as {
      checks: { analytics: { status: string; databases: Record<string, any> } }
    }
    expect(body.checks.analytics.status).toBe('ok')
    expect(body.checks.analytics.databases.examples).toMatchObject({
      status: 'ok',
      role: 'mcp_analyst',
      privileged: false,
      temp_file_limit: expect.stringMatching(/^(-1|\d+\s?[kMGT]?B)$/),
    })
  })
})
