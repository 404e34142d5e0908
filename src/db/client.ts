/**
 * The database layer over @neondatabase/serverless: one Pool per request (Workers cannot keep Neon
 * WebSockets across requests), opened lazily on the first query and closed after the response.
 */
import { describeError } from '../errors'
import { Pool, neonConfig, type PoolClient } from '@neondatabase/serverless'
import type { DatabaseConfig } from '../config'
import { toDatabaseError, type DatabaseLabel } from './errors'
import { compile, trusted, type SqlFragment } from './sql'

export interface QueryResult<Row> {
  rows: Row[]
  rowCount: number
  fields: { name: string; dataTypeID: number }[]
}

export interface Db {
  /** Rows of a parameterised query. */
  query<Row = Record<string, unknown>>(query: SqlFragment): Promise<Row[]>
  /** The full result (rows, row count, column types). */
  execute<Row = Record<string, unknown>>(query: SqlFragment): Promise<QueryResult<Row>>
  /**
   * Several statements of code-owned text in one round trip (session settings). `query` and `execute`
   * refuse a text that turns out to hold several statements.
   */
  script(query: SqlFragment): Promise<void>
  /** Runs `work` inside BEGIN … COMMIT on one connection; ROLLBACK when it throws. */
  transaction<T>(work: (tx: Db) => Promise<T>): Promise<T>
}

export interface RequestDb extends Db {
  /** Closes the pool, if one was opened. Safe to call twice. */
  close(): Promise<void>
}

/**
 * Where the database layer reports: a port the request's logger fills (its `db_error` events feed the
 * request's facts and metrics), so db/ imports nothing above it.
 */
export interface DbLog {
  debug(event: string, fields?: Record<string, unknown>): void
  warn(event: string, fields?: Record<string, unknown>): void
}

export interface DbOptions {
  config: DatabaseConfig
  connectionString: string
  label: string
  /** Which of Superset's databases this is, for the `db_error` event (metrics count errors by it). */
  kind?: 'metadata' | 'analytics'
  log: DbLog
}

const NEON_DEFAULT_WS_PROXY = neonConfig.wsProxy
const CONNECT_TIMEOUT_MS = 5_000

/**
 * The driver settings of the deployment (which WebSocket proxy, TLS or not). The Neon Pool creates
 * connections with its own Client class whatever it is given, so these are the driver's global defaults
 * rather than per-pool options; they are constants of the deployment, applied once per isolate (again
 * only if they change, as between tests with different bindings).
 */
let appliedDriverSettings: string | undefined

function configureDriver(config: DatabaseConfig): void {
  const settings = JSON.stringify([config.wsProxy ?? null, config.wsSecure])
  if (settings === appliedDriverSettings) return
  appliedDriverSettings = settings
  // With coalesced writes the driver sends its final Terminate message on a timer, after it has already
  // closed the WebSocket: workerd throws on that send and the connection is never closed, so every
  // request would leak a server connection. Writing straight through avoids the race.
  neonConfig.coalesceWrites = false
  if (config.wsProxy === undefined) {
    neonConfig.wsProxy = NEON_DEFAULT_WS_PROXY
    neonConfig.useSecureWebSocket = true
    neonConfig.pipelineConnect = 'password'
    neonConfig.pipelineTLS = true
    return
  }
  const proxy = config.wsProxy
  neonConfig.wsProxy = (host, port) => `${proxy}${proxy.includes('?') ? '&' : '?'}address=${host}:${port}`
  neonConfig.useSecureWebSocket = config.wsSecure
  // SCRAM and plain Postgres behind a generic proxy: no password pipelining, no TLS inside the socket.
  neonConfig.pipelineConnect = false
  neonConfig.pipelineTLS = false
  neonConfig.forceDisablePgSSL = true
}

/** Superset's metadata database (DATABASE_URL): per request, for the health check, for the audit consumer. */
export function createMetadataDb(config: DatabaseConfig, log: DbLog): RequestDb {
  return createDb({
    config,
    connectionString: config.url,
    label: 'the Superset metadata database',
    kind: 'metadata',
    log,
  })
}

export function createDb(options: DbOptions): RequestDb {
  const { config, log } = options
  const label: DatabaseLabel = { name: options.label, timeoutMs: config.statementTimeoutMs }
  let pool: Pool | undefined
  let closing = false

  const getPool = (): Pool => {
    if (pool === undefined) {
      configureDriver(config)
      pool = new Pool({
        connectionString: options.connectionString,
        max: config.poolMax,
        connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
        statement_timeout: config.statementTimeoutMs,
        // A client-side bound too, for a server that stops answering altogether.
        query_timeout: config.statementTimeoutMs + 2_000,
      })
      // An idle connection's socket closing while the request's pool is being ended is expected.
      pool.on('error', (err: unknown) =>
        closing
          ? log.debug('db_pool_closed', describeError(err))
          : log.warn('db_pool_error', describeError(err)),
      )
    }
    return pool
  }

  const fail = (err: unknown): never => {
    const mapped = toDatabaseError(err, label)
    log.warn('db_error', {
      database: options.label,
      database_kind: options.kind ?? 'analytics',
      error_type: mapped.type,
      ...describeError(err),
    })
    throw mapped
  }

  const run = async <Row>(runner: Pick<Pool | PoolClient, 'query'>, query: SqlFragment, several = false) => {
    const { text, values } = compile(query)
    try {
      const answer: unknown = await runner.query(text, values)
      // A simple-protocol text with several statements answers with one result per statement.
      if (Array.isArray(answer) && !several) throw new Error('one statement expected, several ran')
      const result = (Array.isArray(answer) ? answer[answer.length - 1] : answer) as {
        rows: unknown[]
        rowCount: number | null
        fields: { name: string; dataTypeID: number }[]
      }
      return {
        rows: result.rows as Row[],
        rowCount: result.rowCount ?? result.rows.length,
        fields: result.fields.map((field) => ({ name: field.name, dataTypeID: field.dataTypeID })),
      }
    } catch (err) {
      return fail(err)
    }
  }

  const scoped = (runner: () => Pick<Pool | PoolClient, 'query'>): Omit<Db, 'transaction'> => ({
    query: async <Row>(query: SqlFragment) => (await run<Row>(runner(), query)).rows,
    execute: <Row>(query: SqlFragment) => run<Row>(runner(), query),
    script: async (query: SqlFragment) => {
      await run(runner(), query, true)
    },
  })

  const transaction = async <T>(work: (tx: Db) => Promise<T>): Promise<T> => {
    let client: PoolClient
    try {
      client = await getPool().connect()
    } catch (err) {
      return fail(err)
    }
    const tx: Db = {
      ...scoped(() => client),
      transaction: () => Promise.reject(new Error('nested transactions are not supported')),
    }
    try {
      await run(client, trusted('BEGIN'))
      const result = await work(tx)
      await run(client, trusted('COMMIT'))
      return result
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined)
      throw err
    } finally {
      client.release()
    }
  }

  return {
    ...scoped(getPool),
    transaction,
    close: async () => {
      const open = pool
      pool = undefined
      closing = true
      if (open !== undefined)
        await open.end().catch((err: unknown) => log.debug('db_close_failed', describeError(err)))
    },
  }
}
