/**
 * The Worker's bindings. Vars and secrets arrive as strings (or are absent); `src/config` parses them
 * once with zod. Bindings are declared here by hand so that a missing one is a type error, not a
 * runtime surprise.
 */
import type { AuditRecord } from './audit'
import type { RateLimiter } from './limits'
import type { MetricsAggregator } from './observability'

export interface Env {
  /** Tenant limit documents, the JWKS cache. */
  CONFIG: KVNamespace
  /** Tool-result cache. */
  CACHE: KVNamespace
  RATE_LIMITER: DurableObjectNamespace<RateLimiter>
  /** Cloudflare's rate-limiting binding: the location-wide count of unauthenticated requests per client IP. */
  IP_RATE_LIMITER?: RateLimit
  /** The shards isolates flush their metric counts to; GET /metrics reads them all. */
  METRICS_AGGREGATOR: DurableObjectNamespace<MetricsAggregator>
  /** The audit trail's queue; its consumer is this Worker's queue() handler (src/audit). Optional: without
   * it, audit rows are inserted directly after each response. */
  AUDIT_QUEUE?: Queue<AuditRecord>
  /** Workers Analytics Engine dataset: one data point per tool call, when configured. */
  ANALYTICS?: AnalyticsEngineDataset
  /** Every configuration variable of design §3 (and the gateway's own extras) as a raw string. */
  [name: string]: unknown
}
