/**
 * What the benchmark sends: tool calls over plain HTTP (`POST /tools/{name}` with `{"request": …}`, as
 * Superset's guide load-tests it) and over MCP (`POST /mcp`, JSON-RPC `tools/call`, stateless), each
 * with a real bearer token, and how an answer is judged.
 */
import type { BenchRequest } from './load.ts'

export function httpTool(token: string | undefined, tool: string, request: unknown): BenchRequest {
  return {
    method: 'POST',
    path: `/tools/${tool}`,
    headers: {
      'content-type': 'application/json',
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify({ request }),
  }
}

/** The protocol revision the benchmark's MCP requests declare. */
export const MCP_PROTOCOL_VERSION = '2025-11-25'

export function mcpToolCall(
  token: string | undefined,
  tool: string,
  request: unknown,
  id: number,
): BenchRequest {
  return {
    method: 'POST',
    path: '/mcp',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': MCP_PROTOCOL_VERSION,
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id,
      method: 'tools/call',
      params: { name: tool, arguments: { request } },
    }),
  }
}

/** The same call as a 2026-07-28 stateless request: `_meta` envelope, and the method and name in headers. */
export function mcpToolCallStateless(
  token: string | undefined,
  tool: string,
  request: unknown,
  id: number,
): BenchRequest {
  const call = mcpToolCall(token, tool, request, id)
  const body = JSON.parse(call.body as string) as { params: Record<string, unknown> }
  body.params._meta = {
    'io.modelcontextprotocol/protocolVersion': MCP_STATELESS_VERSION,
    'io.modelcontextprotocol/clientInfo': { name: 'bench', version: '1.0.0' },
    'io.modelcontextprotocol/clientCapabilities': {},
  }
  return {
    ...call,
    headers: {
      ...call.headers,
      'mcp-protocol-version': MCP_STATELESS_VERSION,
      'mcp-method': 'tools/call',
      'mcp-name': tool,
    },
    body: JSON.stringify(body),
  }
}

export const MCP_STATELESS_VERSION = '2026-07-28'

/** An MCP answer succeeds when it is a JSON-RPC result that is not a tool error. */
export function mcpResultOk(body: string): boolean {
  try {
    const parsed = JSON.parse(body) as { result?: { isError?: boolean } }
    return parsed.result !== undefined && parsed.result.isError !== true
  } catch {
    return false
  }
}

/**
 * The cache status an answer reports, if any: a `cache_status` field of the tool's answer (top level,
 * or in an MCP result's structuredContent), or a `cache-status` / `x-cache` / `x-cache-status` header.
 */
export function cacheStatusOf(body: string, headers: Record<string, string>): string | undefined {
  for (const name of ['cache-status', 'x-cache-status', 'x-cache', 'mcp-cache-status']) {
    const value = headers[name]
    if (value !== undefined && value !== '') return value.toLowerCase()
  }
  if (!body.includes('cache_status')) return undefined
  try {
    const parsed = JSON.parse(body) as {
      cache_status?: unknown
      result?: { structuredContent?: { cache_status?: unknown } }
    }
    const status = parsed.cache_status ?? parsed.result?.structuredContent?.cache_status
    return typeof status === 'string' ? status : undefined
  } catch {
    return undefined
  }
}
