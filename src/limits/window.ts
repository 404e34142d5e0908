/**
 * The moving-window algorithm (flask-limiter's "moving-window", which Superset's guide configures): a
 * bucket keeps the timestamps of the calls it allowed inside its window, so the N+1th call within any
 * window is refused exactly, and the retry time is when the oldest of those calls leaves the window.
 * Memory is O(N) per bucket, bounded by the limit itself. Pure: no I/O, no clock.
 */

export interface WindowLimit {
  /** Bucket key inside the caller's object, e.g. `user:1/minute` or `tool:execute_sql:1/minute`. */
  key: string
  /** Calls allowed per window. */
  limit: number
  windowMs: number
}

export interface BucketState {
  /** Timestamps (ms) of allowed calls still inside the window, oldest first. */
  hits: number[]
}

export interface LimitStatus {
  key: string
  limit: number
  windowMs: number
  remaining: number
  /** Milliseconds until a slot frees up (0 when one is free now). */
  resetMs: number
}

export type WindowDecision =
  | { allowed: true; statuses: LimitStatus[] }
  | { allowed: false; statuses: LimitStatus[]; violated: LimitStatus; retryAfterMs: number }

/** Drops the hits that have left the window. */
export function prune(state: BucketState, windowMs: number, now: number): BucketState {
  const cutoff = now - windowMs
  let first = 0
  while (first < state.hits.length && (state.hits[first] ?? 0) <= cutoff) first++
  return first === 0 ? state : { hits: state.hits.slice(first) }
}

function status(limit: WindowLimit, state: BucketState, now: number): LimitStatus {
  const used = state.hits.length
  const oldest = state.hits[0]
  const full = used >= limit.limit
  // Once full, the slot frees when the oldest hit that keeps it full leaves the window.
  const blocking = full ? state.hits[used - limit.limit] : oldest
  return {
    key: limit.key,
    limit: limit.limit,
    windowMs: limit.windowMs,
    remaining: Math.max(0, limit.limit - used),
    resetMs: blocking === undefined ? 0 : Math.max(0, blocking + limit.windowMs - now),
  }
}

/**
 * Decides one call against every limit at once: allowed only if every bucket has room, and then it is
 * counted in every bucket (all or nothing).
 */
export function decide(
  limits: readonly WindowLimit[],
  states: ReadonlyMap<string, BucketState>,
  now: number,
): { decision: WindowDecision; next: Map<string, BucketState> } {
  const pruned = new Map<string, BucketState>()
  for (const limit of limits)
    pruned.set(limit.key, prune(states.get(limit.key) ?? { hits: [] }, limit.windowMs, now))
  const before = limits.map((limit) => status(limit, pruned.get(limit.key) ?? { hits: [] }, now))
  const blocked = before.filter((entry) => entry.remaining === 0)
  if (blocked.length > 0) {
    const violated = blocked.reduce((worst, entry) => (entry.resetMs > worst.resetMs ? entry : worst))
    return {
      decision: { allowed: false, statuses: before, violated, retryAfterMs: violated.resetMs },
      next: pruned,
    }
  }
  const next = new Map<string, BucketState>()
  for (const limit of limits) next.set(limit.key, { hits: [...(pruned.get(limit.key)?.hits ?? []), now] })
  const after = limits.map((limit) => status(limit, next.get(limit.key) ?? { hits: [] }, now))
  return { decision: { allowed: true, statuses: after }, next }
}
