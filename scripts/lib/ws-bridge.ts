/**
 * The local stand-in for Neon's WebSocket proxy: relays each WebSocket connection from the
 * Neon driver (inside workerd) to a Postgres TCP port. Development and tests only.
 */
import { createServer, type Server } from 'node:http'
import { connect } from 'node:net'
import { createRequire } from 'node:module'
import type * as WsModule from 'ws'
import { TransactionPooler } from './pg-pooler.ts'

// Loaded through require so that vite (vitest's globalSetup) does not pick ws's browser stub.
const { WebSocketServer } = createRequire(import.meta.url)('ws') as typeof WsModule

export interface WsBridge {
  /** Value for the gateway's DATABASE_WS_PROXY setting, e.g. `127.0.0.1:5488/v1`. */
  readonly proxy: string
  readonly port: number
  close(): Promise<void>
}

export interface WsBridgeOptions {
  /**
   * Postgres servers (`host:port`) the bridge may relay to. The Neon driver names its target in the
   * `address` query parameter; anything not listed here is refused, so the bridge is no open proxy.
   */
  targets: string[]
  /** 0 picks a free port. */
  port?: number
  host?: string
  /**
   * Transaction pooling (pg-pooler.ts), as Neon's pooled endpoints and Hyperdrive do: client sessions
   * share at most `maxConnections` server connections, lent per transaction, instead of one server
   * connection (and backend start) per WebSocket. Off by default: every WebSocket gets its own.
   */
  pooling?: { maxConnections: number }
}

export async function startWsBridge(options: WsBridgeOptions): Promise<WsBridge> {
  const host = options.host ?? '127.0.0.1'
  const http: Server = createServer((_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain' }).end('WebSocket upgrade required\n')
  })
  const wss = new WebSocketServer({ server: http, path: '/v1' })
  const allowed = new Set(options.targets)
  const pooler = options.pooling === undefined ? undefined : new TransactionPooler(options.pooling)
  wss.on('connection', (socket, request) => {
    const address =
      new URL(request.url ?? '/', 'http://bridge').searchParams.get('address') ?? options.targets[0] ?? ''
    if (!allowed.has(address)) {
      socket.close(1008, 'target not allowed')
      return
    }
    if (pooler !== undefined) {
      const session = pooler.session(address, {
        send: (data) => socket.send(data),
        close: () => socket.close(),
      })
      socket.on('message', (data: Buffer) => session.receive(data))
      socket.on('close', () => session.end())
      socket.on('error', () => session.end())
      return
    }
    const separator = address.lastIndexOf(':')
    const tcp = connect(Number(address.slice(separator + 1)), address.slice(0, separator))
    tcp.setNoDelay(true)
    const watcher = terminateWatcher()
    const close = (): void => {
      tcp.destroy()
      if (socket.readyState === socket.OPEN || socket.readyState === socket.CONNECTING) socket.close()
    }
    socket.on('message', (data: Buffer) => {
      tcp.write(data)
      // A real Postgres server hangs up after Terminate; PGlite's socket server does not, so do it here.
      if (watcher(data)) tcp.end()
    })
    tcp.on('data', (data) => socket.send(data))
    socket.on('close', close)
    socket.on('error', close)
    tcp.on('error', close)
    tcp.on('close', close)
  })
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject)
    http.listen(options.port ?? 0, host, () => resolve())
  })
  const address = http.address()
  if (address === null || typeof address === 'string') throw new Error('bridge: no TCP address')
  return {
    proxy: `${host}:${address.port}/v1`,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        pooler?.close()
        for (const client of wss.clients) client.terminate()
        wss.close(() => http.close(() => resolve()))
      }),
  }
}

/**
 * Follows the frontend→backend message stream (an untyped startup packet, or SSL/cancel requests, then
 * typed messages) and reports when a Terminate ('X') message has arrived.
 */
export function terminateWatcher(): (chunk: Buffer) => boolean {
  let pending = Buffer.alloc(0)
  let started = false
  return (chunk) => {
    pending = Buffer.concat([pending, chunk])
    for (;;) {
      if (!started) {
        if (pending.length < 8) return false
        const length = pending.readInt32BE(0)
        if (pending.length < length) return false
        const code = pending.readInt32BE(4)
        pending = pending.subarray(length)
        // SSLRequest (80877103) and GSSENCRequest (80877104) precede the real startup packet.
        if (code !== 80877103 && code !== 80877104) started = true
        continue
      }
      if (pending.length < 5) return false
      const type = pending[0]
      const length = pending.readInt32BE(1)
      if (pending.length < 1 + length) return false
      pending = pending.subarray(1 + length)
      if (type === 0x58) return true
    }
  }
}
