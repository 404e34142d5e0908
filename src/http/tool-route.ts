import type { Context } from 'hono'
import { createDispatcher } from '../dispatch'
import { GatewayError } from '../errors'
import { mapStrings, plainAuthoredSpans } from '../markers'
import type { AppEnv } from './app-env'
import { parseJsonText, readBodyText } from './json-body'

/**
 * POST /tools/{name} and POST /{name}: a tool call over plain HTTP for scripts and load tests, with the
 * body `{"request": {...}}` as in Superset's guide. Same authentication and permissions as MCP.
 */
export async function handleToolCall(c: Context<AppEnv>): Promise<Response> {
  const name = c.req.param('name') ?? ''
  const args = await readJsonBody(c)
  // Plain JSON for scripts: no untrusted-content markers (those are for agents, over MCP).
  // A script cannot be asked to confirm (no input requests over plain HTTP): a destructive call follows
  // MCP_CONFIRM_FALLBACK, running unconfirmed (`allow`, audited so) or refused with 403 (`refuse`).
  const { result, inBand } = await createDispatcher(c.get('scope')).callTool(name, args)
  // An in-band failure's message may quote user-written names (src/markers.ts): plain quotes here.
  return c.json((inBand === true ? mapStrings(result, plainAuthoredSpans) : result) as object)
}

/** The tool arguments: an empty body is `{}`; anything else must be JSON within the body limits. */
async function readJsonBody(c: Context<AppEnv>): Promise<unknown> {
  const text = await readBodyText(c.req.raw)
  if (text.trim() === '') return {}
  // A substring test, as before: clients send "application/json; charset=utf-8" and the like.
  if (!(c.req.header('content-type') ?? '').toLowerCase().includes('application/json')) {
    throw new GatewayError(
      'ValidationError',
      'Send the tool arguments as JSON (Content-Type: application/json).',
    )
  }
  const parsed = parseJsonText(text)
  if (parsed.kind === 'invalid')
    throw new GatewayError('ValidationError', 'The request body is not valid JSON.')
  return parsed.value
}
