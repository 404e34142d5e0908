/**
 * A TCP proxy in front of a Postgres server that the fault tests switch off and on: `stop()` drops
 * every connection and refuses new ones (as a stopped server would), `start()` listens again on the
 * same port. The database server itself is never touched.
 */
import { connect, createServer, type Server, type Socket } from 'node:net'

export interface TcpProxy {
  /** The proxy's port on 127.0.0.1. */
  port: number
  /** `postgres://…` with the host and port replaced by the proxy's. */
  via(url: string): string
  stop(): Promise<void>
  start(): Promise<void>
  close(): Promise<void>
}

export async function startTcpProxy(target: { host: string; port: number }, port = 0): Promise<TcpProxy> {
  const sockets = new Set<Socket>()
  let server: Server | undefined
  let listenPort = port
  const listen = async (): Promise<void> => {
    const created = createServer((client) => {
      const upstream = connect(target.port, target.host)
      sockets.add(client)
      sockets.add(upstream)
      client.setNoDelay(true)
      upstream.setNoDelay(true)
      client.pipe(upstream)
      upstream.pipe(client)
      const close = (): void => {
        client.destroy()
        upstream.destroy()
        sockets.delete(client)
        sockets.delete(upstream)
      }
      client.on('error', close)
      upstream.on('error', close)
      client.on('close', close)
      upstream.on('close', close)
    })
    await new Promise<void>((resolve, reject) => {
      created.once('error', reject)
      created.listen(listenPort, '127.0.0.1', () => resolve())
    })
    const address = created.address()
    if (address === null || typeof address === 'string') throw new Error('proxy: no TCP address')
    listenPort = address.port
    server = created
  }
  const stop = async (): Promise<void> => {
    const running = server
    server = undefined
    for (const socket of sockets) socket.destroy()
    sockets.clear()
    if (running !== undefined) await new Promise<void>((resolve) => running.close(() => resolve()))
  }
  await listen()
  return {
    get port() {
      return listenPort
    },
    via: (url) => {
      const parsed = new URL(url)
      parsed.hostname = '127.0.0.1'
      parsed.port = String(listenPort)
      return parsed.toString()
    },
    stop,
    start: async () => {
      if (server === undefined) await listen()
    },
    close: stop,
  }
}
