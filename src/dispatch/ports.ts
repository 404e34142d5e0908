/**
 * What the dispatcher needs from the rest of the gateway, as small interfaces: the composition root
 * plugs in the real limiter (and, as they land, the cache, audit trail and metrics).
 */
import type { ToolCache } from '../cache'
import type { GatewayError } from '../errors'

/** One tool call, as limits see it. */
export interface CallSubject {
  tenant: string
  userId: number
  username: string
  tool: string
}

export type Admission = (
  | { allowed: true; headers: Record<string, string> }
  | { allowed: false; error: GatewayError; headers: Record<string, string> }
) & {
  /**
   * Kinds of catalog objects (chart, dashboard, …) this user changed recently, and when; undefined when
   * unknown (the limiter was not asked or did not answer), in which case cached answers are not used.
   */
  recentWrites?: Record<string, number>
}

/** Decides whether a call may run now (per-user and per-tool limits). */
export interface Limiter {
  admit(call: CallSubject): Promise<Admission>
  /** Remembers that the caller changed objects of these kinds (for read-your-writes caching). */
  noteWrites(call: CallSubject, kinds: readonly string[]): Promise<void>
}

export interface CallServices {
  limiter: Limiter
  /** The catalog-answer cache; absent where nothing is cached. */
  cache?: ToolCache
  /** Metrics; absent where nothing observes calls (unit tests). */
  observer?: CallObserver
}

/** How a tool call ended, for metrics (and whatever else observes calls). */
export interface CallRecord {
  tool: string
  tenant: string
  transport: 'mcp' | 'http'
  outcome: 'success' | 'error'
  /** The gateway error type of a failed call (RateLimitExceeded, ValidationError, …). */
  errorType: string | null
  durationMs: number
  /** Whether the answer came from the cache: hit, miss, bypass (not cacheable / refresh asked), or null. */
  cacheStatus: 'hit' | 'miss' | 'bypass' | null
  /** The failure itself, for error reporting (Sentry); absent on success. */
  error?: GatewayError
}

/** Observes every finished tool call; must not throw and must not block the call. */
export interface CallObserver {
  toolCall(record: CallRecord): void
}
