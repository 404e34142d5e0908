import {
  createMcpHandler,
  isLegacyRequest,
  LOG_LEVEL_META_KEY,
  WebStandardStreamableHTTPServerTransport,
  type AuthInfo,
} from '@modelcontextprotocol/server'
import type { Context } from 'hono'
import { createDispatcher, type Dispatcher } from '../dispatch'
import { isJsonMediaType, parseJsonText, readBodyText, type AppEnv } from '../http'
import { traceContextOf, type RequestFacts } from '../observability'
import { UpgradingTransport } from './legacy-stream'
import { createMcpServer } from './server'

/**
 * POST /mcp: Streamable HTTP, stateless, both protocol eras on one endpoint.
 *
 * - 2026-07-28 (a request carrying the per-request `_meta` envelope, `server/discover`,
 *   `subscriptions/listen`): the v2 SDK's `createMcpHandler`, built once per isolate. It validates the
 *   envelope and the `MCP-Protocol-Version`/`Mcp-Method`/`Mcp-Name` headers against the body (-32020),
 *   stamps `resultType` and the cache fields, and asks the factory for a server per request.
 * - 2025-11-25, 2025-06-18, 2025-03-26 (the `initialize` handshake, then plain requests): a fresh server
 *   and stateless transport per request, as the SDK's own `legacy: 'stateless'` does — but answering
 *   JSON unless a progress or log notification is due (src/mcp/legacy-stream.ts), so that the HTTP
 *   headers carry what the calls decided (remaining quota, Retry-After). The SDK's fallback streams SSE
 *   and returns its response before the call has run, so it is composed here with `isLegacyRequest`, the
 *   SDK's own routing predicate, in front of a `legacy: 'reject'` handler, as the SDK documents.
 *
 * The body is read and parsed here, once, with the gateway's limits (strict UTF-8, nesting depth, key
 * count), and handed to the SDK as `parsedBody`, so the SDK never parses a hostile body itself.
 */
export async function handleMcp(c: Context<AppEnv>): Promise<Response> {
  noteHeaders(c)
  const dispatcher = createDispatcher(c.get('scope'))
  // 2026-07-28 names the call in its headers: the limits count it before the body is read, and a refusal
  // (the gateway's HTTP error: 429 with Retry-After) costs no parse. The SDK holds the body to the headers.
  const facts = c.get('facts')
  if (facts.mcpMethod === 'tools/call' && facts.mcpName !== undefined)
    await dispatcher.admitAhead(facts.mcpName)
  const body = await readMcpBody(c)
  if (body.kind === 'answer') return body.response
  if (body.kind === 'transport') return serveLegacy(c.req.raw, dispatcher, undefined)
  if (await isLegacyRequest(c.req.raw, body.value)) return serveLegacy(c.req.raw, dispatcher, body.value)
  return modern.fetch(c.req.raw, { parsedBody: body.value, authInfo: carrying(dispatcher) })
}

/**
 * The request's dispatcher rides to the factory in `authInfo`, the SDK's per-request pass-through to
 * the factory (it is handed on as it is, never read from headers nor verified). The caller was
 * authenticated before this route (src/http/authenticate.ts); the token itself is not passed on.
 */
function carrying(dispatcher: Dispatcher): AuthInfo {
  return { token: '', clientId: 'superset-mcp-gateway', scopes: [], extra: { dispatcher } }
}

function dispatcherOf(authInfo: AuthInfo | undefined): Dispatcher {
  const dispatcher = authInfo?.extra?.dispatcher as Dispatcher | undefined
  // Only handleMcp calls the handler, always with a dispatcher: a missing one is a wiring bug.
  if (dispatcher === undefined) throw new Error('MCP request without a dispatcher')
  return dispatcher
}

/** The 2026-07-28 leg, once per isolate (module scope holds no request state: the factory gets it). */
// Its default response mode (`auto`) answers one JSON body unless a handler sends a notification before
// its result (progress, a log message the request's level lets through): then an SSE stream, opened
// after the limits decided, so it carries their headers too.
const modern = createMcpHandler(({ authInfo, era }) => createMcpServer(dispatcherOf(authInfo), era), {
  legacy: 'reject',
})

async function serveLegacy(request: Request, dispatcher: Dispatcher, parsedBody: unknown): Promise<Response> {
  const server = createMcpServer(dispatcher, 'legacy')
  const json = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
  })
  const transport = new UpgradingTransport(json, singleRequestId(parsedBody))
  await server.connect(transport)
  // Once the exchange is over (its JSON answered, or its stream ended with the result), nothing more
  // goes over this transport.
  void transport.done.then(() => server.close()).catch(() => undefined)
  return transport.handleRequest(request, parsedBody)
}

/** The id of a body that is one JSON-RPC request (the only kind of body answered as a stream). */
function singleRequestId(body: unknown): string | number | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined
  const { id, method } = body as { id?: unknown; method?: unknown }
  if (typeof method !== 'string') return undefined
  return typeof id === 'string' || typeof id === 'number' ? id : undefined
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
  noteMessage(c.get('facts'), parsed.value)
  return { kind: 'parsed', value: parsed.value }
}

const HEADER_NAME = /^[\x21-\x7e]{1,128}$/

/**
 * What the headers say, before the body is read: 2026-07-28's `Mcp-Method`/`Mcp-Name` (for the access
 * line, the limits and the audit; the SDK checks them against the body later) and the W3C trace context.
 */
function noteHeaders(c: Context<AppEnv>): void {
  const facts = c.get('facts')
  const method = c.req.header('mcp-method')
  const name = c.req.header('mcp-name')
  if (method !== undefined && METHOD.test(method)) facts.mcpMethod = method
  if (name !== undefined && HEADER_NAME.test(name)) facts.mcpName = name
  facts.trace = traceContextOf(c.req.header('traceparent'), c.req.header('tracestate'))
}

/** What the parsed message says: its methods, the trace context in its `_meta`, the log level asked for. */
function noteMessage(facts: RequestFacts, message: unknown): void {
  facts.rpcMethods = rpcMethodsOf(message)
  if (Array.isArray(message) || typeof message !== 'object' || message === null) return
  const { method, params } = message as { method?: unknown; params?: { _meta?: unknown; level?: unknown } }
  const meta = (typeof params?._meta === 'object' && params._meta !== null ? params._meta : {}) as Record<
    string,
    unknown
  >
  // The MCP-level context is the more specific one: an intermediary may have started its own HTTP span.
  facts.trace = traceContextOf(meta.traceparent, meta.tracestate) ?? facts.trace
  const level = method === 'logging/setLevel' ? params?.level : meta[LOG_LEVEL_META_KEY]
  if (typeof level === 'string' && LOG_LEVELS.includes(level)) facts.mcpLogLevel = level
}

/** RFC 5424's levels, as MCP names them. */
const LOG_LEVELS = ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency']

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
