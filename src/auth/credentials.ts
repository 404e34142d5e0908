/**
 * What the unauthenticated budget (src/limits/client-ip.ts), which runs before anything else, may learn
 * about a request's bearer token: whether this isolate verified it recently, and, once the client's budget
 * is spent, whether it verifies at all. Neither answers the request nor logs; authenticate() still decides
 * who the caller is, and a token verified here is found in the verified-token cache there.
 */
import type { Context } from 'hono'
import { loadConfig, type AuthConfig } from '../config'
import type { AppEnv } from '../http/app-env'
import { readBearerToken } from './bearer'
import { isRememberedToken, verifyAccessToken } from './verify'

/** The token and the settings to verify it with; none without authentication or a well-formed bearer header. */
function presented(c: Context<AppEnv>): { token: string; auth: AuthConfig } | undefined {
  const parsed = loadConfig(c.env)
  if (!parsed.ok || !parsed.config.auth.enabled) return undefined
  const bearer = readBearerToken(c.req.header('authorization'))
  return bearer.ok ? { token: bearer.token, auth: parsed.config.auth } : undefined
}

export const bearerCredentials = {
  async recognised(c: Context<AppEnv>): Promise<boolean> {
    const credential = presented(c)
    return credential !== undefined && (await isRememberedToken(credential.token, credential.auth))
  },

  async verifies(c: Context<AppEnv>): Promise<boolean> {
    const credential = presented(c)
    if (credential === undefined) return false
    try {
      const verified = await verifyAccessToken(credential.token, credential.auth, {
        kv: c.env.CONFIG,
        waitUntil: (promise) => c.executionCtx.waitUntil(promise),
      })
      return verified.ok
    } catch {
      // A configuration problem (no key source, no issuer): the request is refused here, withConfig says why.
      return false
    }
  },
}
