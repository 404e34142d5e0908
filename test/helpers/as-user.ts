/**
 * Calls a tool as any demo user, in-process, through the same dispatcher the routes use. Tests use
 * this for users other than MCP_DEV_USERNAME until tokens select the user.
 */
import { env } from 'cloudflare:workers'
import { requireConfig } from '../../src/config'
import { createDispatcher, createRequestScope } from '../../src/dispatch'
import { createLimiter } from '../../src/limits'
import { createLogger } from '../../src/observability'

export async function withUser<T>(
  username: string,
  work: (dispatcher: ReturnType<typeof createDispatcher>) => Promise<T>,
): Promise<T> {
  const config = requireConfig(env)
  const scope = createRequestScope({
    requestId: `test-${username}`,
    config,
    log: createLogger('error'),
    identity: { lookup: { username }, tenant: 'default', method: 'dev_username', scopes: [] },
    services: { limiter: createLimiter() },
  })
  try {
    return await work(createDispatcher(scope))
  } finally {
    await scope.db.close()
  }
}

export function callAs(username: string, tool: string, request: unknown = {}): Promise<any> {
  return withUser(username, (dispatcher) => dispatcher.callTool(tool, { request }))
}
