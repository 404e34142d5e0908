/**
 * Who is calling. With MCP_AUTH_ENABLED=false every request acts as MCP_DEV_USERNAME (development
 * only); with auth enabled the caller proves who they are with a bearer JWT.
 */
import type { MiddlewareHandler } from 'hono'
import type { Identity } from '../dispatch'
import { GatewayError } from '../errors'
import type { AppEnv } from '../http/app-env'

export const DEFAULT_TENANT = 'default'

export function authenticate(): MiddlewareHandler<AppEnv> {
  return async function authenticate(c, next) {
    const { auth } = c.get('config')
    if (auth.enabled) {
      throw new GatewayError(
        'AuthenticationError',
        'Bearer token authentication is not available in this build.',
      )
    }
    if (auth.devUsername === undefined) {
      throw new GatewayError(
        'ConfigurationError',
        'MCP_DEV_USERNAME is required when MCP_AUTH_ENABLED=false.',
      )
    }
    const identity: Identity = {
      lookup: { username: auth.devUsername },
      tenant: DEFAULT_TENANT,
      method: 'dev_username',
      scopes: [],
    }
    c.set('identity', identity)
    await next()
  }
}
