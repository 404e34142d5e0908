/**
 * Principals remembered for a few seconds in the isolate, so back-to-back calls of one agent do not
 * reload the same user, roles and permission pairs. Only successful loads are kept; a change of roles
 * in Superset applies within MCP_PRINCIPAL_CACHE_SECONDS (0 turns this off).
 */
import { MemoryCache } from '../cache'
import type { Principal } from '../superset'

const MAX_PRINCIPALS = 1_000
const remembered = new MemoryCache<Principal>(MAX_PRINCIPALS)

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
  return principal
}

/** Forgets every remembered principal (tests). */
export function forgetPrincipals(): void {
  remembered.clear()
}
