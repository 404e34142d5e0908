/**
 * Embedded PostgreSQL for `npm start` and the tests: PGlite (real Postgres compiled to WebAssembly),
 * served on a local TCP port so any Postgres client can talk to it.
 */
import { PGlite } from '@electric-sql/pglite'
import { servePglite } from './pglite-server.ts'

export interface EmbeddedPostgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` */
  url: string
  host: string
  port: number
  stop(): Promise<void>
}

export interface EmbeddedPostgresOptions {
  /** A directory to keep the data in; in memory when absent. */
  dataDir?: string
  port?: number
}

export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions = {},
): Promise<EmbeddedPostgres> {
  const db = await PGlite.create(options.dataDir === undefined ? undefined : { dataDir: options.dataDir })
  const server = await servePglite(db, { host: '127.0.0.1', port: options.port ?? 0 })
  const port = server.port
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    host: '127.0.0.1',
    port,
    stop: async () => {
      await server.stop()
      await db.close()
    },
  }
}
