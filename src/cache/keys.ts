/**
 * The only place KV keys of the tool-result cache are spelled (namespace CACHE). The version prefix
 * changes whenever the stored shape changes, so old entries are simply never read again.
 * Documented in docs/storage.md.
 */
export const CACHE_KEY_VERSION = 'v1'

export const cacheKeys = {
  /** A tool's answer for one permission fingerprint, arguments and data generation. */
  toolResult: (parts: {
    tenant: string
    tool: string
    scope: string
    argsHash: string
    generation: string
  }): string =>
    `${CACHE_KEY_VERSION}:tool:${parts.tenant}:${parts.tool}:${parts.scope}:${parts.argsHash}:${parts.generation}`,
  /** When objects of a kind (chart, dashboard, …) last changed in a tenant, through the gateway. */
  generation: (tenant: string, kind: string): string => `${CACHE_KEY_VERSION}:gen:${tenant}:${kind}`,
} as const
