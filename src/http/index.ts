export type { AppEnv } from './app-env'
export { resolveCaller, afterBody } from './caller'
export { errorResponse, onError } from './error-response'
export {
  bodyLimit,
  corsPolicy,
  httpsRedirect,
  isAllowedOrigin,
  originGuard,
  requestContext,
  securityHeaders,
  withConfig,
} from './middleware'
export { handleToolCall } from './tool-route'
export { metricsScrapeGate, requireGatewayAdmin, serveMetrics } from './metrics-route'
