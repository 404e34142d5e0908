/**
 * Test helpers: a real MCP SDK client wired to the Worker under test, and raw JSON-RPC requests.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { exports } from 'cloudflare:workers'

export const BASE = 'http://localhost'

export function workerFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  return exports.default.fetch(new Request(input, init))
}

export async function connectClient(headers: Record<string, string> = {}): Promise<Client> {
  const client = new Client({ name: 'gateway-tests', version: '1.0.0' })
  const transport = new StreamableHTTPClientTransport(new URL(`${BASE}/mcp`), {
    fetch: workerFetch,
    requestInit: { headers },
  })
  await client.connect(transport)
  return client
}

export const MCP_HEADERS = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
}

let nextId = 1

export function rpc(method: string, params?: unknown, headers: Record<string, string> = {}): RequestInit {
  return {
    method: 'POST',
    headers: { ...MCP_HEADERS, ...headers },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: nextId++,
      method,
      ...(params === undefined ? {} : { params }),
    }),
  }
}

/** Reads a JSON-RPC response from either a JSON body or an SSE stream. */
export async function rpcResult(
  response: Response,
): Promise<{ result?: any; error?: { code: number; message: string } }> {
  const text = await response.text()
  if ((response.headers.get('content-type') ?? '').includes('text/event-stream')) {
    const data = text
      .split('\n')
      .filter((line) => line.startsWith('data: '))
      .map((line) => line.slice(6))
      .at(-1)
    return JSON.parse(data ?? '{}')
  }
  return JSON.parse(text)
}

/** POST /tools/{name} with `{"request": …}`. */
export function callHttpTool(
  name: string,
  request: unknown = {},
  headers: Record<string, string> = {},
): Promise<Response> {
  return workerFetch(`${BASE}/tools/${name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ request }),
  })
}
