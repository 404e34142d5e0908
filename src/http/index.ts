export type { AppEnv } from './app-env'
export { isJsonMediaType, parseJsonText, readBodyText } from './json-body'
export { authenticate } from './authenticate'
export { clientRateLimit } from './client-budget'
export type { BearerCredentials } from './client-budget'
export { protectedResourceMetadata } from './resource-metadata'
export { resolveCaller, afterBody } from './caller'
export { errorResponse, onError } from './error-response'
export {
  bodyLimit,
  corsPolicy,
  httpsRedirect,
  originGuard,
  requestContext,
  securityHeaders,
  withConfig,
} from './middleware'
export { hostGuard, isAllowedOrigin } from './hosts'
export { handleToolCall } from './tool-route'
export { metricsScrapeGate, operatorGate, requireGatewayAdmin, serveMetrics } from './metrics-route'
export { invalidateCache, invalidateGate } from './admin-route'
