import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js'
import type { Context } from 'hono'
import { createDispatcher } from '../dispatch'
import type { AppEnv } from '../http/app-env'
import { createMcpServer } from './server'

/**
 * POST /mcp: Streamable HTTP, stateless — a new server and transport for every request. Responses are
 * JSON rather than SSE: the tools send no progress notifications, and a complete response lets the
 * HTTP headers carry what the calls decided (remaining quota, Retry-After).
 */
export async function handleMcp(c: Context<AppEnv>): Promise<Response> {
  const server = createMcpServer(createDispatcher(c.get('scope')))
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
  })
  await server.connect(transport)
  return transport.handleRequest(c.req.raw)
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
