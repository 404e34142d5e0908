import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js'
import type { Context } from 'hono'
import { createDispatcher } from '../dispatch'
import { isJsonMediaType, parseJsonText, readBodyText, type AppEnv } from '../http'
import { createMcpServer } from './server'

/**
 * POST /mcp: Streamable HTTP, stateless — a new server and transport for every request. Responses are
 * JSON rather than SSE: the tools send no progress notifications, and a complete response lets the
 * HTTP headers carry what the calls decided (remaining quota, Retry-After).
 *
 * The body is read and parsed here, once, with the gateway's limits (strict UTF-8, nesting depth, key
 * count), and handed to the transport as `parsedBody`, so the SDK never parses a hostile body itself.
 */
export async function handleMcp(c: Context<AppEnv>): Promise<Response> {
  const body = await readMcpBody(c)
  if (body.kind === 'answer') return body.response
  const server = createMcpServer(createDispatcher(c.get('scope')))
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
  })
  await server.connect(transport)
  return transport.handleRequest(c.req.raw, body.kind === 'parsed' ? { parsedBody: body.value } : undefined)
}

type McpBody =
  /** The transport answers without reading the body (406 Not Acceptable, 415 Unsupported Media Type). */
  { kind: 'transport' } | { kind: 'parsed'; value: unknown } | { kind: 'answer'; response: Response }

async function readMcpBody(c: Context<AppEnv>): Promise<McpBody> {
  const accept = c.req.header('accept') ?? ''
  const acceptable = accept.includes('application/json') && accept.includes('text/event-stream')
  if (!acceptable || !isJsonMediaType(c.req.header('content-type'))) return { kind: 'transport' }
  const parsed = parseJsonText(await readBodyText(c.req.raw))
  if (parsed.kind === 'invalid') return { kind: 'answer', response: parseError(c) }
  c.get('facts').rpcMethods = rpcMethodsOf(parsed.value)
  return { kind: 'parsed', value: parsed.value }
}

/** The SDK's own answer to a body that is not JSON (JSON-RPC -32700), so clients see no difference. */
function parseError(c: Context<AppEnv>): Response {
  return c.json(
    { jsonrpc: '2.0', error: { code: -32700, message: 'Parse error: Invalid JSON' }, id: null },
    400,
  )
}

const METHOD = /^[A-Za-z0-9_/.-]{1,64}$/

/** The JSON-RPC methods of a message or batch, for the access log (never parameters). */
function rpcMethodsOf(message: unknown): string[] {
  const messages = Array.isArray(message) ? message.slice(0, 20) : [message]
  return messages.flatMap((item) => {
    const method = (item as { method?: unknown } | null)?.method
    return typeof method === 'string' && METHOD.test(method) ? [method] : []
  })
}

/** GET and DELETE /mcp: no sessions and no server-initiated stream in a stateless gateway. */
export function mcpMethodNotAllowed(c: Context<AppEnv>): Response {
  return c.json(
    {
      jsonrpc: '2.0',
      error: { code: -32000, message: 'Method not allowed: this MCP endpoint is stateless; use POST.' },
      id: null,
    },
    405,
    { Allow: 'POST' },
  )
}
