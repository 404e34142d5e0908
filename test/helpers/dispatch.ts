/**
 * One tool call through the dispatcher as the MCP layer makes it, with the transport's confirmation
 * options (the confirmation flow's tests; docs/SECURITY.md "Destructive calls"). Real KV, limiter and
 * databases: only the MCP framing is left out.
 */
import { env } from 'cloudflare:workers'
import { requireConfig } from '../../src/config'
import { createDispatcher, createRequestScope, type ToolOutcome } from '../../src/dispatch'
import { createLimiter, LimitDocumentStore } from '../../src/limits'
import { createLogger } from '../../src/observability'

export interface DispatchOptions {
  canConfirm: boolean
  confirmation?: { state: string; accepted: boolean }
}

export async function dispatchAs(
  username: string,
  name: string,
  args: unknown,
  options: DispatchOptions,
): Promise<ToolOutcome> {
  const config = requireConfig(env)
  const log = createLogger('error')
  const scope = createRequestScope({
    requestId: `test-${crypto.randomUUID()}`,
    config,
    log,
    identity: { lookup: { username }, tenant: 'default', method: 'dev_username', scopes: [] },
    transport: 'mcp',
    services: {
      limiter: createLimiter({
        env,
        config,
        log,
        waitUntil: () => undefined,
        documents: new LimitDocumentStore(env.CONFIG),
      }),
    },
  })
  try {
    return await createDispatcher(scope).callTool(name, args, options)
  } finally {
    await scope.finish()
  }
}
