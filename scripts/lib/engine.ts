/**
 * An embedded PGlite engine on a worker thread of its own, for `npm start`. PGlite executes on the
 * thread that runs it and ignores `statement_timeout`; on a thread of its own, a runaway query holds only
 * that engine, and the watchdog here stops it once it runs past the timeout its connection set (plus a
 * grace): the thread is terminated and the engine started again on the same port. A persisted directory
 * comes back through PostgreSQL's crash recovery (what the stopped transaction did is rolled back); an
 * in-memory engine comes back empty and is seeded again (`reseed`).
 */
import { Worker } from 'node:worker_threads'
import type { EngineWorkerData, EngineWorkerMessage } from './engine-worker.ts'
import { freePort } from './ports.ts'

export interface EmbeddedEngine {
  url: string
  host: string
  port: number
  restored?: { from: Date; brokenCopy: string }
  /** Whether a statement under a statement timeout is running now (what the watchdog watches). */
  busy(): boolean
  snapshot(): Promise<void>
  stop(): Promise<void>
}

export interface EmbeddedEngineOptions {
  /** For messages: "analytics", "metadata". */
  name: string
  dataDir?: string
  /** Time past a connection's statement timeout before the engine is stopped (default 1 s). */
  graceMs?: number
  /** Brings an engine that came back empty (in memory) to its content again. */
  reseed?: (url: string) => Promise<void>
  /** Told each time the engine was stopped and started again, and why. */
  onRestart?: (message: string) => void
}

const WORKER = new URL('./engine-worker.ts', import.meta.url)
const WATCH_INTERVAL_MS = 200

export async function startEmbeddedEngine(options: EmbeddedEngineOptions): Promise<EmbeddedEngine> {
  const port = await freePort()
  const deadline = new SharedArrayBuffer(8)
  const clock = new Float64Array(deadline)
  const workerData: EngineWorkerData = {
    dataDir: options.dataDir,
    port,
    deadline,
    graceMs: options.graceMs ?? 1_000,
  }
  const first = await spawn(workerData)
  let worker: Worker = first.worker
  const ready = first.ready
  let restarting = false
  let stopped = false

  const restart = async (): Promise<void> => {
    restarting = true
    const overdue = Math.round(Date.now() - clock[0]! + workerData.graceMs)
    clock[0] = 0
    await worker.terminate()
    ;({ worker } = await spawn(workerData))
    const url = urlOf(port)
    if (options.dataDir === undefined) await options.reseed?.(url)
    restarting = false
    options.onRestart?.(
      `the ${options.name} database ran a query ${overdue} ms past its statement timeout: stopped it and started the engine again` +
        (options.dataDir === undefined
          ? ' (in memory: its content was loaded again)'
          : ' (the running transaction was rolled back)'),
    )
  }
  const watch = setInterval(() => {
    const due = clock[0]!
    if (!stopped && !restarting && due > 0 && Date.now() > due) {
      restart().catch((err: unknown) => {
        restarting = false
        options.onRestart?.(
          `the ${options.name} database ran past its statement timeout and was stopped, but could not be started again: ${err instanceof Error ? err.message : String(err)}`,
        )
      })
    }
  }, WATCH_INTERVAL_MS)
  watch.unref()

  const request = (type: 'snapshot' | 'stop', answer: EngineWorkerMessage['type']): Promise<void> =>
    new Promise((resolve) => {
      const onMessage = (message: EngineWorkerMessage) => {
        if (message.type !== answer) return
        worker.off('message', onMessage)
        resolve()
      }
      worker.on('message', onMessage)
      worker.once('exit', () => resolve())
      worker.postMessage({ type })
    })

  return {
    url: urlOf(port),
    host: '127.0.0.1',
    port,
    ...(ready.restored === undefined
      ? {}
      : { restored: { from: new Date(ready.restored.from), brokenCopy: ready.restored.brokenCopy } }),
    busy: () => clock[0]! > 0,
    snapshot: () => request('snapshot', 'snapshotted'),
    stop: async () => {
      if (stopped) return
      stopped = true
      clearInterval(watch)
      const timer = setTimeout(() => void worker.terminate(), 15_000)
      await request('stop', 'stopped')
      clearTimeout(timer)
      await worker.terminate()
    },
  }
}

function urlOf(port: number): string {
  return `postgres://postgres@127.0.0.1:${port}/postgres`
}

async function spawn(
  data: EngineWorkerData,
): Promise<{ worker: Worker; ready: Extract<EngineWorkerMessage, { type: 'ready' }> }> {
  const worker = new Worker(WORKER, { workerData: data })
  const ready = await new Promise<Extract<EngineWorkerMessage, { type: 'ready' }>>((resolve, reject) => {
    worker.once('message', (message: EngineWorkerMessage) => {
      if (message.type === 'ready') resolve(message)
      else reject(new Error(message.type === 'failed' ? message.message : `unexpected ${message.type}`))
    })
    worker.once('error', reject)
    worker.once('exit', (code) => reject(new Error(`the engine thread exited (${code}) before it was ready`)))
  })
  return { worker, ready }
}
