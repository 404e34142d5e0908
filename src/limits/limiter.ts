/**
 * Interim limiter used until the Durable Object limits are wired (issue 5): admits every call.
 */
import type { Limiter } from '../dispatch'

export function createLimiter(): Limiter {
  return { admit: async () => ({ allowed: true, headers: {} }) }
}
