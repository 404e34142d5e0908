export { RateLimiter } from './rate-limiter'
export { createLimiter } from './limiter'
export type { LimiterOptions } from './limiter'
export type { Admission, CallSubject, Limiter } from './ports'
export {
  ClientStates,
  clientKeyOf,
  clientLimitRule,
  clientRateLimitError,
  countClientRefusal,
  IP_BINDING_PERIOD_MS,
  ipRateLimitBinding,
  refundClientToken,
  takeClientToken,
} from './client-ip'
export { limitsHealth } from './health'
export { DOCUMENT_MAX_AGE_MS, LimitDocumentStore } from './store'
export type { WindowDecision, WindowLimit } from './window'
