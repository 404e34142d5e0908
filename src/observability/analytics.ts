/**
 * Workers Analytics Engine, when an `ANALYTICS` dataset binding is configured: one data point per tool
 * call, for dashboards that need what Prometheus labels must not carry (tenant, user). Analytics Engine
 * samples at high volume (each row's `_sample_interval` says how many calls it stands for), so it is for
 * trends and breakdowns; the exact counts are the /metrics counters.
 *
 * Columns (docs/DEPLOYMENT.md, "Workers Analytics Engine"): index1 = tenant; blob1 tool, blob2 outcome,
 * blob3 error type, blob4 cache status, blob5 transport, blob6 tenant, blob7 user id, blob8 request id;
 * double1 duration in milliseconds.
 */
import type { RequestFacts } from './request-facts'

/** Analytics Engine accepts at most this many data points per invocation. */
const MAX_POINTS_PER_REQUEST = 250

export function writeCallDataPoints(
  dataset: AnalyticsEngineDataset | undefined,
  facts: RequestFacts,
  userId: number | undefined,
): void {
  if (dataset === undefined) return
  for (const call of facts.calls.slice(0, MAX_POINTS_PER_REQUEST)) {
    dataset.writeDataPoint({
      indexes: [call.tenant],
      blobs: [
        call.tool,
        call.outcome,
        call.errorType ?? '',
        call.cacheStatus ?? '',
        call.transport,
        call.tenant,
        userId === undefined ? '' : String(userId),
        facts.requestId,
      ],
      doubles: [call.durationMs],
    })
  }
}
