/**
 * Principals remembered for a few seconds in the isolate, so back-to-back calls of one agent do not
 * reload the same user, roles and permission pairs. Only successful loads are kept; a change of roles
 * in Superset applies within MCP_PRINCIPAL_CACHE_SECONDS (0 turns this off).
 */
import { MemoryCache } from '../cache'
import type { Principal } from '../superset'

const MAX_PRINCIPALS = 1_000
const remembered = new MemoryCache<Principal>(MAX_PRINCIPALS)
/** Until when each remembered principal is kept (what the caller's lists are derived from). */
const keptUntil = new WeakMap<Principal, number>()

export async function rememberedPrincipal(
  key: string,
  ttlSeconds: number,
  load: () => Promise<Principal>,
  now: number = Date.now(),
): Promise<Principal> {
  if (ttlSeconds <= 0) return load()
  const cached = remembered.get(key, now)
  if (cached !== undefined) return cached
  const principal = await load()
  remembered.set(key, principal, now + ttlSeconds * 1000)
  keptUntil.set(principal, now + ttlSeconds * 1000)
  return principal
}

/**
 * How much longer, in ms, the gateway answers with this principal before loading the user's roles and
 * permissions again: 0 when it is not remembered (MCP_PRINCIPAL_CACHE_SECONDS=0).
 */
export function principalKeptForMs(principal: Principal, now: number = Date.now()): number {
  const until = keptUntil.get(principal)
  return until === undefined ? 0 : Math.max(0, until - now)
}

/** Forgets every remembered principal (tests). */
export function forgetPrincipals(): void {
  remembered.clear()
}
