/**
 * The analytics databases registered in Superset (`dbs` rows), reached through MCP_ANALYTICS_DATABASE_URLS
 * (database name → Postgres URL, a secret): the gateway never decrypts Superset's stored passwords.
 * Only PostgreSQL backends are supported. A pool is opened per call and always closed after it.
 */
import { quoteAuthored } from '../markers'
import type { Config } from '../config'
import { createDb, trusted, type Db, type RequestDb } from '../db'
import { GatewayError } from '../errors'
import type { Logger } from '../observability'
import type { SupersetDatabase } from '../superset'
import { assertLeastPrivilege, cachedRoleReport, roleReport, type RoleReport } from './privileges'
import { sessionSettingsSql } from './run'
import { statementFailure } from './errors'

/** A Superset database the gateway runs SQL on (src/superset reads it from `dbs`). */
export type AnalyticsDatabase = SupersetDatabase

/** Superset's `Database.backend`: the scheme of sqlalchemy_uri without its driver (`postgresql+psycopg2` → `postgresql`). */
export function backendOf(sqlalchemyUri: string): string {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(sqlalchemyUri)?.[1] ?? ''
  return (scheme.split('+')[0] ?? '').toLowerCase()
}

const POSTGRES_BACKENDS = new Set(['postgresql', 'postgres'])

export function label(database: Pick<AnalyticsDatabase, 'database_name'>): string {
  return `the analytics database ${quoteAuthored(database.database_name)}`
}

/** The Postgres URL of a database, or a clear error: unsupported backend, or no mapping configured. */
export function connectionUrl(database: AnalyticsDatabase, config: Config, context: string): string {
  const backend = backendOf(database.sqlalchemy_uri)
  if (!POSTGRES_BACKENDS.has(backend)) {
    throw new GatewayError(
      'ValidationError',
      `${context} runs on the database ${quoteAuthored(database.database_name)} (id ${database.id}), whose backend is ${backend || 'unknown'}; ` +
        'the gateway queries PostgreSQL databases only. Use Superset itself for this database.',
      {
        details: {
          reason: 'unsupported_backend',
          database_id: database.id,
          database_name: quoteAuthored(database.database_name),
          backend,
        },
      },
    )
  }
  const url = config.analyticsDatabaseUrls[database.database_name]
  if (url === undefined) {
    throw new GatewayError(
      'ConfigurationError',
      `The gateway has no connection for the Superset database ${quoteAuthored(database.database_name)} (id ${database.id}): ` +
        'add it to MCP_ANALYTICS_DATABASE_URLS.',
      {
        details: {
          reason: 'database_not_configured',
          database_id: database.id,
          database_name: quoteAuthored(database.database_name),
        },
      },
    )
  }
  return url
}

export interface OpenOptions {
  config: Config
  log: Logger
  /** Statement timeout of this connection. */
  timeoutMs: number
  /** What the query is for, in error messages: "Chart 3", "This SQL". */
  context: string
}

/** Runs `work` with a pool on the database; the pool is closed whatever happens. */
async function withAnalyticsDb<T>(
  database: AnalyticsDatabase,
  options: OpenOptions,
  work: (db: RequestDb) => Promise<T>,
): Promise<T> {
  const connectionString = connectionUrl(database, options.config, options.context)
  const db = createDb({
    config: { ...options.config.database, statementTimeoutMs: options.timeoutMs, poolMax: 1 },
    connectionString,
    label: label(database),
    log: options.log,
  })
  try {
    return await work(db)
  } finally {
    await db.close()
  }
}

export interface SessionOptions extends OpenOptions {
  readOnly: boolean
  /** `SET LOCAL search_path`; unset keeps the connection's default. */
  searchPath?: string | undefined
}

/**
 * Runs `work` in one transaction on the database, with the session settings (timeout, read-only,
 * search_path, role) applied and the connection's role checked for least privilege first.
 */
export async function withAnalyticsSession<T>(
  database: AnalyticsDatabase,
  options: SessionOptions,
  work: (tx: Db) => Promise<T>,
): Promise<T> {
  const role = options.config.sql.roles[database.database_name]
  const settings = sessionSettingsSql({
    readOnly: options.readOnly,
    timeoutMs: options.timeoutMs,
    searchPath: options.searchPath,
    role,
  })
  return withAnalyticsDb(database, options, (db) =>
    db.transaction(async (tx) => {
      try {
        await tx.script(trusted(settings))
      } catch (err) {
        throw settingsError(err, database, role)
      }
      await assertLeastPrivilege(tx, database.database_name, options.config)
      return work(tx)
    }),
  )
}

/** The session could not be set up: with MCP_ANALYTICS_ROLES, most likely the role. */
function settingsError(err: unknown, database: AnalyticsDatabase, role: string | undefined): unknown {
  const failure = statementFailure(err)
  if (failure === undefined) return err
  return new GatewayError(
    'ConfigurationError',
    role === undefined
      ? `The gateway could not prepare its session on ${label(database)}: ${failure.message}.`
      : `The gateway could not run as the role "${role}" (MCP_ANALYTICS_ROLES) on ${label(database)}: ${failure.message}.`,
    {
      cause: err,
      details: { reason: 'analytics_session_failed', database_name: quoteAuthored(database.database_name) },
    },
  )
}

/**
 * The least-privilege posture of every configured analytics connection (for /health): this isolate's
 * recent report, or a fresh look in a read-only transaction. Never throws: a connection that cannot be
 * reached is reported as such.
 */
export async function analyticsPosture(
  config: Config,
  log: Logger,
): Promise<{ database: string; report?: RoleReport; problem?: string }[]> {
  return Promise.all(
    Object.keys(config.analyticsDatabaseUrls)
      .sort()
      .map(async (name) => {
        const cached = cachedRoleReport(name, config)
        if (cached !== undefined) return { database: name, report: cached }
        const database: AnalyticsDatabase = {
          id: 0,
          database_name: name,
          sqlalchemy_uri: 'postgresql://',
          allow_dml: false,
          expose_in_sqllab: false,
        }
        const settings = sessionSettingsSql({
          readOnly: true,
          timeoutMs: 5_000,
          role: config.sql.roles[name],
        })
        try {
          const report = await withAnalyticsDb(
            database,
            { config, log, timeoutMs: 5_000, context: 'The health check' },
            (db) =>
              db.transaction(async (tx) => {
                await tx.script(trusted(settings))
                return roleReport(tx, name, config)
              }),
          )
          return { database: name, report }
        } catch (err) {
          const failure = statementFailure(err)
          return {
            database: name,
            problem: failure?.message ?? (err instanceof Error ? err.message : String(err)),
          }
        }
      }),
  )
}
