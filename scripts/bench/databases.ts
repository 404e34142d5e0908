/**
 * The benchmark's own databases on a Postgres server: a Superset metadata database and an analytics
 * database, both with the demo content, created fresh for a run and dropped at its end.
 */
import {
  createDatabase,
  DEMO_ANALYTICS_ROLE,
  demoAnalyticsUrls,
  dropDatabase,
  migrate,
  seedAnalytics,
  seedSuperset,
  withClient,
  withDatabase,
  withUser,
} from '../lib/database.ts'

/** The server the benchmark uses unless BENCH_DATABASE_URL / DATABASE_URL name another one. */
export const DEFAULT_SERVER_URL = 'postgres://postgres@127.0.0.1:5432/postgres'

/** The server the bench and the soak use: BENCH_DATABASE_URL, else DATABASE_URL, else the local default. */
export function benchServerUrl(): string {
  return process.env.BENCH_DATABASE_URL?.trim() || process.env.DATABASE_URL?.trim() || DEFAULT_SERVER_URL
}

/** A positive number from an option or its environment variable, else the default; anything else is refused. */
export function positiveNumber(value: string | undefined, fallback: number, name: string): number {
  const parsed = Number(value ?? fallback)
  if (!Number.isFinite(parsed) || parsed <= 0) throw new Error(`${name} must be a positive number`)
  return parsed
}

export interface BenchDatabases {
  serverUrl: string
  metadataUrl: string
  analyticsUrl: string
  /** MCP_ANALYTICS_DATABASE_URLS for the demo's Superset databases. */
  analyticsUrls: Record<string, string>
  /** `SHOW server_version` and `SHOW max_connections`, for the report. */
  serverVersion: string
  maxConnections: number
  drop(): Promise<void>
}

/**
 * `DATABASE_URL` names a database on the server; the benchmark only uses the server part (the
 * connection's user and host) and creates `<prefix>_meta` and `<prefix>_analytics` beside it.
 */
export async function createBenchDatabases(serverUrl: string, prefix: string): Promise<BenchDatabases> {
  const metadataName = `${prefix}_meta`
  const analyticsName = `${prefix}_analytics`
  const { serverVersion, maxConnections } = await withClient(serverUrl, async (client) => {
    const version = await client.query<{ server_version: string }>('SHOW server_version')
    const max = await client.query<{ max_connections: string }>('SHOW max_connections')
    return {
      serverVersion: version.rows[0]?.server_version ?? 'unknown',
      maxConnections: Number(max.rows[0]?.max_connections ?? 0),
    }
  })
  let created: string[] = []
  const drop = async (): Promise<void> => {
    for (const name of created) await dropDatabase(serverUrl, name).catch(() => undefined)
    created = []
  }
  try {
    for (const name of [metadataName, analyticsName]) {
      await createDatabase(serverUrl, name)
      created.push(name)
    }
    const metadataUrl = withDatabase(serverUrl, metadataName)
    const analyticsUrl = withDatabase(serverUrl, analyticsName)
    await withClient(metadataUrl, async (client) => {
      await seedSuperset(client)
      await migrate(client)
    })
    await withClient(analyticsUrl, (client) => seedAnalytics(client))
    return {
      serverUrl,
      metadataUrl,
      analyticsUrl,
      // As the least-privilege demo role, as the gateway should run in production.
      analyticsUrls: demoAnalyticsUrls(withUser(analyticsUrl, DEMO_ANALYTICS_ROLE)),
      serverVersion,
      maxConnections,
      drop,
    }
  } catch (err) {
    await drop()
    throw err
  }
}

/** Connections the server has open to the given database right now (for leak checks). */
export async function connectionsTo(serverUrl: string, database: string): Promise<number> {
  return withClient(serverUrl, async (client) => {
    const { rows } = await client.query<{ n: string }>(
      'SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1',
      [database],
    )
    return Number(rows[0]?.n ?? 0)
  })
}
