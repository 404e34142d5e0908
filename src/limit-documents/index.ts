/**
 * Tenant limit documents: the grammar of a limit ("300 per minute"), the document tenant admins keep in KV,
 * where it is kept, and which limits apply to a call. A leaf of the architecture (docs/ARCHITECTURE.md):
 * configuration parses MCP_IP_RATE_LIMIT with it, limits/ enforces it, and `npm run limits` edits it.
 * Its imports carry `.ts` extensions so Node runs the scripts that load it as they are.
 */
export {
  BUILT_IN_IP_LIMIT,
  confirmOverride,
  MAX_TOKEN_BUCKET_COUNT,
  describeEffectiveLimits,
  limitsForCall,
  parseLimit,
  parseLimitDocument,
} from './document.ts'
export type { CallLimits, LimitDocument, LimitRule, TenantDocuments } from './document.ts'
export { DOCUMENT_PREFIX, FALLBACK_TENANT, limitKeys, tenantOfKey } from './keys.ts'
