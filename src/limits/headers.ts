/**
 * From a decision to what the caller sees: the IETF RateLimit-Policy and RateLimit fields
 * (draft-ietf-httpapi-ratelimit-headers, Structured Fields), Retry-After, and the RateLimitExceeded
 * error with the limit that was hit. Pure.
 */
import type { Admission } from './ports'
import { GatewayError } from '../errors'
import type { CallLimits, LimitRule } from '../limit-documents'
import type { LimitStatus, WindowDecision, WindowLimit } from './window'

export type LimitScope = 'user' | 'tool'

/** One limit checked for a call: its rule, where it counts, and its name in the headers. */
export interface CheckedLimit {
  scope: LimitScope
  /** Policy name in RateLimit-Policy / RateLimit, e.g. "user-minute" or "tool". */
  name: string
  rule: LimitRule
  bucket: WindowLimit
}

const WINDOW_NAMES: Record<number, string> = {
  1_000: 'second',
  60_000: 'minute',
  3_600_000: 'hour',
  86_400_000: 'day',
}

function windowName(windowMs: number): string {
  return WINDOW_NAMES[windowMs] ?? `${windowMs / 1000}s`
}

/**
 * The buckets one call counts in. Buckets are keyed by window, not by count, so an edited limit applies
 * to the calls already counted in that window.
 */
export function checkedLimits(limits: CallLimits, tool: string): CheckedLimit[] {
  const user = limits.user.map((rule): CheckedLimit => ({
    scope: 'user',
    name: `user-${windowName(rule.windowMs)}`,
    rule,
    bucket: { key: `user/${rule.windowMs}`, limit: rule.count, windowMs: rule.windowMs },
  }))
  const toolLimits = limits.tool.map((rule): CheckedLimit => ({
    scope: 'tool',
    name: limits.tool.length === 1 ? 'tool' : `tool-${windowName(rule.windowMs)}`,
    rule,
    bucket: { key: `tool:${tool}/${rule.windowMs}`, limit: rule.count, windowMs: rule.windowMs },
  }))
  return [...user, ...toolLimits]
}

/** One item of RateLimit-Policy: `"tool";q=10;w=60`. */
export function policyItem(name: string, rule: LimitRule): string {
  return `"${name}";q=${rule.count};w=${rule.windowMs / 1000}`
}

/** `"user-minute";q=100;w=60, "tool";q=10;w=60` */
export function rateLimitPolicy(checked: readonly CheckedLimit[]): string {
  return checked.map((limit) => policyItem(limit.name, limit.rule)).join(', ')
}

/** `"tool";r=0;t=42`: remaining calls, and seconds until more are available. */
export function rateLimit(name: string, remaining: number, resetMs: number): string {
  return `"${name}";r=${remaining};t=${Math.ceil(resetMs / 1000)}`
}

/** Whole seconds to wait, at least 1 (RFC 9110 delay-seconds). */
export function retryAfterSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000))
}

/** "Retry after 42 seconds." */
export function retryPhrase(seconds: number): string {
  return `Retry after ${seconds} ${seconds === 1 ? 'second' : 'seconds'}.`
}

/** The status with the least remaining quota (on a tie, the one that waits longest). */
function tightest(statuses: readonly LimitStatus[]): LimitStatus | undefined {
  let best: LimitStatus | undefined
  for (const status of statuses) {
    if (
      best === undefined ||
      status.remaining < best.remaining ||
      (status.remaining === best.remaining && status.resetMs > best.resetMs)
    )
      best = status
  }
  return best
}

/** The Admission the dispatcher applies: headers on success; the error and headers when refused. */
export function toAdmission(
  decision: WindowDecision,
  checked: readonly CheckedLimit[],
  tool: string,
): Admission {
  const byKey = new Map(checked.map((limit) => [limit.bucket.key, limit]))
  const policy = rateLimitPolicy(checked)
  if (decision.allowed) {
    const status = tightest(decision.statuses)
    const limit = status === undefined ? undefined : byKey.get(status.key)
    const headers: Record<string, string> = { 'RateLimit-Policy': policy }
    if (status !== undefined && limit !== undefined)
      headers.RateLimit = rateLimit(limit.name, status.remaining, status.resetMs)
    return { allowed: true, headers }
  }
  const violated = byKey.get(decision.violated.key)
  if (violated === undefined)
    throw new Error(`RateLimiter answered for an unknown bucket ${decision.violated.key}`)
  const seconds = retryAfterSeconds(decision.retryAfterMs)
  const headers = {
    'Retry-After': String(seconds),
    'RateLimit-Policy': policy,
    RateLimit: rateLimit(violated.name, 0, decision.retryAfterMs),
  }
  return { allowed: false, error: rateLimitError(violated, tool, seconds, headers), headers }
}

function rateLimitError(
  violated: CheckedLimit,
  tool: string,
  seconds: number,
  headers: Record<string, string>,
): GatewayError {
  const what =
    violated.scope === 'tool'
      ? `${tool} allows ${violated.rule.text}`
      : `${violated.rule.text} across all tools`
  return new GatewayError('RateLimitExceeded', `Rate limit exceeded: ${what}. ${retryPhrase(seconds)}`, {
    details: { retry_after_seconds: seconds, limit: violated.rule.text, scope: violated.scope, tool },
    headers,
  })
}
