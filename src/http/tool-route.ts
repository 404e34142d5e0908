import type { Context } from 'hono'
import { createDispatcher } from '../dispatch'
import { GatewayError } from '../errors'
import type { AppEnv } from './app-env'

/**
 * POST /tools/{name} and POST /{name}: a tool call over plain HTTP for scripts and load tests, with the
 * body `{"request": {...}}` as in Superset's guide. Same authentication and permissions as MCP.
 */
export async function handleToolCall(c: Context<AppEnv>): Promise<Response> {
  const name = c.req.param('name') ?? ''
  const args = await readJsonBody(c)
  const result = await createDispatcher(c.get('scope')).callTool(name, args)
  return c.json(result as object)
}

async function readJsonBody(c: Context<AppEnv>): Promise<unknown> {
  const contentType = c.req.header('content-type') ?? ''
  const text = await c.req.text()
  if (text.trim() === '') return {}
  if (!contentType.toLowerCase().includes('application/json')) {
    throw new GatewayError(
      'ValidationError',
      'Send the tool arguments as JSON (Content-Type: application/json).',
    )
  }
  try {
    return JSON.parse(text) as unknown
  } catch {
    throw new GatewayError('ValidationError', 'The request body is not valid JSON.')
  }
}
