/**
 * The analytics databases registered in Superset (`dbs` rows), reached through MCP_ANALYTICS_DATABASE_URLS
 * (database name → Postgres URL, a secret): the gateway never decrypts Superset's stored passwords.
 * Only PostgreSQL backends are supported. A pool is opened per call and always closed after it.
 */
import type { Config } from '../config'
import { createDb, sql, type Db, type RequestDb } from '../db'
import { GatewayError } from '../errors'
import type { Logger } from '../observability'

export interface AnalyticsDatabase {
  id: number
  database_name: string
  sqlalchemy_uri: string
  allow_dml: boolean
  expose_in_sqllab: boolean
}

/** Superset's `Database.backend`: the scheme of sqlalchemy_uri without its driver (`postgresql+psycopg2` → `postgresql`). */
export function backendOf(sqlalchemyUri: string): string {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(sqlalchemyUri)?.[1] ?? ''
  return (scheme.split('+')[0] ?? '').toLowerCase()
}

const POSTGRES_BACKENDS = new Set(['postgresql', 'postgres'])

export function label(database: Pick<AnalyticsDatabase, 'database_name'>): string {
  return `the analytics database "${database.database_name}"`
}

/** The Postgres URL of a database, or a clear error: unsupported backend, or no mapping configured. */
export function connectionUrl(database: AnalyticsDatabase, config: Config, context: string): string {
  const backend = backendOf(database.sqlalchemy_uri)
  if (!POSTGRES_BACKENDS.has(backend)) {
    throw new GatewayError(
      'ValidationError',
      `${context} runs on the database "${database.database_name}" (id ${database.id}), whose backend is ${backend || 'unknown'}; ` +
        'the gateway queries PostgreSQL databases only. Use Superset itself for this database.',
      {
        details: {
          reason: 'unsupported_backend',
          database_id: database.id,
          database_name: database.database_name,
          backend,
        },
      },
    )
  }
  const url = config.analyticsDatabaseUrls[database.database_name]
  if (url === undefined) {
    throw new GatewayError(
      'ConfigurationError',
      `The gateway has no connection for the Superset database "${database.database_name}" (id ${database.id}): ` +
        'add it to MCP_ANALYTICS_DATABASE_URLS.',
      {
        details: {
          reason: 'database_not_configured',
          database_id: database.id,
          database_name: database.database_name,
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
export async function withAnalyticsDb<T>(
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

/** A `dbs` row by id (from the metadata database). */
export async function findDatabase(metadata: Db, id: number): Promise<AnalyticsDatabase | undefined> {
  const [row] = await metadata.query<AnalyticsDatabase>(sql`
    SELECT id, database_name, sqlalchemy_uri, COALESCE(allow_dml, false) AS allow_dml,
           COALESCE(expose_in_sqllab, true) AS expose_in_sqllab
      FROM dbs WHERE id = ${id}`)
  return row
}
