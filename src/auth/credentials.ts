/**
 * What the unauthenticated budget (src/http/client-budget.ts), which runs before anything else, may learn
 * about a request's bearer token: whether this isolate verified it recently, and, once the client's budget
 * is spent, whether it verifies at all. Neither answers the request nor logs; authenticate() still decides
 * who the caller is, and a token verified here is found in the verified-token cache there.
 */
import type { ConfigResult, JwtAuthConfig } from '../config'
import { readBearerToken } from './bearer'
import { isRememberedToken, verifyAccessToken } from './verify'

/** A request as the budget sees it, before the configuration is known to parse. */
export interface PresentedRequest {
  /** The isolate's configuration, parsed or not. */
  configuration: ConfigResult
  /** Where fetched key sets are kept between isolates (the CONFIG namespace). */
  kv: KVNamespace
  /** The Authorization header, as sent. */
  authorization: string | undefined
  waitUntil(promise: Promise<unknown>): void
}

/** The token and the settings to verify it with; none without authentication or a well-formed bearer header. */
function presented(request: PresentedRequest): { token: string; auth: JwtAuthConfig } | undefined {
  const parsed = request.configuration
  if (!parsed.ok || !parsed.config.auth.enabled) return undefined
  const bearer = readBearerToken(request.authorization)
  return bearer.ok ? { token: bearer.token, auth: parsed.config.auth } : undefined
}

export const bearerCredentials = {
  async recognised(request: PresentedRequest): Promise<boolean> {
    const credential = presented(request)
    return credential !== undefined && (await isRememberedToken(credential.token, credential.auth))
  },

  async verifies(request: PresentedRequest): Promise<boolean> {
    const credential = presented(request)
    if (credential === undefined) return false
    try {
      const verified = await verifyAccessToken(credential.token, credential.auth, {
        kv: request.kv,
        waitUntil: request.waitUntil,
      })
      return verified.ok
    } catch {
      // A configuration problem (no key source, no issuer): the request is refused here, withConfig says why.
      return false
    }
  },
}
