/**
 * What the dispatcher needs from the rest of the gateway, as small interfaces each service declares itself
 * (limits/, cache/, observability/): the composition root plugs in the real ones.
 */
import type { ToolCache } from '../cache'
import type { Limiter } from '../limits'
import type { CallObserver } from '../observability'

export interface CallServices {
  limiter: Limiter
  /** The catalog-answer cache; absent where nothing is cached. */
  cache?: ToolCache
  /** Metrics; absent where nothing observes calls (unit tests). */
  observer?: CallObserver
}
