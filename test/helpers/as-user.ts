/**
 * Calls a tool as any demo user, in-process, through the same dispatcher the routes use. Tests use
 * this for users other than MCP_DEV_USERNAME until tokens select the user.
 */
import { env } from 'cloudflare:workers'
import type { ToolCache } from '../../src/cache'
import { requireConfig, type Config } from '../../src/config'
import { createDispatcher, createRequestScope } from '../../src/dispatch'
import { createLimiter } from '../../src/limits'
import { createLogger } from '../../src/observability'

/** Variables to change for one call (e.g. MCP_DASHBOARD_RBAC); each distinct set parses once. */
export type EnvOverrides = Record<string, string>

const overriddenEnvs = new Map<string, object>()

function envWith(overrides: EnvOverrides): object {
  const key = JSON.stringify(overrides)
  let patched = overriddenEnvs.get(key)
  if (patched === undefined) {
    patched = { ...env, ...overrides }
    overriddenEnvs.set(key, patched)
  }
  return patched
}

/** Extra services for a call: the tests of the cache pass one. */
export interface CallOptions {
  cache?: (config: Config) => ToolCache
}

export async function withUser<T>(
  username: string,
  work: (dispatcher: ReturnType<typeof createDispatcher>) => Promise<T>,
  overrides: EnvOverrides = {},
  options: CallOptions = {},
): Promise<T> {
  const config = requireConfig(Object.keys(overrides).length === 0 ? env : envWith(overrides))
  const scope = createRequestScope({
    requestId: `test-${username}`,
    config,
    log: createLogger('error'),
    identity: { lookup: { username }, tenant: 'default', method: 'dev_username', scopes: [] },
    transport: 'http',
    services: {
      limiter: createLimiter({ env, config, log: createLogger('error'), waitUntil: () => undefined }),
      ...(options.cache === undefined ? {} : { cache: options.cache(config) }),
    },
  })
  try {
    return await work(createDispatcher(scope))
  } finally {
    await scope.finish()
  }
}

export function callAs(
  username: string,
  tool: string,
  request: unknown = {},
  overrides: EnvOverrides = {},
  options: CallOptions = {},
): Promise<any> {
  return withUser(username, (dispatcher) => dispatcher.callTool(tool, { request }), overrides, options)
}
