/**
 * The first line, before any expensive work (JWT verification, JWKS fetches, database): requests that
 * do not end up authenticated — /health, metadata documents, bad or missing tokens — count per client IP.
 *
 * Two layers. An in-isolate token bucket (MCP_IP_RATE_LIMIT, default "300 per minute") takes a token
 * before the request runs, so a burst of forged tokens is cut off at the bucket's size, and gives the
 * token back once the request authenticated. Cloudflare's `ratelimits` binding IP_RATE_LIMITER (when
 * bound) counts the same unauthenticated requests across every isolate of the location; it is asked
 * after the response (no added latency), and once it says no, this isolate refuses that client for the
 * binding's period.
 */
import type { MiddlewareHandler } from 'hono'
import { loadConfig } from '../config'
import { GatewayError } from '../errors'
import type { AppEnv } from '../http'
import { describeError } from '../observability'
import { countLimitEvent } from './counters'
import { BUILT_IN_IP_LIMIT, MAX_TOKEN_BUCKET_COUNT, parseLimit, type LimitRule } from './document'
import { policyItem, rateLimit, retryAfterSeconds, retryPhrase } from './headers'

/** The client key when Cloudflare did not say who the client is (local development, tests). */
export const UNKNOWN_CLIENT = 'unknown-client'
/** `period` of IP_RATE_LIMITER in wrangler.toml: how long a client stays refused after it said no. */
export const IP_BINDING_PERIOD_MS = 60_000
/** Clients tracked per isolate; the least recently seen are forgotten first. */
export const MAX_TRACKED_CLIENTS = 10_000

const POLICY_NAME = 'client-ip'

export interface ClientState {
  /** Tokens left (fractional: the bucket refills continuously). */
  tokens: number
  updatedAt: number
  /** Refused until then because the location-wide binding said no. */
  blockedUntil: number
}

export type ClientDecision =
  { allowed: true; state: ClientState } | { allowed: false; state: ClientState; retryAfterMs: number }

/** Takes one token for a request (pure). Without a rule only a binding block can refuse. */
export function takeClientToken(
  state: ClientState | undefined,
  rule: LimitRule | undefined,
  now: number,
): ClientDecision {
  const current = refill(state, rule, now)
  if (current.blockedUntil > now) {
    return { allowed: false, state: current, retryAfterMs: current.blockedUntil - now }
  }
  if (rule === undefined) return { allowed: true, state: current }
  if (current.tokens >= 1) return { allowed: true, state: { ...current, tokens: current.tokens - 1 } }
  return { allowed: false, state: current, retryAfterMs: (1 - current.tokens) / ratePerMs(rule) }
}

/** Gives back the token of a request that turned out to be authenticated (pure). */
export function refundClientToken(state: ClientState, rule: LimitRule | undefined): ClientState {
  return rule === undefined ? state : { ...state, tokens: Math.min(rule.count, state.tokens + 1) }
}

function refill(state: ClientState | undefined, rule: LimitRule | undefined, now: number): ClientState {
  // A bucket first seen while the limit was off starts full once a limit applies (min() below caps it).
  if (state === undefined)
    return { tokens: rule?.count ?? Number.POSITIVE_INFINITY, updatedAt: now, blockedUntil: 0 }
  if (rule === undefined) return { ...state, updatedAt: now }
  // A clock that stepped back refills nothing (rather than draining the bucket).
  const elapsedMs = Math.max(0, now - state.updatedAt)
  const tokens = Math.min(rule.count, state.tokens + elapsedMs * ratePerMs(rule))
  return { ...state, tokens, updatedAt: now }
}

function ratePerMs(rule: LimitRule): number {
  return rule.count / rule.windowMs
}

/** CF-Connecting-IP as a counting key; an IPv6 client counts as its /64, which one subscriber usually holds. */
export function clientKey(ip: string | undefined): string {
  const address = ip?.trim()
  if (address === undefined || address === '') return UNKNOWN_CLIENT
  if (!address.includes(':') || address.includes('.')) return address
  const [head = '', tail] = address.toLowerCase().split('::')
  const headGroups = head === '' ? [] : head.split(':')
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':')
  const zeros = Array<string>(Math.max(0, 8 - headGroups.length - tailGroups.length)).fill('0')
  const groups = [...headGroups, ...(tail === undefined ? [] : zeros), ...tailGroups]
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`
}

/** Client states of one isolate, least recently seen first, bounded. */
class ClientStates {
  private readonly states = new Map<string, ClientState>()

  get(key: string): ClientState | undefined {
    return this.states.get(key)
  }

  set(key: string, state: ClientState): void {
    this.states.delete(key)
    this.states.set(key, state)
    if (this.states.size > MAX_TRACKED_CLIENTS) {
      const oldest = this.states.keys().next()
      if (oldest.done !== true) this.states.delete(oldest.value)
    }
  }
}

function ipRateLimitBinding(env: object): RateLimit | undefined {
  const binding = (env as { IP_RATE_LIMITER?: unknown }).IP_RATE_LIMITER
  return typeof binding === 'object' && binding !== null && typeof (binding as RateLimit).limit === 'function'
    ? (binding as RateLimit)
    : undefined
}

const FALLBACK_RULE = parseLimit(BUILT_IN_IP_LIMIT, MAX_TOKEN_BUCKET_COUNT)

/** MCP_IP_RATE_LIMIT, or the default while the configuration is invalid (this runs before withConfig). */
function configuredRule(env: object): LimitRule | undefined {
  const parsed = loadConfig(env)
  if (parsed.ok) return parsed.config.limits.ipLimit
  return FALLBACK_RULE.ok ? FALLBACK_RULE.rule : undefined
}

export function clientRateLimit(): MiddlewareHandler<AppEnv> {
  const clients = new ClientStates()
  return async function clientRateLimit(c, next) {
    const key = clientKey(c.req.header('cf-connecting-ip'))
    const rule = configuredRule(c.env)
    const decision = takeClientToken(clients.get(key), rule, Date.now())
    clients.set(key, decision.state)
    if (!decision.allowed) {
      countLimitEvent('refused_client_ip')
      throw clientRateLimitError(rule, decision.retryAfterMs)
    }
    await next()
    if (c.get('identity') !== undefined) {
      const state = clients.get(key)
      if (state !== undefined) clients.set(key, refundClientToken(state, rule))
      return
    }
    const binding = ipRateLimitBinding(c.env)
    if (binding !== undefined) {
      c.executionCtx.waitUntil(
        binding.limit({ key }).then(
          (outcome) => {
            const state = clients.get(key)
            if (!outcome.success && state !== undefined)
              clients.set(key, { ...state, blockedUntil: Date.now() + IP_BINDING_PERIOD_MS })
          },
          (err: unknown) => c.get('log').warn('ip_rate_limiter_failed', describeError(err)),
        ),
      )
    }
  }
}

function clientRateLimitError(rule: LimitRule | undefined, retryAfterMs: number): GatewayError {
  const seconds = retryAfterSeconds(retryAfterMs)
  const headers: Record<string, string> = { 'Retry-After': String(seconds) }
  if (rule !== undefined) {
    headers['RateLimit-Policy'] = policyItem(POLICY_NAME, rule)
    headers.RateLimit = rateLimit(POLICY_NAME, 0, retryAfterMs)
  }
  return new GatewayError(
    'RateLimitExceeded',
    `Too many unauthenticated requests from this address. ${retryPhrase(seconds)}`,
    {
      details: {
        retry_after_seconds: seconds,
        scope: 'client_ip',
        ...(rule === undefined ? {} : { limit: rule.text }),
      },
      headers,
    },
  )
}
