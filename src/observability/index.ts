export { createLogger, describeError } from './logger'
export type { LogFields, Logger, LogObserver, LogSink } from './logger'
export {
  createRequestFacts,
  factsObserver,
  noteLogEvent,
  requestCacheStatus,
  requestErrorType,
  requestLimiterDecision,
} from './request-facts'
export type { LimiterDecision, RequestFacts, ToolCallFact } from './request-facts'
export { collectMetrics, FLUSH_AFTER_REQUESTS, IsolateMetrics, isolateMetrics, routeLabel } from './metrics'
export type { AggregatorNamespace, FinishedRequest, RouteLabel } from './metrics'
export { MetricsAggregator } from './metrics-aggregator'
export { writeCallDataPoints } from './analytics'
export { reportToSentry, scrubEvent } from './sentry'
export type { SentrySettings } from './sentry'
