/**
 * The moving-window algorithm (flask-limiter's "moving-window", which Superset's guide configures): a
 * bucket keeps the timestamps of the calls it allowed inside its window, so the N+1th call within any
 * window is refused exactly, and the retry time is when the oldest of those calls leaves the window.
 * Memory is O(N) per bucket, bounded by the limit itself. Pure: no I/O, no clock.
 */

export interface WindowLimit {
  /** Bucket key inside the caller's object, e.g. `user/60000` or `tool:execute_sql/60000`. */
  key: string
  /** Calls allowed per window. */
  limit: number
  windowMs: number
}

export interface BucketState {
  /** The bucket's window, kept with it so idle cleanup knows exactly when the bucket is empty. */
  windowMs: number
  /** Timestamps (ms) of allowed calls still inside the window, oldest first. */
  hits: number[]
}

export interface LimitStatus {
  key: string
  limit: number
  windowMs: number
  remaining: number
  /** Milliseconds until a slot frees up (0 when the bucket is empty). */
  resetMs: number
}

export type WindowDecision =
  | { allowed: true; statuses: LimitStatus[] }
  | { allowed: false; statuses: LimitStatus[]; violated: LimitStatus; retryAfterMs: number }

const EMPTY: readonly number[] = []

/** Drops the hits that have left the window. */
export function prune(state: BucketState, now: number): BucketState {
  const cutoff = now - state.windowMs
  let first = 0
  while (first < state.hits.length && (state.hits[first] ?? 0) <= cutoff) first++
  return first === 0 ? state : { windowMs: state.windowMs, hits: state.hits.slice(first) }
}

function status(limit: WindowLimit, hits: readonly number[], now: number): LimitStatus {
  const used = hits.length
  // Once full, a slot frees when the oldest hit that keeps the bucket full leaves the window.
  const blocking = used >= limit.limit ? hits[used - limit.limit] : hits[0]
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
 * counted in every bucket (all or nothing). `next` holds the buckets to store after an allowed call.
 */
export function decide(
  limits: readonly WindowLimit[],
  states: ReadonlyMap<string, BucketState>,
  now: number,
): { decision: WindowDecision; next: Map<string, BucketState> } {
  const current = new Map<string, readonly number[]>()
  for (const limit of limits) {
    const stored = states.get(limit.key)
    current.set(limit.key, stored === undefined ? EMPTY : prune(stored, now).hits)
  }
  const before = limits.map((limit) => status(limit, current.get(limit.key) ?? EMPTY, now))
  const blocked = before.filter((entry) => entry.remaining === 0)
  if (blocked.length > 0) {
    const violated = blocked.reduce((worst, entry) => (entry.resetMs > worst.resetMs ? entry : worst))
    return {
      decision: { allowed: false, statuses: before, violated, retryAfterMs: violated.resetMs },
      next: new Map(),
    }
  }
  const next = new Map<string, BucketState>()
  for (const limit of limits) {
    next.set(limit.key, { windowMs: limit.windowMs, hits: [...(current.get(limit.key) ?? EMPTY), now] })
  }
  const after = limits.map((limit) => status(limit, next.get(limit.key)?.hits ?? EMPTY, now))
  return { decision: { allowed: true, statuses: after }, next }
}

/** When the last hit of these buckets leaves its window: after that the buckets are all empty. */
export function emptyAt(states: Iterable<BucketState>): number | undefined {
  let latest: number | undefined
  for (const state of states) {
    const newest = state.hits.at(-1)
    if (newest !== undefined) latest = Math.max(latest ?? 0, newest + state.windowMs)
  }
  return latest
}
