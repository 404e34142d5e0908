export { createLogger, describeError } from './logger'
export type { LogFields, Logger, LogObserver, LogSink } from './logger'
export { REDACTED, scrubText, scrubValue } from './scrub'
export {
  createRequestFacts,
  factsObserver,
  noteLogEvent,
  requestCacheStatus,
  requestErrorType,
  requestLimiterDecision,
  serverFaults,
} from './request-facts'
export type { LimiterDecision, RequestFacts, ToolCallFact } from './request-facts'
export {
  AGGREGATOR_SHARDS,
  collectMetrics,
  FLUSH_AFTER_REQUESTS,
  FLUSH_INTERVAL_MS,
  IsolateMetrics,
  isolateMetrics,
  requestIncrements,
  routeLabel,
} from './metrics'
export type { AggregatorNamespace, FinishedRequest, RouteLabel } from './metrics'
export { MetricsAggregator } from './metrics-aggregator'
export { DURATION_BUCKETS_SECONDS, FAMILIES, renderExposition } from './metrics-registry'
export { writeCallDataPoints } from './analytics'
export { reportToSentry, scrubEvent, SENTRY_ALLOWED_HEADERS } from './sentry'
export type { SentrySettings } from './sentry'
