/**
 * Authentication as a step of the pipeline: src/auth decides who is calling (a verified bearer JWT, or
 * MCP_DEV_USERNAME with authentication off); this middleware hands it the request and keeps the answer.
 */
import type { MiddlewareHandler } from 'hono'
import { identify } from '../auth'
import type { AppEnv } from './app-env'

export function authenticate(): MiddlewareHandler<AppEnv> {
  return async function authenticate(c, next) {
    const request = {
      authorization: c.req.header('authorization'),
      url: c.req.url,
      kv: c.env.CONFIG,
      waitUntil: (promise: Promise<unknown>) => c.executionCtx.waitUntil(promise),
      log: c.get('log'),
    }
    c.set('identity', await identify(request, c.get('config')))
    await next()
  }
}
