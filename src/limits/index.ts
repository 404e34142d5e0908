export { RateLimiter } from './rate-limiter'
export { decide, prune } from './window'
export type { BucketState, LimitStatus, WindowDecision, WindowLimit } from './window'
export { createLimiter } from './limiter'
