export type { AppEnv } from './app-env'
export { resolveCaller, afterBody } from './caller'
export { errorResponse, onError } from './error-response'
export {
  bodyLimit,
  httpsRedirect,
  isAllowedOrigin,
  originGuard,
  requestContext,
  securityHeaders,
  withConfig,
} from './middleware'
export { handleToolCall } from './tool-route'
