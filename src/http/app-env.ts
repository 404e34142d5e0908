import type { Config, ConfigResult } from '../config'
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
    /** The isolate's configuration as parsed (set by requestContext): what runs before withConfig reads it. */
    configuration: ConfigResult
    /** The valid configuration, for every step after withConfig. */
    config: Config
    identity: Identity
    scope: RequestScope
  }
}
