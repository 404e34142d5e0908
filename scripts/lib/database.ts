/**
 * Node-side database chores shared by `npm start`, `npm run db:migrate`, `npm run db:seed`, the tests
 * and the benchmark: gateway migrations, the Superset schema and demo content, the analytics demo.
 */
import { readdir, readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import pg from 'pg'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
export const MIGRATIONS_DIR = `${ROOT}migrations`
export const SEED_DIR = `${ROOT}scripts/seed`
const MIGRATION_FILE = /^(\d{4})_([a-z0-9_]+)\.sql$/
const MIGRATION_LOCK_ID = 7_345_001

export async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await work(client)
  } finally {
    await client.end()
  }
}

export interface MigrationResult {
  applied: string[]
  skipped: string[]
}

/** Applies `migrations/NNNN_name.sql` in order, each in its own transaction, once (forward-only). */
export async function migrate(client: pg.Client): Promise<MigrationResult> {
  const files = (await readdir(MIGRATIONS_DIR)).filter((file) => MIGRATION_FILE.test(file)).sort()
  await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID])
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS mcp_gateway;
      CREATE TABLE IF NOT EXISTS mcp_gateway.schema_migrations (
        version text PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`)
    const done = new Set(
      (await client.query<{ version: string }>('SELECT version FROM mcp_gateway.schema_migrations')).rows.map(
        (row) => row.version,
      ),
    )
    const result: MigrationResult = { applied: [], skipped: [] }
    for (const file of files) {
      const [, version = '', name = ''] = MIGRATION_FILE.exec(file) ?? []
      if (done.has(version)) {
        result.skipped.push(file)
        continue
      }
      const text = await readFile(`${MIGRATIONS_DIR}/${file}`, 'utf8')
      await client.query('BEGIN')
      try {
        await client.query(text)
        await client.query('INSERT INTO mcp_gateway.schema_migrations (version, name) VALUES ($1, $2)', [
          version,
          name,
        ])
        await client.query('COMMIT')
      } catch (err) {
        await client.query('ROLLBACK')
        throw new Error(`migration ${file} failed: ${err instanceof Error ? err.message : String(err)}`, {
          cause: err,
        })
      }
      result.applied.push(file)
    }
    return result
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_ID])
  }
}

/** The optional change feed (migrations/optional/superset_change_feed.sql): idempotent, needs Superset's tables. */
export async function installChangeFeed(client: pg.Client): Promise<void> {
  const text = await readFile(`${MIGRATIONS_DIR}/optional/superset_change_feed.sql`, 'utf8')
  await client.query('BEGIN')
  try {
    await client.query(text)
    await client.query('COMMIT')
  } catch (err) {
    await client.query('ROLLBACK')
    throw new Error(
      `installing the change feed failed: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    )
  }
}

export async function hasSupersetSchema(client: pg.Client): Promise<boolean> {
  const { rows } = await client.query<{ present: boolean }>(
    "SELECT to_regclass('public.dashboards') IS NOT NULL AS present",
  )
  return rows[0]?.present === true
}

export async function hasDemoContent(client: pg.Client): Promise<boolean> {
  if (!(await hasSupersetSchema(client))) return false
  const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM dashboards')
  return Number(rows[0]?.n ?? 0) > 0
}

async function runSqlFile(client: pg.Client, file: string): Promise<void> {
  const text = await readFile(`${SEED_DIR}/${file}`, 'utf8')
  await client.query('BEGIN')
  try {
    await client.query(text)
    await client.query('COMMIT')
  } catch (err) {
    await client.query('ROLLBACK')
    throw new Error(`${file} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err })
  }
}

/**
 * Creates Superset's metadata schema (when absent) and loads the demo content. Refuses a database that
 * already holds dashboards, so a real Superset database is never mixed with demo rows.
 */
export async function seedSuperset(
  client: pg.Client,
  options: { relativeTo?: Date } = {},
): Promise<'seeded' | 'already-seeded'> {
  if (await hasDemoContent(client)) return 'already-seeded'
  if (!(await hasSupersetSchema(client))) await runSqlFile(client, 'superset-schema.sql')
  await runSqlFile(client, 'superset-demo.sql')
  if (options.relativeTo !== undefined) await shiftDemoLogs(client, options.relativeTo)
  return 'seeded'
}

/**
 * Moves the demo's action log (written with fixed 2026 dates) whole days later, so that its newest entry
 * is from the day before `today`: list_action_logs, which covers the last 7 days unless told otherwise,
 * then has entries on a fresh demo. Never backwards.
 */
export async function shiftDemoLogs(client: pg.Client, today: Date): Promise<void> {
  const { rows } = await client.query<{ days: number | null }>(
    `SELECT floor(extract(epoch FROM ($1::timestamp - max(dttm))) / 86400)::int - 1 AS days FROM logs`,
    [today.toISOString().replace('Z', '')],
  )
  const days = rows[0]?.days ?? 0
  if (days > 0) await client.query(`UPDATE logs SET dttm = dttm + make_interval(days => $1::int)`, [days])
}

/**
 * Loads the demo analytics data (schemas sales, marketing, hr, finance, scratch) when absent, and
 * (every time: older data directories predate it) the least-privilege role the gateway runs as.
 */
export async function seedAnalytics(
  client: pg.Client,
  options: { relativeTo?: Date } = {},
): Promise<'seeded' | 'already-seeded'> {
  const { rows } = await client.query<{ present: boolean }>(
    "SELECT to_regclass('sales.orders') IS NOT NULL AS present",
  )
  const seeded = rows[0]?.present === true ? 'already-seeded' : 'seeded'
  if (seeded === 'seeded') {
    await runSqlFile(client, 'analytics-demo.sql')
    if (options.relativeTo !== undefined) await shiftDemoDates(client, demoShiftMonths(options.relativeTo))
  }
  await grantDemoAnalyticsRole(client)
  return seeded
}

/** The last month the demo data covers as written (scripts/seed/README.md): orders up to 2026-06-30. */
export const DEMO_LAST_MONTH = { year: 2026, month: 6 }

/**
 * Whole months to move the demo data so that its last month is the one before `today`'s: "last month"
 * and "last quarter" then have rows, and every month keeps its shape (weekday patterns aside). Never
 * backwards.
 */
export function demoShiftMonths(today: Date): number {
  const current = today.getUTCFullYear() * 12 + today.getUTCMonth() + 1
  const last = DEMO_LAST_MONTH.year * 12 + DEMO_LAST_MONTH.month
  return Math.max(0, current - 1 - last)
}

/** Moves every date and timestamp of the demo schemas `months` months later. */
export async function shiftDemoDates(client: pg.Client, months: number): Promise<void> {
  if (months <= 0) return
  const { rows } = await client.query<{ schema: string; table: string; column: string; type: string }>(`
    SELECT c.table_schema AS schema, c.table_name AS table, c.column_name AS column, c.data_type AS type
      FROM information_schema.columns c JOIN information_schema.tables t
        ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
     WHERE c.table_schema IN ('sales', 'marketing', 'hr', 'finance', 'scratch')
       AND (c.data_type = 'date' OR c.data_type LIKE 'timestamp%')`)
  const quote = (name: string) => `"${name.replaceAll('"', '""')}"`
  const byTable = new Map<string, { column: string; type: string }[]>()
  for (const row of rows) {
    const key = `${quote(row.schema)}.${quote(row.table)}`
    byTable.set(key, [...(byTable.get(key) ?? []), row])
  }
  // Through a far-away detour (a thousand years on, then back), so no row ever lands on a date another
  // row still holds: keys such as (region, target_month) are checked row by row during an UPDATE.
  const detour = 12_000
  for (const [table, columns] of byTable) {
    for (const step of [months + detour, -detour]) {
      const sets = columns.map(({ column, type }) =>
        type === 'date'
          ? `${quote(column)} = (${quote(column)} + interval '${step} months')::date`
          : `${quote(column)} = ${quote(column)} + interval '${step} months'`,
      )
      await client.query(`UPDATE ${table} SET ${sets.join(', ')}`)
    }
  }
}

/** The Superset database names (dbs.database_name) the demo analytics database serves. */
export const DEMO_ANALYTICS_DATABASES = ['examples', 'finance_dw', 'scratchpad'] as const

/**
 * The role the demo's analytics queries run as: it may read the demo schemas and write the scratch
 * schema (the scratchpad database allows DML), and nothing else — no superuser, no server files.
 * docs/DEPLOYMENT.md ("Least privilege") gives the same recipe for a real database.
 */
export const DEMO_ANALYTICS_ROLE = 'mcp_analyst'

const DEMO_SCHEMAS = 'sales, marketing, hr, finance, scratch'

export async function grantDemoAnalyticsRole(client: pg.Client): Promise<void> {
  // Roles belong to the whole server: several test databases on one server may create it at once.
  await client.query(`
    DO $$ BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${DEMO_ANALYTICS_ROLE}') THEN
        CREATE ROLE ${DEMO_ANALYTICS_ROLE} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION;
      END IF;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END $$`)
  await client.query(`GRANT USAGE ON SCHEMA ${DEMO_SCHEMAS} TO ${DEMO_ANALYTICS_ROLE}`)
  await client.query(`GRANT SELECT ON ALL TABLES IN SCHEMA ${DEMO_SCHEMAS} TO ${DEMO_ANALYTICS_ROLE}`)
  await client.query(`GRANT INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA scratch TO ${DEMO_ANALYTICS_ROLE}`)
  await client.query(`GRANT CREATE ON SCHEMA scratch TO ${DEMO_ANALYTICS_ROLE}`)
}

/**
 * How the gateway reaches the demo analytics database without privileges. A Postgres server checks
 * the login, so the gateway logs in as the role; PGlite accepts any user name and always runs as its
 * superuser, so the gateway sets the role in each transaction (MCP_ANALYTICS_ROLES) instead.
 */
export function demoAnalyticsAccess(
  url: string,
  engine: 'pglite' | 'postgres',
): { MCP_ANALYTICS_DATABASE_URLS: string; MCP_ANALYTICS_ROLES: string } {
  if (engine === 'postgres') {
    return {
      MCP_ANALYTICS_DATABASE_URLS: JSON.stringify(demoAnalyticsUrls(withUser(url, DEMO_ANALYTICS_ROLE))),
      MCP_ANALYTICS_ROLES: '{}',
    }
  }
  return {
    MCP_ANALYTICS_DATABASE_URLS: JSON.stringify(demoAnalyticsUrls(url)),
    MCP_ANALYTICS_ROLES: JSON.stringify(
      Object.fromEntries(DEMO_ANALYTICS_DATABASES.map((name) => [name, DEMO_ANALYTICS_ROLE])),
    ),
  }
}

export function demoAnalyticsUrls(url: string): Record<string, string> {
  return Object.fromEntries(DEMO_ANALYTICS_DATABASES.map((name) => [name, url]))
}

/** Same server and database, another login (no password: the local servers trust localhost). */
export function withUser(url: string, user: string): string {
  const parsed = new URL(url)
  parsed.username = user
  parsed.password = ''
  return parsed.toString()
}

/** `host:port` of a postgres:// URL, as the WebSocket bridge names its targets. */
export function hostPort(url: string): string {
  const parsed = new URL(url)
  return `${parsed.hostname}:${parsed.port === '' ? '5432' : parsed.port}`
}

/** Same server, another database name. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url)
  parsed.pathname = `/${database}`
  return parsed.toString()
}

export async function createDatabase(serverUrl: string, database: string): Promise<void> {
  await withClient(serverUrl, async (client) => {
    await client.query(`DROP DATABASE IF EXISTS "${database.replaceAll('"', '""')}" WITH (FORCE)`)
    await client.query(`CREATE DATABASE "${database.replaceAll('"', '""')}"`)
  })
}

export async function dropDatabase(serverUrl: string, database: string): Promise<void> {
  await withClient(serverUrl, async (client) => {
    await client.query(`DROP DATABASE IF EXISTS "${database.replaceAll('"', '""')}" WITH (FORCE)`)
  })
}
