/**
 * One embedded PGlite engine on its own thread (engine.ts starts it): the database, its TCP server on the
 * port it is given, and, in shared memory, the time by which its current work must be done — so the
 * thread that owns it can stop it when a query runs past its statement timeout, which PGlite itself
 * cannot do.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres.ts'

export interface EngineWorkerData {
  dataDir: string | undefined
  port: number
  /** Float64 [0]: epoch ms by which the current exchange must finish; 0 when idle or without a timeout. */
  deadline: SharedArrayBuffer
  graceMs: number
}

export type EngineWorkerMessage =
  | { type: 'ready'; port: number; restored?: { from: string; brokenCopy: string } }
  | { type: 'failed'; message: string }
  | { type: 'snapshotted' }
  | { type: 'stopped' }

const data = workerData as EngineWorkerData
const deadline = new Float64Array(data.deadline)
const port = parentPort!

let database: EmbeddedPostgres | undefined
try {
  database = await startEmbeddedPostgres({
    ...(data.dataDir === undefined ? {} : { dataDir: data.dataDir }),
    port: data.port,
    observer: {
      started: (timeoutMs) => {
        deadline[0] = timeoutMs === undefined ? 0 : Date.now() + timeoutMs + data.graceMs
      },
      finished: () => {
        deadline[0] = 0
      },
    },
  })
  port.postMessage({
    type: 'ready',
    port: database.port,
    ...(database.restored === undefined
      ? {}
      : {
          restored: { from: database.restored.from.toISOString(), brokenCopy: database.restored.brokenCopy },
        }),
  } satisfies EngineWorkerMessage)
} catch (err) {
  port.postMessage({
    type: 'failed',
    message: err instanceof Error ? err.message : String(err),
  } satisfies EngineWorkerMessage)
}

port.on('message', (message: { type: 'snapshot' | 'stop' }) => {
  void (async () => {
    if (message.type === 'snapshot') {
      await database?.snapshot().catch(() => undefined)
      port.postMessage({ type: 'snapshotted' } satisfies EngineWorkerMessage)
    } else {
      await database?.stop().catch(() => undefined)
      port.postMessage({ type: 'stopped' } satisfies EngineWorkerMessage)
      port.close()
    }
  })()
})
