/**
 * Principals remembered for a few seconds in the isolate, so back-to-back calls of one agent do not
 * reload the same user, roles and permission pairs. Only successful loads are kept; a change of roles
 * in Superset applies within MCP_PRINCIPAL_CACHE_SECONDS (0 turns this off).
 */
import type { Principal } from './principal'

const MAX_PRINCIPALS = 1_000
const remembered = new Map<string, { principal: Principal; expiresAt: number }>()

export async function rememberedPrincipal(
  key: string,
  ttlSeconds: number,
  load: () => Promise<Principal>,
  now: number = Date.now(),
): Promise<Principal> {
  if (ttlSeconds <= 0) return load()
  const entry = remembered.get(key)
  if (entry !== undefined && entry.expiresAt > now) return entry.principal
  const principal = await load()
  remembered.delete(key)
  remembered.set(key, { principal, expiresAt: now + ttlSeconds * 1000 })
  if (remembered.size > MAX_PRINCIPALS) {
    const oldest = remembered.keys().next()
    if (oldest.done !== true) remembered.delete(oldest.value)
  }
  return principal
}

/** Forgets every remembered principal (tests). */
export function forgetPrincipals(): void {
  remembered.clear()
}
