import type { Config } from '../config'
import type { Identity } from '../auth'
import type { RequestScope } from '../dispatch'
import type { Logger, RequestFacts } from '../observability'

/** Hono's typing of this Worker: its bindings and the per-request variables middleware sets. */
export interface AppEnv {
  Bindings: Env
  Variables: {
    requestId: string
    log: Logger
    /** What the request did, collected for its access line, metrics and Sentry (set by requestContext). */
    facts: RequestFacts
    /** Set once the configuration parsed; routes that need it run after `withConfig`. */
    config: Config
    identity: Identity
    scope: RequestScope
  }
}
