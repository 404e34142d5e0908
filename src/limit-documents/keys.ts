/**
 * KV keys of the limits module (namespace CONFIG), spelled only here. `limits:<tenant>` is the public
 * contract tenant admins write (design §7); the last-valid copies are the gateway's own, versioned.
 */

/**
 * The tenant whose document (`limits:default`) is every other tenant's fallback. Also the tenant src/auth
 * gives callers whose token names none, so their limits are this document's.
 */
export const FALLBACK_TENANT = 'default'

export const DOCUMENT_PREFIX = 'limits:'

export const limitKeys = {
  /** The limit document tenant admins edit. */
  document: (tenant: string) => `${DOCUMENT_PREFIX}${tenant}`,
  /** The last document that parsed, kept in force while the stored one is invalid (even in a cold isolate). */
  lastValid: (tenant: string) => `v1:limits-last-valid:${tenant}`,
} as const

/** The tenant a `limits:` key belongs to. */
export function tenantOfKey(key: string): string {
  return key.slice(DOCUMENT_PREFIX.length)
}
