/**
 * Serves an embedded PGlite over the PostgreSQL wire protocol on a local TCP port, safely for many
 * concurrent connections. PGlite is one backend session, so a connection takes the session for a whole
 * protocol exchange (up to Sync or a simple Query) and keeps it for as long as it holds a transaction open:
 * extended-protocol messages and transactions of different connections never interleave. (A
 * message-at-a-time queue, as in @electric-sql/pglite-socket, lets them interleave — "portal does not
 * exist" under concurrent prepared statements — and keeps connections open after Terminate.)
 */
import { createServer, type Server, type Socket } from 'node:net'
import type { PGlite } from '@electric-sql/pglite'

const SSL_REQUEST = 80877103
const GSSENC_REQUEST = 80877104
const CANCEL_REQUEST = 80877102
const SYNC = 0x53 // 'S'
const QUERY = 0x51 // 'Q'
const TERMINATE = 0x58 // 'X'
const FLUSH = 0x48 // 'H'

export interface PgliteServer {
  port: number
  stop(): Promise<void>
}

/**
 * Told when PGlite starts and ends work for a connection, with the statement timeout that connection
 * asked for (startup parameter or `SET [LOCAL] statement_timeout`). PGlite runs on its thread and
 * cannot honour the timeout itself; whoever owns the thread can stop it (engine.ts).
 */
export interface ExchangeObserver {
  started(timeoutMs: number | undefined): void
  finished(): void
}

/** One owner at a time; the owner may pass through again without waiting. */
class SessionLock {
  private owner: number | undefined
  private waiters: (() => void)[] = []

  async acquire(connection: number): Promise<void> {
    while (this.owner !== undefined && this.owner !== connection) {
      await new Promise<void>((resolve) => this.waiters.push(resolve))
    }
    this.owner = connection
  }

  release(connection: number): void {
    if (this.owner !== connection) return
    this.owner = undefined
    this.waiters.splice(0).forEach((wake) => wake())
  }

  heldBy(connection: number): boolean {
    return this.owner === connection
  }
}

export async function servePglite(
  db: PGlite,
  options: { host: string; port: number; observer?: ExchangeObserver },
): Promise<PgliteServer> {
  const lock = new SessionLock()
  const sockets = new Set<Socket>()
  let nextConnection = 1
  const server: Server = createServer((socket) => {
    sockets.add(socket)
    socket.setNoDelay(true)
    const connection = nextConnection++
    handleConnection(db, lock, socket, connection, options.observer)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host, () => resolve())
  })
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('pglite server: no TCP address')
  return {
    port: address.port,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}

function handleConnection(
  db: PGlite,
  lock: SessionLock,
  socket: Socket,
  connection: number,
  observer: ExchangeObserver | undefined,
): void {
  let pending = Buffer.alloc(0)
  let started = false
  let batch: Buffer[] = []
  let work = Promise.resolve()
  let timeoutMs: number | undefined

  const run = async (messages: Buffer[], complete: boolean): Promise<void> => {
    await lock.acquire(connection)
    const payload = Buffer.concat(messages)
    timeoutMs = statementTimeoutIn(payload) ?? timeoutMs
    observer?.started(timeoutMs)
    try {
      await db.runExclusive(() =>
        db.execProtocolRawStream(new Uint8Array(payload), {
          onRawData: (chunk: Uint8Array) => {
            if (!socket.destroyed) socket.write(chunk)
          },
        }),
      )
    } finally {
      observer?.finished()
      // Keep the session through an unfinished exchange or an open transaction.
      if (complete && !db.isInTransaction()) lock.release(connection)
    }
  }

  const endSession = async (): Promise<void> => {
    if (!lock.heldBy(connection)) return
    if (db.isInTransaction()) await db.exec('ROLLBACK').catch(() => undefined)
    lock.release(connection)
  }

  const enqueue = (job: () => Promise<void>): void => {
    work = work.then(job).catch(() => {
      socket.destroy()
    })
  }

  socket.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk])
    for (;;) {
      if (!started) {
        if (pending.length < 8) return
        const length = pending.readInt32BE(0)
        if (pending.length < length) return
        const code = pending.readInt32BE(4)
        const packet = pending.subarray(0, length)
        pending = pending.subarray(length)
        if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
          socket.write('N')
          continue
        }
        if (code === CANCEL_REQUEST) {
          socket.end()
          return
        }
        started = true
        enqueue(() => run([packet], true))
        continue
      }
      if (pending.length < 5) return
      const type = pending[0]
      const length = pending.readInt32BE(1)
      if (pending.length < 1 + length) return
      const message = pending.subarray(0, 1 + length)
      pending = pending.subarray(1 + length)
      if (type === TERMINATE) {
        // Postgres hangs up after Terminate; so do we, ending any transaction the client left open.
        enqueue(async () => {
          await endSession()
          socket.end()
        })
        return
      }
      batch.push(message)
      if (type === SYNC || type === QUERY || type === FLUSH) {
        const messages = batch
        batch = []
        // After a Flush the exchange goes on: the session stays with this connection until Sync.
        enqueue(() => run(messages, type !== FLUSH))
      }
    }
  })
  socket.on('close', () => enqueue(endSession))
  socket.on('error', () => socket.destroy())
}

// The startup packet separates parameter names and values with NUL bytes; query text says `= N` or `TO N`.
const NUL = String.fromCharCode(0)
const STATEMENT_TIMEOUT = new RegExp(
  `statement_timeout${NUL}(\\d+)${NUL}|statement_timeout\\s*(?:=|\\bTO\\b)\\s*'?(\\d+)`,
  'gi',
)

/**
 * A statement timeout named in protocol messages: the startup packet's `statement_timeout` parameter, or
 * `statement_timeout = N` / `TO N` in query text (milliseconds; `0` is none). The last one wins.
 */
export function statementTimeoutIn(payload: Buffer): number | undefined {
  const text = payload.toString('latin1')
  let found: number | undefined
  for (const match of text.matchAll(STATEMENT_TIMEOUT)) {
    const value = Number(match[1] ?? match[2])
    found = value === 0 ? undefined : value
  }
  return found
}
