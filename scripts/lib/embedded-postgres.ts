/**
 * Embedded PostgreSQL for `npm start` and the tests: PGlite (real Postgres compiled to WebAssembly),
 * served on a local TCP port so any Postgres client can talk to it.
 *
 * With a data directory: one process at a time holds it (a lock file; two instances would corrupt it),
 * and a consistent copy is kept beside it (`<dir>.last-good.tar.gz`, taken after start-up and at every
 * clean stop). PostgreSQL's own crash recovery normally brings a directory back after an unclean
 * shutdown with everything committed; should it fail to open anyway, the directory is moved aside and
 * the last good copy restored, and `restored` says what happened.
 */
import { readFile, rename, stat, writeFile } from 'node:fs/promises'
import { PGlite } from '@electric-sql/pglite'
import { servePglite, type ExchangeObserver } from './pglite-server.ts'
import { lockDirectory, type DirectoryLock } from './processes.ts'

export interface EmbeddedPostgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` */
  url: string
  host: string
  port: number
  /** Set when the directory could not be opened and the last good copy was restored instead. */
  restored?: { from: Date; brokenCopy: string }
  /** Keeps a consistent copy of the data directory (no-op in memory). */
  snapshot(): Promise<void>
  stop(): Promise<void>
}

export interface EmbeddedPostgresOptions {
  /** A directory to keep the data in; in memory when absent. */
  dataDir?: string
  port?: number
  /** Told when work starts and ends, with the connection's statement timeout (engine-worker.ts). */
  observer?: ExchangeObserver
}

export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions = {},
): Promise<EmbeddedPostgres> {
  const dataDir = options.dataDir
  const lock: DirectoryLock | undefined =
    dataDir === undefined ? undefined : await lockDirectory(dataDir, 'the embedded database')
  try {
    const { db, restored } = await openPglite(dataDir)
    const server = await servePglite(db, {
      host: '127.0.0.1',
      port: options.port ?? 0,
      ...(options.observer === undefined ? {} : { observer: options.observer }),
    })
    const snapshot = async (): Promise<void> => {
      if (dataDir === undefined) return
      const dump = await db.dumpDataDir('gzip')
      const file = snapshotFile(dataDir)
      await writeFile(`${file}.partial`, Buffer.from(await dump.arrayBuffer()))
      await rename(`${file}.partial`, file)
    }
    let stopped = false
    return {
      url: `postgres://postgres@127.0.0.1:${server.port}/postgres`,
      host: '127.0.0.1',
      port: server.port,
      ...(restored === undefined ? {} : { restored }),
      snapshot,
      stop: async () => {
        if (stopped) return
        stopped = true
        await server.stop()
        await snapshot().catch(() => undefined)
        await db.close()
        await lock?.release()
      },
    }
  } catch (err) {
    await lock?.release()
    throw err
  }
}

function snapshotFile(dataDir: string): string {
  return `${dataDir}.last-good.tar.gz`
}

async function openPglite(
  dataDir: string | undefined,
): Promise<{ db: PGlite; restored?: { from: Date; brokenCopy: string } }> {
  if (dataDir === undefined) return { db: await PGlite.create() }
  try {
    return { db: await PGlite.create({ dataDir }) }
  } catch (err) {
    const copy = snapshotFile(dataDir)
    const taken = await stat(copy).catch(() => undefined)
    const reason = err instanceof Error ? err.message : String(err)
    if (taken === undefined) {
      throw new Error(
        `the embedded database in ${dataDir} cannot be opened (${reason}) and no earlier consistent copy exists; ` +
          '`npm start -- --fresh` starts over with the demo content',
        { cause: err },
      )
    }
    const brokenCopy = `${dataDir}.broken-${new Date().toISOString().replace(/[:.]/g, '-')}`
    await rename(dataDir, brokenCopy)
    const loadDataDir = new Blob([await readFile(copy)])
    return { db: await PGlite.create({ dataDir, loadDataDir }), restored: { from: taken.mtime, brokenCopy } }
  }
}
