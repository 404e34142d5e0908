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

/** MCP's stateless revision: every request carries its own `_meta` envelope, no initialize. */
export const MODERN_REVISION = '2026-07-28'

let modernIds = 1

export interface ModernOptions {
  /** `Mcp-Name`: by default the params' tool name or resource URI. */
  name?: string
  headers?: Record<string, string>
  /** More `_meta` keys (a traceparent, a progress token, a log level). */
  meta?: Record<string, unknown>
  capabilities?: Record<string, unknown>
  client?: string
}

/** A 2026-07-28 request: the `_meta` envelope in the body and the standard headers derived from it. */
export function modernRpc(
  method: string,
  params: Record<string, unknown> = {},
  options: ModernOptions = {},
): RequestInit {
  const name = options.name ?? (params.name as string | undefined) ?? (params.uri as string | undefined)
  return {
    method: 'POST',
    headers: {
      ...MCP_HEADERS,
      'mcp-protocol-version': MODERN_REVISION,
      'mcp-method': method,
      ...(name === undefined ? {} : { 'mcp-name': name }),
      ...options.headers,
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: modernIds++,
      method,
      params: {
        ...params,
        _meta: {
          'io.modelcontextprotocol/protocolVersion': MODERN_REVISION,
          'io.modelcontextprotocol/clientInfo': { name: options.client ?? 'gateway-tests', version: '1.0.0' },
          'io.modelcontextprotocol/clientCapabilities': options.capabilities ?? {},
          ...(params._meta as Record<string, unknown> | undefined),
          ...options.meta,
        },
      },
    }),
  }
}
