/**
 * Transaction pooling for the local WebSocket bridge, as Neon's pooled endpoints (PgBouncer in
 * transaction mode) and Hyperdrive do in production: many client sessions share a bounded set of
 * Postgres connections, each lent to a session only from the start of a query or transaction until the
 * server is idle again (ReadyForQuery 'I'). The client's startup is answered by the pooler from the
 * server's own parameters, so a session costs no server connection and no backend start.
 *
 * The usual transaction-pooling rules apply: session state (SET without LOCAL, named prepared
 * statements, LISTEN, advisory locks held across transactions, temporary tables) does not survive
 * between transactions. The gateway uses none of them (SET LOCAL inside transactions only, unnamed
 * statements). Server connections are keyed by the startup parameters (user, database,
 * statement_timeout, …), so sessions only ever share a connection started exactly like theirs.
 * Cancel requests are not supported. Development and benchmarks only; needs a server that admits
 * these users without a password exchange (trust, or PGlite).
 */
import { connect, type Socket } from 'node:net'

const PROTOCOL_3 = 196_608
const SSL_REQUEST = 80_877_103
const GSSENC_REQUEST = 80_877_104
const CANCEL_REQUEST = 80_877_102

export interface PgMessage {
  /** Message type byte ('Z', 'S', …); 0 for the untyped startup packet. */
  type: number
  /** The whole message as sent, type byte and length included. */
  bytes: Buffer
}

/** Splits a byte stream into protocol messages (the first one untyped when `startup`). */
export class MessageReader {
  #pending: Buffer = Buffer.alloc(0)
  #startup: boolean

  constructor(startup: boolean) {
    this.#startup = startup
  }

  push(chunk: Buffer): PgMessage[] {
    this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk])
    const messages: PgMessage[] = []
    let offset = 0
    for (;;) {
      if (this.#startup) {
        if (this.#pending.length - offset < 8) break
        const length = this.#pending.readInt32BE(offset)
        if (this.#pending.length - offset < length) break
        messages.push({ type: 0, bytes: this.#pending.subarray(offset, offset + length) })
        offset += length
        const code = this.#pending.readInt32BE(offset - length + 4)
        // SSL and GSS encryption requests precede the real startup packet.
        if (code !== SSL_REQUEST && code !== GSSENC_REQUEST) this.#startup = false
        continue
      }
      if (this.#pending.length - offset < 5) break
      const length = this.#pending.readInt32BE(offset + 1)
      if (this.#pending.length - offset < 1 + length) break
      messages.push({
        type: this.#pending[offset]!,
        bytes: this.#pending.subarray(offset, offset + 1 + length),
      })
      offset += 1 + length
    }
    this.#pending = offset === 0 ? this.#pending : Buffer.from(this.#pending.subarray(offset))
    return messages
  }
}

function startupCode(packet: Buffer): number {
  return packet.readInt32BE(4)
}

/** The startup packet's parameters, in order. */
export function startupParameters(packet: Buffer): [string, string][] {
  const parts = packet.subarray(8).toString('utf8').split('\0')
  const result: [string, string][] = []
  for (let i = 0; i + 1 < parts.length && parts[i] !== ''; i += 2) result.push([parts[i]!, parts[i + 1]!])
  return result
}

function message(type: string, body: Buffer): Buffer {
  const header = Buffer.alloc(5)
  header.write(type, 0, 'latin1')
  header.writeInt32BE(body.length + 4, 1)
  return Buffer.concat([header, body])
}

function int32(...values: number[]): Buffer {
  const buffer = Buffer.alloc(values.length * 4)
  values.forEach((value, index) => buffer.writeInt32BE(value, index * 4))
  return buffer
}

/** An ErrorResponse the client's driver turns into an error with this message. */
export function errorResponse(text: string, code = '08006'): Buffer {
  const fields = Buffer.from(`SFATAL\0VFATAL\0C${code}\0M${text}\0\0`, 'utf8')
  return message('E', fields)
}

/** A server's refusal at startup, passed on to the client as the server sent it. */
class StartupRefused extends Error {
  readonly response: Buffer
  /** SQLSTATE, e.g. 53300 (too_many_connections). */
  readonly code: string | undefined
  constructor(response: Buffer) {
    const fields = response.subarray(5).toString('utf8').split('\0')
    super(fields.find((field) => field.startsWith('M'))?.slice(1) ?? 'refused at startup')
    this.response = response
    this.code = fields.find((field) => field.startsWith('C'))?.slice(1)
  }
}

/**
 * A server that refuses a connection because all of its max_connections are taken (by other clients of
 * the server too) is asked again, as PgBouncer retries server logins, while the session waits.
 */
const RETRY_DELAYS_MS = [50, 100, 200, 400, 800, 1_600]

/** The session a server connection is lent to. */
interface Borrower {
  /** What the server sent, in order, in one go. */
  deliver(conn: ServerConnection, messages: PgMessage[]): void
  /** The server connection broke. */
  lost(): void
}

interface ServerConnection {
  key: string
  socket: Socket
  reader: MessageReader
  /** ParameterStatus messages of its startup, replayed to every client session of this key. */
  parameters: Buffer[]
  /** The session it is lent to. */
  owner: Borrower | undefined
  /** Queries and Syncs sent whose ReadyForQuery has not come back. */
  outstanding: number
  /** Transaction status of the last ReadyForQuery. */
  status: number
  alive: boolean
}

export interface ClientSession {
  /** Send bytes to the client (the WebSocket). */
  send(data: Buffer): void
  /** Close the client's connection. */
  close(): void
}

export interface PoolerOptions {
  /** Server connections at most, over all keys. */
  maxConnections: number
}

/** Server connections, shared by client sessions transaction by transaction. */
export class TransactionPooler {
  readonly #max: number
  readonly #idle = new Map<string, ServerConnection[]>()
  readonly #all = new Set<ServerConnection>()
  readonly #waiting: {
    key: string
    target: string
    startup: Buffer
    grant: (conn: ServerConnection | Error) => void
  }[] = []
  /** Connections being opened count against the bound too. */
  #opening = 0
  #closed = false
  /** The parameters of the first server started with a key, for answering a client's startup. */
  readonly #handshakes = new Map<string, Buffer[]>()

  constructor(options: PoolerOptions) {
    this.#max = Math.max(1, options.maxConnections)
  }

  get stats(): { open: number; idle: number; waiting: number } {
    let idle = 0
    for (const list of this.#idle.values()) idle += list.length
    return { open: this.#all.size, idle, waiting: this.#waiting.length }
  }

  /**
   * Serves one client session (`target` is the server's `host:port`): call `receive` with what the
   * client sends and `end` when its connection closes.
   */
  session(target: string, client: ClientSession): { receive(data: Buffer): void; end(): void } {
    const reader = new MessageReader(true)
    let key: string | undefined
    let startup: Buffer | undefined
    let server: ServerConnection | undefined
    let acquiring = false
    let ended = false
    const queued: PgMessage[] = []

    const finish = (): void => {
      if (ended) return
      ended = true
      if (server !== undefined) {
        const conn = server
        server = undefined
        if (conn.outstanding === 0 && conn.status === 0x49 /* I */) this.#release(conn)
        else this.#destroy(conn)
      }
      client.close()
    }

    const refuse = (err: Error): void => {
      client.send(err instanceof StartupRefused ? err.response : errorResponse(err.message))
      finish()
    }

    const borrower: Borrower = {
      deliver: (conn, messages) => {
        client.send(
          messages.length === 1 ? messages[0]!.bytes : Buffer.concat(messages.map((msg) => msg.bytes)),
        )
        for (const msg of messages) {
          if (msg.type !== 0x5a /* Z: ReadyForQuery */) continue
          conn.outstanding = Math.max(0, conn.outstanding - 1)
          conn.status = msg.bytes[5]!
        }
        // Idle outside a transaction with nothing pending: the connection goes back to the pool.
        if (server === conn && conn.outstanding === 0 && conn.status === 0x49 && queued.length === 0) {
          server = undefined
          this.#release(conn)
        }
      },
      lost: () => {
        server = undefined
        finish()
      },
    }

    const flush = (): void => {
      if (server === undefined || ended) return
      const conn = server
      const out: Buffer[] = []
      for (const msg of queued.splice(0)) {
        if (msg.type === 0x58 /* X: Terminate */) {
          if (out.length > 0) conn.socket.write(Buffer.concat(out))
          finish()
          return
        }
        // Query, Sync and FunctionCall each end with one ReadyForQuery.
        if (msg.type === 0x51 || msg.type === 0x53 || msg.type === 0x46) conn.outstanding += 1
        out.push(msg.bytes)
      }
      if (out.length > 0) conn.socket.write(out.length === 1 ? out[0]! : Buffer.concat(out))
    }

    const dispatch = (): void => {
      if (ended || queued.length === 0) return
      if (server !== undefined) return flush()
      // Terminate with no server lent: nothing to tell a server.
      if (queued.every((msg) => msg.type === 0x58)) return finish()
      if (acquiring || key === undefined || startup === undefined) return
      acquiring = true
      this.#acquire(key, target, startup, (conn) => {
        acquiring = false
        if (conn instanceof Error) return refuse(conn)
        if (ended) return this.#release(conn)
        conn.owner = borrower
        server = conn
        flush()
      })
    }

    const answerStartup = (packet: Buffer): void => {
      const code = startupCode(packet)
      if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
        client.send(Buffer.from('N'))
        return
      }
      if (code === CANCEL_REQUEST || code !== PROTOCOL_3) {
        finish()
        return
      }
      startup = packet
      key = startupParameters(packet)
        .map(([name, value]) => `${name}=${value}`)
        .sort()
        .join('\0')
      const reply = (parameters: Buffer[]): void => {
        if (ended) return
        const secret = Math.floor(Math.random() * 0x7fffffff)
        client.send(
          Buffer.concat([
            message('R', int32(0)),
            ...parameters,
            message('K', int32(process.pid, secret)),
            message('Z', Buffer.from('I')),
          ]),
        )
        dispatch()
      }
      const known = this.#handshakes.get(key)
      if (known !== undefined) return reply(known)
      // The first session of a key: start a server connection to learn its parameters.
      acquiring = true
      this.#acquire(key, target, packet, (conn) => {
        acquiring = false
        if (conn instanceof Error) return refuse(conn)
        this.#release(conn)
        reply(conn.parameters)
      })
    }

    return {
      receive: (data) => {
        if (ended) return
        for (const msg of reader.push(data)) {
          if (msg.type === 0 && startup === undefined) answerStartup(msg.bytes)
          else queued.push(msg)
        }
        if (startup !== undefined && !acquiring) dispatch()
      },
      end: finish,
    }
  }

  #acquire(
    key: string,
    target: string,
    startup: Buffer,
    grant: (conn: ServerConnection | Error) => void,
  ): void {
    const idle = this.#idle.get(key)
    const conn = idle?.pop()
    if (conn !== undefined) {
      grant(conn)
      return
    }
    if (this.#all.size + this.#opening < this.#max) {
      this.#open(key, target, startup, grant)
      return
    }
    // At the bound: an idle connection of another key makes room, else wait for a release.
    for (const [otherKey, list] of this.#idle) {
      const spare = list.pop()
      if (spare === undefined) continue
      if (list.length === 0) this.#idle.delete(otherKey)
      this.#destroy(spare, false)
      this.#open(key, target, startup, grant)
      return
    }
    this.#waiting.push({ key, target, startup, grant })
  }

  #release(conn: ServerConnection): void {
    conn.owner = undefined
    if (!conn.alive) return
    const index = this.#waiting.findIndex((waiter) => waiter.key === conn.key)
    if (index >= 0) {
      const [waiter] = this.#waiting.splice(index, 1)
      waiter!.grant(conn)
      return
    }
    if (this.#waiting.length > 0) {
      // Someone waits for another key: this connection's slot goes to them.
      this.#destroy(conn)
      return
    }
    const list = this.#idle.get(conn.key) ?? []
    list.push(conn)
    this.#idle.set(conn.key, list)
  }

  /** A slot freed: open a connection for the first waiter. */
  #next(): void {
    if (this.#all.size + this.#opening >= this.#max) return
    const waiter = this.#waiting.shift()
    if (waiter !== undefined) this.#open(waiter.key, waiter.target, waiter.startup, waiter.grant)
  }

  /** Closes a server connection; its slot goes to the first waiter unless `handOn` is false. */
  #destroy(conn: ServerConnection, handOn = true): void {
    if (conn.alive) {
      conn.alive = false
      conn.socket.destroy()
    }
    if (this.#all.delete(conn)) {
      const list = this.#idle.get(conn.key)
      const index = list?.indexOf(conn) ?? -1
      if (index >= 0) list!.splice(index, 1)
      if (handOn) this.#next()
    }
  }

  #open(
    key: string,
    target: string,
    startup: Buffer,
    grant: (conn: ServerConnection | Error) => void,
    attempt = 0,
  ): void {
    this.#opening += 1
    const separator = target.lastIndexOf(':')
    const socket = connect(Number(target.slice(separator + 1)), target.slice(0, separator))
    socket.setNoDelay(true)
    const conn: ServerConnection = {
      key,
      socket,
      reader: new MessageReader(false),
      parameters: [],
      owner: undefined,
      outstanding: 0,
      status: 0x49,
      alive: true,
    }
    let ready = false
    const fail = (err: Error): void => {
      if (ready) return
      ready = true
      conn.alive = false
      socket.destroy()
      const delay = RETRY_DELAYS_MS[attempt]
      if (err instanceof StartupRefused && err.code === '53300' && delay !== undefined && !this.#closed) {
        // The slot stays taken while waiting: the retry opens in it.
        setTimeout(() => {
          this.#opening -= 1
          if (this.#closed) grant(new Error('the bridge is closing'))
          else this.#open(key, target, startup, grant, attempt + 1)
        }, delay)
        return
      }
      this.#opening -= 1
      grant(err)
      this.#next()
    }
    socket.on('error', (err) => {
      if (!ready) fail(new Error(`the database server is unreachable (${err.message})`))
    })
    socket.on('close', () => {
      if (!ready) return fail(new Error('the database server closed the connection during startup'))
      const owner = conn.owner
      conn.owner = undefined
      this.#destroy(conn)
      owner?.lost()
    })
    socket.on('data', (chunk: Buffer) => {
      const messages = conn.reader.push(chunk)
      if (ready) {
        // An idle server's own messages (notices, parameter changes) have no one to go to.
        if (messages.length > 0) conn.owner?.deliver(conn, messages)
        return
      }
      for (const msg of messages) {
        if (msg.type === 0x52 /* R */ && msg.bytes.readInt32BE(5) !== 0) {
          return fail(
            new Error(
              'the database server asks for a password; the pooling bridge needs trust authentication',
            ),
          )
        }
        if (msg.type === 0x45 /* E */) return fail(new StartupRefused(Buffer.from(msg.bytes)))
        if (msg.type === 0x53 /* S */) conn.parameters.push(Buffer.from(msg.bytes))
        if (msg.type === 0x5a /* Z */) {
          ready = true
          this.#opening -= 1
          this.#all.add(conn)
          if (!this.#handshakes.has(key)) this.#handshakes.set(key, conn.parameters)
          grant(conn)
        }
      }
    })
    socket.write(startup)
  }

  /** Closes every server connection and refuses the waiting sessions. */
  close(): void {
    this.#closed = true
    for (const waiter of this.#waiting.splice(0)) waiter.grant(new Error('the bridge is closing'))
    for (const conn of [...this.#all]) this.#destroy(conn)
    this.#idle.clear()
  }
}
