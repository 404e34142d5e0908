/**
 * What the dispatcher needs from the rest of the gateway, as small interfaces: the composition root
 * plugs in the real limiter (and, as they land, the cache, audit trail and metrics).
 */
import type { GatewayError } from '../errors'

/** One tool call, as limits see it. */
export interface CallSubject {
  tenant: string
  userId: number
  username: string
  tool: string
}

export type Admission =
  | { allowed: true; headers: Record<string, string> }
  | { allowed: false; error: GatewayError; headers: Record<string, string> }

/** Decides whether a call may run now (per-user and per-tool limits). */
export interface Limiter {
  admit(call: CallSubject): Promise<Admission>
}

export interface CallServices {
  limiter: Limiter
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
}

/** Observes every finished tool call; must not throw and must not block the call. */
export interface CallObserver {
  toolCall(record: CallRecord): void
}
