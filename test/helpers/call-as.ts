/**
 * Calls the gateway as any demo user the way a client does: a token for that user from the tests' issuer
 * (a TestRealm), a JSON-RPC request POSTed to /mcp through the Worker's own fetch. Every call crosses
 * what a deployed call crosses: HTTP, authentication, the MCP server, the dispatcher, the limiter and the
 * catalog cache (the Worker's real KV binding CACHE).
 *
 * The Worker under test runs with authentication off (vitest.config.ts); these calls run it with
 * authentication on against the realm (tokens.ts authEnv), plus any variables a test changes for the call.
 */
import { UNTRUSTED_CLOSE, UNTRUSTED_OPEN } from '../../src/mcp/untrusted'
import { rpc, rpcResult } from './mcp'
import { AUDIENCE, authEnv, bearer, gatewayFetch, TestRealm } from './tokens'

/**
 * Variables (e.g. MCP_DASHBOARD_RBAC) or bindings (e.g. CACHE) to change for one call. String-only
 * overrides are reused by value; others by identity (keep the object to keep its parsed configuration).
 */
export type EnvOverrides = Record<string, unknown>

/** A failed tool call (an `isError` result): the gateway's error body, as the caller reads it. */
export class ToolCallError extends Error {
  readonly type: string
  readonly details: Record<string, unknown> | undefined

  constructor(body: { error: string; error_type: string; details?: Record<string, unknown> }) {
    super(unmarkedText(body.error))
    this.name = 'ToolCallError'
    this.type = body.error_type
    this.details = unmarked(body.details) as Record<string, unknown> | undefined
  }
}

/** A JSON-RPC error (e.g. -32602 for an unknown or hidden tool). */
export class RpcError extends Error {
  readonly code: number
  readonly data: unknown

  constructor(error: { code: number; message: string; data?: unknown }) {
    super(error.message)
    this.name = 'RpcError'
    this.code = error.code
    this.data = error.data
  }
}

/** A request the gateway refused before MCP (401/403 from authentication, 429, …): its HTTP error body. */
export class HttpError extends ToolCallError {
  readonly status: number

  constructor(
    status: number,
    body: { error: string; error_type: string; details?: Record<string, unknown> },
  ) {
    super(body)
    this.name = 'HttpError'
    this.status = status
  }
}

let realm: TestRealm | undefined
const tokens = new Map<string, Promise<string>>()
const envsByValue = new Map<string, Cloudflare.Env>()
const envsByIdentity = new WeakMap<EnvOverrides, Cloudflare.Env>()

function issuer(): TestRealm {
  realm ??= TestRealm.create('call-as')
  return realm
}

/** A token naming `username` (one per user and test file: they last an hour). */
export function tokenFor(username: string): Promise<string> {
  let token = tokens.get(username)
  if (token === undefined) {
    token = issuer().mint(username)
    tokens.set(username, token)
  }
  return token
}

/** The Worker's bindings with authentication against the realm and `overrides`, one object per set. */
export function envFor(overrides: EnvOverrides = {}): Cloudflare.Env {
  const byValue = Object.values(overrides).every((value) => typeof value === 'string')
  const key = JSON.stringify(overrides)
  let testEnv = byValue ? envsByValue.get(key) : envsByIdentity.get(overrides)
  if (testEnv === undefined) {
    testEnv = { ...authEnv(issuer()), ...overrides } as Cloudflare.Env
    if (byValue) envsByValue.set(key, testEnv)
    else envsByIdentity.set(overrides, testEnv)
  }
  return testEnv
}

/** POSTs one JSON-RPC request to /mcp as `username`; returns its result or throws what came back instead. */
export async function rpcAs(
  username: string,
  method: string,
  params?: unknown,
  overrides: EnvOverrides = {},
): Promise<any> {
  const init = rpc(method, params, { authorization: bearer(await tokenFor(username)) })
  const response = await gatewayFetch(envFor(overrides))(AUDIENCE, init)
  if (!response.ok) {
    const body = (await response.clone().json()) as any
    if (typeof body?.error_type === 'string') throw new HttpError(response.status, body)
    if (body?.error !== undefined) throw new RpcError(body.error)
    throw new Error(`POST /mcp ${response.status}: ${JSON.stringify(body)}`)
  }
  const answer = await rpcResult(response)
  if (answer.error !== undefined) throw new RpcError(answer.error)
  return answer.result
}

/**
 * Calls `tool` with `{"request": request}` over MCP as `username`: its structured content (with the
 * untrusted-content markers taken off again, see `unmarked`), or a ToolCallError for an `isError` result.
 * A hidden or unknown tool is MCP's protocol error: an RpcError with code -32602.
 */
export async function callAs(
  username: string,
  tool: string,
  request: unknown = {},
  overrides: EnvOverrides = {},
): Promise<any> {
  const result = await rpcAs(username, 'tools/call', { name: tool, arguments: { request } }, overrides)
  if (result.isError === true) throw new ToolCallError(result.structuredContent)
  return unmarked(result.structuredContent)
}

/** The names of the tools `tools/list` shows `username`, sorted. */
export async function toolNamesAs(username: string, overrides: EnvOverrides = {}): Promise<string[]> {
  const { tools } = await rpcAs(username, 'tools/list', {}, overrides)
  return (tools as { name: string }[]).map((tool) => tool.name).sort()
}

/** The text of a resource as `resources/read` gives it to `username`. */
export async function readResourceAs(
  username: string,
  uri: string,
  overrides: EnvOverrides = {},
): Promise<string> {
  const { contents } = await rpcAs(username, 'resources/read', { uri }, overrides)
  return (contents as { text: string }[])[0]!.text
}

const INNER_BLOCK = new RegExp(`${UNTRUSTED_OPEN}([\\s\\S]*?)${UNTRUSTED_CLOSE}`, 'g')

/**
 * A string without its markers: a value marked as a whole is the value; names quoted inside the gateway's
 * own sentence (an error naming a dataset) read in double quotes, as plain HTTP answers show them.
 */
function unmarkedText(text: string): string {
  if (text.startsWith(UNTRUSTED_OPEN) && text.endsWith(UNTRUSTED_CLOSE)) {
    const inner = text.slice(UNTRUSTED_OPEN.length, text.length - UNTRUSTED_CLOSE.length)
    if (!inner.includes(UNTRUSTED_OPEN)) return inner
  }
  return text.replace(INNER_BLOCK, '"$1"')
}

/**
 * The answer without the markers MCP puts around text authored in Superset (src/mcp/untrusted.ts), so
 * tests compare titles, descriptions and SQL with what is stored. Marker-like text inside (made inert as
 * `&lt;`) stays as sent; test/worker/untrusted-content*.test.ts check the markers themselves.
 */
export function unmarked(value: unknown): unknown {
  if (typeof value === 'string') return unmarkedText(value)
  if (Array.isArray(value)) return value.map(unmarked)
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, unmarked(item)]))
  return value
}
