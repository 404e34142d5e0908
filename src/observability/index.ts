export { createLogger } from './logger'
export type { LogFields, Logger, LogObserver, LogSink } from './logger'
export {
  createRequestFacts,
  factsObserver,
  noteLogEvent,
  requestCacheStatus,
  requestErrorType,
  requestLimiterDecision,
  traceContextOf,
} from './request-facts'
export type {
  CacheStatus,
  CallObserver,
  CallRecord,
  LimiterDecision,
  RequestFacts,
  ToolCallFact,
  TraceContext,
} from './request-facts'
export {
  collectMetrics,
  countEvent,
  FLUSH_AFTER_REQUESTS,
  IsolateMetrics,
  isolateMetrics,
  routeLabel,
} from './metrics'
export type { AggregatorNamespace, CountedEvent, FinishedRequest, RouteLabel } from './metrics'
export { MetricsAggregator } from './metrics-aggregator'
export { writeCallDataPoints } from './analytics'
export { reportToSentry, scrubEvent } from './sentry'
export type { SentrySettings } from './sentry'
