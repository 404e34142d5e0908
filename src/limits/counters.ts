/**
 * In-isolate counters of what the limits decided, for the metrics endpoint to export. Plain numbers:
 * an isolate serves one request at a time per event, so increments do not race.
 */
export interface LimitsCounters {
  /** Calls refused over a user-wide limit. */
  refused_user: number
  /** Calls refused over the called tool's limit. */
  refused_tool: number
  /** Requests refused by the per-client-IP limiter (before authentication). */
  refused_client_ip: number
  /** Calls admitted although the RateLimiter Durable Object could not be reached (fail mode "open"). */
  limiter_unreachable_allowed: number
  /** Calls refused because the RateLimiter Durable Object could not be reached (fail mode "closed"). */
  limiter_unreachable_refused: number
}

const counters: LimitsCounters = {
  refused_user: 0,
  refused_tool: 0,
  refused_client_ip: 0,
  limiter_unreachable_allowed: 0,
  limiter_unreachable_refused: 0,
}

export function countLimitEvent(name: keyof LimitsCounters): void {
  counters[name] += 1
}

/** A snapshot of this isolate's counters since it started. */
export function readLimitsCounters(): Readonly<LimitsCounters> {
  return { ...counters }
}
