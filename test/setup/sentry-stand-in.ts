/**
 * A local stand-in for Sentry's ingest endpoint, for the tests: it accepts envelopes at
 * `POST /api/<project>/envelope/` (what toucan-js sends to a DSN `http://key@host:port/<project>`) and
 * keeps them per project, so each test uses a project of its own. `GET /_test/projects/<project>` returns
 * what arrived: the HTTP headers of each upload and its envelope, split into items.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { gunzipSync } from 'node:zlib'

export interface ReceivedEnvelope {
  /** Request headers of the upload (what the gateway's transport sent, not what its caller sent). */
  headers: Record<string, string | string[] | undefined>
  /** The envelope as received, for "this text must not appear anywhere" checks. */
  raw: string
  /** The envelope header line. */
  envelope: unknown
  items: { header: unknown; payload: unknown }[]
}

export interface SentryStandIn {
  /** Base URL, `http://127.0.0.1:<port>`. */
  url: string
  close(): Promise<void>
}

const ENVELOPE_PATH = /^\/api\/([A-Za-z0-9_-]{1,64})\/envelope\/?$/
const RESULTS_PATH = /^\/_test\/projects\/([A-Za-z0-9_-]{1,64})$/
const MAX_ENVELOPE_BYTES = 1024 * 1024

export async function startSentryStandIn(): Promise<SentryStandIn> {
  const received = new Map<string, ReceivedEnvelope[]>()
  const server = createServer((request, response) => {
    route(request, response, received).catch((err: unknown) => {
      response.writeHead(500, { 'content-type': 'text/plain' }).end(String(err))
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

async function route(
  request: IncomingMessage,
  response: ServerResponse,
  received: Map<string, ReceivedEnvelope[]>,
): Promise<void> {
  const path = new URL(request.url ?? '/', 'http://stand-in').pathname
  const upload = ENVELOPE_PATH.exec(path)
  if (request.method === 'POST' && upload !== null) {
    const raw = await readBody(request)
    const list = received.get(upload[1]!) ?? []
    list.push({ headers: request.headers, raw, ...parseEnvelope(raw) })
    received.set(upload[1]!, list)
    json(response, 200, { id: crypto.randomUUID().replaceAll('-', '') })
    return
  }
  const results = RESULTS_PATH.exec(path)
  if (request.method === 'GET' && results !== null) {
    json(response, 200, received.get(results[1]!) ?? [])
    return
  }
  json(response, 404, { detail: 'not found' })
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of request) {
    size += (chunk as Buffer).length
    if (size > MAX_ENVELOPE_BYTES) throw new Error('envelope too large')
    chunks.push(chunk as Buffer)
  }
  const body = Buffer.concat(chunks)
  return (request.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body).toString('utf8')
}

/** Sentry's envelope: a header line, then for each item a header line and a payload line. */
function parseEnvelope(raw: string): Pick<ReceivedEnvelope, 'envelope' | 'items'> {
  const lines = raw.split('\n').filter((line) => line.trim() !== '')
  const items: ReceivedEnvelope['items'] = []
  for (let index = 1; index + 1 < lines.length; index += 2) {
    items.push({ header: JSON.parse(lines[index]!), payload: JSON.parse(lines[index + 1]!) })
  }
  return { envelope: JSON.parse(lines[0] ?? '{}'), items }
}

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
}
