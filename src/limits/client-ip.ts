/**
 * The first line, before any expensive work (configuration, Origin, body, JWT verification, JWKS fetches,
 * the database): a budget for requests that are not authenticated — /health, metadata documents, unknown
 * routes, missing or forged tokens — per client address. It never spends or refuses what an authenticated
 * user sends: those calls are limited per user by the RateLimiter Durable Object.
 *
 * - A bearer token this isolate verified recently (the verified-token cache: one hash and a lookup) skips
 *   the budget altogether.
 * - Any other request takes a token from the client's in-isolate bucket (MCP_IP_RATE_LIMIT, default
 *   "300 per minute") before it runs, so a burst of forged tokens is cut off at the bucket's size; a request
 *   that then authenticated (a token seen for the first time) gives its token back.
 * - Once the bucket is empty, a request is refused with 429 unless its bearer token verifies: the refusal of
 *   a missing or malformed token costs nothing, that of a forged one a single verification (8 KiB at most,
 *   the pinned algorithm, keys already held; an unknown `kid` refetches the key set at most every 30 s).
 * - Cloudflare's `ratelimits` binding IP_RATE_LIMITER (when bound) counts the unauthenticated requests
 *   across every isolate of the location; it is asked after the response (no added latency), and once it
 *   says no, this isolate treats that client's bucket as spent for the binding's period.
 *
 * The client is the CF-Connecting-IP address only when Cloudflare's edge set it (see `clientKeyOf`); no
 * other header (X-Forwarded-For, X-Real-IP, True-Client-IP…) is ever read.
 */
import type { ConfigResult } from '../config'
import { GatewayError } from '../errors'
import { countLimitEvent } from './counters'
import { BUILT_IN_IP_LIMIT, MAX_TOKEN_BUCKET_COUNT, parseLimit, type LimitRule } from '../limit-documents'
import { policyItem, rateLimit, retryAfterSeconds, retryPhrase } from './headers'

/**
 * The one key every request shares whose client address the gateway cannot trust: it did not come through
 * Cloudflare's edge (wrangler dev, tests, a service binding), or the edge gave no usable address.
 */
export const UNVERIFIED_CLIENT = 'unverified-client-address'
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

/** What a request says about where it came from: the header, Cloudflare's `cf` object, the environment. */
export interface ClientOrigin {
  connectingIp: string | undefined
  /** `request.cf`: attached by Cloudflare's edge to every request it delivers to a deployed Worker. */
  cf: unknown
  /** MCP_ENVIRONMENT, or undefined while the configuration does not parse. */
  environment: string | undefined
}

/**
 * The counting key of a request. CF-Connecting-IP is believed only when Cloudflare's edge set it: the request
 * carries `request.cf` and the gateway runs deployed (MCP_ENVIRONMENT staging or production), since on the
 * edge Cloudflare overwrites whatever the client sent in that header. wrangler dev (miniflare) attaches a
 * `cf` object too (a placeholder, or a cached copy of the developer's own) and sets CF-Connecting-IP to the
 * socket's address only when the client did not send one, so locally the header is whatever the client says;
 * the tests' requests carry neither. Everything else shares UNVERIFIED_CLIENT.
 */
export function clientKeyOf(origin: ClientOrigin): string {
  const throughCloudflare =
    typeof origin.cf === 'object' &&
    origin.cf !== null &&
    origin.environment !== undefined &&
    origin.environment !== 'development'
  return throughCloudflare ? clientKey(origin.connectingIp) : UNVERIFIED_CLIENT
}

// Addresses as Cloudflare writes them: IPv4, or IPv6 (an IPv4 tail allowed). Anything else is no address.
const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/
const IPV6 = /^[0-9A-Fa-f:.]{2,45}$/

/** An edge-set address as a counting key; an IPv6 client counts as its /64, which one subscriber usually holds. */
export function clientKey(ip: string | undefined): string {
  const address = ip?.trim() ?? ''
  if (!IPV4.test(address) && !(address.includes(':') && IPV6.test(address))) return UNVERIFIED_CLIENT
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
export class ClientStates {
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

/** Cloudflare's `ratelimits` binding, when the deployment has one. */
export function ipRateLimitBinding(env: object): RateLimit | undefined {
  const binding = (env as { IP_RATE_LIMITER?: unknown }).IP_RATE_LIMITER
  return typeof binding === 'object' && binding !== null && typeof (binding as RateLimit).limit === 'function'
    ? (binding as RateLimit)
    : undefined
}

const FALLBACK_RULE = parseLimit(BUILT_IN_IP_LIMIT, MAX_TOKEN_BUCKET_COUNT)

/** The budget's rule: MCP_IP_RATE_LIMIT, or the built-in default while the configuration does not parse. */
export function clientLimitRule(parsed: ConfigResult): LimitRule | undefined {
  return parsed.ok ? parsed.config.limits.ipLimit : FALLBACK_RULE.ok ? FALLBACK_RULE.rule : undefined
}

/** The 429 of a spent budget, with the policy it ran out of. */
export function clientRateLimitError(rule: LimitRule | undefined, retryAfterMs: number): GatewayError {
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

/** Counts a request the budget refused. */
export function countClientRefusal(): void {
  countLimitEvent('refused_client_ip')
}
