/**
 * The unauthenticated budget as Hono middleware, the first line of the pipeline (src/limits/client-ip.ts
 * explains the budget: who is counted, under which key, and what a refusal says).
 */
import type { Context, MiddlewareHandler } from 'hono'
import type { PresentedRequest } from '../auth'
import { describeError } from '../errors'
import {
  ClientStates,
  clientKeyOf,
  clientLimitRule,
  clientRateLimitError,
  countClientRefusal,
  IP_BINDING_PERIOD_MS,
  ipRateLimitBinding,
  refundClientToken,
  takeClientToken,
} from '../limits'
import type { AppEnv } from './app-env'

/** What the budget asks about a request's bearer token; src/auth answers (`bearerCredentials`). */
export interface BearerCredentials {
  /** A token this isolate verified and still remembers: one hash and a lookup, no signature check. */
  recognised(request: PresentedRequest): Promise<boolean>
  /** Whether the token verifies now; asked only once the client's budget is spent. */
  verifies(request: PresentedRequest): Promise<boolean>
}

function presentedRequest(c: Context<AppEnv>): PresentedRequest {
  return {
    configuration: c.get('configuration'),
    kv: c.env.CONFIG,
    authorization: c.req.header('authorization'),
    waitUntil: (promise) => c.executionCtx.waitUntil(promise),
  }
}

export function clientRateLimit(credentials: BearerCredentials): MiddlewareHandler<AppEnv> {
  const clients = new ClientStates()
  return async function clientRateLimit(c, next) {
    // A caller the identity provider vouched for moments ago: limited per user, not by this budget.
    if (await credentials.recognised(presentedRequest(c))) {
      await next()
      return
    }
    // This runs before withConfig: while the configuration is invalid, the default limit and no trusted address.
    const parsed = c.get('configuration')
    const rule = clientLimitRule(parsed)
    const key = clientKeyOf({
      connectingIp: c.req.header('cf-connecting-ip'),
      cf: c.req.raw.cf,
      environment: parsed.ok ? parsed.config.environment : undefined,
    })
    const decision = takeClientToken(clients.get(key), rule, Date.now())
    clients.set(key, decision.state)
    if (!decision.allowed) {
      // A valid token is never refused here, however many unauthenticated requests shared its address.
      if (await credentials.verifies(presentedRequest(c))) {
        await next()
        return
      }
      countClientRefusal()
      throw clientRateLimitError(rule, decision.retryAfterMs)
    }
    await next()
    if (c.get('identity') !== undefined) {
      const state = clients.get(key)
      if (state !== undefined) clients.set(key, refundClientToken(state, rule))
      return
    }
    const binding = ipRateLimitBinding(c.env)
    if (binding !== undefined) {
      c.executionCtx.waitUntil(
        binding.limit({ key }).then(
          (outcome) => {
            const state = clients.get(key)
            if (!outcome.success && state !== undefined)
              clients.set(key, { ...state, blockedUntil: Date.now() + IP_BINDING_PERIOD_MS })
          },
          (err: unknown) => c.get('log').warn('ip_rate_limiter_failed', describeError(err)),
        ),
      )
    }
  }
}
